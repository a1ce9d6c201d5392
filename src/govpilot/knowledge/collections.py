"""Knowledge collections: named sets of documents owned by one department.

Every lookup takes the caller's department, so one department can neither see nor change
another's collections; names are unique within a department. Deleting a collection removes
its chunks from the retriever first, then its rows (documents and jobs go with it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from govpilot.errors import DuplicateRecord, InputError, NotFound
from govpilot.retrieval.types import Retriever
from govpilot.storage.db import Database
from govpilot.storage.knowledge_tables import KnowledgeCollectionRow, KnowledgeDocumentRow

__all__ = ["Collection", "CollectionStore"]

_MAX_NAME = 100


@dataclass(frozen=True)
class Collection:
    """A department's named collection, with how many documents and chunks it holds."""

    id: str
    name: str
    department: str
    created_by: str
    created_at: datetime
    description: str = ""
    documents: int = 0
    chunks: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `govpilot collections list --json`."""
        return {
            "id": self.id,
            "name": self.name,
            "department": self.department,
            "description": self.description,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "documents": self.documents,
            "chunks": self.chunks,
        }


def _collection(row: KnowledgeCollectionRow, documents: int = 0, chunks: int = 0) -> Collection:
    return Collection(
        row.id,
        row.name,
        row.department,
        row.created_by,
        row.created_at,
        row.description,
        documents,
        chunks,
    )


def check_name(name: str) -> str:
    """A collection name, trimmed, or an InputError saying what is wrong with it."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > _MAX_NAME or any(c in cleaned for c in "\r\n\t"):
        raise InputError(
            f"{name!r} is not a usable collection name.",
            hint=f"Use 1 to {_MAX_NAME} characters on one line, e.g. housing-faq.",
        )
    return cleaned


class CollectionStore:
    """Create, find, list and delete collections within a department."""

    def __init__(self, database: Database, retriever: Retriever) -> None:
        self.database = database
        self.retriever = retriever

    def create(
        self, department: str, name: str, *, created_by: str, description: str = ""
    ) -> Collection:
        """A new, empty collection; InputError when the department already has that name."""
        name = check_name(name)
        row = KnowledgeCollectionRow(
            id=uuid.uuid4().hex,
            department=department,
            name=name,
            description=description.strip(),
            created_by=created_by,
            created_at=datetime.now(UTC),
        )
        try:
            with self.database.session(write=True) as session:
                session.add(row)
        except DuplicateRecord:
            raise InputError(
                f"Department {department} already has a collection named {name!r}.",
                hint="Choose another name, or ingest into the existing collection.",
            ) from None
        return _collection(row)

    def exists(self, collection_id: str) -> bool:
        """True while the collection with this id is there (it has not been deleted)."""
        with self.database.session() as session:
            return session.get(KnowledgeCollectionRow, collection_id) is not None

    def get(self, department: str, name: str) -> Collection:
        """The department's collection called `name` (NotFound lists the ones there are)."""
        with self.database.session() as session:
            row = session.scalar(
                select(KnowledgeCollectionRow).where(
                    KnowledgeCollectionRow.department == department,
                    KnowledgeCollectionRow.name == name.strip(),
                )
            )
        if row is None:
            known = ", ".join(c.name for c in self.list(department)) or "none yet"
            raise NotFound(
                f"Department {department} has no collection named {name!r}.",
                hint=f"Its collections: {known}. Create one with "
                f"`govpilot collections create {name}`.",
            )
        return _collection(row)

    def get_by_id(self, department: str, collection_id: str) -> Collection:
        """The department's collection with this id."""
        with self.database.session() as session:
            row = session.get(KnowledgeCollectionRow, collection_id)
        if row is None or row.department != department:
            raise NotFound(f"No collection {collection_id} in department {department}.")
        return _collection(row)

    def list(self, department: str) -> list[Collection]:
        """The department's collections by name, with document and chunk counts."""
        counts = (
            select(
                KnowledgeDocumentRow.collection_id,
                func.count().label("documents"),
                func.coalesce(func.sum(KnowledgeDocumentRow.chunk_count), 0).label("chunks"),
            )
            .where(KnowledgeDocumentRow.department == department)
            .group_by(KnowledgeDocumentRow.collection_id)
            .subquery()
        )
        query = (
            select(KnowledgeCollectionRow, counts.c.documents, counts.c.chunks)
            .outerjoin(counts, counts.c.collection_id == KnowledgeCollectionRow.id)
            .where(KnowledgeCollectionRow.department == department)
            .order_by(KnowledgeCollectionRow.name)
        )
        with self.database.session() as session:
            rows = session.execute(query).all()
        return [_collection(row, int(docs or 0), int(chunks or 0)) for row, docs, chunks in rows]

    def delete(self, department: str, name: str) -> int:
        """Delete the collection, its documents, jobs and chunks; returns the chunks removed."""
        collection = self.get(department, name)
        # Chunks first: if this is interrupted, the collection is still there to delete again.
        removed = self.retriever.remove_collection(collection.id)
        with self.database.session(write=True) as session:
            row = session.get(KnowledgeCollectionRow, collection.id)
            if row is not None:
                session.delete(row)
        return removed
