"""What the retrieval benchmark reads: SQuAD-format sets as passages and questions, and
embeddings cached on disk (bench/.cache/) so that re-runs skip the slow model."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common import ROOT

CACHE = ROOT / "bench" / ".cache"


@dataclass(frozen=True)
class RetrievalSet:
    """Passages (id, text) and questions, each with the id of the passage that answers it."""

    name: str
    passages: list[tuple[str, str]]
    questions: list[tuple[str, str]]  # (question, gold passage id)


def load_squad(name: str, path: Path, limit: int | None = None) -> RetrievalSet:
    """Every paragraph as a passage; every answerable question with its paragraph as gold."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    passages: list[tuple[str, str]] = []
    questions: list[tuple[str, str]] = []
    for a, article in enumerate(data):
        for p, paragraph in enumerate(article["paragraphs"]):
            pid = f"{a}-{p}"
            passages.append((pid, paragraph["context"]))
            for qa in paragraph["qas"]:
                if qa.get("is_impossible"):
                    continue
                questions.append((qa["question"], pid))
    if limit:
        questions = questions[:limit]
    return RetrievalSet(name, passages, questions)


def cached_embeddings(
    model_name: str, kind: str, texts: Sequence[str], embed: Callable[[Sequence[str]], np.ndarray]
) -> tuple[np.ndarray, float]:
    """`embed(texts)`, read from bench/.cache when these texts were embedded before.

    Returns the vectors and the seconds the model took when they were made.
    """
    digest = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
    path = CACHE / f"{model_name}-{kind}-{digest}.npy"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return np.load(path), float(json.loads(meta.read_text())["seconds"])
    started = time.perf_counter()
    vectors = embed(texts)
    seconds = time.perf_counter() - started
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    meta.write_text(json.dumps({"seconds": seconds, "count": len(texts)}))
    return vectors, seconds


class MemoryBm25:
    """Plain in-memory Okapi BM25 (k1=1.2, b=0.75, Lucene's idf): the baselines' index."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.n = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=np.float64)
        self.norm = k1 * (1 - b + b * lengths / max(1.0, lengths.mean()))
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(docs):
            counts: dict[str, int] = {}
            for token in doc:
                counts[token] = counts.get(token, 0) + 1
            for token, tf in counts.items():
                self.postings.setdefault(token, []).append((i, tf))

    def scores(self, query: Sequence[str]) -> np.ndarray:
        scores = np.zeros(self.n)
        for token in query:
            posting = self.postings.get(token)
            if not posting:
                continue
            idf = np.log(1 + (self.n - len(posting) + 0.5) / (len(posting) + 0.5))
            ids = np.fromiter((p[0] for p in posting), dtype=np.int64)
            tf = np.fromiter((p[1] for p in posting), dtype=np.float64)
            scores[ids] += idf * tf * (self.k1 + 1) / (tf + self.norm[ids])
        return scores
