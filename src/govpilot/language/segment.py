"""Sentence splitting and packing text into model-sized batches.

``split_sentences`` never drops or changes a character: ``"".join(pieces) == text``.
``pack_segments`` returns ``Batch`` objects whose ``Piece`` items say which unit (and which
part of it) they hold, so translated pieces can be put back with ``reassemble``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from govpilot.language.detect import cjk_ratio

__all__ = ["Batch", "Piece", "pack_segments", "reassemble", "split_sentences"]

_CLOSERS = "\"'”’」』）)》〉】]"
# Chinese: a run of full stops / marks, then closing quotes or brackets, then any whitespace.
_ZH_END = re.compile(rf"[。！？；!?]*[。！？；][{re.escape(_CLOSERS)}]*\s*")
# English: terminal punctuation, closers, whitespace, then something that can start a sentence.
_EN_END = re.compile(
    rf"[.!?]+[{re.escape(_CLOSERS)}]*\s+(?=[\"'“‘(\[「『A-Z0-9\u3400-\u9fff])", re.ASCII
)
# Chinese mode: a half-width mark (models often emit them) directly followed by a Han character.
_ZH_HALFWIDTH_END = re.compile(r"(?<![0-9])[!?.](?=[\u3400-\u9fff])")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")

# Words that end with a full stop without ending the sentence (compared in lower case).
# Left out on purpose, as they usually do end one: etc., Inc., Ltd., a.m., p.m.
# fmt: off
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "hon", "rev", "gen", "col", "capt",
    "lt", "sgt", "rt", "messrs", "e.g", "i.e", "vs", "cf", "al", "approx", "ca", "est",
    "dept", "govt", "gov", "co",
})
# These do not end a sentence when a number follows: No. 5, Cap. 486, p. 12, Jan. 2025.
_BEFORE_NUMBER = frozenset({
    "no", "nos", "cap", "art", "para", "paras", "sec", "ch", "fig", "figs", "vol", "vols",
    "p", "pp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec",
})
# fmt: on
_WORD_BEFORE = re.compile(r"[A-Za-z][A-Za-z.]*$")
_DOTTED_CAPITALS = re.compile(r"(?:[A-Z]\.)+[A-Z]")  # U.S, H.K.S.A.R (the last dot is cut off)


def _english_cut_ok(text: str, match: re.Match[str]) -> bool:
    """False when the full stop closes an abbreviation or an initial rather than a sentence."""
    if text[match.start()] != ".":
        return True
    word = _WORD_BEFORE.search(text, 0, match.start())
    if not word:
        return True
    token = word.group(0)
    lower = token.lower()
    if len(token) == 1 and token.isupper():
        return False  # an initial: J. Smith
    if lower in _ABBREVIATIONS or _DOTTED_CAPITALS.fullmatch(token):
        return False
    if lower in _BEFORE_NUMBER:
        return not text[match.end() : match.end() + 1].isdigit()
    return True


def split_sentences(text: str, lang: str | None = None) -> list[str]:
    """Split `text` into sentences whose concatenation is exactly `text`.

    Whitespace after a sentence stays with it. Chinese marks (。！？；) always end a sentence;
    English ones need whitespace and a capital, digit, quote or Han character next. With
    `lang` 'zh-Hant', 'zh-Hans' or 'yue' (or None and mostly Han text), a half-width ! ? .
    directly followed by a Han character also ends one. Blank lines always do.
    """
    if not text:
        return []
    chinese = (
        lang in {"zh", "zh-Hant", "zh-Hans", "yue"} if lang is not None else cjk_ratio(text) > 0.5
    )
    cuts = {m.end() for m in _ZH_END.finditer(text)}
    cuts.update(m.end() for m in _BLANK_LINE.finditer(text))
    cuts.update(m.end() for m in _EN_END.finditer(text) if _english_cut_ok(text, m))
    if chinese:
        cuts.update(m.end() for m in _ZH_HALFWIDTH_END.finditer(text))
    pieces, start = [], 0
    for cut in sorted(c for c in cuts if 0 < c < len(text)):
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    if len(pieces) > 1 and not pieces[0].strip():
        # Leading whitespace alone is not a sentence; it goes with the first one.
        pieces[1] = pieces[0] + pieces[1]
        del pieces[0]
    return pieces


@dataclass(frozen=True)
class Piece:
    """A whole unit (part 0 of 1) or one part of a unit that was over the budget."""

    unit: int  # index into the `units` given to pack_segments
    part: int  # 0, 1, 2 ... in reading order within the unit
    text: str
    tokens: int


@dataclass(frozen=True)
class Batch:
    """Consecutive pieces whose token counts add up to at most the budget."""

    pieces: tuple[Piece, ...]

    @property
    def tokens(self) -> int:
        """Sum of the pieces' token counts (joining them may add a token or two)."""
        return sum(p.tokens for p in self.pieces)

    @property
    def texts(self) -> list[str]:
        """The pieces' texts, in order."""
        return [p.text for p in self.pieces]


