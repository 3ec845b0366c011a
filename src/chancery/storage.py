"""Store articles in SQLite (the default) or PostgreSQL, through the same code.

    with open_store() as store:                      # ./chancery.db
        stats = store.add(articles)                  # IngestStats(added=…, unchanged=…, versioned=…)
        store.articles(search="sanctions", outlet="Xinhua")
        store.get("003_3c88a41724a618f8")

The schema is created and upgraded by the Alembic migrations in `chancery/migrations`, run on every
open. See docs/storage.md for the tables and the identity and versioning rules.
"""
from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from itertools import islice
from pathlib import Path
from typing import Self

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import operators

from . import __version__, settings
from .records import Actor, Article, Dateline, Mention, Removed, TimeExpr
from .report import event_entry, fact_entries, mention_entry, time_entry

__all__ = ["IngestStats", "SearchError", "Store", "open_store"]

DEFAULT_DATABASE = "chancery.db"
VERSION_TABLE = "chancery_schema_version"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_S = 60
SNIPPET_CHARS = 200
# Identity keys longer than this are stored as a hash: PostgreSQL cannot index very long text values.
MAX_IDENTITY_CHARS = 1000
_MIGRATION_LOCK_ID = 0x63686E63  # "chnc": the PostgreSQL advisory lock held while migrating
_LINK_LOCK_ID = 0x636E6C6B  # "cnlk": held while the link results are replaced
_PENDING = "pending"  # link_results kind: a story whose link results a relink has yet to store
_WRITE_OPTION = "chancery_write"
_ARTICLE_ATTEMPTS = 5
_BATCH_ATTEMPTS = 5
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


class SearchError(ValueError):
    """A search query that cannot be understood; the message says what is wrong."""


@dataclass
class IngestStats:
    added: int = 0
    unchanged: int = 0
    versioned: int = 0
    reanalysed: int = 0  # same content, analysed again because the knowledge it was analysed with changed

    @property
    def total(self) -> int:
        return self.added + self.unchanged + self.versioned + self.reanalysed


# --- schema (created by the migrations; these mirror the head revision for queries) -------------------

_PRIMARY_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
metadata = sa.MetaData()

