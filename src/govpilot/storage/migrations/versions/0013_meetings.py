"""Meetings: a recording, its corrected transcript and its minutes.

Revision ID: 0013_meetings
Revises: 0012_governance
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_meetings"
down_revision: str | None = "0012_governance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def _record_fk(name: str, *, nullable: bool) -> sa.Column[str]:
    return sa.Column(
        name,
        sa.String(32),
        sa.ForeignKey("stored_records.id", ondelete="CASCADE"),
        nullable=nullable,
    )


def upgrade() -> None:
    """Create the meetings table."""
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column(
            "owner_id",
            sa.String(32),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        _record_fk("audio_record_id", nullable=False),
        _record_fk("transcript_record_id", nullable=True),
        sa.Column("audio_name", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("transcribed_until", sa.Float(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("speakers", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("dropped", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Text(), nullable=True),
        sa.Column("transcribe_job_id", sa.String(32), nullable=True),
        sa.Column("minutes_job_id", sa.String(32), nullable=True),
        sa.Column("minutes_status", sa.String(20), nullable=False),
        sa.Column("minutes", sa.JSON(), nullable=True),
        sa.Column("minutes_approved_by", sa.Text(), nullable=True),
        sa.Column("minutes_approved_at", _WHEN, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_index("ix_meetings_department_created", "meetings", ["department", "created_at"])


def downgrade() -> None:
    """Drop it again."""
    op.drop_index("ix_meetings_department_created", table_name="meetings")
    op.drop_table("meetings")
