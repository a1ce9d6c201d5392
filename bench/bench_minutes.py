"""Minutes quality on ../shared/data/meeting_summ_vcsum (Chinese) and meeting_summ_qmsum
(English), with the embedded model, beside a plain one-prompt summary by the same model.

    .venv/bin/python bench/bench_minutes.py [--zh 6] [--en 6] [--out FILE]
    .venv/bin/python bench/bench_minutes.py --decisions 10 [--out FILE]

Units (kept short for a 1.5B model on 2 cores):
- Chinese: VCSum short_dev segments of at most 2,400 characters; the input is the
  segment's utterances, the reference its "discussion" summary;
- English: QMSum test "specific queries" over one span of at most 60 utterances, from the
  committee meetings first (the closest to Government meetings); the input is the span,
  the reference the query's answer.
Neither set has times, so utterances get times from their length (4.5 characters or 2.5
words a second): time ranges are then checked against the segments they name.

- govpilot: `write_minutes` (template "notes"), its points joined;
- baseline: the same model asked once to summarise the same transcript as minutes.
ROUGE-L F1 on characters (Chinese, script folded) or lower-case words (English).
Traceability: the share of minute points whose cited segments hold at least half of the
point's content words (English) or character pairs (Chinese); the baseline cites nothing,
so it cannot be traced (0). Action items: neither set marks them, so not scored.

Decisions (`--decisions N`): QMSum marks no action items, but its specific queries ask
what a meeting decided or who was asked to do what ("What did the team decide ...",
"What did X suggest to do ..."), over spans of at most 60 utterances. A decision counts as
found when one point of the minutes (template "formal") holds at least 30% of the
answer's content words; it is counted among the minutes' decision and action points, and
among all their points; the baseline's plain summary counts when one of its sentences
does.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import time
from pathlib import Path
from typing import Any

from common import ROOT, markdown_table
from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.llm import ChatMessage, GenerationOptions
from govpilot.backends.registry import build_models
from govpilot.backends.speech import SpeechSegment
from govpilot.capabilities.minutes import Minutes, write_minutes
from govpilot.config import Settings
from govpilot.gateway import ModelGateway
from govpilot.language import fold_script, to_hk_traditional

DATA = ROOT.parent / "shared" / "data"
CTX = CallContext("bench@govpilot", "BENCH", "minutes", role="officer")
_STOP = set(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "and",
        "in",
        "on",
        "for",
        "is",
        "are",
        "was",
        "were",
        "be",
        "that",
        "this",
        "it",
        "with",
        "as",
        "by",
        "at",
    ]
)


def lcs(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def units(text: str, zh: bool) -> list[str]:
    if zh:
        return [c for c in fold_script(text) if "\u3400" <= c <= "\u9fff" or c.isalnum()]
    return re.findall(r"[a-z0-9']+", text.lower())


def rouge_l(candidate: str, reference: str, zh: bool) -> float:
    c, r = units(candidate, zh), units(reference, zh)
    if not c or not r:
        return 0.0
    common = lcs(c, r)
    precision, recall = common / len(c), common / len(r)
    return 0.0 if common == 0 else 2 * precision * recall / (precision + recall)


def content(text: str, zh: bool) -> set[str]:
    if zh:
        chars = [c for c in fold_script(text) if "\u3400" <= c <= "\u9fff"]
        return {a + b for a, b in itertools.pairwise(chars)}
    return {w for w in units(text, zh) if w not in _STOP and len(w) > 2}


def traceability(minutes: Minutes, zh: bool) -> tuple[int, int]:
    traced = 0
    points = minutes.points()
    for point in points:
        wanted = content(point.text, zh)
        cited = set().union(*(content(minutes.segments[n - 1].text, zh) for n in point.segments))
        if wanted and len(wanted & cited) / len(wanted) >= 0.5:
            traced += 1
    return traced, len(points)


def timed_segments(lines: list[tuple[str, str]], zh: bool) -> list[SpeechSegment]:
    out, clock = [], 0.0
    for speaker, text in lines:
        seconds = max(1.0, len(text) / 4.5 if zh else len(text.split()) / 2.5)
        out.append(
            SpeechSegment(clock, clock + seconds, text, "zh" if zh else "en", speaker=speaker)
        )
        clock += seconds
    return out


def vcsum(limit: int) -> list[tuple[list[SpeechSegment], str]]:
    found = []
    with (DATA / "meeting_summ_vcsum" / "short_dev.txt").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            utterances = [u for turn in row["context"] for u in turn]
            if sum(len(u) for u in utterances) > 2400 or not row.get("discussion"):
                continue
            speakers = row.get("speaker") or []
            lines = [
                (str(speakers[i]) if i < len(speakers) else "", to_hk_traditional(u))
                for i, u in enumerate(utterances)
            ]
            found.append((timed_segments(lines, zh=True), row["discussion"]))
            if len(found) >= limit:
                break
    return found


def qmsum(limit: int) -> list[tuple[list[SpeechSegment], str]]:
    files = sorted((DATA / "meeting_summ_qmsum" / "test").glob("*.json"))
    files.sort(key=lambda p: not p.name.startswith(("covid", "education")))
    found = []
    for path in files:
        meeting = json.loads(path.read_text(encoding="utf-8"))
        turns = meeting["meeting_transcripts"]
        for query in meeting["specific_query_list"]:
            spans = query["relevant_text_span"]
            if len(spans) != 1:
                continue
            start, end = (int(x) for x in spans[0])
            if end - start + 1 > 60:
                continue
            lines = [(t["speaker"], t["content"]) for t in turns[start : end + 1]]
            found.append((timed_segments(lines, zh=False), query["answer"]))
            if len(found) >= limit:
                return found
    return found


def plain_summary(gateway: ModelGateway, segments: list[SpeechSegment], zh: bool) -> str:
    transcript = "\n".join(f"{s.speaker}: {s.text}" for s in segments)
    ask = (
        "請把以下會議逐字稿撰寫成會議記錄摘要（繁體中文書面語）：\n\n"
        if zh
        else "Write the minutes of this meeting transcript as a short summary:\n\n"
    )
    completion = gateway.complete(
        CTX, [ChatMessage("user", ask + transcript)], GenerationOptions(max_tokens=700)
    )
    return completion.text


DECISION_QUERY = re.compile(r"\bdecid|\b(recommend|suggest)(ed)? to do|\bagree", re.I)


def qmsum_decisions(limit: int) -> list[tuple[list[SpeechSegment], str, str]]:
    """(span, the query's answer, the query) of QMSum's decision queries."""
    found = []
    for path in sorted((DATA / "meeting_summ_qmsum" / "test").glob("*.json")):
        meeting = json.loads(path.read_text(encoding="utf-8"))
        turns = meeting["meeting_transcripts"]
        for query in meeting["specific_query_list"]:
            if not DECISION_QUERY.search(query["query"]):
                continue
            spans = [(int(a), int(b)) for a, b in query["relevant_text_span"]]
            if sum(b - a + 1 for a, b in spans) > 60:
                continue
            lines = [(t["speaker"], t["content"]) for a, b in spans for t in turns[a : b + 1]]
            found.append((timed_segments(lines, zh=False), query["answer"], query["query"]))
            if len(found) >= limit:
                return found
    return found


def _holds(candidate: str, reference: str) -> bool:
    wanted = content(reference, False)
    return bool(wanted) and len(wanted & content(candidate, False)) / len(wanted) >= 0.3


def decisions(gateway: ModelGateway, limit: int, out: Path) -> None:
    rows: list[dict[str, Any]] = []
    for n, (segments, answer, query) in enumerate(qmsum_decisions(limit)):
        minutes = write_minutes(gateway, CTX, segments, template="formal", lang="en")
        points = minutes.points()
        decided = [p.text for p in points if p.kind in ("decision", "action")]
        plain = plain_summary(gateway, segments, False)
        sentences = [x for x in re.split(r"(?<=[.!?])\s+|\n", plain) if x.strip()]
        rows.append(
            {
                "case": n,
                "query": query,
                "in_decision_points": any(_holds(t, answer) for t in decided),
                "in_any_point": any(_holds(p.text, answer) for p in points),
                "baseline_in_summary": any(_holds(t, answer) for t in sentences),
                "decision_points": len(decided),
                "points": len(points),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"decisions": rows}, indent=2) + "\n")  # checkpoint
    count = max(1, len(rows))
    print(
        markdown_table(
            [
                "decisions asked",
                "in govpilot's decision and action points",
                "in any govpilot point",
                "in the plain summary",
            ],
            [
                [
                    len(rows),
                    f"{sum(r['in_decision_points'] for r in rows) / count:.2f}",
                    f"{sum(r['in_any_point'] for r in rows) / count:.2f}",
                    f"{sum(r['baseline_in_summary'] for r in rows) / count:.2f}",
                ]
            ],
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zh", type=int, default=6, help="VCSum segments")
    parser.add_argument("--en", type=int, default=6, help="QMSum queries")
    parser.add_argument("--decisions", type=int, default=0, help="QMSum decision queries")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings()
    gateway = ModelGateway(build_models(settings), MemoryAuditSink(), default_model="embedded")
    if args.decisions:
        decisions(gateway, args.decisions, args.out or ROOT / "bench/results/decisions.json")
        return
    args.out = args.out or ROOT / "bench/results/minutes.json"
    rows: list[dict[str, Any]] = []
    for name, zh, cases in (("VCSum", True, vcsum(args.zh)), ("QMSum", False, qmsum(args.en))):
        for n, (segments, reference) in enumerate(cases):
            started = time.perf_counter()
            minutes = write_minutes(
                gateway, CTX, segments, template="notes", lang="zh-Hant" if zh else "en"
            )
            ours_s = time.perf_counter() - started
            ours = "\n".join(p.text for p in minutes.points())
            started = time.perf_counter()
            plain = plain_summary(gateway, segments, zh)
            plain_s = time.perf_counter() - started
            traced, points = traceability(minutes, zh)
            rows.append(
                {
                    "set": name,
                    "case": n,
                    "rouge_l": round(rouge_l(ours, reference, zh), 3),
                    "baseline_rouge_l": round(rouge_l(plain, reference, zh), 3),
                    "traced": traced,
                    "points": points,
                    "dropped": minutes.dropped,
                    "seconds": round(ours_s, 1),
                    "baseline_seconds": round(plain_s, 1),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps({"rows": rows}, indent=2) + "\n")  # checkpoint
    table = []
    for name in ("VCSum", "QMSum"):
        mine = [r for r in rows if r["set"] == name]
        if not mine:
            continue
        count = len(mine)
        points = sum(r["points"] for r in mine)
        table.append(
            [
                name,
                count,
                round(sum(r["rouge_l"] for r in mine) / count, 3),
                round(sum(r["baseline_rouge_l"] for r in mine) / count, 3),
                f"{sum(r['traced'] for r in mine) / max(1, points):.2f} ({points} points)",
                round(sum(r["seconds"] for r in mine) / count, 1),
                round(sum(r["baseline_seconds"] for r in mine) / count, 1),
            ]
        )
    print(
        markdown_table(
            [
                "set",
                "cases",
                "ROUGE-L govpilot",
                "ROUGE-L plain prompt",
                "traceability",
                "s / case",
                "s / case (plain)",
            ],
            table,
        )
    )


if __name__ == "__main__":
    main()
