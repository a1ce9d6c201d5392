"""Retrieval at a million chunks on PostgreSQL + pgvector: hybrid search latency with
department/collection filters, ANN recall against exact search, DRCD recall, build time.

    export GOVPILOT_TEST_POSTGRES_URL="$(scripts/start-test-postgres.sh)"   # PG 18 + pgvector
    .venv/bin/python bench/bench_vector_scale.py [--chunks 1000000] [--queries 200] [--out FILE]

The corpus: the 1,000 DRCD development paragraphs with their real multilingual-e5-small
vectors (made once, cached in bench/.cache), and `--chunks` minus 1,000 distractors. Each
distractor's vector is drawn from a Gaussian with the mean and covariance of the real
vectors, so it lies where passages lie (as close to each of them as another passage is),
not in an empty corner and not a near copy of one; its keyword tokens are 20 drawn from
the DRCD paragraphs' own tokens (so common terms have long posting lists, as in a real
index). Everything is in one department, in
ten collections of equal size; DRCD's paragraphs are in the first. A search's scope is
1, 5 or 10 collections: 10%, 50% and 100% of the rows, always with DRCD's.

Timed, one DRCD question at a time, k=10: `SqlRetriever.search` (BM25 over the postings,
HNSW with the scope filtered inside the query, fusion, fetching the chunks). The query's
e5 vector is computed before the clock starts (reported on its own). Checked: every search
returns k results; ANN recall@10 of the vector side against exact search over the same
scope; DRCD recall@5 (the gold paragraph among the hybrid top 5).

Baseline in the same run: the same searches (the first 50 questions) with exact vector
search in PostgreSQL (every vector in scope compared; what the code does below
`EXACT_BELOW` chunks).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import text

from bench_retrieval import bench_database
from bench_retrieval_scale import percentiles
from common import ROOT, markdown_table, peak_rss_mb, require_data
from govpilot.backends.embed import E5Embedder
from govpilot.retrieval import Chunk, Scope, pgvector
from govpilot.retrieval.sql_retriever import SqlRetriever, indexed_text
from govpilot.retrieval.tokenize import keyword_tokens
from retrieval_data import cached_embeddings, load_squad

DEPARTMENT = "scale"
COLLECTIONS = [f"c{n}" for n in range(10)]
SCOPES = {"10%": COLLECTIONS[:1], "50%": COLLECTIONS[:5], "100%": COLLECTIONS}
K = 10


class CachedE5:
    """e5's name and size; passages and queries answered from vectors made beforehand."""

    name, dim = "e5-small", 384

    def __init__(self, passages: dict[str, np.ndarray], queries: dict[str, np.ndarray]) -> None:
        self.passages, self.queries = passages, queries

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.passages[t] for t in texts])

    def embed_query(self, query: str) -> np.ndarray:
        return self.queries[query]


