"""Ingesting the demo corpus is idempotent, on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import subprocess
import sys

from sqlalchemy import create_engine, text

TABLES = ("articles", "article_removed", "article_sentences", "article_annotations", "events", "quotes", "facts",
          "stories", "story_articles")


def snapshot(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}
            hashes = sorted(conn.execute(text("SELECT content_hash FROM articles")).scalars())
            texts = sorted(conn.execute(text("SELECT text FROM articles")).scalars())
    finally:
        engine.dispose()
    return {"counts": counts, "hashes": hashes, "texts": texts}


def demo(url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chancery", "demo", "--db", url],
                          capture_output=True, text=True, timeout=300, check=False)


def test_demo_ingested_twice_changes_nothing(store_url):
    first = demo(store_url)
    assert first.returncode == 0, first.stderr
    assert "18 new" in first.stderr
    before = snapshot(store_url)
    assert before["counts"]["articles"] == 18 and before["counts"]["article_sentences"] > 18 * 5
    assert before["counts"]["article_removed"] > 18
    second = demo(store_url)
    assert second.returncode == 0, second.stderr
    assert "0 new" in second.stderr and "18 unchanged" in second.stderr
    assert snapshot(store_url) == before


def test_demo_ingest_stores_annotations_and_stories(store_url):
    assert demo(store_url).returncode == 0
    counts = snapshot(store_url)["counts"]
    assert counts["events"] > 18 and counts["quotes"] > 18 and counts["facts"] > 18
    assert counts["article_annotations"] == 18
    # every article belongs to exactly one story, and the demo corpus has several
    assert counts["story_articles"] == 18 and 2 <= counts["stories"] < 18
