"""The Retriever on govpilot's database: BM25 over keyword postings, vectors, fusion.

Works the same on SQLite and PostgreSQL. Every statement that reads chunks or postings
has the scope (department and collection ids) in its WHERE clause; nothing is filtered
afterwards. BM25 statistics (document count, average length, document frequencies) are
those of the scope, so one department's documents never change another's ranking.

Dense search: on PostgreSQL with pgvector (migration 0011), an HNSW index searched with the
scope in the query (`retrieval.pgvector`). Elsewhere (SQLite, PostgreSQL without pgvector)
it is exact, brute force in numpy over the scope's vectors, which is fast for the tens of
thousands of chunks a department has: a scope's matrix is cached in memory and reloaded
when the scope's (row count, highest pk) changes, which also catches writes made by other
processes.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Float, Select, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from govpilot.backends.embed import Embedder
from govpilot.retrieval.fusion import Fusion, fuse
from govpilot.retrieval.pgvector import PgVectorIndex
from govpilot.retrieval.tokenize import TokenMode, keyword_tokens
from govpilot.retrieval.types import Chunk, Scope, SearchHit
from govpilot.storage.db import Database
from govpilot.storage.retrieval_tables import (
    RetrievalChunkRow,
    RetrievalPostingRow,
    RetrievalScopeRow,
)

__all__ = ["SqlRetriever"]

# Okapi BM25 with Lucene's idf (never negative).
BM25_K1 = 1.2
BM25_B = 0.75
_INSERT_BATCH = 500
#: A query term found in more than this share of the scope's chunks is not scored.
COMMON_TERM_SHARE = 0.5

C = RetrievalChunkRow
P = RetrievalPostingRow
S = RetrievalScopeRow


def indexed_text(chunk: Chunk) -> str:
    """What is tokenised and embedded: the title and section give a chunk its context."""
    return "\n".join(part for part in (chunk.title, chunk.section, chunk.text) if part)


def _in_scope(statement: Select, table: type[C] | type[P] | type[S], scope: Scope) -> Select:
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
        self._pg: PgVectorIndex | None = None
        self._pg_checked = False

    @property
    def pgvector(self) -> PgVectorIndex | None:
        """The pgvector index this database has for the embedder's vectors, or None."""
        if not self._pg_checked and self.embedder is not None:
            self._pg = PgVectorIndex.detect(self.database, self.embedder.dim)
            self._pg_checked = True
        return self._pg

    # -- indexing -------------------------------------------------------------------------

    def add(self, chunks: Sequence[Chunk]) -> None:
        """Index chunks, replacing any with the same id (keyword and dense alike)."""
        if not chunks:
            return
        texts = [indexed_text(c) for c in chunks]
        tokens = [keyword_tokens(t, self.token_mode) for t in texts]
        vectors = self.embedder.embed_passages(texts) if self.embedder else None
        embedder_name = self.embedder.name if self.embedder else None
        pg = self.pgvector if vectors is not None else None
        with self.database.session(write=True) as session:
            self._delete(session, C.chunk_id.in_([c.id for c in chunks]))
            for start in range(0, len(chunks), _INSERT_BATCH):
                batch = range(start, min(start + _INSERT_BATCH, len(chunks)))
                bytes_of = None if pg is not None else vectors  # pgvector holds them instead
                rows = [
                    self._chunk_row(chunks[i], tokens[i], embedder_name, bytes_of, i) for i in batch
                ]
                pks = session.scalars(
                    insert(C).returning(C.pk, sort_by_parameter_order=True), rows
                ).all()
                if pg is not None and vectors is not None:
                    pg.write(session, [(pk, vectors[i]) for i, pk in zip(batch, pks, strict=True)])
                postings = [
                    posting
                    for i, pk in zip(batch, pks, strict=True)
                    for posting in self._postings(chunks[i], pk, tokens[i])
                ]
                if postings:
                    session.execute(insert(P), postings)
            _refresh_scopes(session, {(c.department, c.collection_id) for c in chunks})
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
        touched = select(C.department, C.collection_id).where(condition).distinct()  # type: ignore[arg-type]
        scopes = {(d, c) for d, c in session.execute(touched).all()}
        doomed = select(C.pk).where(condition)  # type: ignore[arg-type]
        # Postings first and explicitly: no reliance on the database enforcing the cascade.
        session.execute(delete(P).where(P.chunk_pk.in_(doomed)))
        result = session.execute(delete(C).where(condition))  # type: ignore[arg-type]
        _refresh_scopes(session, scopes)
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
            stats = _scope_stats(session, scope)
            if not stats.count:
                return []
            keyword = self._keyword(session, query, scope, depth, stats)
            dense = self._dense(session, query, scope, depth, stats)
            weight = self.fusion.keyword_weight(query)
            fused = fuse(keyword, dense, weight, self.fusion.candidates)[:k]
            if not fused:
                return []
            statement = _in_scope(select(C), C, scope).where(C.pk.in_([h.key for h in fused]))
            # By primary key: SQLite would otherwise walk the scope index of every chunk.
            statement = statement.with_hint(C, "NOT INDEXED", "sqlite")
            rows = {row.pk: row for row in session.scalars(statement)}
        return [
            SearchHit(_chunk(rows[h.key]), h.score, h.keyword_rank, h.dense_rank)
            for h in fused
            if h.key in rows
        ]

    def keyword_search(self, query: str, scope: Scope, k: int) -> list[tuple[int, float]]:
        """BM25 alone: (pk, score) of the best `k` chunks in scope."""
        with self.database.session() as session:
            return self._keyword(session, query, scope, k, _scope_stats(session, scope))

    def _keyword(
        self, session: Session, query: str, scope: Scope, k: int, stats: _ScopeStats
    ) -> list[tuple[int, float]]:
        terms = Counter(keyword_tokens(query, self.token_mode))
        if not terms or not stats.count:
            return []
        scoped = _in_scope(select(P.term, func.count()), P, scope)
        df = dict(session.execute(scoped.where(P.term.in_(list(terms))).group_by(P.term)).all())
        if not df:
            return []
        bm25 = _Bm25(
            {
                term: terms[term] * math.log(1 + (stats.count - n + 0.5) / (n + 0.5))
                for term, n in df.items()
            },
            stats.average,
        )
        # Terms in most of the scope's chunks ("the", "的", "什麼") add almost nothing to the
        # ranking (idf < 0.3) but most of the postings read: left out when others remain.
        frequent = COMMON_TERM_SHARE * stats.count
        terms_used = [t for t, n in df.items() if n <= frequent] or list(df)
        return self._score(session, scope, bm25, terms_used, k)

    @staticmethod
    def _score(
        session: Session, scope: Scope, bm25: _Bm25, terms: list[str], k: int
    ) -> list[tuple[int, float]]:
        # The database sums each chunk's postings from its covering index and returns only
        # the top k: no posting row travels to Python.
        score = bm25.score()
        statement = (
            _in_scope(select(P.chunk_pk, score), P, scope)
            .where(P.term.in_(terms))
            .group_by(P.chunk_pk)
            .order_by(score.desc(), P.chunk_pk)
            .limit(k)
        )
        return [(int(pk), float(value)) for pk, value in session.execute(statement).all()]

    def dense_search(self, query: str, scope: Scope, k: int) -> list[tuple[int, float]]:
        """Vectors alone: (pk, cosine) of the best `k` chunks in scope."""
        with self.database.session() as session:
            return self._dense(session, query, scope, k, _scope_stats(session, scope))

    def _dense(
        self, session: Session, query: str, scope: Scope, k: int, stats: _ScopeStats
    ) -> list[tuple[int, float]]:
        if self.embedder is None or not stats.count:
            return []
        pg = self.pgvector
        if pg is not None:
            vector = self.embedder.embed_query(query)
            return pg.search(session, scope, self.embedder.name, vector, k, scope_size=stats.count)
        pks, matrix = self._scope_vectors(session, scope, self.embedder.name, stats)
        if not len(pks):
            return []
        scores = matrix @ self.embedder.embed_query(query)
        k = min(k, len(pks))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(pks[i]), float(scores[i])) for i in best]

    def _scope_vectors(
        self, session: Session, scope: Scope, name: str, stats: _ScopeStats
    ) -> tuple[np.ndarray, np.ndarray]:
        key = (scope.department, tuple(sorted(set(scope.collection_ids))), name)
        signature = (stats.count, stats.top)
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


