"""The link stage run story by story over a store (`chancery.relink`) stores what linking the whole
report at once gives; a later ingest relinks only the stories it changed; a relink stopped midway is
finished by the next one. Story clustering is incremental: a later ingest clusters only its
new articles, and everything when it must."""
from __future__ import annotations

import dataclasses
import json
from importlib import resources

import pytest
import sqlalchemy as sa

from chancery import relink as relink_module
from chancery.link import link
from chancery.pipeline import Pipeline
from chancery.records import Article
from chancery.relink import relink
from chancery.storage import open_store
from chancery.stories import StorySettings, cluster, stream_order

LINKED = ("comparisons", "story_events", "framing")
INCREMENTAL_LINKED = ("stories", "comparisons", "story_events", "framing", "events")


def whole_corpus_link(store) -> dict:
    """What linking the store's report in one piece gives (the link stage before it went per story)."""
    report = store.report()
    for field in LINKED:
        report.pop(field, None)
    return link(report)


def dumped(report: dict) -> dict[str, str]:
    return {field: json.dumps(report.get(field), sort_keys=True) for field in (*LINKED, "stories", "events")}


def link_rows(url: str) -> dict[int, tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            return {pk: (kind, story) for pk, kind, story in c.execute(sa.text(
                "SELECT pk, kind, story_id FROM link_results"))}
    finally:
        engine.dispose()


def test_story_by_story_stores_what_the_whole_corpus_link_gives(store_url, demo_articles, monkeypatch):
    monkeypatch.setattr(relink_module, "GROUP_ARTICLES", 3)  # several stories per group, and groups of one
    with open_store(store_url) as store:
        store.add(demo_articles)
        counts = relink(store)
        stored = store.report()
        expected = whole_corpus_link(store)
    assert counts["linked"] == counts["stories"] == len(stored["stories"]) > 2
    assert all(stored[field] for field in LINKED)
    assert any(c["story"] is None for c in stored["comparisons"]) == any(
        c["story"] is None for c in expected["comparisons"])
    assert dumped(stored) == dumped(expected)


def test_a_second_ingest_relinks_only_the_stories_it_changes(store_url, demo_articles):
    stories = cluster(demo_articles)
    later = set(max(stories, key=lambda s: s.articles[0]).articles)
    first = [a for a in demo_articles if a.id not in later]
    with open_store(store_url) as store:
        store.add(first)
        relink(store)
        before = {s["id"]: s for s in store.stories()}
        rows_before = link_rows(store_url)
        store.add([a for a in demo_articles if a.id in later])
        counts = relink(store)
        after = {s["id"]: s for s in store.stories()}
        changed = {story_id for story_id, entry in after.items() if before.get(story_id) != entry}
        assert changed and counts["linked"] == len(changed) < counts["stories"]
        rows_after = link_rows(store_url)
        # the unchanged stories' rows were not rewritten: same primary keys
        kept = {pk: row for pk, row in rows_before.items() if row[1] is not None and row[1] not in changed}
        assert kept and all(rows_after.get(pk) == row for pk, row in kept.items())
        assert relink(store)["linked"] == 0  # nothing new: nothing relinked
        assert dumped(store.report()) == dumped(whole_corpus_link(store))


def test_a_relink_stopped_midway_is_finished_by_the_next(store_url, demo_articles, monkeypatch):
    monkeypatch.setattr(relink_module, "GROUP_ARTICLES", 1)  # one story per transaction
    calls = {"n": 0}
    real = relink_module._link_results

    def failing_on_the_third(report, outlets):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("stopped")
        return real(report, outlets)

    with open_store(store_url) as store:
        store.add(demo_articles)
        monkeypatch.setattr(relink_module, "_link_results", failing_on_the_third)
        with pytest.raises(RuntimeError):
            relink(store)
        pending = {story for kind, story in link_rows(store_url).values() if kind == "pending"}
        assert len(pending) == len(store.stories()) - 2  # the third and later stories
        assert "pending" not in store.report()
        monkeypatch.setattr(relink_module, "_link_results", real)
        assert relink(store)["linked"] == len(pending)
        assert not any(kind == "pending" for kind, _ in link_rows(store_url).values())
        assert dumped(store.report()) == dumped(whole_corpus_link(store))


# -- incremental clustering ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    with resources.as_file(resources.files("chancery") / "demo") as folder:
        return Pipeline(outlet_files=(str(folder / "outlets.toml"),))


def _linked_now(store) -> dict:
    report = store.report()
    return {kind: report.get(kind) for kind in INCREMENTAL_LINKED}


def test_a_later_ingest_clusters_only_its_new_articles_and_matches_a_full_run(store_url, demo_articles, pipeline):
    ordered = sorted(demo_articles, key=stream_order)
    half = len(ordered) // 2
    with open_store(store_url) as store:
        store.add(ordered[:half])
        assert relink(store, pipeline=pipeline)["clustered"] == half
        store.add(ordered[half:])
        second = relink(store, pipeline=pipeline)
        assert second["clustered"] == len(ordered) - half
        incremental = _linked_now(store)
        assert relink(store, pipeline=pipeline)["clustered"] == 0  # nothing new: nothing clustered
        assert _linked_now(store) == incremental
        assert relink(store, pipeline=pipeline, full=True)["clustered"] == len(ordered)
        assert _linked_now(store) == incremental
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