articles_table = sa.Table(
    "articles", metadata,
    sa.Column("pk", _PRIMARY_KEY, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.Text, nullable=False),
    sa.Column("identity_key", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("is_current", sa.Boolean, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("outlet", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Text),
    sa.Column("language", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("raw", sa.Text, nullable=False),
    sa.Column("html", sa.Text),
    sa.Column("dateline_place", sa.Text),
    sa.Column("dateline_date", sa.Text),
    sa.Column("dateline_agency", sa.Text),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("provenance", _JSON, nullable=False),
    sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
)
removed_table = sa.Table(
    "article_removed", metadata,
    sa.Column("article_pk", _PRIMARY_KEY, sa.ForeignKey("articles.pk", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
sentences_table = sa.Table(
    "article_sentences", metadata,
    sa.Column("article_pk", _PRIMARY_KEY, sa.ForeignKey("articles.pk", ondelete="CASCADE"), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("char_start", sa.Integer, nullable=False),
    sa.Column("char_end", sa.Integer, nullable=False),
)
annotations_table = sa.Table(
    "article_annotations", metadata,
    sa.Column("article_pk", _PRIMARY_KEY, sa.ForeignKey("articles.pk", ondelete="CASCADE"), primary_key=True),
    sa.Column("mentions", _JSON, nullable=False),
    sa.Column("times", _JSON, nullable=False),
    sa.Column("generator", sa.Text, nullable=False),
)
events_table = sa.Table(
    "events", metadata,
    sa.Column("pk", _PRIMARY_KEY, primary_key=True, autoincrement=True),
    sa.Column("article_pk", _PRIMARY_KEY, sa.ForeignKey("articles.pk", ondelete="CASCADE"), nullable=False),
    sa.Column("event_id", sa.Text),
    sa.Column("current", sa.Boolean, nullable=False),
    sa.Column("outlet", sa.Text),
    sa.Column("sentence", sa.Integer),
    *(sa.Column(name, sa.Text) for name in ("type", "mode", "cameo", "quad")),
    sa.Column("intensity", sa.Float),
    *(sa.Column(name, sa.Text) for name in ("source_name", "source_country", "target_name", "target_country",
                                            "date", "status", "text")),
    sa.Column("payload", _JSON, nullable=False),
)
quotes_table = sa.Table(
    "quotes", metadata,
    sa.Column("pk", _PRIMARY_KEY, primary_key=True, autoincrement=True),
    sa.Column("article_pk", _PRIMARY_KEY, sa.ForeignKey("articles.pk", ondelete="CASCADE"), nullable=False),
    *(sa.Column(name, sa.Text) for name in ("quote_id", "speaker_name", "speaker_country", "kind", "text")),
    sa.Column("payload", _JSON, nullable=False),
)
facts_table = sa.Table(
    "facts", metadata,
    sa.Column("pk", _PRIMARY_KEY, primary_key=True, autoincrement=True),
    sa.Column("article_pk", _PRIMARY_KEY, sa.ForeignKey("articles.pk", ondelete="CASCADE"), nullable=False),
    *(sa.Column(name, sa.Text) for name in ("fact_id", "kind", "what")),
    sa.Column("value", sa.Float),
    sa.Column("unit", sa.Text),
    sa.Column("payload", _JSON, nullable=False),
)
stories_table = sa.Table(
    "stories", metadata,
    *(sa.Column(name, sa.Text, primary_key=name == "story_id") for name in ("story_id", "title", "start", "end")),
    sa.Column("payload", _JSON, nullable=False),
)
story_articles_table = sa.Table(
    "story_articles", metadata,
    sa.Column("story_id", sa.Text, sa.ForeignKey("stories.story_id", ondelete="CASCADE"), nullable=False),
    sa.Column("article_pk", _PRIMARY_KEY, sa.ForeignKey("articles.pk", ondelete="CASCADE"), primary_key=True),
)
link_table = sa.Table(
    "link_results", metadata,
    sa.Column("pk", _PRIMARY_KEY, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("story_id", sa.Text),
    sa.Column("payload", _JSON, nullable=False),
)
story_state_table = sa.Table(
    "story_state", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("payload", sa.LargeBinary, nullable=False),
)
_STORY_STATE = "clusterer"
_sqlite_fts = sa.table("articles_fts", sa.column("rowid"), sa.column("rank"))
# PostgreSQL only: a generated tsvector column over title and text, with a GIN index (migration 0001).
_PG_DOCUMENT = sa.literal_column("articles.search_vector")
_PG_CONFIG = sa.literal_column("'english'")


# --- opening --------------------------------------------------------------------------------------------

def open_store(url: str | None = None) -> Store:
    """Open (creating or upgrading as needed) the store at `url`.

    `url` is a SQLAlchemy URL (`sqlite:///path.db`, `postgresql+psycopg://user@host/db`) or a plain
    file path for SQLite; None means `chancery.db` in the current directory.
    """
    database_url = _database_url(url)
    engine = _create_engine(database_url)
    try:
        _migrate(engine, "head")
    except Exception:
        engine.dispose()
        raise
    return Store(engine)


def _database_url(url: str | None) -> URL:
    if url is None:
        return URL.create("sqlite", database=str(Path.cwd() / DEFAULT_DATABASE))
    if "://" not in url:
        return URL.create("sqlite", database=str(Path(url).expanduser().resolve()))
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres"):  # no driver named: use psycopg 3
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed
    if backend == "sqlite":
        return parsed
    raise ValueError(f"unsupported database {url!r}: use a SQLite path or a postgresql+psycopg:// URL")


def _is_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _create_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)

    in_memory = _is_memory(url)
    if not in_memory:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        # An in-memory database lives as long as its one connection.
        poolclass=StaticPool if in_memory else None,
    )

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # Take transaction control away from the sqlite3 module (it would not emit BEGIN before SAVEPOINT);
        # `_begin` below issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        # Writers take the write lock up front: a deferred transaction that reads, then writes, fails
        # with "database is locked" at once if another writer got in between, whatever the busy timeout.
        if connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


def _migrate(engine: Engine, revision: str, *, downgrade: bool = False) -> None:
    """Run the migrations to `revision` in one transaction, one process at a time."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE_OPTION: True})
        with connection.begin():
            if engine.dialect.name == "postgresql":
                lock = sa.text("SELECT pg_advisory_xact_lock(:lock)")
                connection.execute(lock, {"lock": _MIGRATION_LOCK_ID})
            config = _alembic_config(connection)
            if downgrade:
                command.downgrade(config, revision)
            else:
                command.upgrade(config, revision)


# --- the store ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What `Store.current_index` knows of an article without reading it."""

    content_hash: str
    published: str | None
    dateline_date: str | None

    @property
    def stream_day(self) -> str:
        """The date `stories.stream_order` sorts by."""
        return self.published or self.dateline_date or "9999"

    @property
    def anchor(self) -> str | None:
        """The date relative expressions resolve against, as `annotate.anchor_date` reads it."""
        if self.published and len(self.published) >= 10:
            return self.published[:10]
        return self.dateline_date


@dataclass(slots=True)
class _Version:
    pk: int
    version: int
    content_hash: str
    is_current: bool
    generator: str | None = None  # what its stored findings were made with


class Store:
    """Articles in a database. Create with `open_store`; safe to share between threads."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.backend = engine.dialect.name

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    # --- writing ---

    def add(self, articles: Iterable[Article], batch_size: int = 200, generator: str | None = None) -> IngestStats:
        """Store articles, `batch_size` per transaction; return how many were added, unchanged, versioned
        or reanalysed.

        An article whose identity (url, else id) is stored with the same content hash is left alone;
        with a different hash it becomes a new current version and the old one is kept. `generator`
        names what made the findings (`Pipeline.generator`: version and knowledge files); an article
        stored with the same content but findings made by another generator gets the new findings,
        its story is marked for linking again and the saved story clustering state is dropped.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        stats = IngestStats()
        iterator = iter(articles)
        while batch := list(islice(iterator, batch_size)):
            for outcome, count in self._add_batch(batch, generator).items():
                setattr(stats, outcome, getattr(stats, outcome) + count)
        return stats

    def _add_batch(self, batch: list[Article], generator: str | None) -> dict[str, int]:
        # Sorting by identity makes concurrent writers lock rows in the same order, which avoids most
        # deadlocks; the sort is stable, so repeated identities within a batch keep their input order.
        keyed = sorted(((identity_key(article), article) for article in batch), key=lambda pair: pair[0])
        for attempt in range(_BATCH_ATTEMPTS):
            outcomes = {"added": 0, "unchanged": 0, "versioned": 0, "reanalysed": 0}
            try:
                with self._write() as connection:
                    known = _stored_versions(connection, {key for key, _ in keyed})
                    for key, article in keyed:
                        outcome = _write_with_retry(connection, key, article, known, generator)
                        outcomes[outcome] += 1
                return outcomes
            except sa.exc.OperationalError as error:
                sqlstate = getattr(error.orig, "sqlstate", None)
                if sqlstate not in _RETRYABLE_SQLSTATES or attempt == _BATCH_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    def is_stored(self, article: Article, generator: str | None = None) -> bool:
        """Whether this content is already the current version of its article (with `generator`:
        and its findings were made by it), so a resumed or repeated run need not analyse it again."""
        a = articles_table
        query = sa.select(a.c.pk).where(a.c.identity_key == identity_key(article),
                                        a.c.content_hash == article.content_hash, a.c.is_current)
        if generator is not None:
            query = query.join(annotations_table, annotations_table.c.article_pk == a.c.pk).where(
                annotations_table.c.generator == generator)
        with self.engine.connect() as connection:
            return connection.execute(query.limit(1)).first() is not None

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            if self.backend == "postgresql":
                # Retries after a conflict must see what the other writer committed, whatever the
                # database's default isolation level.
                connection.execution_options(isolation_level="READ COMMITTED")
            else:
                connection.execution_options(**{_WRITE_OPTION: True})
            with connection.begin():
                yield connection

    # --- reading ---

    def articles(
        self, search: str | None = None, outlet: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[dict]:
        """Current versions, newest first, or best match first when searching.

        `search` takes words (all must occur), "quoted phrases", OR between alternatives, and -word or
        NOT word to exclude; anything else raises SearchError.
        """
        a = articles_table
        n_sentences = (
            sa.select(sa.func.count()).where(sentences_table.c.article_pk == a.c.pk).scalar_subquery()
        )
        query = sa.select(
            a.c.article_id, a.c.source, a.c.url, a.c.outlet, a.c.title, a.c.published, a.c.language,
            a.c.dateline_place, a.c.dateline_date, a.c.dateline_agency, a.c.content_hash, a.c.version,
            n_sentences.label("n_sentences"),
            sa.func.substr(a.c.text, 1, SNIPPET_CHARS + 50).label("start_of_text"),
        ).where(a.c.is_current)
        if outlet:
            query = query.where(sa.func.lower(a.c.outlet) == outlet.lower())
        order = [a.c.published.desc().nulls_last(), a.c.pk.desc()]

        if search is not None and search.strip():
            clauses = parse_search(search)
            if self.backend == "sqlite":
                fts = _sqlite_fts
                query = query.join(fts, fts.c.rowid == a.c.pk).where(
                    sa.literal_column("articles_fts").op("MATCH")(_fts5_query(clauses))
                )
                order.insert(0, fts.c.rank)
            else:
                tsquery = _postgres_tsquery(clauses)
                query = query.where(_PG_DOCUMENT.op("@@")(tsquery))
                order.insert(0, sa.func.ts_rank(_PG_DOCUMENT, tsquery).desc())

        query = query.order_by(*order).limit(max(0, limit)).offset(max(0, offset))
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(query).mappings().all()
        except sa.exc.OperationalError as error:
            if "fts5" in str(error.orig):  # our own parser should have caught it; never leak raw SQL errors
                raise SearchError(f"cannot search for {search!r}: {error.orig}") from None
            raise
        return [_summary(row) for row in rows]

    def matching_quotes(self, search: str) -> sa.Select:
        """A query for the primary keys of the quotes that match `search` (the syntax of `articles`)."""
        clauses = parse_search(search)
        if self.backend == "sqlite":
            return sa.select(sa.literal_column("rowid")).select_from(sa.table("quotes_fts")).where(
                sa.literal_column("quotes_fts").op("MATCH")(_fts5_query(clauses)))
        return sa.select(quotes_table.c.pk).where(
            sa.literal_column("quotes.search_vector").op("@@")(_postgres_tsquery(clauses)))

    def get(self, article_id: str, version: int | None = None) -> dict | None:
        """The full stored record of an article (its current version unless `version` is given)."""
        a = articles_table
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(a).where(a.c.article_id == _storable(article_id))
                .order_by(a.c.is_current.desc(), a.c.pk.desc()).limit(1)
            ).mappings().first()
            if row is not None and version is not None and row["version"] != version:
                row = connection.execute(
                    sa.select(a).where(a.c.identity_key == row["identity_key"], a.c.version == version)
                ).mappings().first()
            if row is None:
                return None
            removed = connection.execute(
                sa.select(removed_table.c.kind, removed_table.c.text)
                .where(removed_table.c.article_pk == row["pk"]).order_by(removed_table.c.position)
            ).all()
            sentences = connection.execute(
                sa.select(sentences_table.c.char_start, sentences_table.c.char_end)
                .where(sentences_table.c.article_pk == row["pk"]).order_by(sentences_table.c.idx)
            ).all()
        ingested_at = row["ingested_at"]
        if ingested_at.tzinfo is None:  # SQLite keeps no time zone; we always write UTC
            ingested_at = ingested_at.replace(tzinfo=UTC)
        return {
            **_metadata(row),
            "text": row["text"],
            "raw": row["raw"],
            "html": row["html"],
            "removed": [{"kind": kind, "text": text} for kind, text in removed],
            "sentences": [[start, end] for start, end in sentences],
            "provenance": row["provenance"],
            "is_current": bool(row["is_current"]),
            "ingested_at": ingested_at.isoformat(),
        }

    def counts(self) -> dict[str, int]:
        """How many current articles, stored versions, removed parts and sentences the store holds, and
        the events, quotes and facts of current articles and the stories."""
        a = articles_table
        current = sa.select(a.c.pk).where(a.c.is_current)

        def of_current(table: sa.Table) -> sa.ScalarSelect:
            return sa.select(sa.func.count()).select_from(table).where(table.c.article_pk.in_(current)).scalar_subquery()

        query = sa.select(
            sa.select(sa.func.count()).where(a.c.is_current).scalar_subquery().label("articles"),
            sa.select(sa.func.count()).select_from(a).scalar_subquery().label("versions"),
            sa.select(sa.func.count()).select_from(removed_table).scalar_subquery().label("removed"),
            sa.select(sa.func.count()).select_from(sentences_table).scalar_subquery().label("sentences"),
            of_current(events_table).label("events"),
            of_current(quotes_table).label("quotes"),
            of_current(facts_table).label("facts"),
            sa.select(sa.func.count()).select_from(stories_table).scalar_subquery().label("stories"),
        )
        with self.engine.connect() as connection:
            return {name: int(value) for name, value in connection.execute(query).mappings().one().items()}

    # --- the per-article results as records, and the link stage's results ---

    def current_articles(self, batch_size: int = 500, ids: Collection[str] | None = None) -> Iterator[Article]:
        """Every current article (with `ids`, only those) rebuilt as an Article with its sentences,
        mentions, times (what the cross-article stages read), `batch_size` rows at a time, in
        `stories.stream_order`: by date (publication, else dateline; undated last), then id."""
        a = articles_table
        day, article_id = sa.func.coalesce(a.c.published, a.c.dateline_date, "9999"), a.c.article_id
        if self.backend == "postgresql":  # compare code points, as Python does, not by the locale's rules
            day, article_id = day.collate("C"), article_id.collate("C")
        query = (sa.select(a, annotations_table.c.mentions, annotations_table.c.times)
                 .join(annotations_table, annotations_table.c.article_pk == a.c.pk, isouter=True)
                 .where(a.c.is_current).order_by(day, article_id))
        if ids is not None:
            # the wanted ids in stream order from the (small) metadata columns, then their rows in chunks
            keys = sorted((entry.stream_day, key) for key, entry in self.current_index().items() if key in ids)
            for at in range(0, len(keys), batch_size):
                chunk = [key[1] for key in keys[at:at + batch_size]]
                yield from self._articles_of(query.where(a.c.article_id.in_(chunk)))
            return
        after: tuple[str, str] | None = None
        while True:
            page = query.limit(batch_size)
            if after is not None:
                page = page.where(sa.tuple_(day, article_id) > sa.tuple_(*after))
            last = None
            for article in self._articles_of(page):
                last = article
                yield article
            if last is None:
                return
            after = (last.published or (last.dateline.date if last.dateline else None) or "9999", last.id)

    def _articles_of(self, query: sa.Select) -> list[Article]:
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
            pks = [r["pk"] for r in rows]
            sentences = _grouped(connection, sentences_table, pks, lambda r: (r.char_start, r.char_end),
                                 sentences_table.c.idx)
            events = _grouped(connection, events_table, pks, lambda r: r.payload, events_table.c.pk)
            removed = _grouped(connection, removed_table, pks, lambda r: Removed(r.kind, r.text),
                               removed_table.c.position)
        found = []
        for row in rows:
            article = _article_from_row(row, sentences.get(row["pk"], []), events.get(row["pk"], []))
            article.removed = removed.get(row["pk"], [])
            found.append(article)
        return found

    def current_index(self) -> dict[str, IndexEntry]:
        """Article id -> content hash and dates of every current article."""
        a = articles_table
        with self.engine.connect() as connection:
            return {row[0]: IndexEntry(row[1], row[2], row[3]) for row in connection.execute(
                sa.select(a.c.article_id, a.c.content_hash, a.c.published, a.c.dateline_date).where(a.c.is_current))}

    def story_state(self) -> bytes | None:
        """The story clustering state saved with the current stories (see `replace_links`)."""
        with self.engine.connect() as connection:
            return connection.execute(sa.select(story_state_table.c.payload)
                                      .where(story_state_table.c.name == _STORY_STATE)).scalar()

    def stories(self) -> list[dict]:
        """The stories of the last link run, as report story entries, earliest first."""
        with self.engine.connect() as connection:
            return [r.payload for r in connection.execute(
                sa.select(stories_table.c.payload).order_by(stories_table.c.start, stories_table.c.story_id))]

    def replace_annotations(self, articles: Iterable[Article]) -> int:
        """Store what the per-article stages found again for articles whose content is stored as the
        current version (the link stage re-analyses undated articles with their story's date); the
        previous findings are replaced in one transaction. Returns how many articles were updated."""
        with self._write() as connection:
            return _replace_annotations(connection, articles)

    def report(self, story: str | None = None) -> dict:
        """The store as one `chancery.report/1` document (current versions only); with `story`, only
        that story, its articles and what was found in them."""
        with self.engine.connect() as connection:
            return _report(connection, None if story is None else [story])

    def replace_links(self, stories: list[dict], results: dict[str, list[dict]], state: bytes | None = None) -> None:
        """Store the link stage's output in place of the previous one, in one transaction.

        `stories` are report story entries (`articles` holds article ids of current versions);
        `results` maps a kind (comparison, story_events, framing, …) to its report entries, each of
        which may name its `story`; `state` is the story clustering state that produced `stories`
        (None: no state is kept, and the next link run clusters everything)."""
        a = articles_table
        with self._write() as connection:
            if self.backend == "postgresql":  # two ingests finishing together relink one after the other
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _LINK_LOCK_ID})
            _replace_story_state(connection, state)
            connection.execute(sa.delete(link_table))
            connection.execute(sa.delete(story_articles_table))
            connection.execute(sa.delete(stories_table))
            if stories:
                connection.execute(sa.insert(stories_table), [
                    {"story_id": st["id"], "title": _storable(st.get("title")), "start": st.get("start"),
                     "end": st.get("end"), "payload": _clean_json(st)} for st in stories])
                pk_of = dict(connection.execute(sa.select(a.c.article_id, a.c.pk).where(a.c.is_current)).all())
                connection.execute(sa.insert(story_articles_table), [
                    {"story_id": st["id"], "article_pk": pk_of[article_id]}
                    for st in stories for article_id in st["articles"] if article_id in pk_of])
            rows = [{"kind": kind, "story_id": item.get("story"), "payload": _clean_json(item)}
                    for kind, items in results.items() for item in items]
            if rows:
                connection.execute(sa.insert(link_table), rows)


    # --- the link stage, story by story (chancery.relink) ---

    @contextmanager
    def linking(self) -> Iterator[None]:
        """Held for a whole relink. On PostgreSQL a session advisory lock, so that two ingests finishing
        together relink one after the other, each seeing the other's articles; on SQLite each write
        transaction holds the database's write lock, and the pending marks keep interleaved relinks
        consistent (see `replace_stories`)."""
        if self.backend != "postgresql":
            yield
            return
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:lock)"), {"lock": _LINK_LOCK_ID})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:lock)"), {"lock": _LINK_LOCK_ID})
                connection.commit()

    def replace_stories(self, stories: list[dict], state: bytes | None = None) -> list[str]:
        """Store a new clustering in one transaction, keeping what is unchanged: a story whose entry and
        whose articles' current versions are the ones stored keeps its link results. Returns the ids of
        the stories whose link results must be computed (again), in the order of `stories`: the new or
        changed ones, and those a previous relink marked but did not finish (it crashed, or another
        relink changed them meanwhile). Their old results are dropped and a `pending` mark stored, which
        `link_stories` removes. `state` is the story clustering state that produced `stories` (None:
        none is kept, and the next relink clusters every article)."""
        a, sa_t = articles_table, story_articles_table
        with self._write() as connection:
            _replace_story_state(connection, state)
            pk_of = dict(connection.execute(sa.select(a.c.article_id, a.c.pk).where(a.c.is_current)).all())
            members: dict[str, set[int]] = {}
            for story_id, pk in connection.execute(sa.select(sa_t.c.story_id, sa_t.c.article_pk)):
                members.setdefault(story_id, set()).add(pk)
            stored = {story_id: (payload, frozenset(members.get(story_id, ()))) for story_id, payload
                      in connection.execute(sa.select(stories_table.c.story_id, stories_table.c.payload))}
            pending = set(connection.execute(sa.select(link_table.c.story_id)
                                             .where(link_table.c.kind == _PENDING)).scalars())
            new, changed = {}, []
            for story in stories:
                entry = _clean_json(story)
                pks = frozenset(pk_of[article_id] for article_id in entry["articles"] if article_id in pk_of)
                new[entry["id"]] = entry
                if stored.get(entry["id"]) != (entry, pks):
                    changed.append(entry["id"])
            dropped = [story_id for story_id in stored if story_id not in new]
            for ids in _chunks([*changed, *dropped]):
                connection.execute(sa.delete(link_table).where(link_table.c.story_id.in_(ids)))
                connection.execute(sa.delete(sa_t).where(sa_t.c.story_id.in_(ids)))
                connection.execute(sa.delete(stories_table).where(stories_table.c.story_id.in_(ids)))
            for ids in _chunks(changed):
                entries = [new[story_id] for story_id in ids]
                connection.execute(sa.insert(stories_table), [
                    {"story_id": st["id"], "title": st.get("title"), "start": st.get("start"), "end": st.get("end"),
                     "payload": st} for st in entries])
                rows = [{"story_id": st["id"], "article_pk": pk_of[article_id]}
                        for st in entries for article_id in st["articles"] if article_id in pk_of]
                if rows:
                    connection.execute(sa.insert(sa_t), rows)
                connection.execute(sa.insert(link_table), [{"kind": _PENDING, "story_id": story_id, "payload": {}}
                                                           for story_id in ids])
        again = set(changed) | pending
        return [story["id"] for story in stories if story["id"] in again]

    def link_stories(self, story_ids: list[str], compute: Callable[[dict], dict[str, list[dict]]],
                     redated: Iterable[Article] = ()) -> dict[str, int]:
        """In one transaction: store the `redated` articles' new findings, read the report of the stories
        `story_ids` (as `report(story=…)` does for one), and replace their link results with what
        `compute(report)` returns (kind -> entries, each naming its `story`), dropping their pending
        marks. Returns how many entries of each kind were stored."""
        with self._write() as connection:
            _replace_annotations(connection, redated)
            results = compute(_report(connection, story_ids))
            for ids in _chunks(story_ids):
                connection.execute(sa.delete(link_table).where(link_table.c.story_id.in_(ids)))
            rows = [{"kind": kind, "story_id": item.get("story"), "payload": _clean_json(item)}
                    for kind, items in results.items() for item in items]
            if rows:
                connection.execute(sa.insert(link_table), rows)
        return {kind: len(items) for kind, items in results.items()}

    def replace_across_stories(self, compute: Callable[[list[dict], Iterator[tuple[dict, dict]]], dict | None]) -> bool:
        """Replace the comparison across stories (story null) in one transaction with
        `compute(stories, facts)`: every story (`id`, `actors`, `articles`) in report order, and a stream
        of (fact, article) for each current article's numeric facts that name a period (the article
        with `id`, `text` and `sentences`; each article's facts in report order). Only what `compute`
        keeps of the stream stays in memory. Returns whether an entry was stored."""
        with self._write() as connection:
            stories = [{"id": p["id"], "actors": p.get("actors") or [], "articles": p.get("articles") or []}
                       for p in connection.execute(sa.select(stories_table.c.payload).order_by(
                           stories_table.c.start, stories_table.c.story_id)).scalars()]
            entry = compute(stories, _dated_facts(connection))
            connection.execute(sa.delete(link_table).where(link_table.c.kind == "comparison",
                                                           link_table.c.story_id.is_(None)))
            if entry:
                connection.execute(sa.insert(link_table).values(kind="comparison", story_id=None,
                                                                payload=_clean_json(entry)))
        return bool(entry)


def _replace_story_state(connection: Connection, state: bytes | None) -> None:
    connection.execute(sa.delete(story_state_table))
    if state is not None:
        connection.execute(sa.insert(story_state_table).values(name=_STORY_STATE, payload=state))


# --- writing one article --------------------------------------------------------------------------------

def identity_key(article: Article) -> str:
    """What makes two records the same article: its URL when known, else its id."""
    key = _storable(f"url:{article.url.strip()}" if article.url and article.url.strip() else f"id:{article.id}")
    if len(key) > MAX_IDENTITY_CHARS:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key


def _stored_versions(connection: Connection, keys: set[str]) -> dict[str, list[_Version]]:
    a = articles_table
    found: dict[str, list[_Version]] = {key: [] for key in keys}
    rows = connection.execute(
        sa.select(a.c.identity_key, a.c.pk, a.c.version, a.c.content_hash, a.c.is_current,
                  annotations_table.c.generator)
        .join(annotations_table, annotations_table.c.article_pk == a.c.pk, isouter=True)
        .where(a.c.identity_key.in_(keys))
    )
    for key, pk, version, content_hash, is_current, generator in rows:
        found[key].append(_Version(pk, version, content_hash, bool(is_current), generator))
    return found


def _write_with_retry(
    connection: Connection, key: str, article: Article, known: dict[str, list[_Version]], generator: str | None = None
) -> str:
    """Write one article in its own savepoint; if a concurrent writer got there first, look again."""
    for attempt in range(_ARTICLE_ATTEMPTS):
        try:
            with connection.begin_nested():
                return _write_article(connection, key, article, known[key], generator)
        except sa.exc.IntegrityError as error:
            if not _is_unique_violation(error) or attempt == _ARTICLE_ATTEMPTS - 1:
                raise
            known.update(_stored_versions(connection, {key}))
    raise AssertionError("unreachable")


def _is_unique_violation(error: sa.exc.IntegrityError) -> bool:
    return getattr(error.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(error.orig)


def _write_article(connection: Connection, key: str, article: Article, versions: list[_Version],
                   generator: str | None = None) -> str:
    """Write `article` unless stored already; update `versions` (what is stored for `key`) to match."""
    a = articles_table
    same = next((stored for stored in versions if stored.content_hash == article.content_hash), None)
    if same is not None and same.is_current:
        if generator is None or same.generator == generator:
            return "unchanged"
        _reanalysed(connection, same.pk, article, generator)
        same.generator = generator
        return "reanalysed"
    if any(stored.is_current for stored in versions):
        connection.execute(
            sa.update(a).where(a.c.identity_key == key, a.c.is_current).values(is_current=False)
        )

    if same is not None:
        # The content went back to an earlier version: that version becomes current again.
        connection.execute(sa.update(a).where(a.c.pk == same.pk).values(is_current=True))
        _mark_current_events(connection, key, same.pk)
        for stored in versions:
            stored.is_current = stored is same
        return "versioned"

    version = max((stored.version for stored in versions), default=0) + 1
    pk = connection.execute(
        sa.insert(a).values(_article_row(article, key, version))
    ).inserted_primary_key[0]
    if article.removed:
        connection.execute(sa.insert(removed_table), [
            {"article_pk": pk, "position": position, "kind": part.kind, "text": _storable(part.text)}
            for position, part in enumerate(article.removed)
        ])
    if article.sentences:
        connection.execute(sa.insert(sentences_table), [
            {"article_pk": pk, "idx": idx, "char_start": start, "char_end": end}
            for idx, (start, end) in enumerate(article.sentences)
        ])
    _write_annotations(connection, pk, article, generator)
    if versions:
        _mark_current_events(connection, key, pk)
    for stored in versions:
        stored.is_current = False
    versions.append(_Version(pk, version, article.content_hash, True, generator))
    return "added" if version == 1 else "versioned"


def _mark_current_events(connection: Connection, key: str, current_pk: int) -> None:
    """Keep `events.current` equal to its article's `is_current` for every version of `key`."""
    e = events_table
    versions = sa.select(articles_table.c.pk).where(articles_table.c.identity_key == key)
    connection.execute(sa.update(e).where(e.c.article_pk.in_(versions), e.c.article_pk != current_pk)
                       .values(current=False))
    connection.execute(sa.update(e).where(e.c.article_pk == current_pk).values(current=True))


def _reanalysed(connection: Connection, pk: int, article: Article, generator: str) -> None:
    """Replace a stored article's findings with new ones made with other knowledge: its story must be
    linked again (a pending mark, see `Store.replace_stories`), and the saved clustering state, which
    holds the article's old signature, no longer serves."""
    for table in (events_table, quotes_table, facts_table, annotations_table):
        connection.execute(sa.delete(table).where(table.c.article_pk == pk))
    _write_annotations(connection, pk, article, generator)
    story = connection.execute(sa.select(story_articles_table.c.story_id)
                               .where(story_articles_table.c.article_pk == pk)).scalar()
    if story is not None:
        connection.execute(sa.delete(link_table).where(link_table.c.story_id == story))
        connection.execute(sa.insert(link_table).values(kind=_PENDING, story_id=story, payload={}))
    connection.execute(sa.delete(story_state_table))


def _write_annotations(connection: Connection, pk: int, article: Article, generator: str | None = None) -> None:
    """The per-article stages' findings, stored with their article (same savepoint: all or nothing)."""
    connection.execute(sa.insert(annotations_table).values(
        article_pk=pk, mentions=_clean_json([mention_entry(m) for m in article.mentions]),
        times=_clean_json([time_entry(t) for t in article.times]), generator=generator or f"chancery {__version__}",
    ))
    events = [_clean_json(event_entry(e)) for e in article.events]
    if events:
        connection.execute(sa.insert(events_table), [{
            "article_pk": pk, "event_id": e["id"], "current": True, "outlet": _storable(article.outlet),
            "sentence": e["sentence"],
            "type": e["type"], "mode": e["mode"], "cameo": e["cameo"], "quad": e["quad"],
            "intensity": e["intensity"],
            "source_name": (e["source"] or {}).get("name"), "source_country": (e["source"] or {}).get("country"),
            "target_name": (e["target"] or {}).get("name"), "target_country": (e["target"] or {}).get("country"),
            "date": e["date"], "status": e["status"], "text": e["text"], "payload": e,
        } for e in events])
    quotes = [_clean_json(q.to_dict()) for q in article.quotes]
    if quotes:
        connection.execute(sa.insert(quotes_table), [{
            "article_pk": pk, "quote_id": q["id"], "speaker_name": (q["speaker"] or {}).get("name"),
            "speaker_country": (q["speaker"] or {}).get("country"), "kind": q["kind"], "text": q["text"],
            "payload": q,
        } for q in quotes])
    facts = [_clean_json(f) for f in fact_entries(article)]
    if facts:
        connection.execute(sa.insert(facts_table), [{
            "article_pk": pk, "fact_id": f["id"], "kind": f.get("kind") or "number", "what": f.get("what"),
            "value": f.get("value"), "unit": f.get("unit"), "payload": f,
        } for f in facts])


def _clean_json(value):
    """`value` with every string made storable (see `_storable`)."""
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        return {str(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def _article_row(article: Article, key: str, version: int) -> dict:
    dateline = article.dateline
    return {
        "article_id": _storable(article.id),
        "identity_key": key,
        "version": version,
        "is_current": True,
        "source": _storable(article.source),
        "url": _storable(article.url),
        "outlet": _storable(article.outlet),
        "title": _storable(article.title),
        "published": _storable(article.published),
        "language": _storable(article.language),
        "text": _storable(article.text),
        "raw": _storable(article.raw),
        "html": _storable(article.html),
        "dateline_place": _storable(dateline.place) if dateline else None,
        "dateline_date": _storable(dateline.date) if dateline else None,
        "dateline_agency": _storable(dateline.agency) if dateline else None,
        "content_hash": article.content_hash,
        "provenance": {str(name): _storable(str(origin)) for name, origin in article.provenance.items()},
        "ingested_at": datetime.now(UTC),
    }


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(value: str | None) -> str | None:
    """Replace what databases refuse (NUL, which PostgreSQL text cannot hold, and lone surrogates, which
    are not UTF-8) with U+FFFD, one character for one, so character offsets stay valid."""
    if value is None:
        return None
    return _UNSTORABLE.sub("\ufffd", value)


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _dated_facts(connection: Connection, page: int = 1000) -> Iterator[tuple[dict, dict]]:
    """(fact, article) for every numeric fact of a current article that names a period, by fact."""
    f, a = facts_table, articles_table
    query = (sa.select(f.c.pk, f.c.payload, a.c.pk.label("article_pk"), a.c.article_id, a.c.text)
             .join(a, a.c.pk == f.c.article_pk)
             .where(a.c.is_current, f.c.kind == "number", f.c.value.is_not(None),
                    f.c.payload["period"].as_string().is_not(None))
             .order_by(f.c.pk).limit(page))
    after = None
    while True:
        rows = connection.execute(query if after is None else query.where(f.c.pk > after)).all()
        if not rows:
            return
        pks = sorted({row.article_pk for row in rows})
        sentences = _grouped(connection, sentences_table, pks, lambda r: [r.char_start, r.char_end],
                             sentences_table.c.idx)
        for row in rows:
            yield row.payload, {"id": row.article_id, "text": row.text, "sentences": sentences.get(row.article_pk, [])}
        after = rows[-1].pk


def _replace_annotations(connection: Connection, articles: Iterable[Article]) -> int:
    a = articles_table
    updated = 0
    for article in articles:
        pk = connection.execute(sa.select(a.c.pk).where(
            a.c.identity_key == identity_key(article), a.c.content_hash == article.content_hash,
            a.c.is_current)).scalar()
        if pk is None:
            continue
        generator = connection.execute(sa.select(annotations_table.c.generator)
                                       .where(annotations_table.c.article_pk == pk)).scalar()
        for table in (events_table, quotes_table, facts_table, annotations_table):
            connection.execute(sa.delete(table).where(table.c.article_pk == pk))
        _write_annotations(connection, pk, article, generator)  # the same knowledge, another date
        updated += 1
    return updated


def _report(connection: Connection, story_ids: list[str] | None) -> dict:
    """The report of the current articles, or of those of the stories `story_ids` only. Link results
    come in the order the link stage gives them, whatever order they were stored in: those of an
    article (framing) in article order, the others in story order, the cross-story comparison last."""
    a = articles_table
    query = (sa.select(a, annotations_table.c.mentions, annotations_table.c.times)
             .join(annotations_table, annotations_table.c.article_pk == a.c.pk, isouter=True)
             .where(a.c.is_current).order_by(a.c.pk))
    stories_query = sa.select(stories_table.c.payload).order_by(stories_table.c.start, stories_table.c.story_id)
    links_query = sa.select(link_table.c.kind, link_table.c.payload).where(link_table.c.kind != _PENDING)
    if story_ids is not None:
        query = query.where(a.c.pk.in_(sa.select(story_articles_table.c.article_pk)
                                       .where(story_articles_table.c.story_id.in_(story_ids))))
        stories_query = stories_query.where(stories_table.c.story_id.in_(story_ids))
        links_query = links_query.where(link_table.c.story_id.in_(story_ids))
    rows = connection.execute(query).mappings().all()
    pks = [row["pk"] for row in rows]
    removed = _grouped(connection, removed_table, pks, lambda r: {"kind": r.kind, "text": r.text},
                       removed_table.c.position)
    sentences = _grouped(connection, sentences_table, pks, lambda r: [r.char_start, r.char_end],
                         sentences_table.c.idx)
    story_query = sa.select(story_articles_table.c.article_pk, story_articles_table.c.story_id)
    if story_ids is None:
        story_of = dict(connection.execute(story_query).all())
    else:
        story_of = {}
        for chunk in _chunks(pks):
            story_of.update(connection.execute(story_query.where(story_articles_table.c.article_pk.in_(chunk))).all())
    found = {name: _grouped(connection, table, pks, lambda r: r.payload, table.c.pk)
             for name, table in (("events", events_table), ("quotes", quotes_table), ("facts", facts_table))}
    stories = connection.execute(stories_query).scalars().all()
    links: dict[str, list] = {}
    for r in connection.execute(links_query.order_by(link_table.c.pk)):
        links.setdefault(r.kind, []).append(r.payload)
    story_at = {entry["id"]: n for n, entry in enumerate(stories)}
    article_at = {row["article_id"]: n for n, row in enumerate(rows)}

    def position(item: dict) -> tuple[int, int]:
        if "article" in item:
            return 0, article_at.get(item["article"], len(article_at))
        return story_at.get(item.get("story"), len(story_at)), 0

    articles, events = [], []
    for row in rows:
        pk = row["pk"]
        articles.append({**_metadata(row), "text": row["text"], "removed": removed.get(pk, []),
                         "sentences": sentences.get(pk, []), "provenance": row["provenance"],
                         "mentions": row["mentions"] or [], "times": row["times"] or []})
        events += [{**e, "story": story_of.get(pk)} for e in found["events"].get(pk, [])]
    return {
        "schema": settings.REPORT_SCHEMA, "generator": f"chancery {__version__}",
        "articles": articles, "stories": stories, "events": events,
        "quotes": [q for pk in pks for q in found["quotes"].get(pk, [])],
        "facts": [f for pk in pks for f in found["facts"].get(pk, [])],
        "comparisons": sorted(links.get("comparison", []), key=position),
        **{kind: sorted(items, key=position) for kind, items in links.items() if kind != "comparison"},
        "problems": [],
    }


# --- reading helpers ------------------------------------------------------------------------------------

def _grouped(connection: Connection, table: sa.Table, pks: list[int], make, order) -> dict[int, list]:
    """Rows of a per-article `table` for the articles `pks`, grouped by article, in `order`."""
    grouped: dict[int, list] = {}
    for start in range(0, len(pks), 500):
        chunk = pks[start:start + 500]
        for row in connection.execute(sa.select(table).where(table.c.article_pk.in_(chunk))
                                      .order_by(table.c.article_pk, order)):
            grouped.setdefault(row.article_pk, []).append(make(row))
    return grouped


def _article_from_row(row, sentences: list[tuple[int, int]], events: list[dict]) -> Article:
    from .events import Event  # the extraction machinery is only needed by callers that rebuild articles

    dateline = _dateline(row)
    article = Article(
        id=row["article_id"], source=row["source"], raw=row["raw"], url=row["url"], outlet=row["outlet"],
        title=row["title"], published=row["published"], language=row["language"], text=row["text"],
        dateline=Dateline(**dateline) if dateline else None, sentences=sentences,
        provenance=dict(row["provenance"] or {}), content_hash=row["content_hash"],
    )
    article.mentions = [Mention(m["span"][0], m["span"][1], m["text"], Actor.from_dict(m["actor"]), m["how"],
                                m.get("sentence", -1)) for m in row["mentions"] or []]
    article.times = [TimeExpr(t["span"][0], t["span"][1], t["text"], t["date"], t["precision"], t["source"],
                              t.get("tense", "past"), t.get("until"), t.get("sentence", -1))
                     for t in row["times"] or []]
    article.events = [Event(**entry) for entry in events]
    return article


def _dateline(row) -> dict | None:
    if row["dateline_place"] is None and row["dateline_date"] is None and row["dateline_agency"] is None:
        return None
    return {"place": row["dateline_place"], "date": row["dateline_date"], "agency": row["dateline_agency"]}


def _snippet(text: str | None) -> str:
    text = " ".join((text or "").split())
    if len(text) <= SNIPPET_CHARS:
        return text
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return text[: cut if cut > SNIPPET_CHARS // 2 else SNIPPET_CHARS].rstrip() + "…"


def _metadata(row) -> dict:
    """The fields a listing and a full record share."""
    return {
        "id": row["article_id"],
        "source": row["source"],
        "url": row["url"],
        "outlet": row["outlet"],
        "title": row["title"],
        "published": row["published"],
        "language": row["language"],
        "dateline": _dateline(row),
        "content_hash": row["content_hash"],
        "version": row["version"],
    }


def _summary(row) -> dict:
    return {**_metadata(row), "n_sentences": int(row["n_sentences"]), "snippet": _snippet(row["start_of_text"])}


# --- search queries -------------------------------------------------------------------------------------

# A parsed query: alternatives (OR), each a list of (excluded, words) that must all hold (AND).
SearchClauses = list[list[tuple[bool, str]]]
_TOKEN = re.compile(r'(-?)"([^"]*)"|(")|([^\s"]+)')
_POSSESSIVE = re.compile(r"['\u2019][sS]\b")


def parse_search(query: str) -> SearchClauses:
    """Parse the search syntax both backends share: words, "phrases", OR, AND, -word, NOT word."""
    query = query.replace("\x00", " ")  # a NUL ends a string early in SQLite's full-text parser
    clauses: SearchClauses = [[]]
    pending: str | None = None  # an operator still waiting for the word after it
    exclude_next = False
    for match in _TOKEN.finditer(query):
        minus, phrase, stray_quote, word = match.groups()
        if stray_quote:
            raise SearchError(f'unbalanced quote in {query!r}: close the phrase with " or remove the quote')
        if word is not None:
            if word in ("OR", "AND", "NOT"):
                if word in ("OR", "AND") and (pending or not clauses[-1]):
                    raise SearchError(f"{word} needs a word on each side in {query!r}")
                if word == "OR":
                    clauses.append([])
                pending, exclude_next = word, exclude_next or word == "NOT"
                continue
            if "(" in word or ")" in word:
                raise SearchError(
                    f"parentheses are not supported in {query!r}: words must all occur unless "
                    "separated by OR (AND binds tighter than OR)"
                )
            minus, terms = ("-", word[1:]) if word.startswith("-") else ("", word)
            # "Xi's" finds "Xi" and "Xi's" on both backends (FTS5 alone would demand a token "s").
            terms = _POSSESSIVE.sub("", terms)
        else:
            terms = phrase
        if not any(char.isalnum() for char in terms):
            continue  # lone punctuation such as "-" or "&" carries nothing to search for
        clauses[-1].append((bool(minus) or exclude_next, terms))
        pending, exclude_next = None, False
    if pending:
        raise SearchError(f"{pending} needs a word after it in {query!r}")
    if not clauses[-1]:
        raise SearchError(f"no words to search for in {query!r}")
    for clause in clauses:
        if all(excluded for excluded, _ in clause):
            raise SearchError(f"{query!r} only excludes words: say what to look for too")
    return clauses


def _fts5_query(clauses: SearchClauses) -> str:
    """Render for SQLite FTS5, every term quoted so user text is never read as FTS5 syntax."""
    def quoted(terms: str) -> str:
        return '"' + terms.replace('"', '""') + '"'

    rendered = []
    for clause in clauses:
        wanted = " AND ".join(quoted(terms) for excluded, terms in clause if not excluded)
        unwanted = "".join(f" NOT {quoted(terms)}" for excluded, terms in clause if excluded)
        rendered.append(f"({wanted}{unwanted})")
    return " OR ".join(rendered)


def _postgres_tsquery(clauses: SearchClauses) -> sa.ColumnElement:
    """Build a PostgreSQL tsquery from phraseto_tsquery() per term, so terms are passed as parameters."""
    def term(excluded: bool, terms: str) -> sa.ColumnElement:
        tsquery = sa.func.phraseto_tsquery(_PG_CONFIG, sa.literal(terms, sa.Text))
        if excluded:
            return sa.sql.expression.UnaryExpression(tsquery.self_group(), operator=operators.custom_op("!!"))
        return tsquery

    def all_of(clause):
        return reduce(lambda left, right: left.op("&&")(right), (term(*item) for item in clause)).self_group()

    any_of = reduce(lambda left, right: left.op("||")(right), (all_of(clause) for clause in clauses))
    return any_of.self_group()

