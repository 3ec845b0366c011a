"""The storage layer against real databases: a SQLite file and a PostgreSQL server started by the tests."""
from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from chancery.records import Article, Dateline, Removed
from chancery.storage import (
    MIGRATIONS_DIR,
    VERSION_TABLE,
    IngestStats,
    SearchError,
    _alembic_config,
    _migrate,
    open_store,
)

TOPICS = [
    ("Lantern Bay", "Harbour officials in Lantern Bay signed a fisheries accord with their neighbours."),
    ("Copper Ridge", "Miners at Copper Ridge walked out after talks on wages collapsed overnight."),
    ("Violet Strait", "Naval patrols in the Violet Strait were doubled after a collision with a tanker."),
    ("Juniper Valley", "Farmers in Juniper Valley received emergency grain shipments from the capital."),
    ("Quartz Plateau", "Envoys met on the Quartz Plateau to discuss a ceasefire and swapping prisoners."),
]


def make_article(n: int, *, url: bool = True, body_suffix: str = "") -> Article:
    place, sentence = TOPICS[n % len(TOPICS)]
    text = f"{sentence} A spokesman called the step overdue.{body_suffix} Story {n}."
    first_end = len(sentence)
    return Article(
        id=f"art{n:03d}",
        source=f"corpus/art{n:03d}.txt",
        raw=f"{place.upper()}, May {n % 28 + 1} (Kestrel News) -- {text}\nPhoto: Staff {n}",
        url=f"https://news.example/{n}" if url else None,
        outlet="Kestrel News" if n % 2 else "Meridian Daily",
        title=f"Report {n} from {place}",
        published=f"2025-05-{n % 28 + 1:02d}",
        language="en",
        text=text,
        dateline=Dateline(place=place, date=f"2025-05-{n % 28 + 1:02d}", agency="Kestrel News"),
        removed=[Removed("dateline", f"{place.upper()}, May {n % 28 + 1} (Kestrel News) --"),
                 Removed("caption", f"Photo: Staff {n}")],
        sentences=[(0, first_end), (first_end + 1, first_end + 37), (first_end + 38, len(text))],
        provenance={"outlet": "dateline", "title": "first-line", "published": "dateline"},
    )


def snapshot(store) -> tuple[dict, set]:
    """Row counts of every table and what exactly the articles table holds."""
    with store.engine.connect() as connection:
        counts = {
            table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("articles", "article_removed", "article_sentences")
        }
        rows = set(connection.execute(sa.text(
            "SELECT identity_key, version, content_hash, is_current FROM articles"
        )).all())
    return counts, {tuple(row[:3]) + (bool(row[3]),) for row in rows}


def orphan_children(store) -> int:
    with store.engine.connect() as connection:
        return sum(
            connection.execute(sa.text(
                f"SELECT count(*) FROM {table} WHERE article_pk NOT IN (SELECT pk FROM articles)"
            )).scalar_one()
            for table in ("article_removed", "article_sentences", "article_annotations", "events", "quotes", "facts",
                          "story_articles")
        )


@pytest.fixture
def store(store_url):
    with open_store(store_url) as opened:
        yield opened


# --- ingest, identity and versions ----------------------------------------------------------------------

def test_ingesting_twice_changes_nothing(store):
    articles = [make_article(n) for n in range(5)]
    first = store.add(articles, batch_size=2)
    assert first == IngestStats(added=5)
    before = snapshot(store)

    second = store.add([make_article(n) for n in range(5)])
    assert second == IngestStats(unchanged=5)
    assert second.total == 5
    assert snapshot(store) == before
    assert before[0] == {"articles": 5, "article_removed": 10, "article_sentences": 15}
    assert {row["content_hash"] for row in store.articles()} == {a.content_hash for a in articles}


