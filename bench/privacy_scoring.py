"""Scoring for bench_privacy.py: overlap-matched P/R/F1 on the HK PII set, recall on CoNLL sets.

A predicted span matches a gold span of the same type when they overlap by at least one
character; exact-match figures need the same type, start and end.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import DATA
from make_hk_pii import lang_group

TYPES = (
    "HKID", "PHONE", "EMAIL", "PASSPORT", "ID_CN", "BR_NUMBER", "BANK_ACCOUNT", "CREDIT_CARD",
    "IP_ADDRESS", "DATE_OF_BIRTH", "ADDRESS", "PERSON",
)  # fmt: skip


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    type: str

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


Detect = Callable[[str], list[Span]]

# ---------------------------------------------------------------------------- scoring


class Tally:
    """Overlap-matched counts per type: gold, matched gold, predicted, matched predictions."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, gold: list[Span], predicted: list[Span]) -> None:
        for g in gold:
            c = self.counts[g.type]
            c["gold"] += 1
            c["gold_hit"] += any(p.type == g.type and p.overlaps(g) for p in predicted)
            c["exact_hit"] += g in predicted
        for p in predicted:
            c = self.counts[p.type]
            c["pred"] += 1
            c["pred_hit"] += any(g.type == p.type and g.overlaps(p) for g in gold)

    def scores(self, types: Iterable[str] | None = None) -> dict[str, Any]:
        total: Counter[str] = Counter()
        for t in types or TYPES:
            total.update(self.counts.get(t, Counter()))
        return _prf(total)

    def table(self) -> dict[str, dict[str, Any]]:
        return {t: _prf(self.counts.get(t, Counter())) for t in TYPES}


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _prf(c: Counter[str]) -> dict[str, Any]:
    """Counts and ratios (rounded to 3 places; F1 from the unrounded ratios)."""
    precision, recall = _ratio(c["pred_hit"], c["pred"]), _ratio(c["gold_hit"], c["gold"])
    exact_p, exact_r = _ratio(c["exact_hit"], c["pred"]), _ratio(c["exact_hit"], c["gold"])
    return {
        "gold": c["gold"],
        "gold_matched": c["gold_hit"],
        "predicted": c["pred"],
        "predicted_matched": c["pred_hit"],
        "precision": _round(precision),
        "recall": _round(recall),
        "f1": _round(_f1(precision, recall)),
        "exact_f1": _round(_f1(exact_p, exact_r)),
    }


def unrounded_f1(scores: dict[str, Any]) -> float | None:
    """F1 from the counts of a `_prf` result, for comparisons with a target."""
    p = _ratio(scores["predicted_matched"], scores["predicted"])
    return _f1(p, _ratio(scores["gold_matched"], scores["gold"]))


def score_hk_set(records: list[dict], detect: Detect, examples: bool) -> dict[str, Any]:
    overall = Tally()
    by_group: defaultdict[str, Tally] = defaultdict(Tally)
    other = 0
    lookalike_hits: Counter[str] = Counter()
    lookalike_records = lookalike_any = lookalike_other = 0
    missed: dict[str, list[str]] = defaultdict(list)
    spurious: dict[str, list[str]] = defaultdict(list)
    started = time.perf_counter()
    predictions = [detect(r["text"]) for r in records]
    seconds = time.perf_counter() - started
    for record, found in zip(records, predictions, strict=True):
        text = record["text"]
        gold = [Span(e["start"], e["end"], e["type"]) for e in record["entities"]]
        ours = [p for p in found if p.type in TYPES]
        other += len(found) - len(ours)
        overall.add(gold, ours)
        by_group[lang_group(record["lang"])].add(gold, ours)
        if record["lookalike"]:
            lookalike_records += 1
            lookalike_hits.update(p.type for p in ours)
            lookalike_any += bool(ours)
            lookalike_other += bool(found)
        if examples:
            for g in gold:
                if not any(p.type == g.type and p.overlaps(g) for p in ours):
                    missed[g.type].append(f"{record['id']}: {text[g.start : g.end]!r}")
            for p in ours:
                if not any(g.type == p.type and g.overlaps(p) for g in gold):
                    spurious[p.type].append(f"{record['id']}: {text[p.start : p.end]!r}")
    chars = sum(len(r["text"]) for r in records)
    result: dict[str, Any] = {
        "per_type": overall.table(),
        "micro": overall.scores(),
        "by_language": {g: t.scores() for g, t in sorted(by_group.items())},
        "by_language_per_type": {g: t.table() for g, t in sorted(by_group.items())},
        "other_findings": other,
        "lookalike_records": lookalike_records,
        "lookalike_records_with_findings": lookalike_any,
        "lookalike_records_with_findings_incl_other": lookalike_other,
        "lookalike_findings_by_type": dict(lookalike_hits),
        "chars_per_s": round(chars / seconds),
    }
    if examples:
        result["examples"] = {
            "missed": {t: v[:8] for t, v in sorted(missed.items())},
            "false_positives": {t: v[:8] for t, v in sorted(spurious.items())},
        }
    return result


