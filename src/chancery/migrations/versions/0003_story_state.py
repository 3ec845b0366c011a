"""Story clustering's saved state (`chancery.story_state`), so that an ingest adds its new articles to
the stories already found instead of clustering the whole store again.

One row per saved clusterer, written in the same transaction as the stories it produced: the state
and the stories it stands for never disagree. Losing the row only costs a full recomputation.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_state",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("story_state")