def test_findings_made_with_other_knowledge_are_replaced_not_duplicated(store):
    articles = [make_article(n) for n in range(3)]
    assert store.add(articles, generator="kit one") == IngestStats(added=3)
    assert store.is_stored(articles[0], "kit one") and not store.is_stored(articles[0], "kit two")
    assert store.is_stored(articles[0])  # without a generator only the content counts
    before = snapshot(store)
    assert store.add(articles, generator="kit one") == IngestStats(unchanged=3)
    assert store.add(articles, generator="kit two") == IngestStats(reanalysed=3)
    assert snapshot(store) == before  # same rows: nothing doubled, no new version
    assert store.is_stored(articles[1], "kit two") and not store.is_stored(articles[1], "kit one")
    # findings lent a story's date later keep saying what made them
    assert store.replace_annotations([articles[1]]) == 1
    assert store.is_stored(articles[1], "kit two")


def test_changed_content_becomes_a_new_version(store):
    store.add([make_article(1), make_article(2)])
    changed = make_article(1, body_suffix=" Officials later corrected the figures.")
    changed.raw += "\nCorrection appended."
    changed.content_hash = ""
    changed.__post_init__()

    assert store.add([changed]) == IngestStats(versioned=1)
    listed = {row["id"]: row for row in store.articles()}
    assert len(listed) == 2
    assert listed["art001"]["version"] == 2
    assert listed["art001"]["content_hash"] == changed.content_hash

    current, old = store.get("art001"), store.get("art001", version=1)
    assert "corrected the figures" in current["text"] and current["is_current"]
    assert "corrected" not in old["text"] and not old["is_current"]
    assert article_counts(store) == {"articles": 2, "versions": 3, "removed": 6, "sentences": 9}

    assert store.add([changed]) == IngestStats(unchanged=1)


def test_content_going_back_makes_the_earlier_version_current(store):
    original = make_article(3)
    edited = make_article(3, body_suffix=" An edit.")
    edited.raw += " edit"
    edited.content_hash = ""
    edited.__post_init__()
    store.add([original])
    store.add([edited])

    assert store.add([make_article(3)]) == IngestStats(versioned=1)
    assert store.get("art003")["version"] == 1
    assert store.counts()["versions"] == 2
    assert [row["version"] for row in store.articles()] == [1]


def test_same_url_under_another_id_is_the_same_article(store):
    store.add([make_article(4)])
    renamed = make_article(4)
    renamed.id = "renamed-by-another-reader"
    assert store.add([renamed]) == IngestStats(unchanged=1)

    renamed.raw += " with a later update"
    renamed.content_hash = ""
    renamed.__post_init__()
    assert store.add([renamed]) == IngestStats(versioned=1)
    assert [row["id"] for row in store.articles()] == ["renamed-by-another-reader"]
    assert store.get("renamed-by-another-reader")["version"] == 2


def test_without_url_the_id_is_the_identity(store):
    assert store.add([make_article(5, url=False), make_article(6, url=False)]) == IngestStats(added=2)
    assert store.add([make_article(5, url=False)]) == IngestStats(unchanged=1)
    # The same id with a URL is another identity: records without URLs are matched on id only.
    assert store.add([make_article(5)]) == IngestStats(added=1)


def test_repeated_identity_within_one_batch(store):
    edited = make_article(7)
    edited.raw += " v2"
    edited.content_hash = ""
    edited.__post_init__()
    stats = store.add([make_article(7), make_article(7), edited])
    assert stats == IngestStats(added=1, unchanged=1, versioned=1)
    assert store.get("art007")["content_hash"] == edited.content_hash


def test_long_urls_nul_characters_and_surrogates_are_stored(store):
    article = make_article(8, url=False)
    article.id = "art008\x00\udc80"
    assert store.add([article]) == IngestStats(added=1)
    assert store.add([article]) == IngestStats(unchanged=1)
    assert store.get(article.id)["id"] == "art008\ufffd\ufffd"

    article = make_article(8)
    article.url = "https://news.example/" + "very-long-path/" * 400
    article.text = "Text with a NUL\x00 and a lone surrogate \udc80 inside."
    article.raw = article.text
    article.sentences = [(0, len(article.text))]
    assert store.add([article]) == IngestStats(added=1)
    assert store.add([article]) == IngestStats(unchanged=1)
    stored = store.get("art008")
    assert stored["url"] == article.url and stored["is_current"]
    assert len(stored["text"]) == len(article.text)  # offsets still point at the same characters
    assert "\x00" not in stored["text"]


