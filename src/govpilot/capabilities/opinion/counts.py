"""Counts of one question: stances, themes, and both by respondent type, district and month.

Two counts are kept everywhere: `responses` (every submission) and `voices` (a campaign of
near-copies counted once, as the consultation's analysts count it). The majority view is
the stance with the most voices; each theme is on the majority or the minority side.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from govpilot.capabilities.opinion.stance import STANCES
from govpilot.capabilities.opinion.store import StoredResponse, StoredTheme

__all__ = ["BREAKDOWNS", "month_of", "question_counts"]

BREAKDOWNS = ("respondent_type", "district", "month")
_MONTH = re.compile(r"(\d{4})[-/.年](\d{1,2})")
_DAY_FIRST = re.compile(r"\d{1,2}[-/.](\d{1,2})[-/.](\d{4})")
OTHER = "—"


def month_of(submitted: str) -> str:
    """ "2026-03" from "2026-03-14", "2026/3/14", "2026年3月" or "14/03/2026"; "" if none."""
    if match := _MONTH.search(submitted):
        return f"{match[1]}-{int(match[2]):02d}"
    if match := _DAY_FIRST.search(submitted):
        return f"{match[2]}-{int(match[1]):02d}"
    return ""


def _voice(response: StoredResponse) -> bool:
    """Whether the response counts as a voice of its own (a campaign's first copy does)."""
    return not response.campaign or response.campaign == response.external_id


def _value(response: StoredResponse, key: str) -> str:
    value = month_of(response.submitted) if key == "month" else getattr(response, key)
    return value or OTHER


def question_counts(
    question: str, responses: Sequence[StoredResponse], themes: Sequence[StoredTheme]
) -> dict[str, Any]:
    """Everything a dashboard or a report shows of one question, as JSON-ready values."""
    analysed = [r for r in responses if r.stance is not None]
    voices = [r for r in analysed if _voice(r)]
    stance_voices = Counter(r.stance for r in voices)
    stance_responses = Counter(r.stance for r in analysed)
    majority = None
    sided = {s: stance_voices[s] for s in ("support", "oppose")}
    if any(sided.values()) and sided["support"] != sided["oppose"]:
        majority = max(sided, key=lambda s: sided[s])
    members: dict[str, list[StoredResponse]] = defaultdict(list)
    for response in analysed:
        for theme_id in dict.fromkeys(response.theme_ids):
            members[theme_id].append(response)
    total_voices = max(1, len(voices))
    theme_rows: list[dict[str, Any]] = []
    for theme in themes:
        mine = members.get(theme.id, [])
        mine_voices = sum(1 for r in mine if _voice(r))
        theme_rows.append(
            {
                "id": theme.id,
                "title_en": theme.title_en,
                "title_zh": theme.title_zh,
                "description_en": theme.description_en,
                "description_zh": theme.description_zh,
                "side": theme.side,
                "responses": len(mine),
                "voices": mine_voices,
                "share": round(mine_voices / total_voices, 3),
                "view": _view(theme.side, majority),
                "edited_by": theme.edited_by,
                "by": {key: _breakdown(mine, key) for key in BREAKDOWNS},
            }
        )
    theme_rows.sort(key=lambda t: (-t["voices"], t["title_en"]))
    return {
        "question": question,
        "responses": len(responses),
        "analysed": len(analysed),
        "voices": len(voices),
        "not_analysed": [
            {"id": r.external_id, "reason": r.problem} for r in responses if r.problem
        ],
        "stances": {
            s: {
                "responses": stance_responses[s],
                "voices": stance_voices[s],
                "share": round(stance_voices[s] / total_voices, 3),
            }
            for s in STANCES
        },
        "majority": majority,
        "sentiments": dict(Counter(r.sentiment for r in voices if r.sentiment)),
        "themes": theme_rows,
        "by": {key: _stance_breakdown(voices, key) for key in BREAKDOWNS},
        "inferred_stances": sum(1 for r in analysed if not r.stance_read),
    }


def _view(side: str, majority: str | None) -> str:
    if side not in ("support", "oppose") or majority is None:
        return "unclear"
    return "majority" if side == majority else "minority"


def _breakdown(responses: Sequence[StoredResponse], key: str) -> dict[str, int]:
    counts = Counter(_value(r, key) for r in responses if _voice(r))
    return dict(sorted(counts.items()))


def _stance_breakdown(voices: Sequence[StoredResponse], key: str) -> dict[str, dict[str, int]]:
    """value -> stance -> voices; empty when nobody gave this column."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for response in voices:
        table[_value(response, key)][response.stance or "unclear"] += 1
    if set(table) <= {OTHER}:
        return {}
    return {value: dict(counts) for value, counts in sorted(table.items())}
