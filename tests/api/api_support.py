"""Shared by the API tests: the scripted answers, limits, and reading server-sent events."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx

from govpilot.access import Role
from govpilot.api.deps import DEPARTMENT_HEADER
from govpilot.audit.log import AuditRecord
from govpilot.backends.llm import ChatMessage
from govpilot.errors import NotFound
from govpilot.platform import Platform
from govpilot.server import create_app
from govpilot.testing import SETUP_CONTEXT, add_api_key, add_user

ZH_SENTENCE = "这是政府的测试句子。"  # the model writes Simplified; the pipeline converts it
ZH_HK = "這是政府的測試句子。"
EN_SENTENCE = "This is the government's test sentence."
CHAT_ANSWER = "Good morning. The office opens at nine o'clock."
UPLOAD_LIMIT_MB = 0.05  # 52,428 bytes
TEXT_LIMIT = 5000
OFFICER = "chan.tm@had.gov.hk"


def app_client(
    platform: Platform,
    user: str = OFFICER,
    *,
    role: Role | str = Role.OFFICER,
    department: str | None = None,
) -> httpx.AsyncClient:
    """The app in-process over httpx's ASGI transport, as `user` (an account with an API key,
    made with `role` in `department`, default the platform's, if missing); open it with
    `async with`."""
    try:
        platform.accounts.user(SETUP_CONTEXT, user)
    except NotFound:
        add_user(platform, user, role=role, department=department)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(platform)),
        base_url="http://govpilot.test",
        headers={"Authorization": f"Bearer {add_api_key(platform, user)}"},
    )


def public_client(platform: Platform, department: str | None = None) -> httpx.AsyncClient:
    """The app as a member of the public (no account), naming `department` as the widget does."""
    headers = {DEPARTMENT_HEADER: department} if department else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(platform)),
        base_url="http://govpilot.test",
        headers=headers,
    )


def api_events(platform: Platform, **filters: Any) -> list[AuditRecord]:
    """The audit events, newest first, without those of setting up accounts and keys."""
    events = platform.audit.events(limit=None, **filters)
    return [e for e in events if e.actor != SETUP_CONTEXT.actor]


def respond(messages: Sequence[ChatMessage]) -> str:
    """A deterministic answer for each capability's prompt, told apart by its system text."""
    system = messages[0].content if messages and messages[0].role == "system" else ""
    if "翻译" in system:
        return ZH_SENTENCE
    if "professional translator" in system:
        return EN_SENTENCE
    if "summaries" in system or "摘要" in system:
        return (
            "- The department will extend library opening hours. [1]\n"
            "- A public consultation runs until March. [2]"
        )
    if "drafts documents" in system or "草擬" in system:
        return "## Purpose\n\nTo extend library opening hours.\n\n- Start in April\n- Review in May"
    return CHAT_ANSWER


def sse_events(body: str) -> list[tuple[str, str]]:
    """(event, data) for each server-sent event; `message` where no event name is given."""
    events = []
    for block in body.split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        event = next((ln[7:] for ln in lines if ln.startswith("event: ")), "message")
        data = "\n".join(ln[6:] for ln in lines if ln.startswith("data: "))
        events.append((event, data))
    return events


def json_events(body: str, name: str) -> list[dict[str, Any]]:
    return [json.loads(data) for event, data in sse_events(body) if event == name]
