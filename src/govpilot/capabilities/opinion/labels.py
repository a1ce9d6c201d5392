"""Theme names: the model reads a theme's typical sentences and names what they argue.

One prompt per theme (never per response) gives a title and a one-sentence description
in English and in Traditional Chinese. An answer the model garbles still leaves the theme
a name: its most frequent distinctive words, so no theme is ever left nameless.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from govpilot.access import CallContext
from govpilot.backends.llm import GenerationOptions
from govpilot.gateway import ModelGateway
from govpilot.language import to_hk_traditional
from govpilot.prompts import load_prompt

__all__ = ["ThemeLabel", "fallback_label", "label_theme", "parse_label"]

QUOTES = 8
MAX_QUOTE = 300
MAX_TITLE = 80
SIDE_WORDS = {"support": "support", "oppose": "oppose", "unclear": "take no clear side on"}
_LINE = re.compile(r"^\s*[-*]?\s*(title|description|標題|描述)\s*[:：]\s*(.+?)\s*$", re.I | re.M)
_WORDS = re.compile(r"[a-z][a-z'-]{3,}|[\u3400-\u9fff]{2,4}", re.I)
_STOP = frozenset(
    [
        "that",
        "this",
        "with",
        "they",
        "their",
        "there",
        "would",
        "should",
        "could",
        "have",
        "from",
        "which",
        "about",
        "because",
        "these",
        "those",
        "will",
        "been",
        "being",
        "more",
        "than",
        "into",
        "just",
        "also",
        "only",
        "even",
        "very",
        "much",
        "what",
        "when",
        "them",
        "then",
        "some",
        "such",
        "other",
        "others",
        "make",
        "made",
        "like",
        "people",
        "think",
    ]
)


@dataclass(frozen=True)
class ThemeLabel:
    """A theme's name and description in both languages."""

    title_en: str
    description_en: str
    title_zh: str
    description_zh: str


def parse_label(answer: str) -> dict[str, str]:
    """The four lines of the model's answer, by key (missing keys are left out)."""
    keys = {"title": "title_en", "description": "description_en", "標題": "title_zh"}
    keys["描述"] = "description_zh"
    found: dict[str, str] = {}
    for match in _LINE.finditer(answer):
        key = keys[match.group(1).lower()]
        found.setdefault(key, match.group(2).strip().strip('"“”「」')[: MAX_TITLE * 3])
    return found


def fallback_label(quotes: Sequence[str]) -> str:
    """The three words the quotes use most (stop words left out)."""
    counts = Counter(
        word.lower()
        for quote in quotes
        for word in _WORDS.findall(quote)
        if word.lower() not in _STOP
    )
    return ", ".join(word for word, _ in counts.most_common(3)) or "—"


def label_theme(
    gateway: ModelGateway, ctx: CallContext, question: str, side: str, quotes: Sequence[str]
) -> ThemeLabel:
    """A name for the theme these quotes (the most typical first) make."""
    shown = [" ".join(q.split())[:MAX_QUOTE] for q in quotes[:QUOTES]]
    messages = load_prompt("opinion_theme").render(
        question=question, side=SIDE_WORDS.get(side, side), quotes=shown
    )
    answer = gateway.complete(ctx, messages, GenerationOptions(max_tokens=160, temperature=0))
    found = parse_label(answer.text)
    fallback = fallback_label(shown)
    title_en = found.get("title_en", "")[:MAX_TITLE] or fallback
    title_zh = found.get("title_zh", "")[:MAX_TITLE] or title_en
    return ThemeLabel(
        title_en=title_en,
        description_en=found.get("description_en", ""),
        title_zh=to_hk_traditional(title_zh),
        description_zh=to_hk_traditional(found.get("description_zh", "")),
    )