def test_a_huge_article_is_stored_and_searchable_by_its_beginning(store):
    article = make_article(9)
    article.text = "Opening paragraph about glaciers. " + " ".join(f"word{n}x" for n in range(200_000))
    article.raw = article.text
    assert store.add([article]) == IngestStats(added=1)
    assert [row["id"] for row in store.articles(search="glaciers")] == ["art009"]
    assert store.get("art009")["text"] == article.text


# --- atomicity ------------------------------------------------------------------------------------------

def test_a_failing_article_rolls_back_its_batch_and_nothing_is_half_written(store):
    broken = make_article(11)
    broken.sentences = [(0, 10), (None, None)]  # NOT NULL violation after the article row is written
    with pytest.raises(sa.exc.IntegrityError):
        store.add([make_article(9), make_article(10), make_article(12), broken], batch_size=2)
    # The first batch (art009, art010) committed; the second (art011, art012) rolled back entirely.
    assert sorted(row["id"] for row in store.articles()) == ["art009", "art010"]
    assert article_counts(store) == {"articles": 2, "versions": 2, "removed": 4, "sentences": 6}
    assert orphan_children(store) == 0


def test_an_interrupted_input_keeps_whole_batches_only(store):
    def articles_then_crash():
        for n in range(5):
            yield make_article(n)
        raise RuntimeError("reader died")

    with pytest.raises(RuntimeError):
        store.add(articles_then_crash(), batch_size=2)
    assert store.counts()["articles"] == 4
    assert orphan_children(store) == 0


NOT_STORED_YET = {"mentions", "times", "events", "quotes", "facts"}  # derived from the text; stored by later work
NOT_STORED_YET |= {"anchor"}  # a story's date lent by the link stage for one analysis, not article data


# --- reading --------------------------------------------------------------------------------------------

def test_get_round_trips_the_record(store):
    article = make_article(2)
    article.html = "<p>Farmers in <b>Juniper Valley</b></p>"
    article.content_hash = ""
    article.__post_init__()
    store.add([article])

    stored = store.get("art002")
    expected = article.to_dict()
    expected["sentences"] = [list(span) for span in expected["sentences"]]
    for field in set(expected) - NOT_STORED_YET:
        assert stored[field] == expected[field], field
    assert stored["version"] == 1 and stored["is_current"] is True
    assert stored["ingested_at"].endswith("+00:00")
    assert store.get("no-such-article") is None
    assert store.get("art002", version=7) is None


def test_listing_filters_by_outlet_and_pages(store):
    store.add([make_article(n) for n in range(10)])
    kestrel = store.articles(outlet="kestrel news")
    assert len(kestrel) == 5 and {row["outlet"] for row in kestrel} == {"Kestrel News"}

    everything = store.articles(limit=100)
    published = [row["published"] for row in everything]
    assert published == sorted(published, reverse=True)
    assert store.articles(limit=3) + store.articles(limit=3, offset=3) == everything[:6]
    row = everything[0]
    assert row["n_sentences"] == 3
    assert row["dateline"]["place"] and row["snippet"]
    assert set(row) >= {"id", "source", "url", "outlet", "title", "published", "language", "dateline",
                        "content_hash", "version", "n_sentences", "snippet"}


def test_search_finds_words_in_body_and_title(store):
    store.add([make_article(n) for n in range(5)])
    assert [row["id"] for row in store.articles(search="tanker")] == ["art002"]
    assert [row["id"] for row in store.articles(search="Report 4")] == ["art004"]
    assert [row["id"] for row in store.articles(search="juniper")] == ["art003"]
    assert store.articles(search="nonexistentword") == []
    # Stemming: "collisions" finds "collision".
    assert [row["id"] for row in store.articles(search="collisions")] == ["art002"]


