"""What the per-article stages found (mentions, times, events, quotes, facts) and what the link stage
derives across articles (stories, their articles, comparisons, framing).

Per-article rows hang off `articles.pk` with ON DELETE CASCADE and are written in the same savepoint
as their article, so a crash never leaves half an article. Link rows are replaced as a whole by each
link run, in one transaction.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PRIMARY_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

SQLITE_FTS = [
    """
    CREATE VIRTUAL TABLE quotes_fts USING fts5(
        text, content='quotes', content_rowid='pk', tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
        INSERT INTO quotes_fts (rowid, text) VALUES (new.pk, new.text);
    END
    """,
    """
    CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
        INSERT INTO quotes_fts (quotes_fts, rowid, text) VALUES ('delete', old.pk, old.text);
    END
    """,
]
POSTGRES_FTS = [
    """
    ALTER TABLE quotes ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('english', left("text", 100000))
    ) STORED
    """,
    "CREATE INDEX ix_quotes_search ON quotes USING gin (search_vector)",
]


def _article_fk(table: str) -> sa.Column:
    return sa.Column(
        "article_pk", PRIMARY_KEY,
        sa.ForeignKey("articles.pk", name=f"fk_{table}_article", ondelete="CASCADE"), nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "article_annotations",
        sa.Column("article_pk", PRIMARY_KEY,
                  sa.ForeignKey("articles.pk", name="fk_article_annotations_article", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("mentions", JSON, nullable=False),
        sa.Column("times", JSON, nullable=False),
        sa.Column("generator", sa.Text(), nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("pk", PRIMARY_KEY, primary_key=True, autoincrement=True),
        _article_fk("events"),
        sa.Column("event_id", sa.Text(), nullable=False),
        # a copy of articles.is_current, so that filters need no join to find current events
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("outlet", sa.Text()),
        sa.Column("sentence", sa.Integer()),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("mode", sa.Text()),
        sa.Column("cameo", sa.Text()),
        sa.Column("quad", sa.Text()),
        sa.Column("intensity", sa.Float()),
        sa.Column("source_name", sa.Text()),
        sa.Column("source_country", sa.Text()),
        sa.Column("target_name", sa.Text()),
        sa.Column("target_country", sa.Text()),
        sa.Column("date", sa.Text()),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
    )
    op.create_index("ix_events_article", "events", ["article_pk"])
    op.create_index("ix_events_event_id", "events", ["event_id"])
    op.create_index("ix_events_date", "events", ["date"])
    op.create_index("ix_events_type_date", "events", ["type", "date"])
    op.create_index("ix_events_quad_date", "events", ["quad", "date"])
    op.create_index("ix_events_source_country", "events", ["source_country", "target_country", "date"])
    op.create_index("ix_events_target_country", "events", ["target_country", "date"])
    op.create_index("ix_events_outlet", "events", ["outlet", "date"])
    op.create_index("ix_events_source_name", "events", [sa.text("lower(source_name)")])
    op.create_index("ix_events_target_name", "events", [sa.text("lower(target_name)")])

    op.create_table(
        "quotes",
        sa.Column("pk", PRIMARY_KEY, primary_key=True, autoincrement=True),
        _article_fk("quotes"),
        sa.Column("quote_id", sa.Text(), nullable=False),
        sa.Column("speaker_name", sa.Text()),
        sa.Column("speaker_country", sa.Text()),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
    )
    op.create_index("ix_quotes_article", "quotes", ["article_pk"])
    op.create_index("ix_quotes_speaker", "quotes", ["speaker_name"])

    op.create_table(
        "facts",
        sa.Column("pk", PRIMARY_KEY, primary_key=True, autoincrement=True),
        _article_fk("facts"),
        sa.Column("fact_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("what", sa.Text()),
        sa.Column("value", sa.Float()),
        sa.Column("unit", sa.Text()),
        sa.Column("payload", JSON, nullable=False),
    )
    op.create_index("ix_facts_article", "facts", ["article_pk"])

    op.create_table(
        "stories",
        sa.Column("story_id", sa.Text(), primary_key=True),
        sa.Column("title", sa.Text()),
        sa.Column("start", sa.Text()),
        sa.Column("end", sa.Text()),
        sa.Column("payload", JSON, nullable=False),
    )
    op.create_table(
        "story_articles",
        sa.Column("story_id", sa.Text(),
                  sa.ForeignKey("stories.story_id", name="fk_story_articles_story", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("article_pk", PRIMARY_KEY,
                  sa.ForeignKey("articles.pk", name="fk_story_articles_article", ondelete="CASCADE"),
                  primary_key=True),
    )
    op.create_index("ix_story_articles_story", "story_articles", ["story_id"])
    op.create_table(
        "link_results",
        sa.Column("pk", PRIMARY_KEY, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.Text(), nullable=False),  # story_event | comparison | framing
        sa.Column("story_id", sa.Text()),
        sa.Column("payload", JSON, nullable=False),
    )
    op.create_index("ix_link_results_kind_story", "link_results", ["kind", "story_id"])

    dialect = op.get_context().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS if dialect == "postgresql" else ():
        op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for trigger in ("quotes_fts_insert", "quotes_fts_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS quotes_fts")
    for table in ("link_results", "story_articles", "stories", "facts", "quotes", "events",
                  "article_annotations"):
        op.drop_table(table)
