"""Bots under /api/v1/bots: configuration for the department, asking (JSON or SSE),
feedback and analytics.

Configuration and analytics need a signed-in caller (`CallerDep`). Asking, streaming,
starting a conversation and feedback are open to the public too (`PublicCallerDep`): a
caller without an account names the bot's department in `X-Govpilot-Department`, as the
widget does. Every bot is looked up within the caller's department before anything else,
so another department's bot is the same 404 as a missing one for every verb and role. What
each role may do is decided in `BotService`, not here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from dataclasses import replace
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from govpilot.api.deps import CallerDep, PublicCallerDep
from govpilot.api.errors import error_body
from govpilot.api.schemas.bots import (
    AskRequest,
    AskResponse,
    BotCreate,
    BotPublic,
    BotUpdate,
    ConversationPublic,
    FeedbackRequest,
)
from govpilot.api.schemas.errors import ERROR_RESPONSES
from govpilot.api.streaming import advance, event_stream, sse
from govpilot.capabilities.chat.bots import Bot, new_bot
from govpilot.capabilities.chat.service import AskResult, resolve_collections
from govpilot.errors import GovpilotError
from govpilot.http.dependencies import PlatformDep

router = APIRouter(prefix="/api/v1/bots", tags=["bots"], responses=ERROR_RESPONSES)


def _public(bot: Bot) -> dict[str, Any]:
    return bot.as_dict()


@router.get("", response_model=list[BotPublic])
def list_bots(platform: PlatformDep, caller: CallerDep) -> Any:
    """The caller's department's bots."""
    return [_public(b) for b in platform.bot_service().list_bots(caller)]


@router.post("", response_model=BotPublic, status_code=201)
def create_bot(body: BotCreate, platform: PlatformDep, caller: CallerDep) -> Any:
    """Create a bot for the caller's department."""
    if body.model:
        platform.gateway.model(body.model)  # 404 now rather than at the first question
    bot = new_bot(
        body.name,
        caller.department,
        resolve_collections(
            platform.knowledge_base().collections, caller.department, body.collections
        ),
        languages=body.languages,
        cantonese_reply=body.cantonese_reply,
        tone=body.tone,
        refuse=body.refuse,
        handover=body.handover,
        model=body.model,
        created_by=caller.actor,
    )
    return _public(platform.bot_service().create_bot(bot, caller))


@router.get("/{bot}", response_model=BotPublic)
def get_bot(bot: str, platform: PlatformDep, caller: CallerDep) -> Any:
    """One bot's configuration."""
    return _public(platform.bot_service().bot_config(bot, caller))


@router.patch("/{bot}", response_model=BotPublic)
def update_bot(bot: str, body: BotUpdate, platform: PlatformDep, caller: CallerDep) -> Any:
    """Change a bot's configuration."""
    service = platform.bot_service()
    current = service.bots.get(caller.department, bot)
    changes = body.model_dump(exclude_unset=True)
    if "collections" in changes:
        names = changes.pop("collections")
        changes["collection_ids"] = resolve_collections(
            platform.knowledge_base().collections, caller.department, names
        )
    for key in ("collection_ids", "languages", "refuse"):
        if key in changes:
            changes[key] = tuple(changes[key])
    return _public(service.update_bot(replace(current, **changes), caller))


@router.delete("/{bot}", status_code=204)
def delete_bot(bot: str, platform: PlatformDep, caller: CallerDep) -> Response:
    """Delete a bot with its conversations' figures (stored texts expire as usual)."""
    platform.bot_service().delete_bot(bot, caller)
    return Response(status_code=204)


@router.post("/{bot}/conversations", response_model=ConversationPublic, status_code=201)
def start_conversation(bot: str, platform: PlatformDep, caller: PublicCallerDep) -> Any:
    """Start a conversation: follow-up questions in it keep their context."""
    service = platform.bot_service()
    found = service.bots.get(caller.department, bot)
    conversation = service.start_conversation(found, caller)
    return {"conversation_id": conversation.id, "bot": found.name}


@router.post("/{bot}/ask", response_model=AskResponse)
def ask(bot: str, body: AskRequest, platform: PlatformDep, caller: PublicCallerDep) -> Any:
    """Ask the bot one question; the answer cites its sources or hands over."""
    service = platform.bot_service()
    found = service.bots.get(caller.department, bot)
    return service.ask(found, body.question, caller, body.conversation_id).as_dict()


@router.post(
    "/{bot}/ask/stream",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def ask_stream(bot: str, body: AskRequest, platform: PlatformDep, caller: PublicCallerDep) -> Any:
    """Ask as server-sent events: `conversation`, `token`s, then `answer` (or `error`).

    The `answer` event is authoritative: when the checks hand the question over, its text
    replaces whatever `token` events showed.
    """
    service = platform.bot_service()
    found = service.bots.get(caller.department, bot)
    conversation, pieces = service.ask_stream(found, body.question, caller, body.conversation_id)
    return event_stream(_events(conversation.id, pieces))


async def _events(
    conversation_id: str, pieces: Generator[str, None, AskResult]
) -> AsyncIterator[str]:
    try:
        yield sse({"conversation_id": conversation_id}, "conversation")
        while True:
            piece, result = await run_in_threadpool(advance, pieces)
            if result is not None:
                yield sse(result.as_dict(), "answer")
                return
            if piece:
                yield sse({"text": piece}, "token")
    except GovpilotError as exc:
        yield sse(error_body(exc), "error")
    finally:
        pieces.close()


@router.post("/{bot}/feedback", status_code=204)
def feedback(
    bot: str, body: FeedbackRequest, platform: PlatformDep, caller: PublicCallerDep
) -> Response:
    """Thumbs up or down for one answer of a conversation the caller may reach."""
    service = platform.bot_service()
    found = service.bots.get(caller.department, bot)
    service.rate(found, body.turn_id, 1 if body.rating == "up" else -1, caller)
    return Response(status_code=204)


Days = Annotated[int, Query(ge=1, le=366, description="Hong Kong days up to today")]
Top = Annotated[int, Query(ge=1, le=100, description="How many unanswered questions")]


@router.get("/{bot}/analytics")
def analytics(
    bot: str, platform: PlatformDep, caller: CallerDep, days: Days = 30, top: Top = 10
) -> Any:
    """Questions per day, answered vs handed over, top unanswered, ratings, median latency."""
    service = platform.bot_service()
    found = service.bots.get(caller.department, bot)
    return service.analytics(found, caller, days=days, top=top).as_dict()


@router.get("/{bot}/analytics.csv", response_class=Response)
def analytics_csv(
    bot: str,
    platform: PlatformDep,
    caller: CallerDep,
    days: Days = 30,
    top: Top = 10,
    table: Literal["daily", "unanswered"] = "daily",
) -> Response:
    """The analytics as CSV: one row per day, or the top unanswered questions."""
    service = platform.bot_service()
    found = service.bots.get(caller.department, bot)
    figures = service.analytics(found, caller, days=days, top=top)
    body = figures.daily_csv() if table == "daily" else figures.unanswered_csv()
    filename = f"{found.name}-{table}-{figures.end.isoformat()}.csv"
    return Response(
        "\ufeff" + body,  # a BOM, so spreadsheet programs read Chinese as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
