"""Integration: the seed articles of ../shared, scored with the shared scorer."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"
pytestmark = pytest.mark.skipif(not (SEEDS / "gold.json").exists(),
                                reason="../shared/seeds is not present next to this checkout")


def score(report: Path) -> dict:
    r = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), str(report), str(SEEDS / "gold.json"),
                        "--json"], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def analyze(tmp_path: Path, *extra) -> dict:
    out = tmp_path / "r.json"
    r = subprocess.run([sys.executable, "-m", "chancery", "analyze", str(SEEDS / "articles"), *extra, "-o", str(out)],
                       capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    return score(out)


def test_article_metadata_from_the_text_alone(tmp_path: Path):
    articles = analyze(tmp_path)["articles"]
    assert articles["outlet"] == 1.0
    assert articles["title"] == 1.0
    assert articles["dateline"] == 1.0
    assert articles["clean"] == 1.0


def test_published_with_the_manifest(tmp_path: Path):
    articles = analyze(tmp_path, "--manifest", str(SEEDS / "manifest.json"))["articles"]
    assert articles == {**articles, "outlet": 1.0, "published": 1.0, "title": 1.0, "dateline": 1.0, "clean": 1.0}
