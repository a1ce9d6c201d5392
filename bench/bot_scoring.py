"""Scoring of bench_bots.py's rows: right / wrong / handed over, F1, the abstention sweep."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from govpilot.language import fold_script

#: First-token P(NO_ANSWER) thresholds the sweep tries (1.0: the model's own choice only).
THRESHOLDS = (1.0, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.05)


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", fold_script(text).lower())


def contains_gold(answer: str, golds: Sequence[str]) -> bool:
    folded = _norm(answer)
    return any(_norm(g) and _norm(g) in folded for g in golds)


def _units(text: str) -> list[str]:
    # SQuAD-style tokens: English words (articles dropped), and each Chinese character.
    folded = fold_script(re.sub(r"\s*\[\d+\]", "", text)).lower()
    units = re.findall(r"[\u3400-\u9fff]|[a-z0-9]+", folded)
    return [u for u in units if u not in ("a", "an", "the")]


def token_f1(answer: str, golds: Sequence[str]) -> float:
    """The best SQuAD/DRCD-style F1 of `answer` against a gold answer (characters for
    Chinese, words for English): partial credit where "contains gold" gives none, and less
    credit for long answers."""
    said = _units(answer)
    best = 0.0
    for gold in golds:
        wanted = _units(gold)
        common = sum((Counter(said) & Counter(wanted)).values())
        if common:
            precision, recall = common / len(said), common / len(wanted)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of one system on one set."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    answered = [r for r in rows if not r["handed_over"]]

    def share(items: list[dict[str, Any]], test: Any) -> float | None:
        return round(sum(1 for r in items if test(r)) / len(items), 3) if items else None

    seconds = [r["seconds"] for r in rows]
    first = [r["first_text_s"] for r in rows if r.get("first_text_s") is not None]
    return {
        "right": share(answerable, lambda r: not r["handed_over"] and r["contains"]),
        "wrong": share(answerable, lambda r: not r["handed_over"] and not r["contains"]),
        "handed_over": share(answerable, lambda r: r["handed_over"]),
        "unanswerable_handed_over": share(unanswerable, lambda r: r["handed_over"]),
        "f1": round(statistics.fmean(r["f1"] for r in answerable), 3) if answerable else None,
        "answered_with_gold_citation": share(answered, lambda r: r["cites_gold"]),
        "first_text_s_p50": round(statistics.median(first), 2) if first else None,
        "seconds_per_answer_p50": round(statistics.median(seconds), 2) if seconds else None,
        "reasons": dict(Counter(r.get("reason") or "answered" for r in rows)),
    }


def sweep(rows: list[dict[str, Any]], ran_at: float = 1.0) -> list[dict[str, Any]]:
    """The bot's figures had it also handed over answers with P(NO_ANSWER) >= each threshold.

    Only thresholds up to the run's own `abstain_at`: an answer that run already withheld
    cannot be scored as if shown.
    """
    out = []
    for threshold in sorted({ran_at, *(t for t in THRESHOLDS if t < ran_at)}, reverse=True):
        rescored = []
        for r in rows:
            unsure = r.get("confidence") is not None and 1 - r["confidence"] >= threshold
            if not r["handed_over"] and unsure and threshold < ran_at:
                r = {**r, "handed_over": True, "contains": False, "f1": 0.0}
            rescored.append(r)
        figures = summarise(rescored)
        out.append({"abstain_at": threshold, **{k: figures[k] for k in _SWEPT}})
    return out


_SWEPT = ("right", "wrong", "handed_over", "unanswerable_handed_over", "f1")


def figures_table(results: list[dict[str, Any]]) -> tuple[list[str], list[list[object]]]:
    """The README table: each set, each system."""
    header = [
        "set",
        "system",
        "n",
        "right",
        "wrong",
        "handed over",
        "unanswerable handed over",
        "F1",
        "gold citation",
        "first text p50 s",
        "s/answer p50",
    ]
    table: list[list[object]] = []
    for r in results:
        for system, f in r["systems"].items():
            n = r["questions"] if system == "govpilot" else r["baseline_questions"]
            table.append(
                [
                    r["set"],
                    system,
                    n,
                    f["right"],
                    f["wrong"],
                    f["handed_over"],
                    f["unanswerable_handed_over"],
                    f["f1"],
                    f["answered_with_gold_citation"],
                    f["first_text_s_p50"],
                    f["seconds_per_answer_p50"],
                ]
            )
    return header, table
