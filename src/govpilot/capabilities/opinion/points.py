"""Points: the sentences of a response, each of which may make a different argument.

A response often gives two reasons ("Ban them: my son started gambling. It targets
children.") that belong to two themes, so themes are found among points, not whole
responses, and each point is the quote that shows why its response is in its theme.
Sentences end at . ! ? ; and their Chinese forms; a sentence too short to carry an
argument on its own ("Yes.", "同意。") joins the next one, and a response never gives
more than `MAX_POINTS` points (the rest join the last one).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MAX_POINTS", "Point", "split_points"]

MAX_POINTS = 8
#: Characters: a shorter sentence joins its neighbour (CJK characters count three).
MIN_POINT = 40
_END = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；\n])")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class Point:
    """One sentence (or a few short ones) of one response."""

    response: int
    """The response's index in the list given."""
    text: str


def _weight(text: str) -> int:
    return len(text) + 2 * len(_CJK.findall(text))


def _join(first: str, second: str) -> str:
    """Two sentences as one: no space after Chinese."""
    if not first:
        return second
    return first + ("" if _CJK.match(first[-1]) or first[-1] in "。！？；，" else " ") + second


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _END.split(text) if s and s.strip()]


def split_points(texts: Sequence[str]) -> list[Point]:
    """Every response's points, in order; an empty response gives none."""
    points: list[Point] = []
    for index, text in enumerate(texts):
        merged: list[str] = []
        pending = ""
        for sentence in _sentences(text):
            pending = _join(pending, sentence)
            if _weight(pending) >= MIN_POINT:
                merged.append(pending)
                pending = ""
        if pending:
            if merged and _weight(pending) < MIN_POINT:
                merged[-1] = _join(merged[-1], pending)
            else:
                merged.append(pending)
        if len(merged) > MAX_POINTS:
            rest = merged[MAX_POINTS - 1 :]
            tail = rest[0]
            for sentence in rest[1:]:
                tail = _join(tail, sentence)
            merged = [*merged[: MAX_POINTS - 1], tail]
        points += [Point(index, sentence) for sentence in merged]
    return points
