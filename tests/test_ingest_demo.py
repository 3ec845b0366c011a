"""Ingesting the demo corpus is idempotent, on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import subprocess
import sys

from sqlalchemy import create_engine, text

TABLES = ("articles", "article_removed", "article_sentences")


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
