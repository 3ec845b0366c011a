"""`chancery ingest` killed with SIGKILL at random points and run again leaves the database exactly as
an uninterrupted run does: same rows, same content hashes, no half-written article, no orphan
annotation, the same stories. On SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from importlib import resources

import pytest
import sqlalchemy as sa

PER_ARTICLE = ("article_removed", "article_sentences", "article_annotations", "events", "quotes", "facts")
KILLS = 4


def ingest_command(url: str) -> list[str]:
    with resources.as_file(resources.files("chancery") / "demo") as folder:
        return [sys.executable, "-m", "chancery", "ingest", str(folder / "articles"), "--db", url,
                "--manifest", str(folder / "manifest.csv"), "--outlets", str(folder / "outlets.toml"),
                "--batch-size", "2"]


def snapshot(url: str) -> dict:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            articles = sorted(tuple(r) for r in c.execute(sa.text(
                "SELECT article_id, content_hash, version, is_current FROM articles")))
            children = {table: sorted(tuple(r) for r in c.execute(sa.text(
                f"SELECT a.article_id, count(*) FROM {table} t JOIN articles a ON a.pk = t.article_pk "
                "GROUP BY a.article_id"))) for table in PER_ARTICLE}
            orphans = sum(c.execute(sa.text(
                f"SELECT count(*) FROM {table} WHERE article_pk NOT IN (SELECT pk FROM articles)")).scalar_one()
                for table in (*PER_ARTICLE, "story_articles"))
            event_ids = sorted(c.execute(sa.text("SELECT event_id FROM events")).scalars())
            stories = sorted(tuple(r) for r in c.execute(sa.text(
                "SELECT s.story_id, a.article_id FROM story_articles s JOIN articles a ON a.pk = s.article_pk")))
    finally:
        engine.dispose()
    return {"articles": articles, "children": children, "orphans": orphans, "events": event_ids,
            "stories": stories}


def fresh_url(request, tmp_path, backend: str, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / (name + '.db')}"
    from conftest import _admin_execute
    server = request.getfixturevalue("pg_url").rpartition("/")[0]
    database = f"crash_{name}_{random.randrange(10**9)}"
    _admin_execute(f"{server}/postgres", f"CREATE DATABASE {database}")
    return f"{server}/{database}"


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_killed_ingests_end_like_an_uninterrupted_one(request, tmp_path, backend):
    reference_url = fresh_url(request, tmp_path, backend, "reference")
    started = time.monotonic()
    done = subprocess.run(ingest_command(reference_url), capture_output=True, text=True, timeout=600, check=False)
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    reference = snapshot(reference_url)
    assert len(reference["articles"]) == 18 and reference["events"] and reference["stories"]
    assert reference["orphans"] == 0

    rng = random.Random(request.node.name)
    killed_midway = 0
    for n in range(KILLS):
        url = fresh_url(request, tmp_path, backend, f"killed{n}")
        for _ in range(2):  # two kills in a row on the same database, then a full run
            process = subprocess.Popen(ingest_command(url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.3, duration))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed_midway += 1
            process.wait(timeout=60)
            partial = snapshot(url) if _exists(url) else None
            if partial is not None:
                assert partial["orphans"] == 0
                # whatever got stored is whole: every stored article has its sentences and annotations
                stored = {a[0] for a in partial["articles"]}
                for table in ("article_sentences", "article_annotations"):
                    assert {row[0] for row in partial["children"][table]} == stored
        rerun = subprocess.run(ingest_command(url), capture_output=True, text=True, timeout=600, check=False)
        assert rerun.returncode == 0, rerun.stderr
        assert snapshot(url) == reference
    assert killed_midway >= KILLS  # the kills really interrupted runs


def _exists(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        return sa.inspect(engine).has_table("events")
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()
