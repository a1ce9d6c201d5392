"""The Retriever on govpilot's database: BM25 over keyword postings, vectors, fusion.

Works the same on SQLite and PostgreSQL. Every statement that reads chunks or postings
has the scope (department and collection ids) in its WHERE clause; nothing is filtered
afterwards. BM25 statistics (document count, average length, document frequencies) are
those of the scope, so one department's documents never change another's ranking.

Dense search is exact (brute force in numpy over the scope's vectors), which is fast for
the tens of thousands of chunks a department has: a scope's matrix is cached in memory and
reloaded when the scope's (row count, highest pk) changes, which also catches writes made
by other processes.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from govpilot.backends.embed import Embedder
from govpilot.retrieval.fusion import Fusion, fuse
from govpilot.retrieval.tokenize import TokenMode, keyword_tokens
from govpilot.retrieval.types import Chunk, Scope, SearchHit
from govpilot.storage.db import Database
from govpilot.storage.retrieval_tables import RetrievalChunkRow, RetrievalPostingRow

__all__ = ["SqlRetriever"]

# Okapi BM25 with Lucene's idf (never negative).
BM25_K1 = 1.2
BM25_B = 0.75
_INSERT_BATCH = 500

C = RetrievalChunkRow
P = RetrievalPostingRow


def indexed_text(chunk: Chunk) -> str:
    """What is tokenised and embedded: the title and section give a chunk its context."""
    return "\n".join(part for part in (chunk.title, chunk.section, chunk.text) if part)


def _in_scope(statement: Select, table: type[C] | type[P], scope: Scope) -> Select:
    return statement.where(
        table.department == scope.department,
        table.collection_id.in_(scope.collection_ids),
    )


class SqlRetriever:
    """Hybrid retrieval over the `retrieval_*` tables of a migrated database."""

    def __init__(
        self,
        database: Database,
        embedder: Embedder | None,
        *,
        fusion: Fusion | None = None,
        token_mode: TokenMode = "jieba+bigram",
    ) -> None:
        self.database = database
        self.embedder = embedder
        self.fusion = fusion or Fusion()
        self.token_mode = token_mode
        self._vectors: dict[tuple[object, ...], tuple[tuple[int, int], np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()

    # -- indexing -------------------------------------------------------------------------

    def add(self, chunks: Sequence[Chunk]) -> None:
        """Index chunks, replacing any with the same id (keyword and dense alike)."""
        if not chunks:
            return
        texts = [indexed_text(c) for c in chunks]
        tokens = [keyword_tokens(t, self.token_mode) for t in texts]
        vectors = self.embedder.embed_passages(texts) if self.embedder else None
        embedder_name = self.embedder.name if self.embedder else None
        with self.database.session(write=True) as session:
            self._delete(session, C.chunk_id.in_([c.id for c in chunks]))
            for start in range(0, len(chunks), _INSERT_BATCH):
                batch = range(start, min(start + _INSERT_BATCH, len(chunks)))
                rows = [
                    self._chunk_row(chunks[i], tokens[i], embedder_name, vectors, i) for i in batch
                ]
                pks = session.scalars(
                    insert(C).returning(C.pk, sort_by_parameter_order=True), rows
                ).all()
                postings = [
                    posting
                    for i, pk in zip(batch, pks, strict=True)
                    for posting in self._postings(chunks[i], pk, tokens[i])
                ]
                if postings:
                    session.execute(insert(P), postings)
        self._forget_vectors()

    def _chunk_row(
        self,
        chunk: Chunk,
        tokens: list[str],
        embedder_name: str | None,
        vectors: np.ndarray | None,
        i: int,
    ) -> dict[str, object]:
        return {
            "chunk_id": chunk.id,
            "department": chunk.department,
            "collection_id": chunk.collection_id,
            "document_id": chunk.document_id,
            "ordinal": chunk.ordinal,
            "text": chunk.text,
            "kind": chunk.kind,
            "source": chunk.source,
            "title": chunk.title,
            "section": chunk.section,
            "page": chunk.page,
            "url": chunk.url,
            "meta": dict(chunk.metadata),
            "tokens": " ".join(tokens),
            "token_count": len(tokens),
            "embedder": embedder_name,
            "vector": None if vectors is None else vectors[i].astype("<f4").tobytes(),
        }

    @staticmethod
    def _postings(chunk: Chunk, pk: int, tokens: list[str]) -> Iterable[dict[str, object]]:
        for term, tf in Counter(tokens).items():
            yield {
                "chunk_pk": pk,
                "term": term,
                "department": chunk.department,
                "collection_id": chunk.collection_id,
                "tf": tf,
                "doc_length": len(tokens),
            }

    def remove_document(self, document_id: str) -> int:
        """Remove every chunk of a document from both indexes; returns how many."""
        with self.database.session(write=True) as session:
            removed = self._delete(session, C.document_id == document_id)
        self._forget_vectors()
        return removed

    def remove_collection(self, collection_id: str) -> int:
        """Remove every chunk of a collection from both indexes; returns how many."""
        with self.database.session(write=True) as session:
            removed = self._delete(session, C.collection_id == collection_id)
        self._forget_vectors()
        return removed

    @staticmethod
    def _delete(session: Session, condition: object) -> int:
        doomed = select(C.pk).where(condition)  # type: ignore[arg-type]
        # Postings first and explicitly: no reliance on the database enforcing the cascade.
        session.execute(delete(P).where(P.chunk_pk.in_(doomed)))
        result = session.execute(delete(C).where(condition))  # type: ignore[arg-type]
        return int(result.rowcount)  # type: ignore[attr-defined]

    def _forget_vectors(self) -> None:
        with self._lock:
            self._vectors.clear()

    # -- search ---------------------------------------------------------------------------

    def search(self, query: str, scope: Scope, k: int = 5) -> list[SearchHit]:
        """The best `k` chunks for `query` within `scope`, best first."""
        if k <= 0 or not scope.collection_ids or not query.strip():
            return []
        depth = max(k, self.fusion.candidates)
        with self.database.session() as session:
            keyword = self._keyword(session, query, scope, depth)
            dense = self._dense(session, query, scope, depth)
            weight = self.fusion.keyword_weight(query)
            fused = fuse(keyword, dense, weight, self.fusion.candidates)[:k]
            if not fused:
                return []
            statement = _in_scope(select(C), C, scope).where(C.pk.in_([h.key for h in fused]))
            rows = {row.pk: row for row in session.scalars(statement)}
        return [
            SearchHit(_chunk(rows[h.key]), h.score, h.keyword_rank, h.dense_rank)
            for h in fused
            if h.key in rows
        ]

    def keyword_search(self, query: str, scope: Scope, k: int) -> list[tuple[int, float]]:
        """BM25 alone: (pk, score) of the best `k` chunks in scope."""
        with self.database.session() as session:
            return self._keyword(session, query, scope, k)

    def _keyword(
        self, session: Session, query: str, scope: Scope, k: int
    ) -> list[tuple[int, float]]:
        terms = Counter(keyword_tokens(query, self.token_mode))
        if not terms:
            return []
        count, average = session.execute(
            _in_scope(select(func.count(), func.avg(C.token_count)), C, scope)
        ).one()
        if not count:
            return []
        average = float(average or 1.0)
        statement = _in_scope(select(P.term, P.chunk_pk, P.tf, P.doc_length), P, scope).where(
            P.term.in_(list(terms))
        )
        rows = session.execute(statement).all()
        if not rows:
            return []
        df = Counter(row.term for row in rows)
        scores: dict[int, float] = {}
        for term, pk, tf, length in rows:
            idf = math.log(1 + (count - df[term] + 0.5) / (df[term] + 0.5))
            norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average)
            gain = terms[term] * idf * tf * (BM25_K1 + 1) / (tf + norm)
            scores[pk] = scores.get(pk, 0.0) + gain
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]

    def dense_search(self, query: str, scope: Scope, k: int) -> list[tuple[int, float]]:
        """Vectors alone: (pk, cosine) of the best `k` chunks in scope."""
        with self.database.session() as session:
            return self._dense(session, query, scope, k)

    def _dense(self, session: Session, query: str, scope: Scope, k: int) -> list[tuple[int, float]]:
        if self.embedder is None:
            return []
        pks, matrix = self._scope_vectors(session, scope, self.embedder.name)
        if not len(pks):
            return []
        scores = matrix @ self.embedder.embed_query(query)
        k = min(k, len(pks))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(pks[i]), float(scores[i])) for i in best]

    def _scope_vectors(
        self, session: Session, scope: Scope, name: str
    ) -> tuple[np.ndarray, np.ndarray]:
        key = (scope.department, tuple(sorted(set(scope.collection_ids))), name)
        mine = _in_scope(select(func.count(), func.max(C.pk)), C, scope).where(C.embedder == name)
        count, top = session.execute(mine).one()
        signature = (int(count), int(top or 0))
        with self._lock:
            cached = self._vectors.get(key)
        if cached and cached[0] == signature:
            return cached[1], cached[2]
        rows = session.execute(
            _in_scope(select(C.pk, C.vector), C, scope).where(C.embedder == name).order_by(C.pk)
        ).all()
        pks = np.array([row.pk for row in rows], dtype=np.int64)
        matrix = np.frombuffer(b"".join(row.vector for row in rows), dtype="<f4")
        matrix = matrix.reshape(len(rows), -1) if rows else np.zeros((0, 1), dtype=np.float32)
        with self._lock:
            self._vectors[key] = (signature, pks, matrix)
        return pks, matrix


def _chunk(row: RetrievalChunkRow) -> Chunk:
    return Chunk(
        id=row.chunk_id,
        collection_id=row.collection_id,
        department=row.department,
        document_id=row.document_id,
        ordinal=row.ordinal,
        text=row.text,
        kind=row.kind,
        source=row.source,
        title=row.title,
        section=row.section,
        page=row.page,
        url=row.url,
        metadata=dict(row.meta or {}),
    )
