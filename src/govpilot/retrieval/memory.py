"""An in-memory Retriever with naive token-overlap scoring: a fake for tests and demos.

It honours the same contract as the real index (add replaces by id; search reads only the
scope's department and collections) but keeps nothing across processes and ranks by the
share of query tokens (words, and Chinese character bigrams) found in a chunk.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Sequence

from govpilot.retrieval.types import Chunk, Scope, SearchHit

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def overlap_tokens(text: str) -> set[str]:
    """Lower-cased words, with runs of Chinese characters cut into characters and bigrams."""
    tokens: set[str] = set()
    for word in _WORD.findall(text.lower()):
        if not _HAN.search(word):
            tokens.add(word)
            continue
        chars = [c for c in word if _HAN.match(c)]
        tokens.update(chars)
        tokens.update(a + b for a, b in itertools.pairwise(chars))
        rest = _HAN.sub(" ", word).split()
        tokens.update(rest)
    return tokens


class InMemoryRetriever:
    """Chunks in a dict; search scores by query-token overlap. Thread-safe, not persistent."""

    def __init__(self) -> None:
        self._chunks: dict[str, Chunk] = {}
        self._tokens: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def add(self, chunks: Sequence[Chunk]) -> None:
        """Index chunks (replacing any with the same id)."""
        with self._lock:
            for chunk in chunks:
                self._chunks[chunk.id] = chunk
                self._tokens[chunk.id] = overlap_tokens(f"{chunk.section}\n{chunk.text}")

    def remove_document(self, document_id: str) -> int:
        """Remove every chunk of a document; returns how many."""
        return self._remove(lambda c: c.document_id == document_id)

    def remove_collection(self, collection_id: str) -> int:
        """Remove every chunk of a collection; returns how many."""
        return self._remove(lambda c: c.collection_id == collection_id)

    def _remove(self, match: Callable[[Chunk], bool]) -> int:
        with self._lock:
            gone = [cid for cid, chunk in self._chunks.items() if match(chunk)]
            for cid in gone:
                del self._chunks[cid]
                del self._tokens[cid]
            return len(gone)

    def search(self, query: str, scope: Scope, k: int = 5) -> list[SearchHit]:
        """The `k` chunks of the scope sharing the most query tokens, best first."""
        wanted = overlap_tokens(query)
        if not wanted or k <= 0:
            return []
        allowed = set(scope.collection_ids)
        with self._lock:
            scored = [
                (len(wanted & self._tokens[cid]) / len(wanted), chunk)
                for cid, chunk in self._chunks.items()
                if chunk.department == scope.department and chunk.collection_id in allowed
            ]
        ranked = sorted(
            ((score, chunk) for score, chunk in scored if score > 0),
            key=lambda pair: (-pair[0], pair[1].document_id, pair[1].ordinal),
        )
        return [
            SearchHit(chunk, score, keyword_rank=rank)
            for rank, (score, chunk) in enumerate(ranked[:k], 1)
        ]

    def chunks(self) -> list[Chunk]:
        """Every stored chunk (for tests), in document and ordinal order."""
        with self._lock:
            return sorted(self._chunks.values(), key=lambda c: (c.document_id, c.ordinal))
