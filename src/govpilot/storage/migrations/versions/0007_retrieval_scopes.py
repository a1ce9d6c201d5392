"""Running totals per indexed collection, so a search's statistics cost one row each.

Revision ID: 0007_retrieval_scopes
Revises: 0006_accounts
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_retrieval_scopes"
down_revision: str | None = "0006_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create retrieval_scopes and fill it from the chunks already indexed."""
    op.create_table(
        "retrieval_scopes",
        sa.Column("department", sa.Text(), primary_key=True),
        sa.Column("collection_id", sa.Text(), primary_key=True),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("token_total", _BIG, nullable=False),
        sa.Column("max_pk", _BIG, nullable=False),
    )
    op.execute(
        "INSERT INTO retrieval_scopes (department, collection_id, chunk_count, token_total,"
        " max_pk) SELECT department, collection_id, COUNT(*), SUM(token_count), MAX(pk)"
        " FROM retrieval_chunks GROUP BY department, collection_id"
    )


def downgrade() -> None:
    """Drop the totals (searches no longer read them)."""
    op.drop_table("retrieval_scopes")
