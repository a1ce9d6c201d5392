"""Opinion analysis benchmark: theme mapping, stance, theme count and stability.

    .venv/bin/python bench/bench_opinion_themes.py [--sets part1,generation] [--out FILE]

Sets (../shared/data/consultation_themefinder, synthetic, English):
- part1: one question, 100 responses, gold themes (11 used), each response's gold
  themes, and its position (agree / disagree / unclear).
- generation: 1,000 responses, 12 gold themes (six for and six against a ban), each
  response's gold themes (its stance is not given).

Runs, each on the embedded models, in this process:
- govpilot: `analyse_question` (e5 vectors of sentences, stance read by the model on a
  sample of `--stance-sample` and inferred for the rest, Ward themes within each side,
  named by the model), with the default theme count, run twice on part1 to check that
  the same input gives the same themes; with `--given`, also with the gold count.
- baseline (part1): the plain pipeline, one prompt per response holding the gold theme
  list ("which of these themes does the response express?") and one plain prompt per
  response for its stance.

Mapping F1: our themes are matched one-to-one to the gold themes (Hungarian assignment on
the number of responses they share: generous to any clustering), then precision and
recall over (response, theme) pairs; unmatched themes count as wrong. The baseline needs
no matching. Stance accuracy: support = agree, oppose = disagree, mixed or unclear =
unclear.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from bench_asr import DATA
from common import ROOT, markdown_table, peak_rss_mb
from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.embed import E5Embedder
from govpilot.backends.llm import ChatMessage, GenerationOptions
from govpilot.backends.registry import build_models
from govpilot.capabilities.opinion.analysis import QuestionAnalysis, analyse_question
from govpilot.capabilities.opinion.sentiment import SentimentModel
from govpilot.config import Settings
from govpilot.gateway import ModelGateway

CTX = CallContext("bench@govpilot", "BENCH", "opinion", role="officer")
SET = DATA / "consultation_themefinder"
POSITION = {"AGREE": "agree", "DISAGREE": "disagree", "UNCLEAR": "unclear"}
OURS_TO_POSITION = {"support": "agree", "oppose": "disagree"}


def part1() -> dict[str, Any]:
    folder = SET / "inputs/question_part_1"
    question = json.loads((folder / "question.json").read_text())["question_text"]
    rows = [json.loads(x) for x in (folder / "responses.jsonl").read_text().splitlines()]
    gold_dir = SET / "gold/question_part_1"
    mapping = {
        m["response_id"]: set(m["labels"])
        for m in map(json.loads, (gold_dir / "mapping.jsonl").read_text().splitlines())
    }
    position = {
        s["response_id"]: POSITION[s["position"]]
        for s in map(json.loads, (gold_dir / "sentiment.jsonl").read_text().splitlines())
    }
    themes = json.loads((gold_dir / "themes.json").read_text())
    return {
        "name": "part1",
        "question": question,
        "texts": [r["response"] for r in rows],
        "gold": [mapping[r["response_id"]] for r in rows],
        "position": [position[r["response_id"]] for r in rows],
        "themes": {t["topic_id"]: t["topic"] for t in themes},
    }


def generation() -> dict[str, Any]:
    question = (SET / "generation/expanded_question.txt").read_text().strip()
    with (SET / "generation/eval_sentiments.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    gold = []
    for row in rows:
        parts = ast.literal_eval(re.sub(r"}\s*\n\s*{", "},{", row["target_topics"]))
        gold.append({k for part in parts for k, v in part.items() if v})
    return {
        "name": "generation",
        "question": question,
        "texts": [r["response"] for r in rows],
        "gold": gold,
        "position": None,
        "themes": None,
    }


def mapping_f1(
    predicted: Sequence[set[Any]], gold: Sequence[set[str]]
) -> tuple[float, float, float]:
    ours = sorted({t for p in predicted for t in p}, key=str)
    theirs = sorted({t for g in gold for t in g})
    shared = np.zeros((len(ours), len(theirs)))
    for p, g in zip(predicted, gold, strict=True):
        for a in p:
            for b in g:
                shared[ours.index(a), theirs.index(b)] += 1
    rows, cols = linear_sum_assignment(-shared)
    match = {ours[i]: theirs[j] for i, j in zip(rows, cols, strict=True)}
    hits = sum(len({match.get(a) for a in p} & g) for p, g in zip(predicted, gold, strict=True))
    return _f1(hits, sum(map(len, predicted)), sum(map(len, gold)))


def _f1(hits: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision, recall = hits / max(predicted, 1), hits / max(gold, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return round(f1, 3), round(precision, 3), round(recall, 3)


def ours(
    gateway: ModelGateway,
    embedder: E5Embedder,
    data: dict[str, Any],
    target: int | None,
    sample: int,
) -> tuple[QuestionAnalysis, float]:
    started = time.perf_counter()
    analysis = analyse_question(
        gateway,
        CTX,
        embedder,
        SentimentModel.load(),
        data["question"],
        data["texts"],
        target=target,
        stance_sample=sample,
    )
    return analysis, time.perf_counter() - started


def scored(
    data: dict[str, Any], analysis: QuestionAnalysis, seconds: float, run: str
) -> dict[str, Any]:
    predicted = [set(analysis.themes_of(i)) for i in range(len(data["texts"]))]
    f1, precision, recall = mapping_f1(predicted, data["gold"])
    row: dict[str, Any] = {
        "set": data["name"],
        "run": run,
        "responses": len(data["texts"]),
        "themes": len(analysis.themes),
        "gold themes": len({t for g in data["gold"] for t in g}),
        "mapping F1": f1,
        "precision": precision,
        "recall": recall,
        "stance accuracy": None,
        "model read": sum(analysis.asked),
        "seconds": round(seconds, 1),
    }
    if data["position"]:
        said = [OURS_TO_POSITION.get(s, "unclear") for s in analysis.stances]
        row["stance accuracy"] = round(
            float(np.mean([a == b for a, b in zip(said, data["position"], strict=True)])), 3
        )
    return row


def baseline(gateway: ModelGateway, data: dict[str, Any]) -> dict[str, Any]:
    """One prompt per response with the gold theme list, one for its stance."""
    listing = "\n".join(f"{k}: {v}" for k, v in data["themes"].items())
    predicted, said = [], []
    started = time.perf_counter()
    for text in data["texts"]:
        ask = (
            f"Consultation question: {data['question']}\n\nThemes:\n{listing}\n\n"
            f"Response: {text}\n\nWhich themes does the response express? Answer with "
            "the theme letters only, separated by commas."
        )
        answer = gateway.complete(
            CTX, [ChatMessage("user", ask)], GenerationOptions(max_tokens=12, temperature=0)
        ).text
        predicted.append(set(re.findall(r"\b([A-M])\b", answer)) & set(data["themes"]))
        ask = (
            f"Consultation question: {data['question']}\n\nResponse: {text}\n\nDoes the "
            "response agree with the proposal in the question, disagree, or is it unclear? "
            "Answer with one word: agree, disagree, or unclear."
        )
        answer = gateway.complete(
            CTX, [ChatMessage("user", ask)], GenerationOptions(max_tokens=4, temperature=0)
        ).text.lower()
        said.append(next((w for w in ("disagree", "agree", "unclear") if w in answer), "unclear"))
    seconds = time.perf_counter() - started
    hits = sum(len(p & g) for p, g in zip(predicted, data["gold"], strict=True))
    f1, precision, recall = _f1(hits, sum(map(len, predicted)), sum(map(len, data["gold"])))
    accuracy = float(np.mean([a == b for a, b in zip(said, data["position"], strict=True)]))
    return {
        "set": data["name"],
        "run": "baseline: one prompt per response, gold theme list",
        "responses": len(data["texts"]),
        "themes": len(data["themes"]),
        "gold themes": len({t for g in data["gold"] for t in g}),
        "mapping F1": f1,
        "precision": precision,
        "recall": recall,
        "stance accuracy": round(accuracy, 3),
        "model read": len(data["texts"]),
        "seconds": round(seconds, 1),
    }


def same_themes(a: QuestionAnalysis, b: QuestionAnalysis) -> bool:
    return [sorted(t.quotes) for t in a.themes] == [sorted(t.quotes) for t in b.themes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="part1,generation")
    parser.add_argument("--stance-sample", type=int, default=200)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--given", action="store_true", help="also with the gold theme count")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/opinion_themes.json")
    args = parser.parse_args()
    gateway = ModelGateway(build_models(Settings()), MemoryAuditSink(), default_model="embedded")
    embedder = E5Embedder()
    rows: list[dict[str, Any]] = []
    result: dict[str, Any] = {"rows": rows}

    def checkpoint() -> None:
        result["peak_rss_mb"] = round(peak_rss_mb())
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)

    for data in (part1() if name == "part1" else generation() for name in args.sets.split(",")):
        first, seconds = ours(gateway, embedder, data, None, args.stance_sample)
        rows.append(scored(data, first, seconds, "govpilot, theme count found"))
        checkpoint()
        if data["name"] == "part1":
            again, seconds = ours(gateway, embedder, data, None, args.stance_sample)
            result["same themes on a second run"] = same_themes(first, again)
            rows.append(scored(data, again, seconds, "govpilot, theme count found, 2nd run"))
            checkpoint()
        if args.given:
            gold_count = len({t for g in data["gold"] for t in g})
            given, seconds = ours(gateway, embedder, data, gold_count, args.stance_sample)
            rows.append(scored(data, given, seconds, f"govpilot, {gold_count} themes asked for"))
            checkpoint()
        result.setdefault("labels", {})[data["name"]] = [
            f"{t.side}: {t.label.title_en} | {t.label.title_zh}" for t in first.themes
        ]
        if data["name"] == "part1" and not args.no_baseline:
            rows.append(baseline(gateway, data))
            checkpoint()
    header = [
        "set",
        "run",
        "responses",
        "themes",
        "gold themes",
        "mapping F1",
        "precision",
        "recall",
        "stance accuracy",
        "model read",
        "seconds",
    ]
    print(markdown_table(header, [[r[h] for h in header] for r in rows]))
    print(
        f"same themes on a second run: {result.get('same themes on a second run')}; "
        f"peak memory {result['peak_rss_mb']} MB"
    )


if __name__ == "__main__":
    main()
