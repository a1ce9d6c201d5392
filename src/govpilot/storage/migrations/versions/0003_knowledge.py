"""Knowledge collections, their documents and ingest jobs.

Revision ID: 0003_knowledge
Revises: 0002_records
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0003_knowledge"
down_revision: str | None = "0002_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
