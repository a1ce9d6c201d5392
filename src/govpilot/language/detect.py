"""Language detection for English, Traditional / Simplified Chinese and written Cantonese.

Rules (pure Python, one regex pass per feature):

* Weights. A Han character counts as 3 Latin letters: parallel government names average
  about 2.7 letters per character (Digital Policy Office = 19 letters, 數字政策辦公室 = 7).
* Code-mixing. Hong Kong Chinese borrows English words freely (``聽日 send 份 report 俾我``).
  When the text has Han characters, a run of fewer than 3 English words is a borrowing and
  counts for neither side; only longer English runs count as English.
* 'mixed' when English and Chinese each hold at least 25% of the weight; otherwise the larger
  side decides. 'unknown' when there is nothing to weigh (empty, digits, punctuation).
* Chinese is 'yue' when Cantonese markers (嘅 咗 喺 唔 佢 冇 ...) reach one per 40 Han
  characters (at least one), whatever the script; else 'zh-Hans' when Simplified-only
  characters outnumber Traditional-only ones, else 'zh-Hant' (the default for Hong Kong).
"""

from __future__ import annotations

import re

from govpilot.language.script import simplified_only_chars, traditional_only_chars

__all__ = ["LANGUAGES", "cjk_ratio", "detect_language"]

LANGUAGES = ("en", "zh-Hant", "zh-Hans", "yue", "mixed", "unknown")

_HAN_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
_HAN = re.compile(f"[{_HAN_CLASS}]")
# An English run: Latin words separated only by spaces and light punctuation, no Han.
_LATIN_WORD = r"[A-Za-z\u00c0-\u024f]+(?:['’\-][A-Za-z\u00c0-\u024f]+)*"
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?:[\s,.;:!?()\"'’/&-]+{_LATIN_WORD})*")
_LATIN_WORD_RE = re.compile(_LATIN_WORD)
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")

_HAN_WEIGHT = 3
_MIN_ENGLISH_RUN = 3  # words; shorter runs inside Chinese text are borrowings
_MIXED_SHARE = 0.25
_HAN_PER_MARKER = 40

# Characters and words used in written Cantonese but not in standard written Chinese.
# Left out on purpose: 係 (also formal 關係), 呢 (Mandarin particle), 好 / 多謝 (shared).
_YUE_CHARS = "嘅咗喺唔佢冇嗰啲乜嘢哋囉喎嚟睇畀咩嘞噉㗎咁嚿攞搵揾瞓嬲咋啱靚嘥諗吖啩嗱"
_YUE_WORDS = (
    "點解",
    "邊度",
    "邊個",
    "乜嘢",
    "而家",
    "唔該",
    "俾我",
    "俾你",
    "俾佢",
    "呢個",
    "呢度",
    "呢啲",
    "係咪",
    "係唔係",
    "琴日",
    "聽日",
    "點樣",
    "幾多",
    "好似",
)
# Also left out: 今日 (Hong Kong press releases say 政府今日公布) and 咪 (咪錶, parking meter).
_YUE_MARKER = re.compile("|".join([f"[{_YUE_CHARS}]", *sorted(_YUE_WORDS, key=len, reverse=True)]))


def cjk_ratio(text: str) -> float:
    """Share of the letters in `text` (alphabetic characters) that are Han characters."""
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters:
        return 0.0
    return len(_HAN.findall(text)) / letters


def _english_letters(text: str, has_han: bool) -> int:
    total = 0
    for run in _LATIN_RUN.finditer(text):
        words = _LATIN_WORD_RE.findall(run.group(0))
        if has_han and len(words) < _MIN_ENGLISH_RUN:
            continue
        total += sum(len(w) for w in words)
    return total


def _chinese_variety(text: str, n_han: int) -> str:
    markers = len(_YUE_MARKER.findall(text))
    if markers and markers * _HAN_PER_MARKER >= n_han:
        return "yue"
    if len(simplified_only_chars(text)) > len(traditional_only_chars(text)):
        return "zh-Hans"
    return "zh-Hant"


def detect_language(text: str) -> str:
    """Detect 'en', 'zh-Hant', 'zh-Hans', 'yue', 'mixed' or 'unknown' for `text`."""
    n_han = len(_HAN.findall(text))
    english = _english_letters(text, has_han=n_han > 0)
    total = english + n_han * _HAN_WEIGHT
    if total == 0:
        return "unknown"
    share_en = english / total
    if _MIXED_SHARE <= share_en <= 1 - _MIXED_SHARE:
        return "mixed"
    if share_en > 0.5:
        return "en"
    return _chinese_variety(text, n_han)
