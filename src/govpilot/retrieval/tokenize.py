"""Keyword tokens for Chinese and English text, the same for passages and queries.

Whitespace finds no words in Chinese, so a run of Han characters is cut two ways:
jieba words (search mode, which also yields the shorter words inside long ones) and
overlapping character bigrams. Words match what a person would type; bigrams still match
where jieba's dictionary cuts a name or a term differently in the passage and the query.
On DRCD (BM25, 3,524 questions over 1,000 paragraphs) recall@1 is 0.932 with words, 0.939
with bigrams and 0.946 with both (bigrams marked "#" so that they count apart from words).

Traditional text is segmented and indexed in a script-folded form (`fold_script`: the
Traditional-only characters mapped one for one to Simplified), because jieba's dictionary
is mostly Simplified and because a query typed in either script must find a passage
written in the other. The stored text is never changed: tokens are an index, not output.
Latin words are NFKC-normalised and lower-cased; numbers are kept; common English and
Chinese function words and all punctuation are dropped.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from typing import Any, Literal

from govpilot.language import fold_script

__all__ = ["TokenMode", "keyword_tokens"]

TokenMode = Literal["jieba", "bigram", "jieba+bigram"]

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
_PIECE = re.compile(rf"([{_HAN}]+)|([^\W_{_HAN}]+)")

ENGLISH_STOPWORDS = frozenset(
    """a an and are as at be been but by did do does for from had has have how i if in
    into is it its of on or that the their them then there these they this to was were
    what when where which who whom whose why will with s t""".split()  # noqa: SIM905
)
# Folded (Simplified) forms: the function words and question words that carry no topic.
CHINESE_STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 或 也 都 而 之 其 这 那 有 为 以 于 就 被 把 对 从 到 将 由 等 中
    上 下 个 着 过 吗 呢 吧 啊 么 什么 哪 哪里 哪个 哪些 谁 何 几 多少 怎么 怎样 如何 为何
    为什么 甚么 什麽 乜 咩 边个 点样 嘅 咗 係 喺""".split()  # noqa: SIM905
)

_jieba_lock = threading.Lock()
_jieba_tokenizer: Any = None


def _jieba() -> Any:
    """jieba's tokenizer, loaded once (about a second) on first use, shared by threads."""
    global _jieba_tokenizer
    if _jieba_tokenizer is None:
        with _jieba_lock:
            if _jieba_tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _jieba_tokenizer = tokenizer
    return _jieba_tokenizer


def _han_tokens(run: str, mode: TokenMode) -> list[str]:
    tokens: list[str] = []
    if mode != "bigram":
        tokens.extend(
            word for word in _jieba().cut_for_search(run, HMM=True) if word not in CHINESE_STOPWORDS
        )
    if mode != "jieba":
        # With words beside them, bigrams get their own namespace so that a two-character
        # word and the same bigram count as two pieces of evidence, not one doubled tf.
        mark = "#" if mode == "jieba+bigram" else ""
        if len(run) == 1:
            if run not in CHINESE_STOPWORDS:
                tokens.append(mark + run)
        else:
            tokens.extend(mark + run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def keyword_tokens(text: str, mode: TokenMode = "jieba+bigram") -> list[str]:
    """The keyword tokens of `text` in order, repeated as often as they occur."""
    text = fold_script(unicodedata.normalize("NFKC", text)).lower()
    tokens: list[str] = []
    for match in _PIECE.finditer(text):
        han, other = match.groups()
        if han:
            tokens.extend(_han_tokens(han, mode))
        elif other and other not in ENGLISH_STOPWORDS:
            tokens.append(other)
    return tokens
