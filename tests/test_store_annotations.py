"""What the per-article stages find is stored with each article, and the store gives back the same
report `chancery analyze` writes; the link stage's stories are stored and replaced as a whole."""
from __future__ import annotations

import json

from chancery import queries
from chancery.records import Article
from chancery.relink import relink
from chancery.report import build_report
from chancery.storage import open_store
from chancery.stories import cluster

PER_ARTICLE = ("events", "quotes", "facts")


def canonical(entries: list[dict]) -> list[str]:
    return sorted(json.dumps(e, sort_keys=True) for e in entries)


def test_store_gives_back_what_analyze_reports(store_url, demo_articles):
    expected = build_report(demo_articles, (), cluster(demo_articles))
    assert all(expected[kind] for kind in PER_ARTICLE)
    with open_store(store_url) as store:
        store.add(demo_articles)
        relink(store)
        stored = store.report()
        counts = store.counts()
    for kind in (*PER_ARTICLE, "stories"):
        assert canonical(stored[kind]) == canonical(expected[kind]), kind
        assert counts[kind] == len(expected[kind])
    for entry in stored["articles"]:
        original = next(a for a in demo_articles if a.id == entry["id"])
        assert len(entry["mentions"]) == len(original.mentions) and len(entry["times"]) == len(original.times)


def test_rebuilt_articles_cluster_like_the_originals(store_url, demo_articles):
    with open_store(store_url) as store:
        store.add(demo_articles)
        rebuilt = list(store.current_articles(batch_size=5))  # several batches
    assert sorted(a.id for a in rebuilt) == sorted(a.id for a in demo_articles)
    one = next(a for a in rebuilt if a.mentions)
    original = next(a for a in demo_articles if a.id == one.id)
    assert one.mentions == original.mentions and one.times == original.times and one.sentences == original.sentences
    # the store hands them out in the order `cluster` sorts them into, so both give the same stories
    assert [s.to_dict() for s in cluster(rebuilt, ordered=True)] == [s.to_dict() for s in cluster(demo_articles)]
    assert [s.to_dict() for s in cluster(demo_articles[::-1])] == [s.to_dict() for s in cluster(demo_articles)]


def test_relink_replaces_the_previous_stories(store_url, demo_articles):
    with open_store(store_url) as store:
        store.add(demo_articles[:6])
        first = relink(store)["stories"]
        store.add(demo_articles[6:])
        relink(store)
        relink(store)  # again: nothing doubles
        stories = store.stories()
        assert store.counts()["stories"] == len(stories) >= first
        members = [article_id for story in stories for article_id in story["articles"]]
        assert sorted(members) == sorted(a.id for a in demo_articles)
        one = stories[0]
        narrowed = store.report(story=one["id"])
        assert [s["id"] for s in narrowed["stories"]] == [one["id"]]
        assert sorted(a["id"] for a in narrowed["articles"]) == sorted(one["articles"])
        assert narrowed["events"] and all(e["story"] == one["id"] for e in narrowed["events"])


def test_a_new_version_keeps_the_old_annotations_but_reports_the_current(store_url, demo_articles):
    original = next(a for a in demo_articles if len(a.events) >= 2)
    changed = Article(**{**{f: getattr(original, f) for f in ("id", "source", "url", "outlet", "title", "published",
                                                                 "text", "dateline", "sentences", "mentions", "times",
                                                                 "quotes", "facts")},
                         "raw": original.raw + "\nA correction was appended.", "events": original.events[:1]})
    with open_store(store_url) as store:
        store.add([original])
        assert store.counts()["events"] == len(original.events)
        store.add([changed])
        assert store.counts()["events"] == 1  # counts follow the current version
        assert [e["id"] for e in store.report()["events"]] == [original.events[0].id]
        assert [e["id"] for e in queries.events(store).rows] == [original.events[0].id]
        with store.engine.connect() as connection:
            from sqlalchemy import text
            assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == len(original.events) + 1
        store.add([original])  # the content goes back to the first version, whose events count again
        assert queries.events(store, limit=1000).total == len(original.events) == store.counts()["events"]


def test_an_undated_article_takes_its_storys_date_in_the_store_as_in_analyze(tmp_path):
    from chancery.cli import main

    text = ("Chile and Argentina signed a treaty on the shared Andean aquifer in Santiago on Thursday. "
            "Chilean President Gabriel Boric and Argentine President Javier Milei met at La Moneda palace "
            "and agreed to share data on groundwater along the border.")
    records = [
        {"id": "dated", "text": text, "title": "Chile, Argentina sign aquifer treaty", "published": "2025-03-14"},
        {"id": "undated", "text": text.replace("signed a treaty on the shared Andean aquifer in Santiago on Thursday",
                                               "on Thursday signed a treaty on the shared Andean aquifer in Santiago"),
         "title": "Aquifer treaty signed in Santiago"},
    ]
    source = tmp_path / "two.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    assert main(["analyze", str(source), "-o", str(tmp_path / "r.json")]) == 0
    analysed = json.loads((tmp_path / "r.json").read_text())
    assert len(analysed["stories"]) == 1
    lent = [e for e in analysed["events"] if e["article"] == "undated" and e["date_source"] == "story"]
    # "on Thursday" resolves in the story's week; sentences without a time take the story's day
    assert lent and {e["date"] for e in lent} <= {"2025-03-13", "2025-03-14"}
    assert any(e["date"] == "2025-03-13" for e in lent)
    db = str(tmp_path / "two.db")
    assert main(["ingest", str(source), "--db", db]) == 0
    with open_store(db) as store:
        stored = store.report()
    assert canonical(stored["events"]) == canonical(analysed["events"])
    assert canonical(stored["comparisons"]) == canonical(analysed["comparisons"])
