"""Retrieval at scale: index speed, memory and search latency at 100,000 chunks.

    .venv/bin/python bench/bench_retrieval_scale.py [--chunks 100000] [--queries 300]
        [--postgres] [--out FILE]

The corpus: every text of ../shared/data that is prose (DRCD and SQuAD paragraphs, the
FLORES-200 and NTREX-128 sentences in English, written Chinese and Cantonese), cut into
chunks of about 400 characters at sentence ends, then repeated across collections of one
department until there are `--chunks` of them: the search scope holds all of them, so every
query reads the postings and vectors of the whole 100,000.

What is timed, and what stands in for what:
* Search: `SqlRetriever.search` (BM25 from the postings tables, exact cosine over every
  vector in scope, fusion, fetching the chunks) with k=10, one query at a time, DRCD and
  SQuAD questions. The stored vectors are 384-dimensional like multilingual-e5-small's but
  made by the hashing embedder: e5 needs ~0.4 s per long paragraph on two cores (11 hours
  for 100,000). The cosine over them costs the same; the query's e5 embedding is timed
  on its own and added to the latency reported with it.
* Indexing: chunks/s of tokenising and writing (keyword postings and vectors) measured on
  the whole build, and chunks/s of each embedding model measured on a 200-chunk sample of
  the same corpus; with both, the chunks/s of indexing with that model.
* Memory: peak RSS of the process after the build and the searches (the vectors of the
  scope are held in memory), and the database's size.

Baseline in the same run: BM25 over whitespace tokens in memory (numpy), the way general
tools index by default, over the same 100,000 chunks and questions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench_retrieval import bench_database
from common import DATA, ROOT, markdown_table, peak_rss_mb, require_data
from govpilot.backends.embed import E5Embedder, UseEmbedder
from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.retrieval import Chunk, Scope
from govpilot.retrieval.sql_retriever import SqlRetriever
from retrieval_data import MemoryBm25, load_squad

DEPARTMENT = "scale"
CHUNK_CHARS = 400
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[.!?])\s+")


class TimedQueryEmbedder:
    """Hashing vectors for passages (same size as e5's); queries timed through real e5."""

    def __init__(self, e5: E5Embedder) -> None:
        self.name, self.dim = "scale-384", 384
        self._hashing = HashingEmbedder(dim=384, name=self.name)
        self._e5 = e5
        self.query_seconds: list[float] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._hashing.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        started = time.perf_counter()
        self._e5.embed_query(text)
        self.query_seconds.append(time.perf_counter() - started)
        return self._hashing.embed_query(text)


def corpus_texts() -> list[str]:
    """Prose from the shared data: paragraphs and sentence files."""
    texts: list[str] = []
    for name, path in (
        ("drcd", require_data("drcd", "DRCD_dev.json")),
        ("squad", require_data("squad_v2", "squad_v2_subset.json")),
    ):
        texts.extend(t for _, t in load_squad(name, path).passages)
    for folder in ("flores200", "ntrex128"):
        for path in sorted((DATA / folder).glob("*")):
            if path.name != "SOURCE.txt":
                texts.extend(path.read_text(encoding="utf-8").split("\n\n"))
    return [t for t in texts if t.strip()]


def chunk_corpus(texts: Sequence[str], size: int = CHUNK_CHARS) -> list[str]:
    """Sentences packed into chunks of about `size` characters."""
    chunks: list[str] = []
    for text in texts:
        current = ""
        for sentence in filter(None, (s.strip() for s in _SENTENCE_END.split(text))):
            if current and len(current) + len(sentence) > size:
                chunks.append(current)
                current = ""
            current = f"{current} {sentence}".strip() if current else sentence
        if current:
            chunks.append(current)
    return chunks


def build_chunks(unique: Sequence[str], total: int) -> list[Chunk]:
    per_collection = len(unique)
    return [
        Chunk(
            id=f"c{i}",
            collection_id=f"col{i // per_collection:03d}",
            department=DEPARTMENT,
            document_id=f"d{i // 20}",
            ordinal=i % 20,
            text=unique[i % per_collection],
            source=f"doc{i // 20}.txt",
        )
        for i in range(total)
    ]


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
        "max_ms": round(ms[-1], 1),
    }


def embed_rate(model: E5Embedder | UseEmbedder, sample: Sequence[str]) -> float:
    model.embed_passages(sample[:4])  # loads the model outside the timing
    started = time.perf_counter()
    model.embed_passages(sample)
    return len(sample) / (time.perf_counter() - started)


def database_size_mb(db_kind: str, db: object) -> float | None:
    url = str(getattr(db, "url", ""))
    if db_kind == "sqlite" and url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        return round(path.stat().st_size / 1e6, 1) if path.exists() else None
    return None


