"""Knowledge services over one database and retriever: collections, documents, ingest and
search.

`Platform.knowledge_services()` builds them once per platform over the SQL retriever
(keyword + vectors, in the platform's database); tests that bring their own retriever set
`Platform.knowledge` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from govpilot.errors import ConfigError
from govpilot.knowledge.collections import Collection, CollectionStore
from govpilot.knowledge.documents import DocumentStore
from govpilot.knowledge.ingest import Ingestor
from govpilot.knowledge.ocr import OcrEngine, RapidOcrEngine
from govpilot.retrieval.types import Retriever, Scope, SearchHit
from govpilot.storage.db import Database

if TYPE_CHECKING:
    from govpilot.config import Settings

__all__ = [
    "KnowledgeServices",
    "hit_as_dict",
]


@dataclass
class KnowledgeServices:
    """Everything the knowledge commands need, over one database and retriever."""

    database: Database
    retriever: Retriever
    collections: CollectionStore
    documents: DocumentStore
    ingestor: Ingestor

    @classmethod
    def build(
        cls,
        database: Database,
        retriever: Retriever,
        *,
        chunk_chars: int = 800,
        ocr: OcrEngine | None = None,
    ) -> KnowledgeServices:
        """Wire the stores and the ingestor (OCR through RapidOCR unless `ocr` is given)."""
        return cls(
            database,
            retriever,
            CollectionStore(database, retriever),
            DocumentStore(database, retriever),
            Ingestor(database, retriever, chunk_chars=chunk_chars, ocr=ocr or RapidOcrEngine()),
        )

    @classmethod
    def from_settings(cls, database: Database, settings: Settings) -> KnowledgeServices:
        """The services over the SQL retriever (keyword + vectors) in `database`."""
        return cls.build(
            database,
            _sql_retriever(database, settings),
            chunk_chars=settings.retrieval.chunk_chars,
        )

    def search(
        self, department: str, collections: list[Collection], query: str, k: int = 5
    ) -> list[SearchHit]:
        """The best `k` chunks for `query` within the department's given collections."""
        scope = Scope(department, tuple(c.id for c in collections))
        return self.retriever.search(query, scope, k)


def hit_as_dict(hit: SearchHit) -> dict[str, Any]:
    """A search result as `govpilot search --json` prints it."""
    citation = hit.citation
    return {
        "document": hit.chunk.source,
        "text": hit.chunk.text,
        "score": round(float(hit.score), 6),
        "citation": {**citation.as_dict(), "label": citation.label()},
    }


def _sql_retriever(database: Database, settings: Settings) -> Retriever:
    try:
        from govpilot.backends.embed import build_embedder
        from govpilot.retrieval.fusion import Fusion
        from govpilot.retrieval.sql_retriever import SqlRetriever
    except ImportError as exc:
        raise ConfigError(
            f"The search index cannot be loaded: {exc}.",
            hint="Reinstall govpilot with its dependencies (pip install govpilot).",
        ) from exc
    retrieval = settings.retrieval
    fusion = Fusion(
        keyword_weight_chinese=retrieval.keyword_weight_chinese,
        keyword_weight_english=retrieval.keyword_weight_english,
        candidates=retrieval.fusion_candidates,
    )
    return SqlRetriever(database, build_embedder(retrieval), fusion=fusion)
