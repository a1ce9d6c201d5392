"""Bots behind the OpenAI-compatible chat completions: `model` names a bot.

`model` may be `bot:NAME`, or a bot's name when no model has that name. The last user
message is the question and earlier user/assistant pairs are its context; the answer ends
with a numbered references list. A streamed request gets the checked answer in one
content chunk: an answer that ends up handed over cannot be taken back once streamed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from govpilot.access import CallContext
from govpilot.api.schemas.openai import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChunkChoice,
    Delta,
    ModelPublic,
    UsagePublic,
)
from govpilot.api.streaming import event_stream, sse
from govpilot.backends.llm import ChatMessage, estimate_tokens
from govpilot.capabilities.chat.answer import BotAnswer, Turn
from govpilot.capabilities.chat.bots import Bot
from govpilot.errors import InputError, NotFound
from govpilot.platform import Platform

BOT_PREFIX = "bot:"


def bot_for_model(platform: Platform, caller: CallContext, model: str | None) -> Bot | None:
    """The bot a `model` value names in the caller's department, or None for a model."""
    if not model:
        return None
    bots = platform.bot_service().bots
    if model.startswith(BOT_PREFIX):
        return bots.get(caller.department, model[len(BOT_PREFIX) :])
    if model in {m.name for m in platform.gateway.models}:
        return None
    try:
        return bots.get(caller.department, model)
    except NotFound:
        return None


def bot_models(platform: Platform, caller: CallContext, created: int) -> list[ModelPublic]:
    """The caller's department's bots, as models named `bot:NAME`."""
    return [
        ModelPublic(id=f"{BOT_PREFIX}{b.name}", created=created, owned_by=b.department)
        for b in platform.bot_service().bots.list(caller.department)
    ]


def split_conversation(messages: Sequence[ChatMessage]) -> tuple[str, list[Turn]]:
    """The question (last user message) and the earlier question/answer pairs."""
    users = [i for i, m in enumerate(messages) if m.role == "user"]
    if not users or not messages[users[-1]].content.strip():
        raise InputError("a bot needs a user message to answer", hint="end with a user message")
    question = messages[users[-1]].content
    history: list[Turn] = []
    pending: str | None = None
    for message in messages[: users[-1]]:
        if message.role == "user":
            pending = message.content
        elif message.role == "assistant" and pending is not None:
            history.append(Turn(pending, message.content))
            pending = None
    return question, history


def with_references(answer: BotAnswer) -> str:
    """The answer text followed by its numbered references (document, place, link)."""
    if not answer.citations:
        return answer.text
    heading = "References:" if answer.language == "en" else "參考資料："
    lines = [answer.text, "", heading]
    for cited in answer.citations:
        link = f" {cited.citation.url}" if cited.citation.url else ""
        lines.append(f"[{cited.n}] {cited.citation.label()}{link}")
    return "\n".join(lines)


def bot_completion(
    platform: Platform, caller: CallContext, bot: Bot, body: ChatCompletionRequest
) -> Any:
    """Answer a chat completion request with a bot."""
    messages = [m.to_chat_message() for m in body.messages]
    question, history = split_conversation(messages)
    result = platform.bot_service().ask(bot, question, caller, history=history)
    content = with_references(result.answer)
    call_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    model_id = f"{BOT_PREFIX}{bot.name}"
    prompt_tokens = sum(estimate_tokens(m.content) for m in messages)
    usage = UsagePublic(
        prompt_tokens=prompt_tokens,
        completion_tokens=estimate_tokens(content),
        total_tokens=prompt_tokens + estimate_tokens(content),
    )
    if not body.stream:
        return ChatCompletion(
            id=call_id,
            created=created,
            model=model_id,
            choices=[Choice(message=AssistantMessage(content=content), finish_reason="stop")],
            usage=usage,
        )
    include_usage = bool(body.stream_options and body.stream_options.include_usage)

    def chunk(delta: Delta, finish: str | None = None) -> str:
        data = ChatCompletionChunk(
            id=call_id,
            created=created,
            model=model_id,
            choices=[ChunkChoice(delta=delta, finish_reason=finish)],
        )
        return sse(data.model_dump_json(exclude={"usage"}))

    async def events() -> AsyncIterator[str]:
        yield chunk(Delta(role="assistant", content=content))
        yield chunk(Delta(), "stop")
        if include_usage:
            tail = ChatCompletionChunk(
                id=call_id, created=created, model=model_id, choices=[], usage=usage
            )
            yield sse(tail.model_dump_json())
        yield sse("[DONE]")

    return event_stream(events())
