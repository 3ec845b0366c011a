"""Incremental story clustering in the store: a later ingest adds its articles to the saved stories
instead of clustering everything again, and falls back to clustering everything when it must."""
from __future__ import annotations

import dataclasses
from importlib import resources

import pytest

from chancery.pipeline import Pipeline
from chancery.records import Article
from chancery.relink import relink
from chancery.storage import open_store
from chancery.stories import StorySettings, stream_order

LINKED = ("stories", "comparisons", "story_events", "framing", "events")


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    with resources.as_file(resources.files("chancery") / "demo") as folder:
        return Pipeline(outlet_files=(str(folder / "outlets.toml"),))


def _linked(store) -> dict:
    report = store.report()
    return {kind: report.get(kind) for kind in LINKED}


def test_a_later_ingest_clusters_only_its_new_articles_and_matches_a_full_run(store_url, demo_articles, pipeline):
    ordered = sorted(demo_articles, key=stream_order)
    half = len(ordered) // 2
    with open_store(store_url) as store:
        store.add(ordered[:half])
        assert relink(store, pipeline=pipeline)["clustered"] == half
        store.add(ordered[half:])
        second = relink(store, pipeline=pipeline)
        assert second["clustered"] == len(ordered) - half
        incremental = _linked(store)
        assert relink(store, pipeline=pipeline)["clustered"] == 0  # nothing new: nothing clustered
        assert _linked(store) == incremental
        assert relink(store, pipeline=pipeline, full=True)["clustered"] == len(ordered)
        assert _linked(store) == incremental
    assert any(len(story["articles"]) > 1 for story in incremental["stories"])
    assert sorted(a for story in incremental["stories"] for a in story["articles"]) == sorted(a.id for a in ordered)


def test_a_changed_article_or_other_settings_make_it_cluster_everything(store_url, demo_articles, pipeline):
    with open_store(store_url) as store:
        store.add(demo_articles)
        relink(store)
        changed = dataclasses.replace(demo_articles[0], text=demo_articles[0].text + " A late correction.",
                                      content_hash="")
        changed = pipeline.process(Article(id=changed.id, source=changed.source, raw=changed.text,
                                           url=changed.url, outlet=changed.outlet, published=changed.published,
                                           title=changed.title))
        assert store.add([changed]).versioned == 1
        assert relink(store)["clustered"] == len(demo_articles)
        assert relink(store)["clustered"] == 0
        assert relink(store, StorySettings(threshold=0.3))["clustered"] == len(demo_articles)


def test_an_undated_late_report_borrows_its_story_date(store_url, demo_articles, pipeline):
    """An article without a date, stored after its story's dated reports, is analysed again with the
    story's date although only it was clustered in that run."""
    ordered = sorted(demo_articles, key=stream_order)
    with open_store(store_url) as store:
        store.add(ordered)
        relink(store, pipeline=pipeline)
        stories = store.stories()
        story = next(s for s in stories if len(s["articles"]) > 1)
        model = next(a for a in ordered if a.id == story["articles"][0])
        late = pipeline.process(Article(id="late-copy", source="test", raw=model.text, outlet="Test Wire"))
        if late.published or late.dateline and late.dateline.date:
            pytest.skip("the model article's text carries its own date")
        store.add([late])
        result = relink(store, pipeline=pipeline)
        assert result["clustered"] == 1 and result["redated"] == 1
        [home] = [s for s in store.stories() if "late-copy" in s["articles"]]
        assert model.id in home["articles"]
        events = [e for e in store.report()["events"] if e["article"] == "late-copy"]
        assert events and any(e.get("date_source") == "story" for e in events)
