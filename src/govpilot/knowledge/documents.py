"""The documents of a collection: what was ingested, its content hash, and its chunks.

Deleting a document removes its chunks from every index (through the retriever) before its
row, so an interrupted delete leaves a row that can be deleted again, never orphan chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from govpilot.errors import NotFound
from govpilot.knowledge.collections import Collection
from govpilot.retrieval.types import Retriever
from govpilot.storage.db import Database
from govpilot.storage.knowledge_tables import KnowledgeDocumentRow

__all__ = ["DocumentStore", "KnowledgeDocument"]


@dataclass(frozen=True)
class KnowledgeDocument:
    """One ingested file of a collection."""

    id: str
    collection_id: str
    department: str
    #: The file's name or its path below the folder that was ingested (shown in citations).
    source: str
    title: str
    url: str | None
    #: sha256 of the file's bytes: an unchanged file is skipped on the next ingest.
    content_hash: str
    size: int
    #: How it was read: txt, md, html, docx, pdf, pdf-ocr, image, faq, table.
    kind: str
    chunks: int
    #: 'ready', or 'indexing' while (or if interrupted while) its chunks are replaced.
    status: str
    ingested_at: datetime
    #: Where it was read from (absolute path or upload name): its identity in the collection.
    origin: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `govpilot collections documents --json`."""
        return {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "url": self.url,
            "kind": self.kind,
            "content_hash": self.content_hash,
            "size": self.size,
            "chunks": self.chunks,
            "status": self.status,
            "ingested_at": self.ingested_at.isoformat(),
        }


def document_from_row(row: KnowledgeDocumentRow) -> KnowledgeDocument:
    """The read-only view of a document row."""
    return KnowledgeDocument(
        row.id,
        row.collection_id,
        row.department,
        row.source,
        row.title,
        row.url,
        row.content_hash,
        row.size,
        row.kind,
        row.chunk_count,
        row.status,
        row.ingested_at,
        row.origin,
    )


class DocumentStore:
    """List, find and delete the documents of a collection."""

    def __init__(self, database: Database, retriever: Retriever) -> None:
        self.database = database
        self.retriever = retriever

    def list(self, collection: Collection) -> list[KnowledgeDocument]:
        """The collection's documents by source."""
        with self.database.session() as session:
            rows = session.scalars(
                select(KnowledgeDocumentRow)
                .where(
                    KnowledgeDocumentRow.collection_id == collection.id,
                    KnowledgeDocumentRow.department == collection.department,
                )
                .order_by(KnowledgeDocumentRow.source, KnowledgeDocumentRow.origin)
            ).all()
        return [document_from_row(row) for row in rows]

    def get(self, collection: Collection, ref: str) -> KnowledgeDocument:
        """A document by id, source or origin path (NotFound when none, or several, match)."""
        with self.database.session() as session:
            rows = session.scalars(
                select(KnowledgeDocumentRow).where(
                    KnowledgeDocumentRow.collection_id == collection.id,
                    KnowledgeDocumentRow.department == collection.department,
                    or_(
                        KnowledgeDocumentRow.id == ref,
                        KnowledgeDocumentRow.source == ref,
                        KnowledgeDocumentRow.origin == ref,
                    ),
                )
            ).all()
        exact = [row for row in rows if row.id == ref] or rows
        if len(exact) != 1:
            problem = "no document" if not exact else f"{len(exact)} documents"
            raise NotFound(
                f"Collection {collection.name!r} has {problem} matching {ref!r}.",
                hint=f"List them with `govpilot collections documents {collection.name}` "
                "and give the document's id.",
            )
        return document_from_row(exact[0])

    def delete(self, collection: Collection, ref: str) -> KnowledgeDocument:
        """Delete a document and all its chunks; returns what was deleted."""
        document = self.get(collection, ref)
        self.remove(document.id)
        return document

    def remove(self, document_id: str) -> int:
        """Remove a document's chunks from the retriever, then its row; returns the chunks."""
        removed = self.retriever.remove_document(document_id)
        with self.database.session(write=True) as session:
            row = session.get(KnowledgeDocumentRow, document_id)
            if row is not None:
                session.delete(row)
        return removed
