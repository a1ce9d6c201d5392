"""Bots: a department's assistants that answer the public from its own collections."""

from govpilot.capabilities.chat.answer import (
    AnswerOptions,
    BotAnswer,
    BotResponder,
    CitedSource,
    Turn,
    answer,
    reply_language,
)
from govpilot.capabilities.chat.bots import Bot, BotStore, new_bot

__all__ = [
    "AnswerOptions",
    "Bot",
    "BotAnswer",
    "BotResponder",
    "BotStore",
    "CitedSource",
    "Turn",
    "answer",
    "new_bot",
    "reply_language",
]
