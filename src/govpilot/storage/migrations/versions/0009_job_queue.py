"""Jobs on a task queue: attempts, the running worker's lease, when the job was enqueued.

Revision ID: 0009_job_queue
Revises: 0008_upload_ingest
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_job_queue"
down_revision: str | None = "0008_upload_ingest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add jobs.attempts, jobs.lease_until and jobs.enqueued_at (NULL: enqueue it again)."""
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("lease_until", _WHEN, nullable=True))
        batch.add_column(sa.Column("enqueued_at", _WHEN, nullable=True))
    op.create_index("ix_jobs_status_lease", "jobs", ["status", "lease_until"])


def downgrade() -> None:
    """Drop the columns (the hand-written runtime ignored them)."""
    op.drop_index("ix_jobs_status_lease", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("enqueued_at")
        batch.drop_column("lease_until")
        batch.drop_column("attempts")
