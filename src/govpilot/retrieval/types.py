"""What retrieval stores and returns: chunks with citation metadata, scopes, hits.

The seam (DESIGN.md): `Retriever.add(chunks)` / `Retriever.search(query, scope, k)`.
Access control is part of the query: a search only ever reads chunks of the department and
collections in its `Scope`; results are never filtered afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

ChunkKind = str  # "paragraph", "faq", "table", "list", "heading", "page"


@dataclass(frozen=True)
class Chunk:
    """A passage of one document, small enough to cite, with where it came from."""

    id: str
    collection_id: str
    department: str
    document_id: str
    ordinal: int
    text: str
    kind: ChunkKind = "paragraph"
    #: The source's file name or path (what `govpilot search --json` calls `document`).
    source: str = ""
    title: str = ""
    #: The heading path above the chunk, e.g. "Eligibility > Income limits".
    section: str = ""
    page: int | None = None
    url: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Citation:
    """Where an answer's statement comes from, as shown to the public."""

    document: str
    title: str = ""
    section: str = ""
    page: int | None = None
    url: str | None = None

    @classmethod
    def of(cls, chunk: Chunk) -> Citation:
        return cls(chunk.source, chunk.title, chunk.section, chunk.page, chunk.url)

    def label(self) -> str:
        """A short human-readable reference, e.g. "guide.pdf, Eligibility, p. 3"."""
        parts = [self.title or self.document]
        if self.section:
            parts.append(self.section)
        if self.page is not None:
            parts.append(f"p. {self.page}")
        return ", ".join(p for p in parts if p)

    def as_dict(self) -> dict[str, object]:
        return {
            "document": self.document,
            "title": self.title,
            "section": self.section,
            "page": self.page,
            "url": self.url,
        }


@dataclass(frozen=True)
class Scope:
    """What a search may read: one department's chunks in the listed collections."""

    department: str
    collection_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.department:
            raise ValueError("a search scope needs a department")


@dataclass(frozen=True)
class SearchHit:
    """One result: the chunk, its fused score, and its rank in each method (1-based)."""

    chunk: Chunk
    score: float
    keyword_rank: int | None = None
    dense_rank: int | None = None

    @property
    def citation(self) -> Citation:
        return Citation.of(self.chunk)


class Retriever(Protocol):
    """Indexes chunks and searches them within a scope."""

    def add(self, chunks: Sequence[Chunk]) -> None:
        """Index chunks (replacing any with the same id)."""
        ...

    def remove_document(self, document_id: str) -> int:
        """Remove every chunk of a document from every index; returns how many."""
        ...

    def remove_collection(self, collection_id: str) -> int:
        """Remove every chunk of a collection; returns how many."""
        ...

    def search(self, query: str, scope: Scope, k: int = 5) -> list[SearchHit]:
        """The best `k` chunks for `query` among those `scope` allows, best first."""
        ...
