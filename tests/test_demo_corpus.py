"""The bundled demo corpus, cleaned as its expected.json says (written with the corpus)."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from chancery.manifest import Manifest
from chancery.pipeline import Pipeline, run
from chancery.records import Article, Problem

DEMO = Path(str(resources.files("chancery") / "demo"))
EXPECTED = json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def analysed() -> dict[str, Article]:
    pipeline = Pipeline(outlet_files=(str(DEMO / "outlets.toml"),))
    items = list(run([DEMO / "articles"], pipeline=pipeline, manifest=Manifest.load(DEMO / "manifest.csv")))
    assert [i for i in items if isinstance(i, Problem)] == []
    by_key = {}
    for article in items:
        by_key[article.id] = article
        if article.url:
            by_key[article.url] = article
    return by_key


def test_corpus_size_and_formats():
    files = sorted(p.name for p in (DEMO / "articles").iterdir())
    assert 15 <= len(EXPECTED) <= 20
    assert any(f.endswith(".html") for f in files) and any(f.endswith(".txt") for f in files)
    assert "feed.xml" in files and "wire.jsonl" in files
    assert len({e["story"] for e in EXPECTED.values()}) == 5


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_article_cleaned_as_expected(analysed, key):
    want = EXPECTED[key]
    art = analysed[key]
    assert art.outlet == want["outlet"]
    assert art.title == want["title"]
    assert art.published == want["published"]
    assert (art.dateline.place if art.dateline else None) == want["dateline"]
    for noise in want["must_not_contain"]:
        assert noise not in art.text
    for body in want["must_contain"]:
        assert body in art.text
    kept = art.text + " ".join(r.text for r in art.removed) + (art.html or "")  # a page keeps its HTML
    for noise in want["must_not_contain"]:
        assert noise.split()[0] in kept  # removed, not lost


def test_without_manifest_the_text_alone_still_gives_outlets(analysed):
    pipeline = Pipeline(outlet_files=(str(DEMO / "outlets.toml"),))
    items = [i for i in run([DEMO / "articles"], pipeline=pipeline) if isinstance(i, Article)]
    for art in items:
        key = art.url if art.url in EXPECTED else art.id
        if key not in EXPECTED:
            continue
        clues = EXPECTED[key].get("clues", {}).get("outlet", [])
        if clues and clues != ["manifest"]:
            assert art.outlet == EXPECTED[key]["outlet"], key