def test_search_syntax(store):
    store.add([make_article(n) for n in range(5)])

    def ids(query):
        return sorted(row["id"] for row in store.articles(search=query))

    assert ids('"fisheries accord"') == ["art000"]
    assert ids('"accord fisheries"') == []
    assert ids("tanker OR prisoners") == ["art002", "art004"]
    assert ids("spokesman -tanker") == ["art000", "art001", "art003", "art004"]
    assert ids("spokesman NOT tanker NOT miners") == ["art000", "art003", "art004"]
    assert ids("Harbour officials, signed!") == ["art000"]
    assert ids("Lantern Bay's accord") == ["art000"]
    assert ids("spokesman AND miners") == ["art001"]
    assert ids("   ") == ids("") == [f"art00{n}" for n in range(5)]


def test_search_hides_old_versions(store):
    store.add([make_article(2)])
    edited = make_article(2)
    edited.text = edited.text.replace("tanker", "trawler")
    edited.raw += " edited"
    edited.content_hash = ""
    edited.__post_init__()
    store.add([edited])
    assert store.articles(search="tanker") == []
    assert [row["version"] for row in store.articles(search="trawler")] == [2]


def article_counts(store) -> dict[str, int]:
    """The counts about articles (these tests store bare articles, without annotations)."""
    counts = store.counts()
    return {name: counts[name] for name in ("articles", "versions", "removed", "sentences")}


MALFORMED_QUERIES = ['"unbalanced', "AND OR (", "OR", "tanker OR", "-tanker", "(a OR b) c", "NOT"]


@pytest.mark.parametrize("query", MALFORMED_QUERIES)
def test_malformed_search_raises_search_error(store, query):
    store.add([make_article(1)])
    with pytest.raises(SearchError) as raised:
        store.articles(search=query)
    assert isinstance(raised.value, ValueError)
    assert query in str(raised.value)


def test_counts_on_an_empty_store(store):
    assert article_counts(store) == {"articles": 0, "versions": 0, "removed": 0, "sentences": 0}
    assert store.articles() == []


# --- concurrency ----------------------------------------------------------------------------------------

def assert_no_duplicates(store, expected_articles: int) -> None:
    with store.engine.connect() as connection:
        per_identity = connection.execute(sa.text(
            "SELECT identity_key, count(*), sum(CASE WHEN is_current THEN 1 ELSE 0 END) "
            "FROM articles GROUP BY identity_key"
        )).all()
    assert len(per_identity) == expected_articles
    assert all(versions == 1 and current == 1 for _, versions, current in per_identity)
    assert article_counts(store) == {
        "articles": expected_articles, "versions": expected_articles,
        "removed": 2 * expected_articles, "sentences": 3 * expected_articles,
    }
    assert orphan_children(store) == 0


def test_concurrent_threads_do_not_duplicate(store):
    articles = [make_article(n) for n in range(40)]
    results: list[IngestStats] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def ingest(seed: int) -> None:
        mine = articles[:]
        random.Random(seed).shuffle(mine)
        start.wait()
        try:
            results.append(store.add(mine, batch_size=7))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=ingest, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(r.added for r in results) == 40
    assert sum(r.unchanged for r in results) == 120
    assert_no_duplicates(store, 40)


WORKER = textwrap.dedent("""
    import json, random, sys, time
    from chancery.records import Article, Dateline, Removed
    from chancery.storage import open_store

    url, path, seed, start_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    articles = []
    for record in json.loads(open(path).read()):
        record["dateline"] = Dateline(**record["dateline"]) if record["dateline"] else None
        record["removed"] = [Removed(**part) for part in record["removed"]]
        record["sentences"] = [tuple(span) for span in record["sentences"]]
        articles.append(Article(**record))
    random.Random(seed).shuffle(articles)
    time.sleep(max(0.0, start_at - time.time()))
    with open_store(url) as store:
        stats = store.add(articles, batch_size=5)
    print(json.dumps({"added": stats.added, "unchanged": stats.unchanged, "versioned": stats.versioned}))
""")


