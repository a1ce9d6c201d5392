"""Stored records with their data subjects; the audit chain's anchor for retention.

Revision ID: 0002_records
Revises: 0001_audit
Create Date: 2025-02-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_records"
down_revision: str | None = "0001_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64


def upgrade() -> None:
    """Create stored_records and record_subjects; anchor the audit chain at event 1."""
    op.create_table(
        "stored_records",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("data_class", sa.String(20), nullable=False),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("storage", sa.String(20), nullable=False),
        sa.Column("redactions", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("blob_path", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "data_class IN ('uploads', 'job_inputs', 'conversations', 'transcripts')",
            name="ck_stored_records_data_class",
        ),
    )
    op.create_index("ix_stored_records_expires_at", "stored_records", ["expires_at"])
    op.create_index(
        "ix_stored_records_department_class", "stored_records", ["department", "data_class"]
    )
    op.create_index("ix_stored_records_owner", "stored_records", ["owner"])

    op.create_table(
        "record_subjects",
        sa.Column(
            "record_id",
            sa.String(32),
            sa.ForeignKey("stored_records.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("type", sa.String(20), primary_key=True),
        sa.Column("hash", sa.String(64), primary_key=True),
    )
    op.create_index("ix_record_subjects_hash", "record_subjects", ["hash"])

    # Existing chains start at event 1 after the genesis hash, which is what the defaults say.
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(
            sa.Column("first_seq", sa.BigInteger(), nullable=False, server_default=sa.text("1"))
        )
        batch.add_column(
            sa.Column("first_prev_hash", sa.String(64), nullable=False, server_default=GENESIS_HASH)
        )


def downgrade() -> None:
    """Drop the records (their blob files stay on disk) and the audit chain's anchor."""
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("first_prev_hash")
        batch.drop_column("first_seq")
    op.drop_index("ix_record_subjects_hash", table_name="record_subjects")
    op.drop_table("record_subjects")
    op.drop_index("ix_stored_records_owner", table_name="stored_records")
    op.drop_index("ix_stored_records_department_class", table_name="stored_records")
    op.drop_index("ix_stored_records_expires_at", table_name="stored_records")
    op.drop_table("stored_records")
