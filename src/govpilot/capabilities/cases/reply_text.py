"""The text of a drafted reply: cleaned of the model's own framing, its citations checked,
and statements the model left uncited attributed to the passage that holds them.

A small model writes its own "Dear [Citizen's Name]," and "此致 敬禮" although told not
to, and often states a passage's fact without citing it. The desk frames every reply
itself, so the model's framing lines are dropped. Each sentence is then compared with the
passages (shared words: English words, Chinese characters and character pairs):

- a citation `[n]` holds when at least 30% of its sentence's words are in passage n;
- an uncited sentence with at least half its words in one passage gets that passage's
  number, marked as attributed (the officer sees which were the model's own);
- a sentence with a number of its own (a date, an amount, a phone number) that is in
  no passage is reported as unsupported, for the officer to check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

__all__ = ["DraftText", "citation_support", "clean_body", "prepare_body"]

CITE = re.compile(r"\[(\d{1,2})\]")
_WORDS = re.compile(r"[A-Za-z0-9]{3,}|[\u3400-\u9fff]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
_NUMBER = re.compile(r"\d[\d,.]*")
_STOP = frozenset(
    (
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "are",
        "was",
        "were",
        "have",
        "has",
        "you",
        "your",
        "our",
        "will",
        "can",
        "not",
        "please",
    )
)
#: Lines of the model's own framing (the desk adds its own greeting and signature).
_FRAMING = re.compile(
    r"^\s*(dear\b.*|to whom it may concern.*|hi\b.*|hello\b.*|best regards.*|kind regards.*|"
    r"regards,?|yours (sincerely|faithfully|truly).*|sincerely,?|thank you,?|"
    r"\[[^\]]*(name|signature|department)[^\]]*\].*|尊敬的.*|親愛的.*|您好[！!，,]?|你好[！!，,]?|"
    r"先生／女士[：:]?|此致|敬禮|敬上|謹啟|祝.{0,6}[！!]?|.{0,12}(署|處|局|辦)(長|謹啟)?|"
    r"香港特區政府.{0,12}|（?個案編號.*|\(?case reference.*)\s*$",
    re.IGNORECASE,
)
ATTRIBUTE_AT = 0.5
SUPPORT_AT = 0.3


def _tokens(text: str) -> set[str]:
    found = {t.lower() for t in _WORDS.findall(text)}
    han = [t for t in _WORDS.findall(text) if not t.isascii()]
    found |= {a + b for a, b in pairwise(han)}
    return {t for t in found if t not in _STOP and (len(t) > 1 or not t.isascii())}


def _overlap(sentence: str, passage: str) -> float:
    words = _tokens(CITE.sub(" ", sentence))
    return len(words & _tokens(passage)) / len(words) if words else 0.0


def citation_support(body: str, passages: Sequence[str]) -> list[dict[str, Any]]:
    """For each citation of each sentence: its passage, and whether the sentence's words
    are in it."""
    found = []
    for sentence in _SENTENCE.split(body):
        for n in sorted({int(x) for x in CITE.findall(sentence)}):
            if not 1 <= n <= len(passages):
                found.append({"n": n, "supported": False, "overlap": 0.0})
                continue
            overlap = _overlap(sentence, passages[n - 1])
            found.append({"n": n, "supported": overlap >= SUPPORT_AT, "overlap": round(overlap, 2)})
    return found


def clean_body(text: str, passages: int) -> str:
    """The model's text without its framing lines and without citations of no passage."""
    lines = [line for line in text.strip().splitlines() if not _FRAMING.match(line)]
    body = "\n".join(lines).strip()
    body = CITE.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= passages else "", body)
    return re.sub(r"\n{3,}", "\n\n", body)


@dataclass(frozen=True)
class DraftText:
    """A cleaned, attributed reply body and what the checks found."""

    body: str
    #: The passages the model cited itself; how many citations attribution added.
    model_cited: frozenset[int]
    attributed: int
    #: Sentences stating a number found in no passage.
    unsupported: list[str]


def _attributed(sentence: str, passages: Sequence[str]) -> tuple[str, bool]:
    if CITE.search(sentence) or not sentence.strip():
        return sentence, False
    scores = [_overlap(sentence, p) for p in passages]
    if not scores or max(scores) < ATTRIBUTE_AT:
        return sentence, False
    n = scores.index(max(scores)) + 1
    stripped = sentence.rstrip()
    end = len(stripped)
    if stripped and stripped[-1] in ".!?。！？":
        end -= 1
    return f"{stripped[:end]} [{n}]{stripped[end:]}{sentence[len(stripped) :]}", True


def prepare_body(text: str, passages: Sequence[str]) -> DraftText:
    """Clean the model's text, attribute uncited statements, report unsupported numbers."""
    body = clean_body(text, len(passages))
    cited = frozenset(int(n) for n in CITE.findall(body))
    out, attributed, unsupported = [], 0, []
    for paragraph in body.split("\n"):
        pieces = []
        for sentence in _SENTENCE.split(paragraph):
            new, added = _attributed(sentence, passages)
            attributed += added
            pieces.append(new)
            numbers = [n for n in _NUMBER.findall(CITE.sub(" ", sentence)) if len(n) > 1]
            if numbers and not any(all(n in p for n in numbers) for p in passages):
                unsupported.append(sentence.strip()[:200])
        joiner = "" if any("\u3400" <= c <= "\u9fff" for c in paragraph) else " "
        out.append(joiner.join(p.strip() for p in pieces if p.strip()))
    return DraftText("\n".join(out).strip(), cited, attributed, unsupported)