@dataclass(frozen=True)
class _ScopeStats:
    """What every search of a scope reads first: chunk count, mean length, newest pk."""

    count: int
    average: float
    top: int


def _scope_stats(session: Session, scope: Scope) -> _ScopeStats:
    totals = select(func.sum(S.chunk_count), func.sum(S.token_total), func.max(S.max_pk))
    count, tokens, top = session.execute(_in_scope(totals, S, scope)).one()
    count = int(count or 0)
    return _ScopeStats(count, float(tokens or 0) / count if count else 1.0, int(top or 0))


def _refresh_scopes(session: Session, scopes: set[tuple[str, str]]) -> None:
    """Recount the running totals of the collections a write touched."""
    for department, collection_id in scopes:
        count, tokens, top = session.execute(
            select(func.count(), func.sum(C.token_count), func.max(C.pk)).where(
                C.department == department, C.collection_id == collection_id
            )
        ).one()
        row = session.get(S, (department, collection_id))
        if not count:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = S(department=department, collection_id=collection_id)
            session.add(row)
        row.chunk_count, row.token_total, row.max_pk = int(count), int(tokens or 0), int(top)


@dataclass(frozen=True)
class _Bm25:
    """Per-term weights (query tf x idf) and the scope's mean length: BM25 as SQL."""

    weights: dict[str, float]
    average: float

    def score(self) -> Any:
        """SUM over a chunk's postings of weight x tf x (k1 + 1) / (tf + k1 x norm)."""
        weight = case({t: literal(w, Float) for t, w in self.weights.items()}, value=P.term)
        norm = BM25_K1 * (1 - BM25_B) + (BM25_K1 * BM25_B / self.average) * P.doc_length
        return func.sum(weight * P.tf * (BM25_K1 + 1) / (P.tf + norm)).label("score")


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