def distractor_vectors(real: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Vectors drawn from a Gaussian with the real vectors' mean and covariance: where
    passages lie, as far from any one of them as another passage is, none a near copy."""
    mean = real.mean(axis=0)
    centred = (real - mean) / np.sqrt(len(real) - 1)
    out = np.empty((count, real.shape[1]), dtype=np.float32)
    for start in range(0, count, 100_000):
        end = min(start + 100_000, count)
        z = rng.standard_normal((end - start, len(real))).astype(np.float32)
        block = mean + z @ centred
        out[start:end] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def load_distractors(db: object, vectors: np.ndarray, pool: list[str], start_pk: int) -> None:
    """COPY the distractors' chunks and postings in (indexes dropped first, rebuilt after)."""
    rng = np.random.default_rng(7)
    raw = db.engine.raw_connection()  # type: ignore[attr-defined]
    columns = (
        "pk, chunk_id, department, collection_id, document_id, ordinal, text, kind, source,"
        " title, section, metadata, tokens, token_count, embedder, embedding"
    )
    template = "[" + ",".join(["%.4g"] * vectors.shape[1]) + "]"
    try:
        cursor = raw.cursor()
        step = 50_000
        for begin in range(0, len(vectors), step):
            end = min(begin + step, len(vectors))
            with cursor.copy(f"COPY retrieval_chunks ({columns}) FROM STDIN") as chunks:
                for i in range(begin, end):
                    pk = start_pk + i
                    tokens = [pool[j] for j in rng.integers(0, len(pool), 20)]
                    collection = COLLECTIONS[i % len(COLLECTIONS)]
                    chunks.write_row(
                        (pk, f"d{i}", DEPARTMENT, collection, f"doc-d{i}", 0, " ".join(tokens),
                         "text", f"d{i}.txt", "", "", "{}", " ".join(tokens), len(tokens),
                         "e5-small", template % tuple(vectors[i].tolist()))
                    )  # fmt: skip
            cursor.execute(
                "INSERT INTO retrieval_postings (chunk_pk, term, department, collection_id, tf,"
                " doc_length) SELECT c.pk, t.term, c.department, c.collection_id, count(*),"
                " c.token_count FROM retrieval_chunks c,"
                " unnest(string_to_array(c.tokens, ' ')) AS t(term)"
                " WHERE c.pk >= %s AND c.pk < %s GROUP BY c.pk, t.term",
                (start_pk + begin, start_pk + end),
            )
            raw.commit()
            print(f"  loaded {end:,}/{len(vectors):,} distractors", file=sys.stderr, flush=True)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('retrieval_chunks', 'pk'), max(pk))"
            " FROM retrieval_chunks"
        )
        cursor.execute("DELETE FROM retrieval_scopes")
        cursor.execute(
            "INSERT INTO retrieval_scopes SELECT department, collection_id, count(*),"
            " sum(token_count), max(pk) FROM retrieval_chunks GROUP BY department, collection_id"
        )
        raw.commit()
    finally:
        raw.close()


