"""Scaling and memory of the per-article stages, measured side by side in one run.

    .venv/bin/python bench/scale.py                          # 1 vs 2 workers; RSS streaming 10k and 100k
    .venv/bin/python bench/scale.py --articles 20000 --scaling 600

1. Scaling: the same generated articles through the process pool with 1 and with 2 workers, and
   through a local Dask cluster with 1 and with 2 workers; printed as the speed-up of 2 over 1.
   Workers are started and warmed (their pipeline built) before the clock starts.
2. Memory: `chancery ingest` of N generated articles (a JSONL file, streamed) into a new SQLite
   database, in a child process whose peak RSS is read from the kernel; run for N/10 and N, so the
   ratio shows whether memory grows with the corpus (1.0 means flat).

Generated articles are short wire reports written from templates with invented officials and real
country names. Figures are merged into bench/results.json. Nothing here fails on timing.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results import merge_results

HERE = Path(__file__).resolve().parent
COUNTRIES = [("China", "Chinese", "Beijing"), ("Russia", "Russian", "Moscow"), ("India", "Indian", "New Delhi"),
             ("Brazil", "Brazilian", "Brasilia"), ("Japan", "Japanese", "Tokyo"), ("Turkey", "Turkish", "Ankara"),
             ("Egypt", "Egyptian", "Cairo"), ("Kenya", "Kenyan", "Nairobi"), ("Mexico", "Mexican", "Mexico City"),
             ("Germany", "German", "Berlin"), ("Indonesia", "Indonesian", "Jakarta"), ("Peru", "Peruvian", "Lima")]
VERBS = ["held talks with", "met", "signed an agreement with", "criticised", "urged", "hosted", "warned",
         "pledged to strengthen ties with", "accused", "praised"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
TOPICS = ["trade", "energy", "border security", "grain exports", "a railway project", "climate finance"]


def generate(n: int, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for number in range(n):
        (a, a_adj, capital), (b, b_adj, _) = rng.sample(COUNTRIES, 2)
        day = rng.choice(DAYS)
        minister = f"{a_adj} Foreign Minister {rng.choice('ABCDEFGHKLMNPRST')}. {rng.choice(['Olsen', 'Varga', 'Ito', 'Mensah', 'Kaur', 'Silva'])}"
        text = (f"{capital.upper()}, May 12 -- {minister} {rng.choice(VERBS)} his {b_adj} counterpart on {day}, "
                f"the ministry said. The two sides discussed {rng.choice(TOPICS)} and {rng.choice(TOPICS)}. "
                f"{a} and {b} agreed to meet again next year, officials said. "
                f"Bilateral trade reached {rng.randrange(2, 90)} billion dollars last year.")
        records.append({"id": f"gen{number:06d}", "text": text, "title": f"{a} and {b} talk {rng.choice(TOPICS)}",
                        "published": f"2025-05-{rng.randrange(1, 29):02d}", "outlet": "Generated Wire"})
    return records


def timed_engine(name: str, workers: int, articles: list) -> float:
    from chancery.engines import open_engine
    from chancery.pipeline import Pipeline

    pipeline = Pipeline()
    options = {"workers": workers} if name == "dask" else {"jobs": workers}
    with open_engine(name, **options) as engine:
        engine.warm(pipeline)  # every worker has built its pipeline before the clock starts
        started = time.perf_counter()
        processed = list(engine.map(articles, pipeline))
        elapsed = time.perf_counter() - started
    assert len(processed) == len(articles)
    return elapsed


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_scaling() -> float:
    """What the machine itself gives: pure arithmetic in 2 processes against 1 (the ceiling for ours)."""
    from concurrent.futures import ProcessPoolExecutor

    times = []
    for workers in (1, 2):
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_burn, [10] * workers))
            started = time.perf_counter()
            list(pool.map(_burn, [3_000_000] * 8))
            times.append(time.perf_counter() - started)
    return times[0] / times[1]


def scaling(n: int) -> list[dict]:
    from chancery.records import Article

    articles = [Article(id=r["id"], source=r["id"], raw=r["text"], title=r["title"], published=r["published"])
                for r in generate(n, seed=5)]
    ceiling = machine_scaling()
    print(f"machine: pure arithmetic in 2 processes runs {ceiling:.2f}x as fast as in 1 (the ceiling here)")
    figures = [{"name": "scaling.machine.speedup_2_vs_1", "value": round(ceiling, 2), "unit": "ratio",
                "target": None, "meets": None}]
    for name in ("process", "dask"):
        try:
            one, two = timed_engine(name, 1, articles), timed_engine(name, 2, articles)
        except (ImportError, RuntimeError) as exc:
            print(f"{name}: skipped ({exc})")
            continue
        print(f"{name:8} 1 worker {one:7.1f} s   2 workers {two:7.1f} s   speed-up {one / two:4.2f}x "
              f"({n / one:.0f} → {n / two:.0f} articles/s)")
        figures.append({"name": f"scaling.{name}.speedup_2_vs_1", "value": round(one / two, 2), "unit": "ratio",
                        "target": 1.7, "meets": one / two >= 1.7})
    return figures


def peak_rss_mb(n: int, folder: Path) -> tuple[float, float]:
    """Peak RSS (MB) and wall time (s) of `chancery ingest` (with its relink) of n generated articles."""
    source = folder / f"generated-{n}.jsonl"
    with source.open("w", encoding="utf-8") as stream:
        for record in generate(n):
            stream.write(json.dumps(record) + "\n")
    db = folder / f"generated-{n}.db"
    command = [sys.executable, "-c",
               ("import resource, sys; from chancery.cli import main; rc = main(sys.argv[1:]); "
               "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)"),
               "ingest", str(source), "--db", str(db)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    print(f"ingest of {n:,} generated articles: {elapsed:.0f} s, peak RSS {peak_kb / 1024:.0f} MB", flush=True)
    return peak_kb / 1024, elapsed


def memory(n: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        (small, small_s), (large, large_s) = peak_rss_mb(n // 10, Path(folder)), peak_rss_mb(n, Path(folder))
    print(f"peak RSS for {n:,} articles / for {n // 10:,}: {large / small:.2f}")
    return [{"name": f"streaming.peak_rss_mb_{n // 10}", "value": round(small, 1), "unit": "MB", "target": 1024,
             "meets": small < 1024},
            {"name": f"streaming.peak_rss_mb_{n}", "value": round(large, 1), "unit": "MB", "target": 1024,
             "meets": large < 1024},
            {"name": f"streaming.ingest_s_{n // 10}", "value": round(small_s, 1), "unit": "s", "target": None,
             "meets": None},
            {"name": f"streaming.ingest_s_{n}", "value": round(large_s, 1), "unit": "s", "target": None,
             "meets": None},
            {"name": "streaming.peak_rss_growth_10x", "value": round(large / small, 2), "unit": "ratio",
             "target": 1.5, "meets": large / small <= 1.5}]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scaling", type=int, default=4000, help="articles for the 1-vs-2-worker runs")
    ap.add_argument("--articles", type=int, default=100_000, help="articles streamed for the memory figure")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-scaling", action="store_true")
    ap.add_argument("--output", type=Path, default=HERE / "results.json")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPU(s); resource limit {resource.getrlimit(resource.RLIMIT_AS)}")
    figures = [] if args.skip_scaling else scaling(args.scaling)
    if not args.skip_memory:
        figures += memory(args.articles)
    merge_results(figures, args.output)
    print(f"merged into {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