def run_sql(kind: str, chunks: list[Chunk], questions: list[str], e5: E5Embedder) -> dict:
    embedder = TimedQueryEmbedder(e5)
    scope = Scope(DEPARTMENT, tuple(sorted({c.collection_id for c in chunks})))
    with bench_database(kind) as db:
        retriever = SqlRetriever(db, embedder)
        started = time.perf_counter()
        step = 5000
        for start in range(0, len(chunks), step):
            retriever.add(chunks[start : start + step])
            done = min(start + step, len(chunks))
            print(f"  {kind}: indexed {done:,}/{len(chunks):,}", file=sys.stderr, flush=True)
        build_seconds = time.perf_counter() - started
        started = time.perf_counter()
        retriever.search(questions[0], scope, k=10)  # loads the scope's vectors
        cold = time.perf_counter() - started
        embedder.query_seconds.clear()
        latencies: list[float] = []
        for question in questions:
            started = time.perf_counter()
            retriever.search(question, scope, k=10)
            latencies.append(time.perf_counter() - started)
        search_only = [
            total - embed for total, embed in zip(latencies, embedder.query_seconds, strict=True)
        ]
        return {
            "database": kind,
            "chunks": len(chunks),
            "index_chunks_per_s_without_model": round(len(chunks) / build_seconds, 1),
            "first_search_s": round(cold, 2),
            "search": percentiles(search_only),
            "search_with_e5_query": percentiles(latencies),
            "e5_query": percentiles(embedder.query_seconds),
            "db_mb": database_size_mb(kind, db),
        }


def run_whitespace(chunks: list[Chunk], questions: list[str]) -> dict:
    started = time.perf_counter()
    index = MemoryBm25([c.text.lower().split() for c in chunks])
    build = time.perf_counter() - started
    latencies = []
    for question in questions:
        started = time.perf_counter()
        scores = index.scores(question.lower().split())
        np.argsort(-scores, kind="stable")[:10]
        latencies.append(time.perf_counter() - started)
    return {
        "system": "BM25 whitespace (memory)",
        "index_chunks_per_s_without_model": round(len(chunks) / build, 1),
        "search": percentiles(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300, help="half DRCD, half SQuAD")
    parser.add_argument("--postgres", action="store_true", help="also GOVPILOT_TEST_POSTGRES_URL")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    args = parser.parse_args()

    unique = chunk_corpus(corpus_texts())
    chunks = build_chunks(unique, args.chunks)
    drcd = load_squad("drcd", require_data("drcd", "DRCD_dev.json"))
    squad = load_squad("squad", require_data("squad_v2", "squad_v2_subset.json"))
    half = args.queries // 2
    questions = [q for q, _ in drcd.questions[:half]] + [q for q, _ in squad.questions[:half]]
    print(f"{len(unique):,} distinct chunks, {len(chunks):,} indexed, {len(questions)} queries")

    e5, use = E5Embedder(), UseEmbedder()
    sample = unique[:: max(1, len(unique) // 200)][:200]
    rates = {"e5-small": embed_rate(e5, sample), "use-m3": embed_rate(use, sample)}
    print(
        f"embedding chunks/s on 2 cores: {json.dumps({k: round(v, 1) for k, v in rates.items()})}"
    )

    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    if args.postgres and not os.environ.get("GOVPILOT_TEST_POSTGRES_URL"):
        sys.exit("--postgres needs GOVPILOT_TEST_POSTGRES_URL (scripts/start-test-postgres.sh)")
    results = {"chunks": len(chunks), "distinct": len(unique), "queries": len(questions)}
    results["embedding_chunks_per_s"] = {k: round(v, 1) for k, v in rates.items()}
    results["sql"] = [run_sql(kind, chunks, questions, e5) for kind in kinds]
    results["baseline"] = run_whitespace(chunks, questions)
    results["peak_rss_mb"] = round(peak_rss_mb(), 0)

    rows = []
    for sql in results["sql"]:
        write = sql["index_chunks_per_s_without_model"]
        with_models = {k: round(1 / (1 / write + 1 / r), 1) for k, r in rates.items()}
        sql["index_chunks_per_s"] = with_models
        rows.append(
            [
                f"govpilot hybrid ({sql['database']})",
                write,
                with_models["e5-small"],
                with_models["use-m3"],
                sql["search"]["p50_ms"],
                sql["search"]["p95_ms"],
                sql["search_with_e5_query"]["p95_ms"],
                sql["db_mb"],
            ]
        )
    base = results["baseline"]
    rows.append(
        [
            base["system"],
            base["index_chunks_per_s_without_model"],
            "–",
            "–",
            base["search"]["p50_ms"],
            base["search"]["p95_ms"],
            "–",
            "–",
        ]
    )
    headers = [
        f"system ({len(chunks):,} chunks)",
        "index/s (no model)",
        "index/s e5",
        "index/s USE",
        "search p50 ms",
        "search p95 ms",
        "p95 with e5 query",
        "db MB",
    ]
    print(markdown_table(headers, rows))
    print(f"peak RSS {results['peak_rss_mb']:.0f} MB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
