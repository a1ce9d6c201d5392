"""Dense search in PostgreSQL with pgvector: an HNSW index, the scope filtered in the query.

Where migration 0011 found pgvector, `retrieval_chunks.embedding` holds each chunk's vector
as a halfvec(384) under an HNSW index (cosine). A search sends the department, collection
and embedder filters with the query; pgvector's iterative index scan (>= 0.8,
`hnsw.iterative_scan = relaxed_order`) keeps walking the graph until k rows pass them, so a
filtered search still returns k results. A scope small enough to scan
(`EXACT_BELOW` chunks) is searched exactly instead, through the scope's own index: the graph
is no help when almost every row it visits is filtered out.

Vectors travel as pgvector's text form ('[0.1,0.2,...]'), which needs no driver adapter.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from govpilot.retrieval.types import Scope
from govpilot.storage.db import Database

__all__ = ["EXACT_BELOW", "PgVectorIndex", "vector_literal"]

log = logging.getLogger(__name__)

#: A scope with at most this many chunks is searched exactly (all its vectors compared).
EXACT_BELOW = 20_000
#: Candidates the graph search keeps (pgvector's default is 40, its most 1,000): recall
#: against speed. Measured on 100,000 vectors drawn like e5's (bench/bench_vector_scale.py):
#: recall@10 0.66 at 100, 0.89 at 400, 0.95 at 800, with p95 6, 17 and 27 ms.
EF_SEARCH = 1000
#: Rows an iterative scan may visit before it gives up (pgvector's default is 20,000).
MAX_SCAN_TUPLES = 100_000


def vector_literal(vector: np.ndarray) -> str:
    """pgvector's text form of one vector."""
    return "[" + ",".join(f"{x:.6g}" for x in np.asarray(vector, dtype=np.float32).tolist()) + "]"


@dataclass(frozen=True)
class PgVectorIndex:
    """The embedding column of a PostgreSQL database with pgvector; `detect` finds it."""

    dims: int
    version: tuple[int, ...]

    @property
    def iterative(self) -> bool:
        """True where pgvector can keep scanning until k rows pass the filters (>= 0.8)."""
        return self.version >= (0, 8)

    @classmethod
    def detect(cls, database: Database, dims: int) -> PgVectorIndex | None:
        """The index, if this database has the column for vectors of `dims` numbers."""
        if database.dialect != "postgresql":
            return None
        with database.session() as session:
            found = session.execute(
                text(
                    "SELECT format_type(a.atttypid, a.atttypmod), e.extversion"
                    " FROM pg_attribute a JOIN pg_extension e ON e.extname = 'vector'"
                    " WHERE a.attrelid = 'retrieval_chunks'::regclass"
                    " AND a.attname = 'embedding' AND NOT a.attisdropped"
                )
            ).first()
        if found is None:
            return None
        column_type, version = found
        if column_type != f"halfvec({dims})":
            log.warning(
                "retrieval_chunks.embedding is %s but the embedder makes %d numbers: vector "
                "search stays exact (numpy)",
                column_type,
                dims,
            )
            return None
        return cls(dims, tuple(int(part) for part in str(version).split(".")[:2]))

    def write(self, session: Session, vectors: Sequence[tuple[int, np.ndarray]]) -> None:
        """Store the vectors of chunks (by pk), in the same transaction as their rows."""
        if not vectors:
            return
        session.execute(
            text("UPDATE retrieval_chunks SET embedding = CAST(:v AS halfvec) WHERE pk = :pk"),
            [{"pk": pk, "v": vector_literal(vector)} for pk, vector in vectors],
        )

    def search(
        self,
        session: Session,
        scope: Scope,
        embedder: str,
        query: np.ndarray,
        k: int,
        *,
        scope_size: int,
    ) -> list[tuple[int, float]]:
        """(pk, cosine) of the `k` nearest chunks in scope, best first."""
        exact = scope_size <= EXACT_BELOW
        if not exact:
            session.execute(text(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, k)}"))
            if self.iterative:
                session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
                session.execute(text(f"SET LOCAL hnsw.max_scan_tuples = {MAX_SCAN_TUPLES}"))
        # `+ 0` hides the operator from the planner, so an exact search never takes the graph.
        distance = "(embedding <=> CAST(:q AS halfvec))" + (" + 0" if exact else "")
        statement = text(
            f"SELECT pk, {distance} AS distance FROM retrieval_chunks"
            " WHERE department = :department AND collection_id IN :collections"
            " AND embedder = :embedder AND embedding IS NOT NULL"
            f" ORDER BY {distance} LIMIT :k"
        ).bindparams(bindparam("collections", expanding=True))
        rows = session.execute(
            statement,
            {
                "q": vector_literal(query),
                "department": scope.department,
                "collections": list(scope.collection_ids),
                "embedder": embedder,
                "k": k,
            },
        ).all()
        # relaxed_order may return neighbours slightly out of order: sorted here.
        found = sorted(((int(pk), 1.0 - float(d)) for pk, d in rows), key=lambda h: -h[1])
        return found[:k]
