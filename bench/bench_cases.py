"""Case desk benchmark: routing, urgency and personal data on 1823-style cases.

    .venv/bin/python bench/bench_cases.py [--no-model] [--out FILE]

The set is ../shared/data/cases_1823/cases_dev.jsonl: hand-made complaints and enquiries
(English, written Chinese, Cantonese, mixed) with a gold department, others that are
also acceptable, urgency and every personal-data span. Rows, all in this process:
- keyword rules (baseline): the department whose one-line summary and duty sentences
  share most words (English words, Chinese character pairs) with the case;
- plain prompt (baseline): the embedded model given the 22 departments with their
  one-line summaries, asked for a code (prompts/case_route_plain.v1.txt);
- govpilot, no past cases: the router (duty vectors, keywords, names, the model on
  close calls) as a new desk has it;
- govpilot, with past cases: the same, with every other case of the set as a past case
  of its gold department (leave-one-out: a case never sees itself), as a desk that has
  worked for a while.
top-1 counts the gold department or one of its also_acceptable; top-3 counts any of them
among the first three. Urgency: govpilot's rules against a baseline of the words
"urgent"/"緊急"/"emergency". Personal data: the share of gold spans the guard's detector
covers (a span counts when a finding overlaps it and has its type's family). s/case is the
wall time of one routing, model call included.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import track

from common import markdown_table, require_data
from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.embed import E5Embedder
from govpilot.backends.llm import GenerationOptions
from govpilot.backends.registry import build_models
from govpilot.capabilities.cases.departments import DepartmentList, load_departments
from govpilot.capabilities.cases.routing import CaseRouter, Example
from govpilot.capabilities.cases.urgency import urgency_of
from govpilot.config import Settings
from govpilot.gateway import ModelGateway
from govpilot.privacy.detector import default_detector
from govpilot.prompts import load_prompt

CTX = CallContext("bench@govpilot", "BENCH", "cases", role="officer")
_WORD = re.compile(r"[a-z]{3,}|[\u3400-\u9fff]{2}")
_URGENT_WORDS = re.compile(r"\burgent\b|\bemergency\b|緊急", re.IGNORECASE)
#: The detector's type families that may satisfy a gold type.
_FAMILIES = {
    "PERSON": {"PERSON"},
    "PHONE": {"PHONE"},
    "EMAIL": {"EMAIL"},
    "HKID": {"HKID"},
    "ADDRESS": {"ADDRESS", "LOCATION"},
}


def load_cases() -> list[dict[str, Any]]:
    path = require_data("cases_1823", "cases_dev.jsonl")
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def text_of(case: dict[str, Any]) -> str:
    return f"{case['subject']}\n{case['text']}"


def acceptable(case: dict[str, Any]) -> set[str]:
    return {case["department"], *case.get("also_acceptable", [])}


def _grams(text: str) -> set[str]:
    text = text.lower()
    han = re.findall(r"[\u3400-\u9fff]", text)
    return set(re.findall(r"[a-z]{3,}", text)) | {a + b for a, b in pairwise(han)}


def keyword_rules(departments: DepartmentList, text: str) -> list[str]:
    """Departments by words shared with their summary and duty sentences (baseline)."""
    words = _grams(text)
    scores = []
    for d in departments.departments:
        described = _grams(
            " ".join([d.summary_en, d.summary_zh, *(x.en + " " + x.zh for x in d.duties)])
        )
        scores.append((len(words & described), d.code))
    return [code for _, code in sorted(scores, key=lambda s: -s[0])]


def plain_prompt(gateway: ModelGateway, departments: DepartmentList, text: str) -> list[str]:
    """The embedded model asked plainly for a code (baseline); [] when it names none."""
    listed = [
        {"code": d.code, "name": d.name_en, "summary": d.summary_en}
        for d in departments.departments
    ]
    messages = load_prompt("case_route_plain").render(message=text[:1500], departments=listed)
    answer = gateway.complete(CTX, messages, GenerationOptions(max_tokens=8, temperature=0)).text
    found = re.search(r"\b(" + "|".join(re.escape(c) for c in departments.codes) + r")\b", answer)
    return [found.group(1)] if found else []


def score(ranked: Sequence[Sequence[str]], cases: Sequence[dict[str, Any]]) -> tuple[float, float]:
    top1 = sum(bool(r[:1]) and r[0] in acceptable(c) for r, c in zip(ranked, cases, strict=True))
    top3 = sum(bool(set(r[:3]) & acceptable(c)) for r, c in zip(ranked, cases, strict=True))
    return top1 / len(cases), top3 / len(cases)


def urgency_scores(
    predicted: Sequence[bool], cases: Sequence[dict[str, Any]]
) -> tuple[float, float]:
    gold = [c["urgency"] == "urgent" for c in cases]
    tp = sum(p and g for p, g in zip(predicted, gold, strict=True))
    recall = tp / max(1, sum(gold))
    precision = tp / max(1, sum(predicted))
    return recall, precision


def pii_recall(cases: Sequence[dict[str, Any]]) -> tuple[float, dict[str, str]]:
    detector = default_detector()
    found = total = 0
    by_type: dict[str, list[int]] = {}
    for case in cases:
        text = case["text"]
        findings = detector.detect(text)
        for span in case.get("pii", []):
            start = text.find(span["text"])
            if start < 0:
                continue
            end = start + len(span["text"])
            family = _FAMILIES.get(span["type"], {span["type"]})
            hit = any(f.start < end and f.end > start and f.type in family for f in findings)
            total += 1
            found += hit
            by_type.setdefault(span["type"], [0, 0])
            by_type[span["type"]][0] += hit
            by_type[span["type"]][1] += 1
    detail = {t: f"{h}/{n}" for t, (h, n) in sorted(by_type.items())}
    return found / max(1, total), detail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-model", action="store_true", help="skip every model call")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    cases = load_cases()
    departments = load_departments(None)
    texts = [text_of(c) for c in cases]
    gateway = (
        None
        if args.no_model
        else ModelGateway(build_models(Settings()), MemoryAuditSink(), default_model="embedded")
    )
    embedder = E5Embedder()
    rows: list[list[object]] = []
    figures: dict[str, Any] = {"cases": len(cases)}

    started = time.perf_counter()
    ranked = [keyword_rules(departments, t) for t in texts]
    elapsed = (time.perf_counter() - started) / len(cases)
    top1, top3 = score(ranked, cases)
    rows.append(["keyword rules (baseline)", f"{top1:.2f}", f"{top3:.2f}", f"{elapsed:.3f}"])
    figures["keyword_rules"] = {"top1": top1, "top3": top3, "s_per_case": elapsed}

    if gateway is not None:
        started = time.perf_counter()
        ranked = [
            plain_prompt(gateway, departments, t) for t in track(texts, description="plain prompt")
        ]
        elapsed = (time.perf_counter() - started) / len(cases)
        top1, _ = score(ranked, cases)
        rows.append(
            ["plain prompt, embedded model (baseline)", f"{top1:.2f}", "—", f"{elapsed:.2f}"]
        )
        figures["plain_prompt"] = {"top1": top1, "s_per_case": elapsed}

    router = CaseRouter(departments, embedder, gateway)
    router.duty_vectors()
    started = time.perf_counter()
    vectors = np.stack([router.vector_of(t) for t in texts])
    embedding = (time.perf_counter() - started) / len(cases)
    for label, with_past in (
        ("govpilot, no past cases", False),
        ("govpilot, other cases as past cases (leave-one-out)", True),
    ):
        started = time.perf_counter()
        ranked, asked, wrong = [], 0, []
        for i, text in enumerate(track(texts, description=label)):
            examples = (
                [Example(vectors[j], c["department"]) for j, c in enumerate(cases) if j != i]
                if with_past
                else []
            )
            routing = router.route(CTX if gateway else None, text, examples, vector=vectors[i])
            ranked.append(routing.codes(3))
            asked += routing.model_choice is not None
            if routing.department not in acceptable(cases[i]):
                wrong.append(f"{cases[i]['id']}:{cases[i]['department']}->{routing.department}")
        elapsed = (time.perf_counter() - started) / len(cases) + embedding
        top1, top3 = score(ranked, cases)
        rows.append([label, f"{top1:.2f}", f"{top3:.2f}", f"{elapsed:.2f}"])
        print(f"{label}: model asked {asked} times; wrong: {', '.join(wrong) or 'none'}")
        key = "govpilot_past" if with_past else "govpilot"
        figures[key] = {
            "top1": top1,
            "top3": top3,
            "s_per_case": elapsed,
            "model_asked": asked,
            "wrong": wrong,
        }

    print(f"\n{len(cases)} cases (cases_1823 development half)\n")
    print(markdown_table(["routing", "top-1", "top-3", "s/case"], rows))

    rules = [urgency_of(t).urgent for t in texts]
    words = [bool(_URGENT_WORDS.search(t)) for t in texts]
    urgency_rows = []
    for label, predicted in (("govpilot rules", rules), ("the word 'urgent' (baseline)", words)):
        recall, precision = urgency_scores(predicted, cases)
        urgency_rows.append([label, f"{recall:.2f}", f"{precision:.2f}"])
        figures[f"urgency_{'rules' if predicted is rules else 'word'}"] = {
            "recall": recall,
            "precision": precision,
        }
    print()
    print(markdown_table(["urgency", "recall", "precision"], urgency_rows))

    recall, detail = pii_recall(cases)
    figures["pii"] = {"recall": recall, "by_type": detail}
    print(f"\npersonal data: recall {recall:.3f} of gold spans ({detail})")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
