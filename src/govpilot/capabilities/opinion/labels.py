"""Theme names: the model reads a theme's typical sentences and names what they argue.

Two prompts per theme (never per response): the title in English from the theme's most
typical sentences, after a worked example that names the reason, not the topic; then
that title in Traditional Chinese. A small model keeps to a one-line answer far better
than to a four-line form (the first version asked for both titles and descriptions at
once and most themes fell back to keywords). An answer the model garbles still leaves
the theme a name: its most frequent distinctive words, so no theme is ever nameless.
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

__all__ = ["ThemeLabel", "fallback_label", "label_theme"]

QUOTES = 6
_LATIN = re.compile(r"[A-Za-z]")
_REFUSAL = re.compile(r"(i'm|i am|i can|i cannot|sorry|as an ai|抱歉|對不起)", re.I)
MAX_TITLE_WORDS = 12
MAX_QUOTE = 160
MAX_TITLE = 80
SIDE_WORDS = {"support": "support", "oppose": "oppose", "unclear": "take no clear side on"}
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
    answer = gateway.complete(ctx, messages, GenerationOptions(max_tokens=24, temperature=0))
    title_en = _one_line(answer.text)
    if not title_en or _REFUSAL.match(title_en) or len(title_en.split()) > MAX_TITLE_WORDS:
        title_en = fallback_label(shown)
        return ThemeLabel(title_en, "", title_en, "")
    title_zh = title_en
    if _LATIN.search(title_en):
        messages = load_prompt("opinion_theme_zh").render(title=title_en)
        answer = gateway.complete(ctx, messages, GenerationOptions(max_tokens=32, temperature=0))
        title_zh = _one_line(answer.text) or title_en
    return ThemeLabel(title_en, "", to_hk_traditional(title_zh), "")


def _one_line(answer: str) -> str:
    """The first line of an answer, without quotes, a "Title:" label or a full stop."""
    line = next((x.strip() for x in answer.splitlines() if x.strip()), "")
    line = re.sub(r"^(title|標題)\s*[:：]\s*", "", line, flags=re.I).strip(" \"'“”「」*.。")
    return line[:MAX_TITLE]
