"""Ingest jobs for uploads: what started a job, and the channel to audit it under.

Revision ID: 0008_upload_ingest
Revises: 0007_retrieval_scopes
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_upload_ingest"
down_revision: str | None = "0007_retrieval_scopes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ingest_jobs.kind ('paths' for the CLI's jobs, 'upload') and ingest_jobs.channel."""
    with op.batch_alter_table("ingest_jobs") as batch:
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="paths"))
        batch.add_column(sa.Column("channel", sa.String(20), nullable=True))
    op.create_index("ix_ingest_jobs_queue", "ingest_jobs", ["kind", "status"])


def downgrade() -> None:
    """Drop the columns (upload jobs then read as path jobs)."""
    op.drop_index("ix_ingest_jobs_queue", table_name="ingest_jobs")
    with op.batch_alter_table("ingest_jobs") as batch:
        batch.drop_column("channel")
        batch.drop_column("kind")
