"""ORM tables: the retrieval index (chunks with their vectors, and keyword postings).

Keyword search is an inverted index in two ordinary tables rather than SQLite FTS5 or a
PostgreSQL tsvector, so that BM25 is computed the same way on both databases, from
statistics of the searcher's own scope (another department's documents never shift the
ranking), and so that the schema stays portable. Each posting repeats its chunk's
department and collection: the scope is then part of the index lookup itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govpilot.storage.base import BIG_ID, Base

__all__ = ["RetrievalChunkRow", "RetrievalPostingRow", "RetrievalScopeRow"]


class RetrievalChunkRow(Base):
    """One indexed chunk: the text and citation fields, its keyword tokens and its vector.

    `pk` only ever grows (SQLite AUTOINCREMENT, a PostgreSQL sequence): re-adding a chunk
    gives it a new pk, which is how cached vectors of a scope notice a change.
    """

    __tablename__ = "retrieval_chunks"
    __table_args__ = (
        Index("uq_retrieval_chunks_chunk_id", "chunk_id", unique=True),
        Index("ix_retrieval_chunks_scope", "department", "collection_id"),
        Index("ix_retrieval_chunks_document", "document_id"),
        {"sqlite_autoincrement": True},
    )

    pk: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    chunk_id: Mapped[str] = mapped_column(String(255))
    department: Mapped[str] = mapped_column(Text)
    collection_id: Mapped[str] = mapped_column(Text)
    document_id: Mapped[str] = mapped_column(Text)
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    #: Keyword tokens (retrieval.tokenize), space-joined: what the postings were made from.
    tokens: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int] = mapped_column(Integer)
    #: The embedder that made `vector` (None: no vector); vectors of others are ignored.
    embedder: Mapped[str | None] = mapped_column(String(64))
    #: float32 little-endian, L2-normalised.
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)


class RetrievalPostingRow(Base):
    """How often a keyword token occurs in one chunk, with the chunk's scope and length."""

    __tablename__ = "retrieval_postings"
    __table_args__ = (
        # Covers the search: term and scope find the rows, the rest is read from the index.
        Index(
            "ix_retrieval_postings_lookup",
            "term",
            "department",
            "collection_id",
            "chunk_pk",
            "tf",
            "doc_length",
        ),
    )

    chunk_pk: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("retrieval_chunks.pk", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(Text, primary_key=True)
    department: Mapped[str] = mapped_column(Text)
    collection_id: Mapped[str] = mapped_column(Text)
    tf: Mapped[int] = mapped_column(Integer)
    doc_length: Mapped[int] = mapped_column(Integer)


class RetrievalScopeRow(Base):
    """Running totals of one collection's index, kept with every write to it.

    Every search starts from its scope's chunk count, mean length and newest pk; summing
    these rows costs one row per collection, where counting chunks costs one per chunk.
    """

    __tablename__ = "retrieval_scopes"

    department: Mapped[str] = mapped_column(Text, primary_key=True)
    collection_id: Mapped[str] = mapped_column(Text, primary_key=True)
    chunk_count: Mapped[int] = mapped_column(Integer)
    token_total: Mapped[int] = mapped_column(BIG_ID)
    max_pk: Mapped[int] = mapped_column(BIG_ID)
