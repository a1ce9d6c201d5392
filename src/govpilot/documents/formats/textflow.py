"""How loose lines of text become paragraphs and list items (shared by txt and PDF)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_CJK_RANGES = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x303F),  # CJK punctuation and the ideographic space
    (0x3040, 0x30FF),  # kana
    (0x3100, 0x312F),  # bopomofo
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # vertical punctuation forms
    (0xFF00, 0xFFEF),  # full-width forms (，：！ ...)
    (0x20000, 0x3134F),  # extensions B-G: HKSCS characters live here
)

# A line that ends with one of these most likely ends its paragraph.
SENTENCE_ENDS = frozenset(".!?:;。！？：；」』)）\"'”’")

_BULLET = r"(?:[-*+](?=\s)|[•●○◦▪▫■□‣⁃·‧▶►➢✓✔])"
_ORDERED = "|".join(
    (
        r"\d{1,3}[.)](?=\s)",  # 1.  1)   (three digits at most, so years stay text)
        r"[a-z][.)](?=\s)",  # a.  b)
        r"[(（](?:\d{1,3}|[a-zA-Z]|[ivxlc]{1,6}|[一二三四五六七八九十]{1,3})[)）]",  # (a) （一）
        r"[一二三四五六七八九十]{1,3}、",  # 一、
        r"\d{1,3}、",  # 1、
        r"[①-⑳]",
    )
)
_LIST_LINE = re.compile(rf"^(?P<indent>[ \t\u3000]*)(?:(?P<bullet>{_BULLET})|(?P<num>{_ORDERED}))")


@dataclass(frozen=True)
class ListMarker:
    """A list marker found at the start of a line."""

    indent: int  # leading whitespace width (tab = 4, ideographic space = 2)
    ordered: bool
    text: str  # the line without its marker


def is_cjk(char: str) -> bool:
    """True for Chinese/Japanese characters and full-width punctuation."""
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def has_cjk(text: str) -> bool:
    """True when the text contains any CJK character."""
    return any(is_cjk(c) for c in text)


def display_width(text: str) -> int:
    """Columns the text takes in a monospaced font (CJK characters count two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def indent_width(line: str) -> int:
    """Width of a line's leading whitespace (tab = 4, ideographic space = 2)."""
    width = 0
    for char in line:
        if char == "\t":
            width += 4
        elif char == "\u3000":
            width += 2
        elif char == " ":
            width += 1
        else:
            break
    return width


def split_list_marker(line: str) -> ListMarker | None:
    """The list marker at the start of `line`, or None when it is not a list item."""
    match = _LIST_LINE.match(line)
    if not match:
        return None
    rest = line[match.end() :].strip()
    if not rest:
        return None
    return ListMarker(indent_width(match["indent"]), match["num"] is not None, rest)


def join_wrapped(lines: Iterable[str]) -> str:
    """Join the hard-wrapped lines of one paragraph.

    Chinese never has a space between characters, so a line break between two CJK
    characters (or after full-width punctuation) joins with nothing; Latin text gets one
    space; a line ending in a hyphen keeps it and joins directly ("e-\\ngovernment").
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
        elif (is_cjk(out[-1]) and (is_cjk(line[0]) or _is_fullwidth_punct(out[-1]))) or (
            out[-1] == "-" and len(out) > 1 and out[-2].isalpha()
        ):
            out += line
        else:
            out += " " + line
    return out


def _is_fullwidth_punct(char: str) -> bool:
    return unicodedata.category(char).startswith("P") and display_width(char) == 2


def collapse_whitespace(text: str) -> str:
    """Collapse runs of whitespace to one space; a line break between CJK characters goes."""

    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        joins_cjk = "\n" in match.group() and before and after
        return "" if joins_cjk and is_cjk(before) and is_cjk(after) else " "

    return _SPACE_RUN.sub(replace, text).strip()


_SPACE_RUN = re.compile(r"[ \t\r\n\f\v\xa0]+")


def next_list_numbers(counters: dict[int, int], level: int, ordered: bool) -> dict[int, int]:
    """Item numbers per nesting level after one more item (bullets count as 0).

    Pass {} at the start of a list. A shallower item ends every deeper list, and a bullet
    ends a numbered run at its level, so their numbering starts again.
    """
    kept = {lvl: n for lvl, n in counters.items() if lvl <= level}
    kept[level] = kept.get(level, 0) + 1 if ordered else 0
    return kept
