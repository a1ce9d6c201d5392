"""The case desk: cases, their events and their replies.

Revision ID: 0015_cases
Revises: 0014_opinion
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_cases"
down_revision: str | None = "0014_opinion"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def _case_fk() -> sa.Column[str]:
    return sa.Column(
        "case_id", sa.String(32), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "cases",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("desk", sa.String(100), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("assignee", sa.Text(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("urgency", sa.String(10), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("pii", sa.JSON(), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=False),
        sa.Column("triage", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("incident_id", sa.String(32), nullable=True),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("vector", sa.JSON(), nullable=True),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("acknowledge_due", _WHEN, nullable=False),
        sa.Column("reply_due", _WHEN, nullable=False),
        sa.Column("acknowledged_at", _WHEN, nullable=True),
        sa.Column("replied_at", _WHEN, nullable=True),
        sa.Column("closed_at", _WHEN, nullable=True),
    )
    op.create_index("ix_cases_reference", "cases", ["reference"], unique=True)
    op.create_index("ix_cases_department_status", "cases", ["department", "status"])
    op.create_index("ix_cases_desk_status", "cases", ["desk", "status"])
    op.create_index("ix_cases_message_id", "cases", ["message_id"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.String(32), primary_key=True),
        _case_fk(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index("ix_case_events_case", "case_events", ["case_id", "created_at"])
    op.create_table(
        "case_replies",
        sa.Column("id", sa.String(32), primary_key=True),
        _case_fk(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("drafted_by", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("sent_via", sa.String(20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("sent_at", _WHEN, nullable=True),
    )
    op.create_index("ix_case_replies_case", "case_replies", ["case_id", "created_at"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_case_replies_case", table_name="case_replies")
    op.drop_table("case_replies")
    op.drop_index("ix_case_events_case", table_name="case_events")
    op.drop_table("case_events")
    for name in ("ix_cases_message_id", "ix_cases_desk_status", "ix_cases_department_status"):
        op.drop_index(name, table_name="cases")
    op.drop_index("ix_cases_reference", table_name="cases")
    op.drop_table("cases")
