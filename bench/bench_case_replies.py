"""Case desk benchmark, replies: do the drafts' citations support their statements?

    .venv/bin/python bench/bench_case_replies.py [--out FILE]

The set is bench/data/case_replies.jsonl: 10 citizens' messages written for this benchmark
(5 English, 5 written Chinese or Cantonese) to a named department, each with two passages
of the kind a department publishes (written by hand from the departments' public
guidance, not generated). Rows, in this process, with the embedded model:
- plain prompt (baseline): the model asked in one plain instruction to reply to the
  message from the passages and to cite them as [n];
- govpilot: the case desk's final-reply draft (prompts/case_reply.v1.txt, the reply in
  the citizen's language, written Chinese for Cantonese, framed with greeting, department
  and reference).
A cited statement is supported when at least 30% of its words (English words, Chinese
characters and character pairs) are in the passage it cites (`replies.citation_support`).
govpilot's drafts go through `reply_text.prepare_body`: the model's own framing dropped,
uncited statements that are in a passage attributed to it (counted apart below).
Columns: drafts citing at all; drafts whose every citation holds; cited statements that
hold; Chinese drafts free of Simplified-only characters and of common Cantonese words;
seconds per draft.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.progress import track

from common import ROOT, markdown_table
from govpilot.access import CallContext, Role
from govpilot.backends.llm import ChatMessage, GenerationOptions
from govpilot.backends.registry import build_models
from govpilot.capabilities.cases.intake import Submission
from govpilot.capabilities.cases.reply_text import citation_support
from govpilot.config import CaseSettings, Settings
from govpilot.language import simplified_only_chars
from govpilot.platform import Platform
from govpilot.testing import fake_settings, make_test_platform

SET = ROOT / "bench" / "data" / "case_replies.jsonl"
_CITE = re.compile(r"\[(\d{1,2})\]")
_CANTONESE = re.compile("[嘅咗喺冇啲嗰佢哋咁唔係]")
PLAIN = (
    "Reply to this citizen's message using only these passages, and cite them as [1], [2].\n\n"
    "Message: {message}\n\n{passages}"
)


@dataclass(frozen=True)
class Passage:
    text: str
    title: str
    source: str = "guide.txt"


def scores(body: str, passages: list[str]) -> tuple[bool, bool, int, int]:
    checks = citation_support(body, passages)
    held = sum(c["supported"] for c in checks)
    return bool(checks), bool(checks) and held == len(checks), held, len(checks)


def chinese_ok(body: str, zh: bool) -> bool | None:
    if not zh:
        return None
    return not simplified_only_chars(body) and not _CANTONESE.search(body)


def summary(
    label: str, rows: list[tuple[bool, bool, int, int, bool | None, float]]
) -> list[object]:
    n = len(rows)
    cited = sum(r[0] for r in rows)
    whole = sum(r[1] for r in rows)
    held = sum(r[2] for r in rows)
    statements = sum(r[3] for r in rows)
    zh = [r[4] for r in rows if r[4] is not None]
    seconds = sum(r[5] for r in rows) / n
    return [
        label,
        f"{cited}/{n}",
        f"{whole}/{n}",
        f"{held}/{statements}" if statements else "0/0",
        f"{sum(zh)}/{len(zh)}",
        f"{seconds:.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    items = [json.loads(line) for line in SET.read_text("utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as home:
        settings = fake_settings(
            Path(home),
            department="1823",
            default_model="embedded",
            cases=CaseSettings(desk_department="1823"),
        )
        platform = make_test_platform(settings, models=build_models(Settings()))
        plain_rows, ours_rows, samples = [], [], []
        by_model: list[bool] = []
        flagged: list[int] = []
        for item in track(items, description="replies"):
            texts = item["passages"]
            passages = [Passage(t, item["subject"]) for t in texts]
            zh = bool(re.search(r"[\u3400-\u9fff]", item["text"]))
            listed = "\n".join(f"[{i}] {t}" for i, t in enumerate(texts, 1))
            ctx = CallContext("bench@govpilot", "1823", "cases", role=Role.OFFICER.value)
            started = time.perf_counter()
            plain = platform.gateway.complete(
                ctx,
                [ChatMessage("user", PLAIN.format(message=item["text"], passages=listed))],
                GenerationOptions(max_tokens=320, temperature=0),
            ).text
            plain_rows.append(
                (*scores(plain, texts), chinese_ok(plain, zh), time.perf_counter() - started)
            )
            started = time.perf_counter()
            body, citations = _ours(platform, item, passages)
            elapsed = time.perf_counter() - started
            ours_rows.append((*scores(body, texts), chinese_ok(body, zh), elapsed))
            by_model.append(any(c.get("by_model") for c in citations))
            flagged.append(sum(len(c.get("statements", [])) for c in citations))
            samples.append({"id": item["id"], "plain": plain, "govpilot": body})
        platform.database.dispose()
    header = [
        "drafts",
        "citing",
        "every citation holds",
        "cited statements that hold",
        "Chinese: written, Traditional",
        "s/draft",
    ]
    print(f"\n{len(items)} messages (bench/data/case_replies.jsonl)\n")
    print(
        markdown_table(
            header, [summary("plain prompt (baseline)", plain_rows), summary("govpilot", ours_rows)]
        )
    )
    print(
        f"\ngovpilot: {sum(by_model)}/{len(items)} drafts carry a citation the model wrote "
        f'itself (the rest of "citing" was added by attribution); {sum(flagged)} statements '
        "flagged for a number found in no passage"
    )
    if args.out:
        args.out.write_text(json.dumps(samples, ensure_ascii=False, indent=1), "utf-8")


def _ours(
    platform: Platform, item: dict[str, Any], passages: list[Passage]
) -> tuple[str, list[dict[str, Any]]]:
    desk = platform.case_desk
    setup = CallContext("bench@govpilot", "1823", "cases", role=Role.PLATFORM_ADMIN.value)
    case = desk.intake.submit(
        setup, Submission(text=item["text"], subject=item["subject"], channel="api")
    )
    if case.department != item["department"]:
        case = desk.work.route(setup, case.id, item["department"], reason="the set's department")
    desk.replies.search = lambda department, query, k: passages
    reply = desk.replies.draft(setup, case.id, "final")
    return reply.body, reply.citations


if __name__ == "__main__":
    main()
