"""ORM tables: knowledge collections, documents and the files of ingest jobs.

A collection belongs to one department; its documents are keyed by `origin` (the file's
absolute path, or an upload's name) so re-ingesting the same file finds its row. An ingest
job stores its list of files up front (`ingest_items`), one row per file with its state, so
a job killed half-way resumes with the files still pending.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from govpilot.storage.base import Base, UtcDateTime

__all__ = [
    "Base",
    "IngestItemRow",
    "KnowledgeCollectionRow",
    "KnowledgeDocumentRow",
]


class KnowledgeCollectionRow(Base):
    """A named set of documents owned by one department (names unique per department)."""

    __tablename__ = "knowledge_collections"
    __table_args__ = (
        UniqueConstraint("department", "name", name="uq_knowledge_collections_department_name"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class KnowledgeDocumentRow(Base):
    """One ingested file: where it came from, its content hash, and how it was chunked.

    `status` is 'indexing' while its chunks are being replaced and 'ready' once they are all
    in the retriever; a row left 'indexing' by a crash is redone on the next ingest.
    """

    __tablename__ = "knowledge_documents"
    __table_args__ = (
        UniqueConstraint("collection_id", "origin", name="uq_knowledge_documents_origin"),
        Index("ix_knowledge_documents_department", "department"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    collection_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("knowledge_collections.id", ondelete="CASCADE")
    )
    department: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    chunk_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    ingested_at: Mapped[datetime] = mapped_column(UtcDateTime())


class IngestItemRow(Base):
    """One file of an ingest job (or one document to prune) and what became of it.

    The job itself is a row of `jobs` (kind 'ingest' for `govpilot ingest`, 'upload' for
    files uploaded over the web or the API), like every background job.
    """

    __tablename__ = "ingest_items"

    job_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: 'ingest' a file, 'upload' a stored upload (`path` is where its bytes wait, `source`
    #: its name), 'prune' a document whose file is gone, or 'skip' / 'keep' one.
    action: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[str | None] = mapped_column(String(32))
    chunks: Mapped[int] = mapped_column(Integer)
