"""Opinion analysis: consultations, their responses (redacted) and themes.

Revision ID: 0014_opinion
Revises: 0013_meetings
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_opinion"
down_revision: str | None = "0013_meetings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def _consultation_fk() -> sa.Column[str]:
    return sa.Column(
        "consultation_id",
        sa.String(32),
        sa.ForeignKey("consultations.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "consultations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column(
            "owner_id", sa.String(32), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "source_record_id",
            sa.String(32),
            sa.ForeignKey("stored_records.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("done_questions", sa.JSON(), nullable=False),
        sa.Column("target_themes", sa.Integer(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("analysis_job_id", sa.String(32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_index("ix_consultations_department_name", "consultations", ["department", "name"])
    op.create_table(
        "opinion_responses",
        sa.Column("id", sa.String(32), primary_key=True),
        _consultation_fk(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("redacted", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("respondent_type", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("submitted", sa.String(40), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("campaign", sa.Text(), nullable=True),
        sa.Column("stance", sa.String(10), nullable=True),
        sa.Column("stance_read", sa.Boolean(), nullable=False),
        sa.Column("sentiment", sa.String(10), nullable=True),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_opinion_responses_consultation",
        "opinion_responses",
        ["consultation_id", "question", "position"],
    )
    op.create_table(
        "opinion_themes",
        sa.Column("id", sa.String(32), primary_key=True),
        _consultation_fk(),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(10), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("description_zh", sa.Text(), nullable=False),
        sa.Column("typical", sa.JSON(), nullable=False),
        sa.Column("edited_by", sa.Text(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index(
        "ix_opinion_themes_consultation", "opinion_themes", ["consultation_id", "question"]
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_opinion_themes_consultation", table_name="opinion_themes")
    op.drop_table("opinion_themes")
    op.drop_index("ix_opinion_responses_consultation", table_name="opinion_responses")
    op.drop_table("opinion_responses")
    op.drop_index("ix_consultations_department_name", table_name="consultations")
    op.drop_table("consultations")
