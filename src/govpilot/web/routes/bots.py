"""/bots: a department's bots, with their analytics and widget snippet (the collections
they answer from are in `routes/collections.py`; both pages' templates are in `knowledge/`).

Everything is looked up within the signed-in user's department, before the role is checked
(in the services): another department's bot is the same 404 as a missing one for every verb.
The bot and knowledge
services authorise (and audit) every read of a configuration, change, search and analytics
query; only the empty new-bot form, which reads nothing, calls `authz.authorize` itself
(MANAGE_KNOWLEDGE). `authz.allowed` only hides what would be refused.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from govpilot.access import CallContext, Permission, allowed, authorize
from govpilot.capabilities.chat.bots import (
    BOT_LANGUAGES,
    DEFAULT_HANDOVER,
    Bot,
    new_bot,
    validate,
)
from govpilot.capabilities.chat.service import resolve_collections
from govpilot.errors import InputError
from govpilot.http.dependencies import PlatformDep
from govpilot.http.uploads import size_limited_route
from govpilot.platform import Platform
from govpilot.web.charts import Series, bar_chart
from govpilot.web.i18n import N_, text_lang
from govpilot.web.notices import back_to, notice_for
from govpilot.web.render import NavItem, render, translate
from govpilot.web.session import WebUser, WebUserDep

# Refuses a request body over the upload limit before reading it (413, as the API does).
router = APIRouter(route_class=size_limited_route())

NAV_ITEMS = [NavItem("/bots", N_("Bots"), Permission.ASK_BOTS, order=60)]
CAPABILITY = "knowledge"
LANGUAGE_LABELS = {
    "en": N_("English"),
    "zh-Hant": N_("Traditional Chinese"),
    "yue": N_("Cantonese"),
}
NOTICES = {
    "bot_created": N_("The bot was created."),
    "bot_saved": N_("The bot was saved."),
    "bot_deleted": N_("The bot was deleted."),
}
Text = Annotated[str, Form(max_length=2000)]
Names = Annotated[list[str] | None, Form()]


# -- bots ----------------------------------------------------------------------------------


def _bot_form_context(platform: Platform, ctx: CallContext) -> dict[str, Any]:
    return {
        "collections": platform.knowledge_base().list_collections(ctx),
        "bot_languages": BOT_LANGUAGES,
        "models": [m.name for m in platform.gateway.models],
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.get("/bots")
def bots_page(request: Request, platform: PlatformDep, web: WebUserDep) -> Response:
    """The department's bots; administrators also get the form to create one."""
    ctx = web.context(CAPABILITY)
    return render(
        request,
        "knowledge/bots.html",
        bots=platform.bot_service().list_bots(ctx),
        can_manage=allowed(ctx, Permission.MANAGE_KNOWLEDGE),
        language_labels=LANGUAGE_LABELS,
        notice=notice_for(request, NOTICES),
    )


def _bot_form_page(
    request: Request,
    platform: Platform,
    web: WebUser,
    bot: Bot | None,
    error: str | None,
    form: dict[str, Any],
) -> Response:
    ctx = web.context(CAPABILITY)
    return render(
        request,
        "knowledge/bot_form.html",
        bot=bot,
        form=form,
        error=error,
        language_labels=LANGUAGE_LABELS,
        **_bot_form_context(platform, ctx),
        status_code=400 if error else 200,
    )


def _form_of(bot: Bot | None) -> dict[str, Any]:
    if bot is None:
        return {
            "languages": ["en", "zh-Hant"],
            "cantonese_reply": "written",
            "collections": [],
            "handover": DEFAULT_HANDOVER,
        }
    return {
        "name": bot.name,
        "languages": list(bot.languages),
        "cantonese_reply": bot.cantonese_reply,
        "tone": bot.tone,
        "collections": list(bot.collection_ids),
        "refuse": "\n".join(bot.refuse),
        "handover": bot.handover,
        "model": bot.model or "",
    }


@router.get("/bots/new")
def new_bot_page(request: Request, platform: PlatformDep, web: WebUserDep) -> Response:
    """The form for a new bot."""
    authorize(web.context(CAPABILITY), Permission.MANAGE_KNOWLEDGE)
    return _bot_form_page(request, platform, web, None, None, _form_of(None))