def test_concurrent_processes_do_not_duplicate(store_url, tmp_path):
    """Separate processes open a brand-new database at once (racing the migrations too) and ingest."""
    articles_file = tmp_path / "articles.json"
    articles_file.write_text(json.dumps([make_article(n).to_dict() for n in range(30)]))
    start_at = time.time() + 3
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, store_url, str(articles_file), str(seed), str(start_at)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for seed in range(3)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err
        results.append(json.loads(out))

    assert sum(r["added"] for r in results) == 30
    assert sum(r["unchanged"] for r in results) == 60
    with open_store(store_url) as store:
        assert_no_duplicates(store, 30)


# --- opening and migrations -----------------------------------------------------------------------------

def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def stored_revision(store) -> str:
    with store.engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one()


def test_reopening_keeps_data_and_schema_at_head(store_url):
    with open_store(store_url) as store:
        store.add([make_article(1)])
        assert stored_revision(store) == head_revision()
    with open_store(store_url) as store:
        assert store.counts()["articles"] == 1
        assert stored_revision(store) == head_revision()


def test_migrations_downgrade_and_upgrade_again(store_url):
    with open_store(store_url) as store:
        store.add([make_article(1)])
        _migrate(store.engine, "base", downgrade=True)
        tables = set(sa.inspect(store.engine).get_table_names())
        assert not tables & {"articles", "article_removed", "article_sentences", "articles_fts"}
        _migrate(store.engine, "head")
        assert store.counts()["articles"] == 0
        store.add([make_article(1)])
        assert [row["id"] for row in store.articles(search="miners")] == ["art001"]


def test_alembic_config_finds_the_packaged_migrations(store_url):
    with open_store(store_url) as store, store.engine.connect() as connection:
        script = ScriptDirectory.from_config(_alembic_config(connection))
        assert [rev.revision for rev in script.walk_revisions()][-1] == "0001"


def test_sqlite_defaults_and_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_store() as store:
        store.add([make_article(1)])
    assert (tmp_path / "chancery.db").exists()

    nested = tmp_path / "deep" / "er" / "store.db"
    with open_store(str(nested)) as store:
        assert store.counts()["articles"] == 0
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    with sqlite3.connect(nested) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    with open_store(f"sqlite:///{tmp_path / 'chancery.db'}") as store:
        assert store.counts()["articles"] == 1
    with open_store("sqlite://") as store:  # in memory
        assert store.add([make_article(2)]) == IngestStats(added=1)
        assert store.get("art002")["title"] == "Report 2 from Violet Strait"


def test_unsupported_database_is_refused():
    with pytest.raises(ValueError, match="unsupported database"):
        open_store("mysql://user@localhost/news")


@pytest.mark.postgres
def test_postgres_url_without_driver_uses_psycopg(pg_url):
    with open_store(pg_url.replace("postgresql+psycopg://", "postgresql://")) as store:
        assert store.engine.dialect.driver == "psycopg"
        assert store.counts()["articles"] >= 0


@pytest.mark.postgres
def test_postgres_search_uses_the_full_text_index(pg_url):
    with open_store(pg_url) as store:
        store.add([make_article(n) for n in range(5)])
        captured = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            if "@@" in statement:
                captured.append((statement, parameters))

        sa.event.listen(store.engine, "before_cursor_execute", capture)
        assert len(store.articles(search="tanker OR miners -strait")) == 2  # (tanker) OR (miners, not strait)
        sa.event.remove(store.engine, "before_cursor_execute", capture)

        statement, parameters = captured[0]
        with store.engine.connect() as connection:
            # On five rows any plan is cheap; leave the planner only the full-text index or a table scan it
            # is told to avoid. (Both changes are rolled back with the transaction.)
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("DROP INDEX uq_articles_current")
            plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
            connection.rollback()
    assert "ix_articles_search" in plan, plan


def test_add_does_not_modify_the_records():
    article = make_article(1)
    before = article.to_dict()
    with open_store("sqlite://") as store:
        store.add([article])
    assert article.to_dict() == before
