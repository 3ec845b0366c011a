"""Where the per-article stages run: in this process, in a process pool, or on a Dask cluster.

Every engine takes the stream of read items (articles and input problems, in input order) and gives
back the processed articles and the problems in the same order, holding only a bounded window of
work in flight, so a corpus of any size streams through in constant memory. Workers build their own
`Pipeline` once from its configuration (a few file names), never from pickled state.

    with open_engine("process", jobs=4) as engine:
        for item in engine.map(items, pipeline): ...
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from .records import Article, Problem

__all__ = ["ENGINES", "Engine", "PipelineConfig", "open_engine"]

ENGINES = ("serial", "process", "dask")
BATCH = 16  # articles per task: enough to amortise the hop to a worker, small enough to balance load
WINDOW_PER_WORKER = 4  # batches in flight per worker


@dataclass(frozen=True)
class PipelineConfig:
    outlet_files: tuple[str, ...] = ()
    actor_files: tuple[str, ...] = ()
    pattern_files: tuple[str, ...] = ()


@lru_cache(maxsize=4)
def _pipeline(config: PipelineConfig):
    from .pipeline import Pipeline
    return Pipeline(outlet_files=config.outlet_files, actor_files=config.actor_files,
                    pattern_files=config.pattern_files)


def process_batch(pipeline, batch: list) -> list:
    """Run the per-article stages of `pipeline` (a Pipeline, or in a worker its PipelineConfig) over a
    batch; problems pass through, and an article that makes a stage fail becomes a problem."""
    if isinstance(pipeline, PipelineConfig):
        pipeline = _pipeline(pipeline)
    out = []
    for item in batch:
        if isinstance(item, Article):
            try:
                item = pipeline.process(item)
            except Exception as exc:  # noqa: BLE001 - one bad article must not take the run down with it
                item = Problem(item.source, f"could not be analysed: {type(exc).__name__}: {exc}")
        out.append(item)
    return out


def _warm(config: PipelineConfig, pause: float = 0.5) -> None:
    """Build the pipeline in this worker, then hold it a moment so the next warm-up goes to another."""
    import time

    _pipeline(config)
    time.sleep(pause)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Engine:
    """Serial: the stages run here, one batch at a time."""

    name = "serial"
    workers = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        pass

    def map(self, items: Iterable, pipeline) -> Iterator:
        for batch in _batches(items, BATCH):
            yield from process_batch(pipeline, batch)

    def warm(self, pipeline) -> None:
        """Have every worker build its pipeline now rather than on its first batch (for timing)."""

    def _windowed(self, items: Iterable, submit) -> Iterator:
        """Submit batches while at most `workers * WINDOW_PER_WORKER` are pending; yield in order."""
        pending: deque = deque()
        limit = max(1, self.workers * WINDOW_PER_WORKER)
        for batch in _batches(items, BATCH):
            pending.append(submit(batch))
            while len(pending) >= limit:
                yield from self._result(pending.popleft())
        while pending:
            yield from self._result(pending.popleft())

    def _result(self, future) -> list:
        return future.result()


class ProcessEngine(Engine):
    name = "process"

    def __init__(self, jobs: int) -> None:
        self.workers = jobs
        self.pool = ProcessPoolExecutor(max_workers=jobs)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)

    def warm(self, pipeline) -> None:
        for future in [self.pool.submit(_warm, pipeline.config()) for _ in range(self.workers)]:
            future.result()

    def map(self, items: Iterable, pipeline) -> Iterator:
        config = pipeline.config()

        def submit(batch: list) -> Future:
            return self.pool.submit(process_batch, config, batch)
        return self._windowed(items, submit)


class DaskEngine(Engine):
    name = "dask"

    def __init__(self, scheduler: str | None, workers: int) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError("the dask engine needs dask.distributed: pip install 'chancery[dask]'") from exc
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)

    def warm(self, pipeline) -> None:
        self.client.run(_warm, pipeline.config(), 0.0)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def map(self, items: Iterable, pipeline) -> Iterator:
        config = pipeline.config()

        def submit(batch: list):
            return self.client.submit(process_batch, config, batch, pure=False)
        return self._windowed(items, submit)


def open_engine(name: str = "serial", *, jobs: int = 1, scheduler: str | None = None,
                workers: int | None = None) -> Engine:
    """`serial`, `process` (a pool of `jobs` processes) or `dask` (the cluster at `scheduler`, else a
    local cluster of `workers` processes). `jobs > 1` with the serial engine means the process pool."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
    if jobs < 1:
        raise ValueError("--jobs must be at least 1")
    if name == "dask":
        return DaskEngine(scheduler, workers or (jobs if jobs > 1 else os.cpu_count() or 1))
    if name == "process" or jobs > 1:
        return ProcessEngine(jobs if jobs > 1 else os.cpu_count() or 1)
    return Engine()