def timed_build(db: object, statements: Sequence[str]) -> float:
    started = time.perf_counter()
    with db.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(text("SET LOCAL maintenance_work_mem = '4GB'"))
        connection.execute(text("SET LOCAL max_parallel_maintenance_workers = 1"))
        for statement in statements:
            connection.execute(text(statement))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "vector.json")
    args = parser.parse_args()

    drcd = load_squad("DRCD", require_data("drcd", "DRCD_dev.json"))
    passages = [t for _, t in drcd.passages]
    step = max(1, len(drcd.questions) // args.queries)
    questions = drcd.questions[::step][: args.queries]
    e5 = E5Embedder()
    print("e5 vectors of the DRCD paragraphs and questions (cached after the first run)...")
    passage_vectors, e5_passage_s = cached_embeddings("e5-small", "passage", passages,
                                                      e5.embed_passages)  # fmt: skip
    query_texts = [q for q, _ in questions]

    def embed_queries(texts: Sequence[str]) -> np.ndarray:
        return np.stack([e5.embed_query(q) for q in texts])

    query_vectors, _ = cached_embeddings("e5-small", "query", query_texts, embed_queries)
    started = time.perf_counter()
    for query in query_texts[:50]:
        e5.embed_query(query)
    e5_query_ms = (time.perf_counter() - started) / 50 * 1000

    real = [
        Chunk(id=f"drcd-{pid}", collection_id=COLLECTIONS[0], department=DEPARTMENT,
              document_id=f"drcd-{pid}", ordinal=0, text=body, source=f"drcd-{pid}")
        for pid, body in drcd.passages
    ]  # fmt: skip
    embedder = CachedE5(
        {indexed_text(c): v for c, v in zip(real, passage_vectors, strict=True)},
        dict(zip(query_texts, query_vectors, strict=True)),
    )
    pool = [token for c in real for token in keyword_tokens(indexed_text(c), "jieba+bigram")]
    count = max(0, args.chunks - len(real))
    vectors = distractor_vectors(passage_vectors, count, np.random.default_rng(11))

    with bench_database("postgres") as db:
        retriever = SqlRetriever(db, embedder)
        if retriever.pgvector is None:
            sys.exit("this PostgreSQL has no pgvector: use scripts/start-test-postgres.sh")
        retriever.add(real)
        with db.engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_retrieval_chunks_embedding"))
            connection.execute(text("DROP INDEX ix_retrieval_postings_lookup"))
            top = connection.execute(text("SELECT max(pk) FROM retrieval_chunks")).scalar()
        started = time.perf_counter()
        load_distractors(db, vectors, pool, int(top) + 1)
        load_s = time.perf_counter() - started
        postings_s = timed_build(db, [
            "CREATE INDEX ix_retrieval_postings_lookup ON retrieval_postings"
            " (term, department, collection_id, chunk_pk, tf, doc_length)"])  # fmt: skip
        hnsw_s = timed_build(db, [
            "CREATE INDEX ix_retrieval_chunks_embedding ON retrieval_chunks"
            " USING hnsw (embedding halfvec_cosine_ops)"])  # fmt: skip
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
            db_mb = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
        pks = {}
        with db.session() as session:
            for pk, chunk_id in session.execute(
                text("SELECT pk, chunk_id FROM retrieval_chunks WHERE chunk_id LIKE 'drcd-%'")
            ):
                pks[chunk_id] = pk
        all_vectors = np.concatenate([passage_vectors, vectors])
        all_collections = np.array(
            [0] * len(real) + [i % len(COLLECTIONS) for i in range(count)], dtype=np.int16
        )
        all_pks = np.concatenate(
            [np.array([pks[c.id] for c in real]), np.arange(int(top) + 1, int(top) + 1 + count)]
        )

        results = []
        for label, collections in SCOPES.items():
            scope = Scope(DEPARTMENT, tuple(collections))
            inside = np.isin(all_collections, [COLLECTIONS.index(c) for c in collections])
            scope_vectors, scope_pks = all_vectors[inside], all_pks[inside]
            row: dict[str, object] = {"filter": label, "rows_in_scope": int(inside.sum())}
            for mode, exact_below in (("hnsw", pgvector.EXACT_BELOW), ("exact", 10**9)):
                pgvector.EXACT_BELOW = exact_below
                retriever.search(query_texts[0], scope, K)  # warm the caches
                latencies, short, found5, ann = [], 0, 0, []
                asked = len(questions) if mode == "hnsw" else min(50, len(questions))
                for (query, gold), qvec in zip(questions[:asked], query_vectors, strict=False):
                    started = time.perf_counter()
                    hits = retriever.search(query, scope, K)
                    latencies.append(time.perf_counter() - started)
                    short += len(hits) < K
                    found5 += f"drcd-{gold}" in [h.chunk.id for h in hits[:5]]
                    if mode == "hnsw" and len(ann) < 100:
                        dense = {pk for pk, _ in retriever.dense_search(query, scope, K)}
                        scores = scope_vectors @ qvec
                        best = scope_pks[np.argpartition(-scores, K)[:K]]
                        ann.append(len(dense & set(best.tolist())) / K)
                row[mode] = {
                    **percentiles(latencies),
                    "searches_short_of_k": short,
                    "queries": asked,
                    "drcd_recall_at_5": round(found5 / asked, 3),
                }
                if ann:
                    row[mode]["ann_recall_at_10"] = round(float(np.mean(ann)), 3)  # type: ignore[index]
            pgvector.EXACT_BELOW = 20_000
            results.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)

    report = {
        "chunks": len(real) + count,
        "queries": len(questions),
        "load_s": round(load_s, 1),
        "postings_index_s": round(postings_s, 1),
        "hnsw_index_s": round(hnsw_s, 1),
        "db_mb": round(int(db_mb) / 1e6, 1),
        "e5_query_ms_mean": round(e5_query_ms, 1),
        "e5_passages_s": round(e5_passage_s, 1),
        "search": results,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown_table(
        ["filter", "rows", "HNSW p50/p95 ms", "exact p50/p95 ms", "ANN recall@10",
         "DRCD R@5 (HNSW / exact)", "short of k"],
        [[r["filter"], f"{r['rows_in_scope']:,}",
          f"{r['hnsw']['p50_ms']} / {r['hnsw']['p95_ms']}",
          f"{r['exact']['p50_ms']} / {r['exact']['p95_ms']}",
          r["hnsw"].get("ann_recall_at_10"),
          f"{r['hnsw']['drcd_recall_at_5']} / {r['exact']['drcd_recall_at_5']}",
          r["hnsw"]["searches_short_of_k"]] for r in results],
    ))  # fmt: skip
    print(json.dumps({k: v for k, v in report.items() if k != "search"}))


if __name__ == "__main__":
    main()