Counter = Callable[[str], int]
_CLAUSE_END = re.compile(r"[，、,;；：:]\s*")
_SPACE = re.compile(r"\s+")


def _cut(text: str, ends: Sequence[int]) -> list[str]:
    bounds = [0, *sorted({e for e in ends if 0 < e < len(text)}), len(text)]
    return [text[a:b] for a, b in pairwise(bounds)]


def _hard_split(text: str, budget: int, count: Counter) -> list[str]:
    """Longest prefixes within budget, cut at whitespace where possible; 1 char at least."""
    parts = []
    while text:
        lo, hi = 1, len(text)
        while lo < hi:  # largest prefix length whose count fits
            mid = (lo + hi + 1) // 2
            if count(text[:mid]) <= budget:
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        if cut < len(text):
            spaces = [m.end() for m in _SPACE.finditer(text, 0, cut)]
            if spaces and spaces[-1] > cut // 2:
                cut = spaces[-1]
        parts.append(text[:cut])
        text = text[cut:]
    return parts


def _fragments(text: str, budget: int, count: Counter, level: int = 0) -> list[str]:
    """Split `text` by sentences, then clauses, then length until every part fits."""
    if level == 3 or count(text) <= budget:
        return [text] if level < 3 else _hard_split(text, budget, count)
    if level == 0:
        parts = split_sentences(text)
    elif level == 1:
        parts = _cut(text, [m.end() for m in _CLAUSE_END.finditer(text)])
    else:
        parts = [text]
    out: list[str] = []
    for part in parts:
        out.extend(_fragments(part, budget, count, level + 1))
    return out


def _merge(fragments: list[str], budget: int, count: Counter) -> list[tuple[str, int]]:
    """Join neighbouring fragments of one unit while the joined text still fits."""
    merged: list[tuple[str, int]] = []
    for frag in fragments:
        if merged:
            joined = merged[-1][0] + frag
            n = count(joined)
            if n <= budget:
                merged[-1] = (joined, n)
                continue
        merged.append((frag, count(frag)))
    return merged


def pack_segments(units: Sequence[str], budget: int, count_tokens: Counter) -> list[Batch]:
    """Group consecutive `units` into batches of at most `budget` tokens, in order.

    A unit over the budget is split by sentences, then clauses, then length into parts
    (``Piece.part`` 0, 1, ...); only a single character over the budget can exceed it.
    Empty units are kept as empty pieces so every unit index appears. Walking the batches
    in order gives every piece in original order; ``reassemble`` puts outputs back.
    """
    if budget < 1:
        raise ValueError(f"budget must be at least 1 token, got {budget}")
    pieces: list[Piece] = []
    for i, unit in enumerate(units):
        n = count_tokens(unit)
        if n <= budget:
            pieces.append(Piece(i, 0, unit, n))
            continue
        parts = _merge(_fragments(unit, budget, count_tokens), budget, count_tokens)
        pieces.extend(Piece(i, k, text, tokens) for k, (text, tokens) in enumerate(parts))
    batches: list[Batch] = []
    current: list[Piece] = []
    used = 0
    for piece in pieces:
        if current and used + piece.tokens > budget:
            batches.append(Batch(tuple(current)))
            current, used = [], 0
        current.append(piece)
        used += piece.tokens
    if current:
        batches.append(Batch(tuple(current)))
    return batches


def reassemble(
    batches: Sequence[Batch], outputs: Sequence[Sequence[str]], sep: str = ""
) -> list[str]:
    """Per-unit texts from one output string per piece; the parts of a unit joined by `sep`."""
    if len(outputs) != len(batches):
        raise ValueError(f"got outputs for {len(outputs)} batches, expected {len(batches)}")
    by_unit: dict[int, list[str]] = {}
    for batch, texts in zip(batches, outputs, strict=True):
        if len(texts) != len(batch.pieces):
            raise ValueError(f"a batch has {len(batch.pieces)} pieces but {len(texts)} outputs")
        for piece, text in zip(batch.pieces, texts, strict=True):
            by_unit.setdefault(piece.unit, []).append(text)
    n_units = max(by_unit, default=-1) + 1
    return [sep.join(by_unit.get(i, [])) for i in range(n_units)]
