"""Checks that keep a bot's answer tied to its passages: terms, overlap, citations, topics.

All of it is plain text processing, so it works the same for the embedded 1.5B model and a
strong remote one: a weak model that forgets a citation or wanders off the passages is
caught here rather than trusted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from govpilot.language import cjk_ratio, fold_script

_WORD = re.compile(r"[a-z0-9]+")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CITE = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*[,，、;]\s*\d{1,3})*)\s*[\]】］]")
_NO_ANSWER = re.compile(r"NO[\s_-]?ANSWER|無答案|没有答案|沒有答案", re.IGNORECASE)
_STOP = frozenset(
    """a an the and or of to in on at for from by with about into over is are was were be been
    being am do does did doing have has had having i me my we our you your he she it its they
    them their this that these those there here what which who whom whose when where why how
    can could would should will shall may might must not no yes if then than so as but also
    please tell know want need get give show any some many much more most very just only
    thank thanks hi hello dear""".split()  # noqa: SIM905
)
# Particles and pronouns: bigrams are not formed across them.
_ZH_STOP = re.compile("[" + fold_script("的了嗎嘛呢吧啊呀嘅咗喺唔咩吖喎囉啲我你佢") + "]+")


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def terms(text: str) -> set[str]:
    """Content terms: English word stems (no stop words) and Chinese character bigrams."""
    folded = fold_script(text).lower()
    found = {_stem(w) for w in _WORD.findall(folded) if w not in _STOP and len(w) > 1}
    for run in _HAN_RUN.findall(folded):
        for part in _ZH_STOP.split(run):
            if len(part) == 1:
                found.add(part)
            found.update(part[i : i + 2] for i in range(len(part) - 1))
    return found


def coverage(wanted: set[str], text: str) -> float:
    """Share of `wanted` terms that occur in `text` (0 when nothing is wanted)."""
    if not wanted:
        return 0.0
    return len(wanted & terms(text)) / len(wanted)


def says_no_answer(text: str) -> bool:
    """True when the model used its NO_ANSWER marker (or wrote nothing)."""
    return not text.strip() or bool(_NO_ANSWER.search(text))


def cited_numbers(text: str) -> list[int]:
    """Every number cited as [n], [n, m] or 【n】, in order of first appearance."""
    seen: dict[int, None] = {}
    for group in _CITE.findall(text):
        for part in re.split(r"\s*[,，、;]\s*", group):
            seen.setdefault(int(part), None)
    return list(seen)


def keep_citations(text: str, allowed: Iterable[int]) -> tuple[str, list[int]]:
    """The text with citations of unknown numbers removed, and the numbers kept."""
    allowed = set(allowed)
    kept: dict[int, None] = {}

    def rewrite(match: re.Match[str]) -> str:
        numbers = [int(p) for p in re.split(r"\s*[,，、;]\s*", match.group(1))]
        good = [n for n in numbers if n in allowed]
        for n in good:
            kept.setdefault(n, None)
        return "".join(f"[{n}]" for n in good)

    cleaned = _CITE.sub(rewrite, text)
    cleaned = re.sub(r"[ \t]+([.,;:!?。，；：！？])", r"\1", cleaned)
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip(), list(kept)


def best_supported(answer: str, passages: Sequence[str], threshold: float = 0.5) -> int | None:
    """The 1-based passage that holds most of the answer's terms, if it holds enough of them."""
    wanted = terms(answer)
    if len(wanted) < 2:
        return None
    scored = [(coverage(wanted, p), n) for n, p in enumerate(passages, 1)]
    best, number = max(scored, default=(0.0, 0))
    return number if best >= threshold else None


def topic_alternatives(topic: str) -> list[str]:
    """A configured topic's ways of saying it: "legal advice / 法律意見" gives both."""
    return [t.strip() for t in re.split(r"\s*[/|;,、；，]\s*", topic) if t.strip()]


def matches_topic(question: str, topic: str) -> bool:
    """True when the question is about a refused topic (every term of one of its phrasings)."""
    asked = terms(question)
    folded = fold_script(question).lower()
    for alternative in topic_alternatives(topic):
        wanted = terms(alternative)
        if not wanted:
            continue
        if _HAN_RUN.search(alternative) and fold_script(alternative).lower() in folded:
            return True
        if wanted <= asked:
            return True
    return False


_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=[.]\s)|\n+")
_ASKS_NUMBER = re.compile(
    r"\b(?:how (?:many|much|long|old|far|often)|what (?:year|percentage|proportion|number)"
    r"|when|which year)\b|多少|幾|几|何時|何时|哪一年|甚麼時候|什么时候|幾時|几时|年份|日期",
    re.IGNORECASE,
)


def asks_for_number(question: str) -> bool:
    """True when the answer is likely a number, a date or an amount."""
    return bool(_ASKS_NUMBER.search(question))


def condense(text: str, wanted: set[str], limit: int = 400, prefer_numbers: bool = False) -> str:
    """The passage cut to its sentences richest in `wanted` terms, in order, about `limit` long.

    A small model finds the answer more often in a few relevant sentences than in a long
    paragraph, and a shorter prompt is answered sooner. Dropped stretches show as "…".
    With `prefer_numbers` (a when / how many question), of sentences sharing as many terms,
    one holding a number goes first: it is the one likely to hold the answer.
    """
    text = text.strip()
    if len(text) <= limit or not wanted:
        return text
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
    scores = [
        len(wanted & terms(s)) + (0.5 if prefer_numbers and re.search(r"\d", s) else 0.0)
        for s in sentences
    ]
    if max(scores, default=0) < 1:
        # No term in common (a question in another language): the passage's opening.
        scores = [1.0] * len(sentences)
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen: set[int] = set()
    size = 0
    for i in ranked:
        # Sentences without a question term only cost tokens.
        if chosen and (size + len(sentences[i]) > limit or scores[i] < 1):
            continue
        chosen.add(i)
        size += len(sentences[i])
    parts: list[str] = []
    last = -1
    for i in sorted(chosen):
        if i != last + 1:
            parts.append("…")
        parts.append(sentences[i])
        last = i
    if last != len(sentences) - 1:
        parts.append("…")
    return ("" if cjk_ratio(text) >= 0.3 else " ").join(parts)


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", fold_script(text).lower())


def quoted_from(quote: str, passage: str, min_chars: int = 2) -> bool:
    """True when `quote` (punctuation, spacing, case and script ignored) occurs in `passage`."""
    wanted = _plain(quote)
    return len(wanted) >= min_chars and wanted in _plain(passage)
