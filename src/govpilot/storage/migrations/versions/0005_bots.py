"""Bots, conversations, messages and feedback.

Revision ID: 0005_bots
Revises: 0004_retrieval
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005_bots"
down_revision: str | None = "0004_retrieval"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
