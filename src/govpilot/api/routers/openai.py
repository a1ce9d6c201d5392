"""OpenAI-compatible /v1/models and /v1/chat/completions, through the guarded gateway.

Existing OpenAI clients and tools point their base URL here. Every call goes through
`platform.gateway` as capability "chat", so the guard and the audit log apply as for
any other capability. Errors use OpenAI's shape (see `govpilot.api.errors`).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Generator
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from govpilot.api.deps import CallerDep, acting_as
from govpilot.api.errors import openai_error_body, openai_error_for
from govpilot.api.routers.openai_bots import bot_completion, bot_for_model, bot_models
from govpilot.api.schemas.openai import (
    ERROR_RESPONSES,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChunkChoice,
    Delta,
    ModelList,
    ModelPublic,
    UsagePublic,
)
from govpilot.api.streaming import advance, event_stream, sse
from govpilot.backends.llm import ChatModel, Completion, GenerationOptions, Usage
from govpilot.errors import GovpilotError
from govpilot.http.dependencies import PlatformDep
from govpilot.http.uploads import check_text_size, size_limited_route

logger = logging.getLogger("govpilot.api")

router = APIRouter(
    prefix="/v1",
    tags=["openai"],
    route_class=size_limited_route(max_files=1),
    responses=ERROR_RESPONSES,
)

_STARTED = int(time.time())  # OpenAI's `created` for models: when this server started
_MIN_ANSWER_TOKENS = 256
_MAX_DEFAULT_TOKENS = 2048


def _model_public(model: ChatModel) -> ModelPublic:
    return ModelPublic(id=model.name, created=_STARTED, owned_by=model.backend)


@router.get("/models", response_model=ModelList)
def list_models(platform: PlatformDep, caller: CallerDep) -> ModelList:
    """The models this server can answer with, and the caller's department's bots."""
    models = [_model_public(m) for m in platform.gateway.models]
    return ModelList(data=models + bot_models(platform, caller, _STARTED))


@router.get("/models/{model_id}", response_model=ModelPublic)
def get_model(model_id: str, platform: PlatformDep, caller: CallerDep) -> ModelPublic:
    """One model; 404 when there is none of that name."""
    return _model_public(platform.gateway.model(model_id))


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def chat_completions(body: ChatCompletionRequest, platform: PlatformDep, caller: CallerDep) -> Any:
    """Answer a conversation; with `stream: true`, as chat.completion.chunk events.

    `model` may name a bot (`bot:NAME`, or a bot's name): the bot answers from its
    collections, with a references list, or hands over.
    """
    messages = [m.to_chat_message() for m in body.messages]
    check_text_size(platform.settings, *(m.content for m in messages), what="the conversation")
    bot = bot_for_model(platform, caller, body.model)
    if bot is not None:
        return bot_completion(platform, caller, bot, body)
    model = platform.gateway.model(body.model)
    ctx = acting_as(caller, "chat")
    options = _options(body, model, sum(model.count_tokens(m.content) for m in messages))
    call_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if not body.stream:
        completion = platform.gateway.complete(ctx, messages, options, model=model.name)
        return ChatCompletion(
            id=call_id,
            created=created,
            model=completion.model_id,
            choices=[
                Choice(
                    message=AssistantMessage(content=completion.text),
                    finish_reason=completion.finish_reason,
                )
            ],
            usage=_usage(completion.usage),
        )
    generator = platform.gateway.stream(ctx, messages, options, model=model.name)
    # The first piece is awaited here, so a model that fails at once gets a JSON error.
    first, finished = advance(generator)
    chunks = _ChunkWriter(call_id, created, model.name)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    return event_stream(chunks.events(generator, first, finished, include_usage))


class _ChunkWriter:
    """Writes one streamed answer as chat.completion.chunk events."""

    def __init__(self, call_id: str, created: int, model: str) -> None:
        self.call_id, self.created, self.model = call_id, created, model

    def chunk(self, delta: Delta, finish_reason: str | None = None) -> str:
        data = ChatCompletionChunk(
            id=self.call_id,
            created=self.created,
            model=self.model,
            choices=[ChunkChoice(delta=delta, finish_reason=finish_reason)],
        )
        return sse(data.model_dump_json(exclude={"usage"}))

    async def events(
        self,
        generator: Generator[str, None, Completion],
        first: str | None,
        finished: Completion | None,
        include_usage: bool,
    ) -> AsyncIterator[str]:
        try:
            yield self.chunk(Delta(role="assistant", content=first or ""))
            while finished is None:
                piece, finished = await run_in_threadpool(advance, generator)
                if piece:
                    yield self.chunk(Delta(content=piece))
            # Only now is the id of the model that really answered known.
            self.model = finished.model_id
            yield self.chunk(Delta(), finished.finish_reason)
            if include_usage:
                usage = ChatCompletionChunk(
                    id=self.call_id,
                    created=self.created,
                    model=self.model,
                    choices=[],
                    usage=_usage(finished.usage),
                )
                yield sse(usage.model_dump_json())
            yield sse("[DONE]")
        except GovpilotError as exc:
            yield sse(openai_error_for(exc), "error")
        except Exception:
            logger.exception("unexpected error while streaming a chat completion")
            body = openai_error_body("Internal server error.", 500, code="internal_error")
            yield sse(body, "error")
        finally:
            generator.close()


def _options(
    body: ChatCompletionRequest, model: ChatModel, prompt_tokens: int
) -> GenerationOptions:
    defaults = GenerationOptions()
    max_tokens = body.max_completion_tokens or body.max_tokens
    if max_tokens is None:
        room = model.capabilities.context_tokens - prompt_tokens
        max_tokens = min(_MAX_DEFAULT_TOKENS, max(_MIN_ANSWER_TOKENS, room))
    stop = (body.stop,) if isinstance(body.stop, str) else tuple(body.stop or ())
    return GenerationOptions(
        max_tokens=max_tokens,
        temperature=defaults.temperature if body.temperature is None else body.temperature,
        top_p=defaults.top_p if body.top_p is None else body.top_p,
        stop=stop,
        seed=defaults.seed if body.seed is None else body.seed,
    )


def _usage(usage: Usage) -> UsagePublic:
    return UsagePublic(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.prompt_tokens + usage.completion_tokens,
    )
