"""What a bot's answer says, read back from the model's text: abstention, shells, wording.

Plain text processing over the model's reply and the passages it was given, so it works the
same for the embedded 1.5B model and a strong server. Each check exists because it changed
a measured figure in `bench/bench_bots.py` (see the README's bot table):

* `no_answer_probability`: how likely the model thought NO_ANSWER was as its first word,
  from the backend's first-token alternatives: a confident-looking answer that the model
  nearly refused is handed over instead of shown;
* `is_shell`: "[1]", "Passage [2]" or the question repeated says nothing and is not shown;
* `in_source_words`: a bare "1.264" where the passage says "每度電1.264元" is given back in
  the passage's words, units and qualifiers ("超過5800名", "nearly 10%") included.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from govpilot.backends.llm import TokenChoice
from govpilot.capabilities.chat import grounding
from govpilot.language import fold_script

NO_ANSWER_MARKER = "NO_ANSWER"
# Words an answer may hold that say nothing of their own.
# Terms are script-folded, so these are too (a Traditional "資料" never matched before).
_SHELL_TERMS = frozenset(
    fold_script(term)
    for term in "passage passag source answer chinese 段落 答案 資料 根據 來源 問題 英文".split()  # noqa: SIM905
)
# What may follow a number in the source: units, counters, currencies, per cent.
_UNIT_AFTER = re.compile(
    r"^(?:\s?(?:%|percent|per cent|million|billion|thousand|years?|months?|days?|hours?"
    r"|km|kg|m|sq\.? ?ft|square (?:feet|metres))\b"
    r"|[%％年月日號号時分秒名個个位人次倍元萬万億亿千百十餘余多種宗間所座架輛條項件歲岁度噸公里米尺呎平方]{1,3})",
    re.IGNORECASE,
)
# What may come before a number: currency, approximations, bounds, "per".
_QUALIFIER_BEFORE = re.compile(
    r"(?:(?:HK\$|US\$|\$|RMB|港幣|港元|人民幣)\s?"
    r"|(?:nearly|about|around|over|more than|less than|up to|at least|almost|some|roughly)\s"
    r"|(?:超過|約|逾|近|多於|少於|不少於|不超過|最多|至少|最少|接近|大約|高達|年滿|年屆|每度電|每[\u4e00-\u9fff]{1,2}))$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d[\d,.]*")


def no_answer_probability(alternatives: Sequence[Sequence[TokenChoice]]) -> float | None:
    """P(first token begins NO_ANSWER), from the backend's first-place alternatives.

    None when the backend gave no alternatives (a server without logprobs): callers then
    rely on the text alone. Only the listed alternatives are counted, so this is a lower
    bound of the true probability.
    """
    if not alternatives or not alternatives[0]:
        return None
    mass = 0.0
    for choice in alternatives[0]:
        token = choice.token.strip()
        if len(token) >= 2 and NO_ANSWER_MARKER.startswith(token):  # "NO", "NO_", not "N"
            mass += math.exp(choice.logprob)
    return min(1.0, mass)


def drop_citations(text: str) -> str:
    """The text without its [n] markers."""
    return re.sub(r"\s*[\[【［]\s*\d{1,3}(?:\s*[,，、;]\s*\d{1,3})*\s*[\]】］]", "", text)


_YES_NO = re.compile(r"(?:yes|no|not)\b|是|否|不|可以|唔|冇|沒有|有", re.IGNORECASE)
_LEADING_CITES = re.compile(
    r"^\s*((?:[\[【［]\s*\d{1,3}(?:\s*[,，、;]\s*\d{1,3})*\s*[\]】］]\s*)+)"
)


_BRACKETED = re.compile(r"[\[【［]\s*(\d[\d,，.、;\s]*)\s*[\]】］]")


def unwrap_values(answer: str, passages: int) -> str:
    """ "[210]" or "[1,150]" given 3 passages is the answer in brackets, not a citation.

    The small model sometimes writes the figure it found the way it writes citations; a
    bracket whose numbers are not all passage numbers (1..`passages`) is unwrapped.
    """

    def unwrap(match: re.Match[str]) -> str:
        inside = match.group(1).strip()
        parts = [p for p in re.split(r"[\s,，、;]+", inside) if p]
        if parts and all(p.isdigit() and 1 <= int(p) <= passages for p in parts):
            return match.group(0)
        # A lone digit ("[9]") is a wrong citation rather than a figure.
        if re.fullmatch(r"\d", inside):
            return match.group(0)
        return inside

    return _BRACKETED.sub(unwrap, answer)


def citations_last(answer: str) -> str:
    """ "[1] 產品出現了剩餘。" as "產品出現了剩餘。[1]": the small model often cites first."""
    match = _LEADING_CITES.match(answer)
    if not match or not answer[match.end() :].strip():
        return answer
    return f"{answer[match.end() :].strip()} {match.group(1).strip()}"


def is_shell(answer: str, question: str, translated: str = "") -> bool:
    """True when the answer has no content term of its own (beyond the question's, and its
    translation's: the model sometimes echoes both)."""
    body = drop_citations(answer)
    own = grounding.terms(body) - grounding.terms(f"{question} {translated}") - _SHELL_TERMS
    # Bare digits count: "1884" is a whole answer to "which year"; so does yes or no.
    return not own and not re.search(r"\d", body) and not _YES_NO.match(body.strip())


def in_source_words(answer: str, passages: Sequence[str], max_chars: int = 24) -> str:
    """A short numeric answer widened to the passage's own wording around it.

    Only answers of at most `max_chars` (citations aside) that the passage contains are
    touched; anything else comes back unchanged. Citations are kept at the end.
    """
    body = drop_citations(answer).strip().rstrip("。.")
    cites = "".join(f"[{n}]" for n in grounding.cited_numbers(answer))
    if not body or len(body) > max_chars or not _NUMBER.search(body):
        return answer
    for passage in passages:
        span = _find(body, passage)
        if span is None:
            continue
        start, end = span
        before = _QUALIFIER_BEFORE.search(passage[max(0, start - 14) : start])
        if before:
            start -= len(before.group(0))
        after = _UNIT_AFTER.match(passage[end : end + 24])
        if after:
            end += len(after.group(0))
        widened = passage[start:end].strip()
        if widened != body:
            return f"{widened} {cites}".strip() if cites else widened
        return answer
    return answer


def _find(needle: str, passage: str) -> tuple[int, int] | None:
    """Where `needle` occurs in `passage`, ignoring script and case."""
    folded_passage = fold_script(passage).lower()
    at = folded_passage.find(fold_script(needle).lower())
    return (at, at + len(needle)) if at >= 0 else None


def _figures(text: str) -> set[str]:
    """The numbers written in `text`, without thousands separators ("1,150" -> "1150")."""
    return {m.group(0).replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)}


def unsupported_figures(answer: str, passages: Sequence[str]) -> set[str]:
    """The figures of `answer` (citations aside) that none of `passages` writes.

    A bot must not state a number its sources do not hold: the small model fills a gap
    with a plausible figure ("6 weeks" where the passage says 8 working days).
    """
    written = _figures(drop_citations(answer))
    held: set[str] = set()
    for passage in passages:
        held |= _figures(passage)
    return {f for f in written - held if f}
