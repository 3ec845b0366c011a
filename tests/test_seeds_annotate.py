"""The annotate stage on the seed articles of ../shared (issue #3's checks), with the bundled knowledge."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from chancery.manifest import Manifest
from chancery.pipeline import run

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not (SEEDS / "manifest.json").exists(),
                                reason="../shared/seeds is not present next to this checkout")


@pytest.fixture(scope="module")
def articles():
    items = run([SEEDS / "articles"], manifest=Manifest.load(SEEDS / "manifest.json"))
    return {a.id[:3]: a for a in items if hasattr(a, "mentions")}


def resolved(article, surface: str) -> list[str]:
    return [m.actor.name for m in article.mentions if m.text.lower() == surface.lower()]


def test_001_leaders_and_their_descriptions(articles):
    a = articles["001"]
    for surface in ("Xi", "the Chinese president", "the Chinese leader", "He"):
        names = resolved(a, surface)
        assert names and set(names) == {"Xi Jinping"}, (surface, names)
    for surface in ("Putin", "the Russian president"):
        names = resolved(a, surface)
        assert names and set(names) == {"Vladimir Putin"}, (surface, names)


def test_000_metonyms_and_weekdays(articles):
    a = articles["000"]
    sentence = next(i for i, (s, e) in enumerate(a.sentences) if "heated trade war" in a.text[s:e])
    actors = {(m.text, m.actor.country, m.actor.sector) for m in a.mentions if m.sentence == sentence}
    assert ("Beijing", "CHN", "GOV") in actors and ("Washington", "USA", "GOV") in actors
    monday = next(t for t in a.times if t.text == "On Monday")
    assert monday.date == "2025-09-01" and monday.precision == "day"
    wednesday = next(t for t in a.times if t.text == "On Wednesday")
    assert wednesday.date == "2025-09-03" and wednesday.tense == "future"


def test_003_month_precision(articles):
    may = next(t for t in articles["003"].times if t.text == "In May")
    assert (may.date, may.precision) == ("2025-05", "month")


def test_mentions_are_in_the_report(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "r.json"
    subprocess.run([sys.executable, "-m", "chancery", "analyze", str(SEEDS / "articles"), "-o", str(out)],
                   check=True, capture_output=True, timeout=300)
    report = json.loads(out.read_text())
    for article in report["articles"]:
        assert article["mentions"], article["id"]
        for m in article["mentions"]:
            start, end = m["span"]
            assert article["text"][start:end] == m["text"]
            assert {"name", "country", "sector", "kind"} <= set(m["actor"])
