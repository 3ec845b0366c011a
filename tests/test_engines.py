"""The per-article stages give the same output on every engine: in this process, in a process pool
and on a real local Dask cluster; an article that makes a stage fail becomes one problem line."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from chancery.engines import BATCH, Engine, open_engine, process_batch
from chancery.manifest import Manifest
from chancery.pipeline import Pipeline, run
from chancery.records import Article, Problem
from chancery.report import build_report


@pytest.fixture(scope="module")
def demo():
    with resources.as_file(resources.files("chancery") / "demo") as folder:
        yield folder


def analyse(folder, engine=None) -> str:
    pipeline = Pipeline(outlet_files=(str(folder / "outlets.toml"),))
    items = list(run([folder / "articles"], pipeline=pipeline, manifest=Manifest.load(folder / "manifest.csv"),
                     engine=engine))
    report = build_report([i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Problem)])
    report.pop("generator")
    return json.dumps(report, sort_keys=True)


@pytest.fixture(scope="module")
def serial(demo) -> str:
    return analyse(demo)


def test_process_pool_gives_the_serial_output(demo, serial):
    with open_engine("process", jobs=2) as engine:
        assert engine.workers == 2
        assert analyse(demo, engine) == serial
    assert len(json.loads(serial)["events"]) > 50


@pytest.mark.slow
def test_local_dask_cluster_gives_the_serial_output(demo, serial):
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    with open_engine("dask", workers=2) as engine:
        assert engine.workers == 2
        assert analyse(demo, engine) == serial


class Exploding:
    """A stand-in pipeline whose stages fail on one article."""

    def process(self, article: Article) -> Article:
        if "boom" in article.raw:
            raise RuntimeError("a stage failed")
        return article


def test_a_failing_article_becomes_a_problem_and_the_rest_go_on():
    items = [Article(id=f"a{n}", source=f"a{n}.txt", raw="boom" if n == 3 else "fine") for n in range(BATCH + 5)]
    items.insert(5, Problem("bad.bin", "not text"))
    out = list(Engine().map(items, Exploding()))
    assert [type(i).__name__ for i in out].count("Problem") == 2
    assert out[5] == Problem("bad.bin", "not text")
    failed = next(i for i in out if isinstance(i, Problem) and i.source == "a3.txt")
    assert "a stage failed" in failed.reason
    assert [i.id for i in out if isinstance(i, Article)] == [f"a{n}" for n in range(BATCH + 5) if n != 3]


def test_the_window_keeps_order_with_many_batches(demo):
    pipeline = Pipeline()
    items = [Article(id=f"t{n}", source=f"t{n}", raw=f"Officials met on day {n}.") for n in range(BATCH * 9 + 3)]
    with open_engine("process", jobs=2) as engine:
        assert [a.id for a in engine.map(items, pipeline)] == [a.id for a in items]
    assert process_batch(pipeline, items[:2])[0].sentences


def test_bad_engine_settings_are_refused():
    with pytest.raises(ValueError, match="unknown engine"):
        open_engine("spark")
    with pytest.raises(ValueError, match="jobs"):
        open_engine("process", jobs=0)


def test_skipped_articles_are_read_but_not_analysed(demo, tmp_path):
    (tmp_path / "one.txt").write_text("Officials met in Lima on Monday.", encoding="utf-8")
    (tmp_path / "two.txt").write_text("Envoys met in Quito on Tuesday.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02" * 50)
    out = list(run([tmp_path], pipeline=Pipeline(), skip=lambda article: article.id == "one"))
    assert [a.id for a in out if isinstance(a, Article)] == ["two"]
    assert out[-1].sentences  # analysed
    assert any(isinstance(i, Problem) and "bad.txt" in i.source for i in out)
