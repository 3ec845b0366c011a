"""Articles, the parts cleaning removed from them, their sentences, and full-text search.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid (which FTS5 points at), so no BIGINT there.
PRIMARY_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# The full-text tables and triggers are written out here rather than imported, so this migration keeps
# creating the same schema whatever later code does.
SQLITE_FTS = [
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='pk',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    # Only current versions are indexed; older versions stay in `articles` but are not searchable.
    """
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles WHEN new.is_current BEGIN
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.pk, new.title, new.text);
    END
    """,
    """
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles WHEN old.is_current BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.pk, old.title, old.text);
    END
    """,
    """
    CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        SELECT 'delete', old.pk, old.title, old.text WHERE old.is_current;
        INSERT INTO articles_fts (rowid, title, text)
        SELECT new.pk, new.title, new.text WHERE new.is_current;
    END
    """,
]
# PostgreSQL keeps the document vector in a generated column, so ranking matches need not re-parse text.
# Only the first 100,000 characters are indexed: a tsvector cannot exceed 1 MB, and an insert that would
# make a bigger one fails outright.
POSTGRES_FTS = [
    """
    ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('english', left(coalesce(title, '') || ' ' || "text", 100000))
    ) STORED
    """,
    "CREATE INDEX ix_articles_search ON articles USING gin (search_vector) WHERE is_current",
]


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("pk", PRIMARY_KEY, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("identity_key", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("url", sa.Text()),
        sa.Column("outlet", sa.Text()),
        sa.Column("title", sa.Text()),
        sa.Column("published", sa.Text()),
        sa.Column("language", sa.Text()),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("html", sa.Text()),
        sa.Column("dateline_place", sa.Text()),
        sa.Column("dateline_date", sa.Text()),
        sa.Column("dateline_agency", sa.Text()),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("provenance", JSON, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("identity_key", "content_hash", name="uq_articles_identity_hash"),
        sa.UniqueConstraint("identity_key", "version", name="uq_articles_identity_version"),
    )
    # At most one current version per article, even when two writers race.
    op.create_index(
        "uq_articles_current", "articles", ["identity_key"], unique=True,
        sqlite_where=sa.text("is_current"), postgresql_where=sa.text("is_current"),
    )
    op.create_index("ix_articles_article_id", "articles", ["article_id"])
    op.create_index("ix_articles_outlet", "articles", ["outlet"])
    op.create_index("ix_articles_published", "articles", ["published"])

    op.create_table(
        "article_removed",
        sa.Column(
            "article_pk", PRIMARY_KEY,
            sa.ForeignKey("articles.pk", name="fk_article_removed_article", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("article_pk", "position", name="pk_article_removed"),
    )
    op.create_table(
        "article_sentences",
        sa.Column(
            "article_pk", PRIMARY_KEY,
            sa.ForeignKey("articles.pk", name="fk_article_sentences_article", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("article_pk", "idx", name="pk_article_sentences"),
    )

    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in POSTGRES_FTS:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for trigger in ("articles_fts_insert", "articles_fts_delete", "articles_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    op.drop_table("article_sentences")
    op.drop_table("article_removed")
    op.drop_table("articles")
