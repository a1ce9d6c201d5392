"""What the pattern-based identifier recognizers share: the scan loop and the regex pieces.

Patterns start with the character they match first (a digit, a letter) and look behind it,
rather than starting with a lookbehind: the regex engine then skips straight to the places a
match can start, which makes a scan about twice as fast.

A number is not glued to a Latin letter or digit, nor part of a longer number or amount:
"1.23456789", "HAD/2024/12345678", "A-12345678", "#12345678", "$91234567", "12345678-9".

People split identifiers into groups as they please: "A 123456 (7)", "91 23 45 67",
"4111-1111-1111-1111", a line break where a form field wrapped. `GAP` is one such split,
and `compact` takes the splits out again before a check digit is computed.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import ClassVar

from govpilot.privacy.entities import Finding
from govpilot.privacy.recognizers.context import Labels
from govpilot.privacy.recognizers.width import fold_width

NUMBER_START = r"[0-9](?<![0-9A-Za-z_/#$][0-9])(?<![0-9A-Za-z][.,/-][0-9])"
NUMBER_END = r"(?![0-9A-Za-z]|[.,/-][0-9])"
NOT_BEFORE_ALNUM = r"(?![0-9A-Za-z])"

#: One split inside an identifier: one or two spaces, a hyphen (spaces around it allowed),
#: or a line break (with the spaces a wrapped line keeps).
GAP = r"(?:[ \t]{1,2}|[ \t]?-[ \t]?|[ \t]?\r?\n[ \t]?)"
#: A split that stays on one line: spaces, or a hyphen with spaces around it or not.
INLINE_GAP = r"(?:[ \t]{1,2}|[ \t]?-[ \t]?)"

_SPLITS = re.compile(r"[\s\-]+")


def compact(value: str) -> str:
    """`value` without the spaces, hyphens and line breaks a writer put inside it."""
    return _SPLITS.sub("", value)


def has_line_break(value: str) -> bool:
    """Whether a match runs over a line break (weaker evidence without a label)."""
    return "\n" in value


class PatternRecognizer(ABC):
    """Scans a text with its patterns and reports the matches `score` accepts."""

    name: str
    types: tuple[str, ...]
    #: Tried in order; a match overlapping one of an earlier pattern is skipped.
    patterns: ClassVar[tuple[re.Pattern[str], ...]]

    def find(self, text: str) -> Iterator[Finding]:
        """Every match whose score rule gives it a score."""
        text = fold_width(text)
        for match in self.matches(text):
            score = self.score(text, match)
            if score is not None:
                yield Finding(match.start(), match.end(), self.types[0], score, self.name)

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """Candidate matches, before scoring."""
        taken: list[tuple[int, int]] = []
        for pattern in self.patterns:
            found = list(pattern.finditer(text))
            for match in found:
                if not any(match.start() < end and start < match.end() for start, end in taken):
                    yield match
            taken += [match.span() for match in found]

    @abstractmethod
    def score(self, text: str, match: re.Match[str]) -> float | None:
        """How sure the match is personal data of this type; None to drop it."""


class LabelledRecognizer(PatternRecognizer):
    """Reports values only when they follow one of its labels within `window` characters."""

    labels: ClassVar[Labels]
    window: ClassVar[int] = 20

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """The first value after each label."""
        return self.labels.values_after(self.patterns[0], text, self.window)


__all__ = [
    "GAP",
    "INLINE_GAP",
    "NOT_BEFORE_ALNUM",
    "NUMBER_END",
    "NUMBER_START",
    "LabelledRecognizer",
    "PatternRecognizer",
    "compact",
    "has_line_break",
]
