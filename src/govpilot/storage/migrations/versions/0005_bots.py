"""Bots, conversations, and question turns (texts live in stored_records).

Revision ID: 0005_bots
Revises: 0004_retrieval
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_bots"
down_revision: str | None = "0004_retrieval"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create bots, bot_conversations and bot_turns."""
    op.create_table(
        "bots",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("cantonese_reply", sa.String(20), nullable=False),
        sa.Column("tone", sa.Text(), nullable=False),
        sa.Column("collection_ids", sa.JSON(), nullable=False),
        sa.Column("refuse", sa.JSON(), nullable=False),
        sa.Column("handover", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("department", "name", name="uq_bots_department_name"),
    )
    op.create_table(
        "bot_conversations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "bot_id", sa.String(32), sa.ForeignKey("bots.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_bot_conversations_bot_id", "bot_conversations", ["bot_id"])
    op.create_table(
        "bot_turns",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "conversation_id",
            sa.String(32),
            sa.ForeignKey("bot_conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "bot_id", sa.String(32), sa.ForeignKey("bots.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("handed_over", sa.Boolean(), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column(
            "record_id",
            sa.String(32),
            sa.ForeignKey("stored_records.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    op.create_index("ix_bot_turns_bot_asked", "bot_turns", ["bot_id", "asked_at"])
    op.create_index("ix_bot_turns_conversation", "bot_turns", ["conversation_id"])


def downgrade() -> None:
    """Drop the bot tables (their stored records stay, to expire with their class)."""
    op.drop_index("ix_bot_turns_conversation", table_name="bot_turns")
    op.drop_index("ix_bot_turns_bot_asked", table_name="bot_turns")
    op.drop_table("bot_turns")
    op.drop_index("ix_bot_conversations_bot_id", table_name="bot_conversations")
    op.drop_table("bot_conversations")
    op.drop_table("bots")