# ---------------------------------------------------------------------------- NER sets


@dataclass
class Sentence:
    text: str
    entities: list[Span]  # gold, typed with the set's own labels


def read_conll(path: Path, *, chinese: bool, limit: int | None) -> list[Sentence]:
    """CoNLL BIO files: Weibo (one character and a segment index a line) or WNUT (tokens)."""
    sentences: list[Sentence] = []
    pieces: list[tuple[str, str]] = []

    def flush() -> None:
        if not pieces:
            return
        text, entities, current = "", [], None
        for token, tag in pieces:
            if text and not chinese:
                text += " "
            start = len(text)
            text += token
            label = tag[2:] if tag[:2] in ("B-", "I-") else None
            if label and tag.startswith("I-") and current and current.type == label:
                current = Span(current.start, len(text), label)
                entities[-1] = current
            elif label:
                current = Span(start, len(text), label)
                entities.append(current)
            else:
                current = None
        sentences.append(Sentence(text, entities))
        pieces.clear()

    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            flush()
            continue
        token, tag = line.rsplit("\t", 1) if "\t" in line else line.rsplit(" ", 1)
        pieces.append((token[0] if chinese else token, tag.strip()))
    flush()
    return sentences[:limit] if limit else sentences


def ner_recall(sentences: list[Sentence], detect: Detect, groups: dict[str, set[str]]) -> dict:
    """Recall of PERSON / ADDRESS / any finding on each group of gold labels."""
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    person_pred = person_on_per = 0
    per_labels = groups["person (all)"]
    for sentence in sentences:
        found = detect(sentence.text)
        for p in found:
            if p.type == "PERSON":
                person_pred += 1
                person_on_per += any(
                    g.type in per_labels and g.overlaps(p) for g in sentence.entities
                )
        for name, labels in groups.items():
            for g in sentence.entities:
                if g.type not in labels:
                    continue
                totals[name] += 1
                want = "PERSON" if name.startswith("person") else "ADDRESS"
                hits[f"{name}|{want}"] += any(p.type == want and p.overlaps(g) for p in found)
                hits[f"{name}|any"] += any(p.overlaps(g) for p in found)
    result: dict[str, Any] = {"sentences": len(sentences)}
    for name in groups:
        want = "PERSON" if name.startswith("person") else "ADDRESS"
        result[name] = {
            "gold": totals[name],
            f"recall_{want}": _round(_ratio(hits[f"{name}|{want}"], totals[name])),
            "recall_any_finding": _round(_ratio(hits[f"{name}|any"], totals[name])),
        }
    result["person_predictions"] = person_pred
    result["person_precision_vs_PER_gold"] = _round(_ratio(person_on_per, person_pred))
    return result


NER_SETS = {
    "weibo_ner dev": (
        ("weibo_ner", "weiboNER_2nd_conll.dev"),
        True,
        {
            "person (PER.NAM)": {"PER.NAM"},
            "person (PER.NOM)": {"PER.NOM"},
            "person (all)": {"PER.NAM", "PER.NOM"},
            "place (LOC.NAM+GPE.NAM)": {"LOC.NAM", "GPE.NAM"},
        },
    ),
    "wnut17_ner dev": (
        ("wnut17_ner", "emerging.dev.conll"),
        False,
        {
            "person (person)": {"person"},
            "person (all)": {"person"},
            "place (location)": {"location"},
        },
    ),
}


def ner_sets(systems: dict[str, Detect], limit: int | None) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, (parts, chinese, groups) in NER_SETS.items():
        path = DATA.joinpath(*parts)
        if not path.is_file():
            print(f"skipping {name}: {path} not found (set GOVPILOT_DATA_DIR to ../shared/data)")
            continue
        sentences = read_conll(path, chinese=chinese, limit=limit)
        results[name] = {s: ner_recall(sentences, d, groups) for s, d in systems.items()}
    return results
