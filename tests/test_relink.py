"""The link stage run story by story over a store (`chancery.relink`) stores what linking the whole
report at once gives; a later ingest relinks only the stories it changed; a relink stopped midway is
finished by the next one."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from chancery import relink as relink_module
from chancery.link import link
from chancery.relink import relink
from chancery.storage import open_store
from chancery.stories import cluster

LINKED = ("comparisons", "story_events", "framing")


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
