"""Retrieval index: chunks with keyword tokens and vectors, and keyword postings.

Revision ID: 0004_retrieval
Revises: 0003_knowledge
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_retrieval"
down_revision: str | None = "0003_knowledge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create retrieval_chunks and retrieval_postings."""
    op.create_table(
        "retrieval_chunks",
        sa.Column("pk", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("chunk_id", sa.String(255), nullable=False),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("collection_id", sa.Text(), nullable=False),
        sa.Column("document_id", sa.Text(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("section", sa.Text(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=False),
        sa.Column("embedder", sa.String(64), nullable=True),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        # Never reuse a pk: cached vectors of a scope are keyed on (count, max pk).
        sqlite_autoincrement=True,
    )
    op.create_index("uq_retrieval_chunks_chunk_id", "retrieval_chunks", ["chunk_id"], unique=True)
    op.create_index(
        "ix_retrieval_chunks_scope", "retrieval_chunks", ["department", "collection_id"]
    )
    op.create_index("ix_retrieval_chunks_document", "retrieval_chunks", ["document_id"])

    op.create_table(
        "retrieval_postings",
        sa.Column(
            "chunk_pk",
            BIG_ID,
            sa.ForeignKey("retrieval_chunks.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("term", sa.Text(), primary_key=True),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("collection_id", sa.Text(), nullable=False),
        sa.Column("tf", sa.Integer(), nullable=False),
        sa.Column("doc_length", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_retrieval_postings_lookup",
        "retrieval_postings",
        ["term", "department", "collection_id", "chunk_pk", "tf", "doc_length"],
    )


def downgrade() -> None:
    """Drop the retrieval index (the documents themselves live elsewhere)."""
    op.drop_index("ix_retrieval_postings_lookup", table_name="retrieval_postings")
    op.drop_table("retrieval_postings")
    op.drop_index("ix_retrieval_chunks_document", table_name="retrieval_chunks")
    op.drop_index("ix_retrieval_chunks_scope", table_name="retrieval_chunks")
    op.drop_index("uq_retrieval_chunks_chunk_id", table_name="retrieval_chunks")
    op.drop_table("retrieval_chunks")
