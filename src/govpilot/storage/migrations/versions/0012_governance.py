"""AI governance: the application register, impact assessments, review items, incidents;
and the application id on audit events.

Revision ID: 0012_governance
Revises: 0011_pgvector
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_governance"
down_revision: str | None = "0011_pgvector"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def _application_fk() -> sa.Column[str]:
    return sa.Column(
        "application_id",
        sa.String(32),
        sa.ForeignKey("ai_applications.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    """Create the four governance tables; add audit_events.application_id and its index."""
    op.create_table(
        "ai_applications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("affected", sa.String(20), nullable=False),
        sa.Column("data_categories", sa.JSON(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("oversight", sa.String(20), nullable=False),
        sa.Column("review_sample", sa.Float(), nullable=False),
        sa.Column("reviewers", sa.JSON(), nullable=False),
        sa.Column("risk_tier", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(30), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.UniqueConstraint("department", "source", name="uq_ai_applications_source"),
    )
    op.create_index("ix_ai_applications_department", "ai_applications", ["department"])
    op.create_table(
        "ai_assessments",
        sa.Column("id", sa.String(32), primary_key=True),
        _application_fk(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(30), nullable=False),
        sa.Column("questionnaire", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("mitigations", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("raw_score", sa.Float(), nullable=False),
        sa.Column("mitigation_score", sa.Float(), nullable=False),
        sa.Column("risk_level", sa.String(20), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("signed_off_by", sa.Text(), nullable=True),
        sa.Column("signed_off_at", _WHEN, nullable=True),
        sa.UniqueConstraint("application_id", "version", name="uq_ai_assessments_version"),
    )
    op.create_table(
        "ai_review_items",
        sa.Column("id", sa.String(32), primary_key=True),
        _application_fk(),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("record_id", sa.String(32), nullable=True),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("correction", sa.Text(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("decided_at", _WHEN, nullable=True),
    )
    op.create_index(
        "ix_ai_review_items_queue", "ai_review_items", ["department", "status", "created_at"]
    )
    op.create_index(
        "ix_ai_review_items_application", "ai_review_items", ["application_id", "status"]
    )
    op.create_table(
        "ai_incidents",
        sa.Column("id", sa.String(32), primary_key=True),
        _application_fk(),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.Text(), nullable=False),
        sa.Column("reported_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_index("ix_ai_incidents_application", "ai_incidents", ["application_id", "status"])
    op.add_column("audit_events", sa.Column("application_id", sa.String(32), nullable=True))
    op.create_index(
        "ix_audit_events_application", "audit_events", ["application_id", "occurred_at"]
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_audit_events_application", table_name="audit_events")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("application_id")
    op.drop_table("ai_incidents")
    op.drop_table("ai_review_items")
    op.drop_table("ai_assessments")
    op.drop_table("ai_applications")
