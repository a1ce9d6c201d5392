"""Retrieval: Chinese-aware keywords plus multilingual vectors, fused, scoped by department."""

from govpilot.retrieval.types import Chunk, Citation, Retriever, Scope, SearchHit

__all__ = ["Chunk", "Citation", "Retriever", "Scope", "SearchHit"]
