"""What a question asks of a bot: the language to reply in, and the text to search with."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal, Protocol

from govpilot.capabilities.chat.bots import Bot
from govpilot.language import cjk_ratio, detect_language

ReplyLanguage = Literal["en", "zh-Hant", "yue"]

# Words that make a short question lean on the one before it.
_REFERRING = re.compile(
    r"\b(?:it|its|that|this|those|these|they|them|there|he|she|his|her|same|also|too)\b"
    r"|佢|呢個|嗰個|嗰啲|呢啲|咁|它|這個|那個|這些|那些|其|該|上述|同樣|另外",
    re.IGNORECASE,
)


class _Asked(Protocol):
    """An earlier turn: only its question matters here."""

    @property
    def question(self) -> str: ...


def reply_language(question: str, bot: Bot) -> ReplyLanguage:
    """The question's language, as this bot replies in it."""
    detected = detect_language(question)
    if detected == "mixed":
        detected = "zh-Hant" if cjk_ratio(question) >= 0.5 else "en"
    if detected == "en":
        lang: ReplyLanguage = "en"
    elif detected == "yue":
        lang = "yue" if bot.cantonese_reply == "cantonese" else "zh-Hant"
    elif detected in ("zh-Hant", "zh-Hans"):
        lang = "zh-Hant"
    else:
        lang = _first_language(bot)
    chinese = {"zh-Hant", "yue"} & set(bot.languages)
    if lang == "en" and "en" not in bot.languages and chinese:
        return _first_language(bot)
    if lang != "en" and not chinese and "en" in bot.languages:
        return "en"
    return lang


def _first_language(bot: Bot) -> ReplyLanguage:
    first = bot.languages[0] if bot.languages else "en"
    if first == "yue":
        return "yue" if bot.cantonese_reply == "cantonese" else "zh-Hant"
    return "en" if first == "en" else "zh-Hant"


def search_query(question: str, history: Sequence[_Asked]) -> str:
    """The text to search with: a short or referring follow-up carries the last question."""
    if not history:
        return question
    han = len(re.findall(r"[\u3400-\u9fff]", question))
    short = len(question.split()) <= 8 if han < 4 else han <= 15
    if short or _REFERRING.search(question):
        return f"{history[-1].question} {question}"
    return question