@router.post("/bots")
def create_bot(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    name: Annotated[str, Form(max_length=64)],
    languages: Names = None,
    cantonese_reply: Annotated[str, Form(max_length=20)] = "written",
    tone: Text = "",
    collections: Names = None,
    refuse: Text = "",
    handover: Text = "",
    model: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Create a bot over some of the department's collections."""
    ctx = web.context(CAPABILITY)
    form = {
        "name": name,
        "languages": languages or [],
        "cantonese_reply": cantonese_reply,
        "tone": tone,
        "collections": collections or [],
        "refuse": refuse,
        "handover": handover,
        "model": model,
    }
    try:
        if model:
            platform.gateway.model(model)
        bot = new_bot(
            name,
            ctx.department,
            resolve_collections(
                platform.knowledge_base().collections, ctx.department, collections or []
            ),
            languages=languages or (),
            cantonese_reply=cantonese_reply,
            tone=tone or None,
            refuse=_lines(refuse),
            handover=handover or None,
            model=model or None,
            created_by=ctx.actor,
        )
        platform.bot_service().create_bot(bot, ctx)
    except InputError as exc:
        return _bot_form_page(request, platform, web, None, str(exc), form)
    return back_to(f"/bots/{quote(bot.name)}", done="bot_created")


def _embed_snippet(request: Request, bot: Bot) -> str:
    base = str(request.base_url).rstrip("/")
    return (
        f'<script src="{base}/widget.js" data-bot="{bot.name}" data-lang="zh-Hant" '
        f'data-department="{bot.department}" defer></script>'
    )


def _analytics(
    request: Request, platform: Platform, ctx: CallContext, bot: Bot, days: int
) -> dict[str, Any]:
    figures = platform.bot_service().analytics(bot, ctx, days=days)
    labels = [d.day.strftime("%m-%d") for d in figures.days]

    def t(message: str) -> str:
        return translate(request, message)

    chart = bar_chart(
        t(N_("Questions per day")),
        labels,
        [
            Series(t(N_("Answered")), [d.answered for d in figures.days]),
            Series(t(N_("Handed over")), [d.handed_over for d in figures.days]),
            Series(t(N_("Refused")), [d.refused + d.hostile for d in figures.days]),
        ],
        x_label=t(N_("Day (Hong Kong time)")),
        y_label=t(N_("Questions")),
        table_label=t(N_("Show the figures as a table")),
    )
    unanswered = [(q, text_lang(q.question)) for q in figures.top_unanswered]
    return {"figures": figures, "chart": chart, "unanswered": unanswered, "days": days}


@router.get("/bots/{name}")
def bot_page(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    name: str,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> Response:
    """One bot: its settings (editable by administrators), analytics and widget snippet."""
    ctx = web.context(CAPABILITY)
    bot = platform.bot_service().bot_config(name, ctx)
    can_manage = allowed(ctx, Permission.MANAGE_KNOWLEDGE)
    by_id = {c.id: c for c in platform.knowledge_base().list_collections(ctx)}
    return render(
        request,
        "knowledge/bot.html",
        bot=bot,
        bot_collections=[by_id[i].name for i in bot.collection_ids if i in by_id],
        can_manage=can_manage,
        form=_form_of(bot),
        analytics=(
            _analytics(request, platform, ctx, bot, days)
            if allowed(ctx, Permission.VIEW_ANALYTICS)
            else None
        ),
        snippet=_embed_snippet(request, bot),
        handover_lang=text_lang(bot.handover),
        tone_lang=text_lang(bot.tone),
        notice=notice_for(request, NOTICES),
        language_labels=LANGUAGE_LABELS,
        **(_bot_form_context(platform, ctx) if can_manage else {}),
    )


@router.post("/bots/{name}")
def update_bot(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    name: str,
    languages: Names = None,
    cantonese_reply: Annotated[str, Form(max_length=20)] = "written",
    tone: Text = "",
    collections: Names = None,
    refuse: Text = "",
    handover: Text = "",
    model: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Save a bot's changed settings."""
    ctx = web.context(CAPABILITY)
    service = platform.bot_service()
    current = service.bots.get(ctx.department, name)
    try:
        if model:
            platform.gateway.model(model)
        changed = replace(
            current,
            languages=tuple(dict.fromkeys(languages or ())),
            cantonese_reply="cantonese" if cantonese_reply == "cantonese" else "written",
            tone=tone.strip() or current.tone,
            collection_ids=tuple(
                resolve_collections(
                    platform.knowledge_base().collections, ctx.department, collections or []
                )
            ),
            refuse=tuple(_lines(refuse)),
            handover=handover.strip(),
            model=model or None,
        )
        validate(changed)
        service.update_bot(changed, ctx)
    except InputError as exc:
        form = {
            **_form_of(current),
            "languages": languages or [],
            "collections": collections or [],
            "refuse": refuse,
            "handover": handover,
            "tone": tone,
        }
        return _bot_form_page(request, platform, web, current, str(exc), form)
    return back_to(f"/bots/{quote(current.name)}", done="bot_saved")


@router.post("/bots/{name}/delete")
def delete_bot(platform: PlatformDep, web: WebUserDep, name: str) -> Response:
    """Delete a bot with its conversations' figures."""
    ctx = web.context(CAPABILITY)
    platform.bot_service().delete_bot(name, ctx)
    return back_to("/bots", done="bot_deleted")


@router.get("/bots/{name}/analytics.csv")
def analytics_csv(
    platform: PlatformDep,
    web: WebUserDep,
    name: str,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    table: Literal["daily", "unanswered"] = "daily",
) -> Response:
    """The bot's figures as CSV: one row per day, or the top unanswered questions."""
    ctx = web.context(CAPABILITY)
    service = platform.bot_service()
    bot = service.bots.get(ctx.department, name)
    figures = service.analytics(bot, ctx, days=days)
    body = figures.daily_csv() if table == "daily" else figures.unanswered_csv()
    filename = f"{bot.name}-{table}-{figures.end.isoformat()}.csv"
    return Response(
        "\ufeff" + body,  # a BOM, so spreadsheet programs read Chinese as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
