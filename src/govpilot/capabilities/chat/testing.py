"""Test helpers for bots: a scripted retriever that records searches, and chunk builders.

Like `govpilot.backends.fake.ScriptedModel`, a first-class implementation of the protocol
rather than a mock: it honours the scope (department and collections) as the real index
does, so tests of access control mean something.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from govpilot.retrieval.types import Chunk, Scope, SearchHit


def make_chunk(
    n: int,
    text: str,
    *,
    department: str = "HD",
    collection: str = "c-housing",
    source: str = "housing-guide.pdf",
    section: str = "Eligibility",
    page: int | None = 3,
    url: str | None = "",
) -> Chunk:
    """A chunk with citation metadata (url defaults to one on www.example.gov.hk)."""
    if url == "":
        url = f"https://www.example.gov.hk/{source}#p{page}"
    return Chunk(
        id=f"{collection}-{n}",
        collection_id=collection,
        department=department,
        document_id=f"doc-{collection}-{source}",
        ordinal=n,
        text=text,
        source=source,
        title=source,
        section=section,
        page=page,
        url=url,
    )


@dataclass
class ScriptedRetriever:
    """Returns the scope's chunks in the order given (scores 1, 1/2, 1/3 ...)."""

    chunks: list[Chunk] = field(default_factory=list)
    searches: list[tuple[str, Scope, int]] = field(default_factory=list)

    def add(self, chunks: Sequence[Chunk]) -> None:
        ids = {c.id for c in chunks}
        self.chunks = [c for c in self.chunks if c.id not in ids] + list(chunks)

    def remove_document(self, document_id: str) -> int:
        before = len(self.chunks)
        self.chunks = [c for c in self.chunks if c.document_id != document_id]
        return before - len(self.chunks)

    def remove_collection(self, collection_id: str) -> int:
        before = len(self.chunks)
        self.chunks = [c for c in self.chunks if c.collection_id != collection_id]
        return before - len(self.chunks)

    def search(self, query: str, scope: Scope, k: int = 5) -> list[SearchHit]:
        self.searches.append((query, scope, k))
        allowed = [
            c
            for c in self.chunks
            if c.department == scope.department and c.collection_id in scope.collection_ids
        ]
        return [SearchHit(c, 1.0 / (i + 1)) for i, c in enumerate(allowed[:k])]
