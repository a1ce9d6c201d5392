"""The embeddable chat widget (GET /widget.js) and a demo host page (GET /widget/demo).

A department embeds a bot with one tag, no build step:

    <script src="https://govpilot.example.gov.hk/widget.js" data-bot="housing"
            data-lang="zh-Hant" data-department="HD" defer></script>

The widget's visitors have no account: it sends `data-department` as the
`X-Govpilot-Department` header, and the bots API treats the caller as a member of the public
of that department (`api.deps.PublicCallerDep`), who may only ask the department's bots and
rate their answers. The host page is usually on another origin: the API must allow it
through CORS (`add_widget_cors`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["widget"])


@lru_cache(maxsize=1)
def widget_source() -> str:
    """The widget's JavaScript, as shipped in the package."""
    return resources.files("govpilot.api").joinpath("static/widget.js").read_text("utf-8")


@router.get("/widget.js", response_class=Response)
def widget_js() -> Response:
    """The chat widget: plain JavaScript for one <script> tag."""
    return Response(
        widget_source(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/widget/demo", response_class=HTMLResponse)
def widget_demo(
    bot: Annotated[str, Query(max_length=64)] = "demo",
    lang: Annotated[str, Query(pattern="^(en|zh-Hant)$")] = "zh-Hant",
    department: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    """A plain host page with the widget embedded, to try a bot."""
    attrs = f'data-bot="{html.escape(bot)}" data-lang="{html.escape(lang)}"'
    if department:
        attrs += f' data-department="{html.escape(department)}"'
    title = "govpilot 聊天機械人示範" if lang == "zh-Hant" else "govpilot chat widget demo"
    page = f"""<!doctype html>
<html lang="{html.escape(lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body>
<main><h1>{title}</h1>
<p>This page embeds bot <code>{html.escape(bot)}</code> with one script tag:</p>
<pre>&lt;script src="/widget.js" {html.escape(attrs)} defer&gt;&lt;/script&gt;</pre></main>
<script src="/widget.js" {attrs} defer></script>
</body></html>"""
    return HTMLResponse(page)


def add_widget_cors(app: FastAPI, origins: Sequence[str]) -> None:
    """Let host pages on `origins` call the bots API from the widget (nothing when empty)."""
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept", "X-Govpilot-Department"],
        max_age=600,
    )
