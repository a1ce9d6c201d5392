"""Opinion analysis benchmarks, sentiment stage: positive / neutral / negative.

    .venv/bin/python bench/bench_opinion_sentiment.py [--llm-sample 90] [--vectors NPY] [--out FILE]

The set is ../shared/data/sentiment_yue_openrice/valid.tsv: 999 OpenRice restaurant reviews
in written Cantonese, labelled by the reviewer's own face (smile / ok / cry = positive /
neutral / negative), 333 of each. Rows:
- majority class: the commonest label of the training folds, for every review;
- zero-shot LLM: the embedded model asked, per review (its first 400 characters), for one
  word; on a seeded stratified sample of --llm-sample reviews, since each takes seconds.
  An answer that is none of the three words counts as wrong (their number is kept);
- govpilot classifier: the shipped model's recipe (sentiment.py, the options of
  scripts/train_opinion_sentiment.py) scored by seeded stratified 5-fold cross-validation:
  each review is judged by a model trained on the four fifths without it. Also on the
  LLM's sample, for a like-for-like figure.
texts/s: e5 embedding plus the classifier, per review (with --vectors the embedding is
timed on the first 100 reviews and the cached vectors are used); the LLM's per review.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import time
from functools import partial
from pathlib import Path

import numpy as np
from rich.progress import track

from common import ROOT, markdown_table, require_data
from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.embed import E5Embedder
from govpilot.backends.llm import ChatMessage, GenerationOptions
from govpilot.backends.registry import build_models
from govpilot.capabilities.opinion.sentiment import (
    SENTIMENTS,
    SentimentModel,
    cross_predict,
    score,
    train,
)
from govpilot.config import Settings
from govpilot.gateway import ModelGateway

LABELS = {"smile": "positive", "ok": "neutral", "cry": "negative"}
CTX = CallContext("bench@govpilot", "BENCH", "opinion", role="officer")
SEED = 0
PROMPT = (
    "What is the sentiment of this Hong Kong restaurant review? Answer with one word: "
    "positive, neutral or negative.\n\nReview: {text}"
)


def reviews() -> tuple[list[str], list[str]]:
    path = require_data("sentiment_yue_openrice", "valid.tsv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["text_a"] for r in rows], [LABELS[r["label"]] for r in rows]


def vectors_of(texts: list[str], cache: Path | None) -> tuple[np.ndarray, float]:
    """The e5 passage vectors and the seconds per text it took to embed them."""
    embedder = E5Embedder()
    if cache is not None and cache.is_file():
        started = time.perf_counter()
        embedder.embed_passages(texts[:100])
        return np.load(cache), (time.perf_counter() - started) / 100
    started = time.perf_counter()
    vectors = embedder.embed_passages(texts)
    seconds = (time.perf_counter() - started) / len(texts)
    if cache is not None:
        np.save(cache, vectors)
    return vectors, seconds


def majority(labels: list[str]) -> list[str]:
    """Each review's guess: the commonest label of the folds without it (ties: the first)."""

    def fit(_texts: object, _vectors: object, seen: list[str]) -> SentimentModel:
        bias = np.eye(len(SENTIMENTS))[np.argmax([seen.count(s) for s in SENTIMENTS])]
        return SentimentModel(np.zeros((1, 3)), bias, np.zeros(1), np.ones(1), 0)

    return cross_predict(labels, np.zeros((len(labels), 1)), labels, seed=SEED, fit=fit)


def stratified_sample(labels: list[str], size: int) -> list[int]:
    rng = random.Random(SEED)
    per = size // len(SENTIMENTS)
    picked = []
    for label in SENTIMENTS:
        picked += rng.sample([i for i, x in enumerate(labels) if x == label], per)
    return sorted(picked)


def parse(answer: str) -> str | None:
    """The first of the three words the answer holds, else None."""
    lowered = answer.lower()
    found = [(lowered.find(s), s) for s in SENTIMENTS if s in lowered]
    return min(found)[1] if found else None


def zero_shot(texts: list[str]) -> tuple[list[str], int, float]:
    """(answers, how many were none of the words, seconds per review) of the embedded model."""
    gateway = ModelGateway(build_models(Settings()), MemoryAuditSink(), default_model="embedded")
    answers, unparsed = [], 0
    started = time.perf_counter()
    for text in track(texts, description="zero-shot LLM", transient=True):
        message = ChatMessage("user", PROMPT.format(text=text[:400]))
        reply = gateway.complete(CTX, [message], GenerationOptions(max_tokens=5)).text
        word = parse(reply)
        unparsed += word is None
        answers.append(word or "unparsed")
    return answers, unparsed, (time.perf_counter() - started) / max(1, len(texts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--llm-sample", type=int, default=90, help="reviews the LLM judges")
    parser.add_argument("--vectors", type=Path, default=None, help="cache of the e5 vectors")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/opinion_sentiment.json")
    args = parser.parse_args()
    texts, labels = reviews()
    vectors, embed_s = vectors_of(texts, args.vectors)
    options = json.loads((ROOT / "src/govpilot/data/opinion_sentiment.json").read_text())
    fit = partial(train, **options["options"])
    ours = cross_predict(texts, vectors, labels, seed=SEED, fit=fit)
    baseline = majority(labels)
    started = time.perf_counter()
    SentimentModel.load().predict(texts, vectors)
    predict_s = (time.perf_counter() - started) / len(texts)
    sample = stratified_sample(labels, args.llm_sample)
    llm, unparsed, llm_s = zero_shot([texts[i] for i in sample])
    truth_sample = [labels[i] for i in sample]
    rows = [
        {"run": "majority class (baseline)", "n": len(texts), **score(labels, baseline)},
        {
            "run": f"zero-shot prompt, embedded LLM (sample of {len(sample)})",
            "n": len(sample),
            **score(truth_sample, llm),
            "unparsed": unparsed,
            "texts_per_s": round(1 / llm_s, 2),
        },
        {
            "run": "govpilot classifier, e5 + char n-grams (5-fold CV)",
            "n": len(texts),
            **score(labels, ours),
            "texts_per_s": round(1 / (embed_s + predict_s), 1),
        },
        {
            "run": f"govpilot classifier (5-fold CV), on the LLM's sample of {len(sample)}",
            "n": len(sample),
            **score(truth_sample, [ours[i] for i in sample]),
            "texts_per_s": round(1 / (embed_s + predict_s), 1),
        },
    ]
    for row in rows:
        row["accuracy"], row["macro_f1"] = round(row["accuracy"], 3), round(row["macro_f1"], 3)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {"sentiment": rows, "llm_prompt": PROMPT, "options": options["options"]}
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(
        markdown_table(
            ["run", "reviews", "accuracy", "macro F1", "texts/s"],
            [
                [r["run"], r["n"], r["accuracy"], r["macro_f1"], r.get("texts_per_s", "—")]
                for r in rows
            ],
        )
    )


if __name__ == "__main__":
    main()
