"""Shared by the web page tests: accounts, a browser-like client, reading forms off pages."""

from __future__ import annotations

import re
from collections.abc import Sequence

import httpx

from govpilot.access import Role
from govpilot.backends.llm import ChatMessage
from govpilot.platform import Platform
from govpilot.server import create_app
from govpilot.testing import add_user

PASSWORD = "library hours in april"
OFFICER = "chan.tm@had.gov.hk"
AUDITOR = "auditor@audit.gov.hk"
OTHER_OFFICER = "wong.sm@ld.gov.hk"
BASE_URL = "https://govpilot.test"
ZH_HK = "圖書館將延長開放時間。"
SUMMARY = "- The department will extend library opening hours."
DRAFT = "## Purpose\n\nTo extend library opening hours."
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def respond(messages: Sequence[ChatMessage]) -> str:
    """A deterministic answer for each capability's prompt, told apart by its system text."""
    system = messages[0].content if messages and messages[0].role == "system" else ""
    if "翻译" in system:
        return "图书馆将延长开放时间。"  # Simplified: the pipeline converts it to HK script
    if "professional translator" in system:
        return "The library will extend its opening hours."
    if "summaries" in system or "摘要" in system:
        return SUMMARY
    if "drafts documents" in system or "草擬" in system:
        return DRAFT
    return "Good morning."


def add_accounts(platform: Platform) -> None:
    """An officer in HAD, an auditor, and an officer in another department (LD)."""
    add_user(platform, OFFICER, department="HAD", password=PASSWORD)
    add_user(platform, AUDITOR, department="HAD", role=Role.AUDITOR, password=PASSWORD)
    add_user(platform, OTHER_OFFICER, department="LD", password=PASSWORD)


def browser(platform: Platform, **headers: str) -> httpx.AsyncClient:
    """A new browser (its own cookie jar) on the app, in-process; open it with `async with`."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(platform)),
        base_url=BASE_URL,
        headers=headers,
    )


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a csrf_token"
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    """Fill in and send the login form, as a browser would."""
    page = await client.get("/login")
    return await client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
    )


async def page_token(client: httpx.AsyncClient, path: str = "/copilot") -> str:
    """The CSRF token on a page the signed-in user can open."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return csrf_token(page.text)
