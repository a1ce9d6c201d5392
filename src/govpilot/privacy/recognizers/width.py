"""Width folding: full-width digits and letters, odd spaces and dashes read as ASCII.

People type identifiers with a Chinese input method on (Ａ１２３４５６（７）, ９１２３ ４５６７,
ｃｈａｎ＠ｇｍａｉｌ．ｃｏｍ) or paste them from documents with no-break spaces and en dashes.
Recognizers match the folded text, then report spans on the original: every character folds
to exactly one character, so offsets stay valid.

The table is Unicode's own compatibility mapping (NFKC) for the full-width forms block, minus
the punctuation Chinese text uses as ordinary punctuation (，：；！？): "電話91234567，98765432"
is two numbers, not "91234567,98765432". Dashes and spaces that NFKC leaves alone (en dash,
minus sign, no-break and ideographic spaces) fold to "-" and " " as well.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Kept as they are: sentence punctuation in Chinese text, not part of any identifier.
_CHINESE_PUNCTUATION = set("，：；！？")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"
_SPACES = "\u00a0\u2007\u2009\u202f\u3000"


def _fold_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code in range(0xFF01, 0xFF5F):
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and folded.isascii() and char not in _CHINESE_PUNCTUATION:
            table[char] = folded
    table.update(dict.fromkeys(_DASHES, "-"))
    table.update(dict.fromkeys(_SPACES, " "))
    return table


_FOLDS = _fold_table()
_WIDTH_TABLE = str.maketrans(_FOLDS)
_FOLDABLE_RUN = re.compile(f"[{re.escape(''.join(_FOLDS))}]+")


@lru_cache(maxsize=4)
def fold_width(text: str) -> str:
    """`text` with full-width digits, letters and symbols as ASCII; same length, same offsets.

    Cached: every recognizer folds the same text. Only the foldable runs are translated
    (`str.translate` over a whole Chinese text is ~7x slower).
    """
    return _FOLDABLE_RUN.sub(_fold_run, text)


def _fold_run(run: re.Match[str]) -> str:
    return run[0].translate(_WIDTH_TABLE)


__all__ = ["fold_width"]
