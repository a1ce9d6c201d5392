"""Knowledge services wired for one platform: collections, documents, ingest and search.

Until the Platform carries a retriever itself, `knowledge_services(platform)` builds the
SQL retriever (keyword + vectors, in the platform's database) once per platform. Tests and
tools that bring their own retriever call `install_knowledge_services` first.
"""

from __future__ import annotations

import threading
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
    from govpilot.platform import Platform

__all__ = [
    "KnowledgeServices",
    "hit_as_dict",
    "install_knowledge_services",
    "knowledge_services",
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


_services: dict[int, tuple[Platform, KnowledgeServices]] = {}
_lock = threading.Lock()


def install_knowledge_services(platform: Platform, services: KnowledgeServices) -> None:
    """Use these services for `platform` (tests: an in-memory retriever, a scripted OCR)."""
    with _lock:
        _services[id(platform)] = (platform, services)


def knowledge_services(platform: Platform) -> KnowledgeServices:
    """The knowledge services of `platform`, built on first use."""
    with _lock:
        cached = _services.get(id(platform))
        if cached is not None and cached[0] is platform:
            return cached[1]
        services = KnowledgeServices.build(
            platform.database,
            _sql_retriever(platform),
            chunk_chars=platform.settings.retrieval.chunk_chars,
        )
        _services[id(platform)] = (platform, services)
        return services


def _sql_retriever(platform: Platform) -> Retriever:
    try:
        from govpilot.backends.embed import build_embedder
        from govpilot.retrieval.fusion import Fusion
        from govpilot.retrieval.sql_retriever import SqlRetriever
    except ImportError as exc:
        raise ConfigError(
            f"The search index cannot be loaded: {exc}.",
            hint="Reinstall govpilot with its dependencies (pip install govpilot).",
        ) from exc
    settings = platform.settings.retrieval
    fusion = Fusion(
        keyword_weight_chinese=settings.keyword_weight_chinese,
        keyword_weight_english=settings.keyword_weight_english,
        candidates=settings.fusion_candidates,
    )
    return SqlRetriever(platform.database, build_embedder(settings), fusion=fusion)
