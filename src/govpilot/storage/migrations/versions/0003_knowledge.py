"""Knowledge collections, their documents and ingest jobs.

Revision ID: 0003_knowledge
Revises: 0002_records
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_knowledge"
down_revision: str | None = "0002_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create knowledge_collections, knowledge_documents, ingest_jobs and ingest_items."""
    op.create_table(
        "knowledge_collections",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("department", "name", name="uq_knowledge_collections_department_name"),
    )
    op.create_table(
        "knowledge_documents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "collection_id",
            sa.String(32),
            sa.ForeignKey("knowledge_collections.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("collection_id", "origin", name="uq_knowledge_documents_origin"),
    )
    op.create_index("ix_knowledge_documents_department", "knowledge_documents", ["department"])
    op.create_table(
        "ingest_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "collection_id",
            sa.String(32),
            sa.ForeignKey("knowledge_collections.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("roots", sa.JSON(), nullable=False),
        sa.Column("prune", sa.Boolean(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
    )
    op.create_index("ix_ingest_jobs_collection", "ingest_jobs", ["collection_id"])
    op.create_table(
        "ingest_items",
        sa.Column(
            "job_id",
            sa.String(32),
            sa.ForeignKey("ingest_jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("ordinal", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("document_id", sa.String(32), nullable=True),
        sa.Column("chunks", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    """Drop the knowledge tables (chunks in the retrieval index are dropped by 0004)."""
    op.drop_table("ingest_items")
    op.drop_index("ix_ingest_jobs_collection", table_name="ingest_jobs")
    op.drop_table("ingest_jobs")
    op.drop_index("ix_knowledge_documents_department", table_name="knowledge_documents")
    op.drop_table("knowledge_documents")
    op.drop_table("knowledge_collections")
