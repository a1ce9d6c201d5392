"""/bots and /collections: department admins create, edit and delete; officers read and
search; uploads report each file; analytics draw a chart; another department's are 404."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Mapping

import httpx
import pytest
from web_support import OFFICER, OTHER_OFFICER, PASSWORD, browser, page_token, sign_in

from govpilot.accounts.roles import Role
from govpilot.capabilities.chat.service import bot_service
from govpilot.knowledge.services import KnowledgeServices
from govpilot.platform import Platform
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.testing import SETUP_CONTEXT, add_user

pytestmark = pytest.mark.anyio

ADMIN = "admin@had.gov.hk"
HOURS = "The Central Library opens from 10 am to 9 pm every day except Wednesday."
NEW_BOT: dict[str, object] = {
    "name": "library",
    "languages": ["en", "zh-Hant"],
    "cantonese_reply": "written",
    "tone": "friendly",
    "collections": ["library-docs"],
    "refuse": "legal advice\n法律意見",
    "handover": "請致電1823 / Call 1823",
    "model": "",
}


@pytest.fixture(autouse=True)
def knowledge(platform: Platform) -> KnowledgeServices:
    """Knowledge services over an in-memory index, and a department admin of HAD."""
    platform.knowledge = KnowledgeServices.build(platform.database, InMemoryRetriever())
    add_user(platform, ADMIN, department="HAD", role=Role.DEPARTMENT_ADMIN, password=PASSWORD)
    return platform.knowledge


@pytest.fixture
async def admin(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(platform) as client:
        assert (await sign_in(client, ADMIN)).status_code == 303
        yield client


async def post(
    client: httpx.AsyncClient, path: str, data: Mapping[str, object], **kwargs: object
) -> httpx.Response:
    token = await page_token(client, "/collections")
    return await client.post(path, data={**data, "csrf_token": token}, **kwargs)  # type: ignore[arg-type]


async def make_collection(admin: httpx.AsyncClient) -> None:
    response = await post(admin, "/collections", {"name": "library-docs", "description": "Hours"})
    assert response.status_code == 303
    assert response.headers["location"] == "/collections/library-docs?done=collection_created"
    files = [("files", ("hours.txt", HOURS.encode(), "text/plain"))]
    uploaded = await post(admin, "/collections/library-docs/upload", {}, files=files)
    assert uploaded.status_code == 200, uploaded.text


async def test_collection_upload_reports_each_file_then_search_cites(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    await post(admin, "/collections", {"name": "library-docs"})
    files = [
        ("files", ("hours.txt", HOURS.encode(), "text/plain")),
        ("files", ("photo.xyz", b"\x00\x01binary", "application/octet-stream")),
        ("files", ("empty.txt", b"", "text/plain")),
    ]
    response = await post(admin, "/collections/library-docs/upload", {}, files=files)
    assert response.status_code == 200
    results = response.text.split('id="upload-result-heading"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"hours\.txt</th>\s*<td>Added</td>", results)
    assert re.search(r"photo\.xyz</th>\s*<td>(Skipped|Failed)</td>", results)
    assert re.search(r"empty\.txt</th>\s*<td>Failed</td>", results)
    again = await post(admin, "/collections/library-docs/upload", {}, files=[files[0]])
    assert re.search(r"hours\.txt</th>\s*<td>Unchanged</td>", again.text)

    found = await admin.get("/collections/library-docs", params={"q": "library opening hours"})
    assert "10 am to 9 pm" in found.text
    assert re.search(r'class="citation">Source:\s*<cite>hours', found.text)
    listing = await admin.get("/collections")
    assert re.search(r"library-docs</a></th>\s*<td></td>\s*<td>1</td>", listing.text)


async def test_delete_a_document(admin: httpx.AsyncClient, platform: Platform) -> None:
    await make_collection(admin)
    page = await admin.get("/collections/library-docs")
    action = re.search(r'action="(/collections/library-docs/documents/\w+/delete)"', page.text)
    assert action
    response = await post(admin, action.group(1), {})
    assert response.status_code == 303
    page = await admin.get(response.headers["location"])
    assert "The document was deleted." in page.text and "No documents yet." in page.text


async def test_officer_reads_and_searches_but_changes_nothing(
    admin: httpx.AsyncClient, officer: httpx.AsyncClient, platform: Platform
) -> None:
    await make_collection(admin)
    page = await officer.get("/collections/library-docs", params={"q": "library"})
    assert page.status_code == 200 and "10 am to 9 pm" in page.text
    assert "/upload" not in page.text and "/delete" not in page.text
    assert 'action="/collections"' not in (await officer.get("/collections")).text
    token = await page_token(officer, "/collections")
    for path in ("/collections", "/collections/library-docs/upload"):
        response = await officer.post(
            path,
            data={"name": "mine", "csrf_token": token},
            files=[("files", ("a.txt", b"text", "text/plain"))],
        )
        assert response.status_code == 403, path
    assert [c.name for c in platform.knowledge_services().collections.list("HAD")] == [
        "library-docs"
    ]


async def test_create_edit_and_delete_a_bot(admin: httpx.AsyncClient, platform: Platform) -> None:
    await make_collection(admin)
    form = await admin.get("/bots/new")
    assert 'name="collections" value="library-docs"' in form.text
    created = await post(admin, "/bots", NEW_BOT)
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/bots/library?done=bot_created"
    bot = bot_service(platform).bots.get("HAD", "library")
    assert bot.refuse == ("legal advice", "法律意見") and bot.tone == "friendly"

    page = await admin.get(created.headers["location"])
    assert "The bot was created." in page.text
    snippet = html.unescape(page.text.split('id="embed-snippet"', 1)[1].split("</textarea>")[0])
    assert 'src="https://govpilot.test/widget.js" data-bot="library"' in snippet
    assert 'data-department="HAD"' in snippet
    assert '<dd lang="zh-Hant-HK">請致電1823 / Call 1823</dd>' in page.text
    assert "<svg" in page.text and "Questions per day" in page.text
    assert "/bots/library/analytics.csv?table=daily" in page.text

    saved = await post(admin, "/bots/library", {**NEW_BOT, "languages": ["en"], "tone": "brief"})
    assert saved.status_code == 303
    assert bot_service(platform).bots.get("HAD", "library").languages == ("en",)
    bad = await post(admin, "/bots/library", {**NEW_BOT, "collections": []})
    assert bad.status_code == 400 and "at least one collection" in bad.text

    duplicate = await post(admin, "/bots", NEW_BOT)
    assert duplicate.status_code == 400 and 'role="alert"' in duplicate.text

    deleted = await post(admin, "/bots/library/delete", {})
    assert deleted.status_code == 303
    assert "library" not in (await admin.get("/bots")).text.split("<main", 1)[1].split("</main>")[0]


async def test_bot_analytics_and_csv(admin: httpx.AsyncClient, platform: Platform) -> None:
    await make_collection(admin)
    await post(admin, "/bots", NEW_BOT)
    service = bot_service(platform)
    bot = service.bots.get("HAD", "library")
    asker = platform.accounts.user(platform.cli_context("setup"), OFFICER).context("bot", "web")
    service.ask(bot, "Can I bring my dog to the library?", asker)
    page = await admin.get("/bots/library")
    totals = page.text.split('id="analytics-heading"', 1)[1]
    assert re.search(r"<dt>Questions</dt><dd>1</dd>", totals)
    response = await admin.get("/bots/library/analytics.csv", params={"table": "daily"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith("date,questions,answered")


async def test_officer_sees_bots_read_only(
    admin: httpx.AsyncClient, officer: httpx.AsyncClient, platform: Platform
) -> None:
    await make_collection(admin)
    await post(admin, "/bots", NEW_BOT)
    listing = await officer.get("/bots")
    assert listing.status_code == 200 and "/bots/library" in listing.text
    assert "/bots/new" not in listing.text
    page = await officer.get("/bots/library")
    assert page.status_code == 200
    assert 'action="/bots/library"' not in page.text and "/delete" not in page.text
    assert "analytics.csv" not in page.text  # analytics are for administrators
    assert (await officer.get("/bots/new")).status_code == 403
    assert (await officer.get("/bots/library/analytics.csv")).status_code == 403
    token = await page_token(officer, "/bots")
    for path, data in (
        ("/bots", NEW_BOT),
        ("/bots/library", NEW_BOT),
        ("/bots/library/delete", {}),
    ):
        response = await officer.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 403, path
    assert bot_service(platform).bots.get("HAD", "library").tone == "friendly"


async def test_another_departments_bot_and_collection_are_404(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    await make_collection(admin)
    await post(admin, "/bots", NEW_BOT)
    async with browser(platform) as other:
        assert (await sign_in(other, OTHER_OFFICER)).status_code == 303
        assert (await other.get("/bots/library")).status_code == 404
        assert (await other.get("/collections/library-docs")).status_code == 404
        assert "library" not in (await other.get("/bots")).text.split("<main", 1)[1]


async def test_forms_without_csrf_are_refused(admin: httpx.AsyncClient, platform: Platform) -> None:
    assert (await admin.post("/collections", data={"name": "x"})).status_code == 403
    assert platform.knowledge_services().collections.list("HAD") == []


async def test_pages_in_traditional_chinese(admin: httpx.AsyncClient, platform: Platform) -> None:
    await make_collection(admin)
    await post(admin, "/bots", NEW_BOT)
    platform.accounts.set_language(
        platform.accounts.user(SETUP_CONTEXT, ADMIN).context("web", "web"), "zh-Hant"
    )
    expected = {
        "/bots": "聊天機械人",
        "/bots/new": "建立聊天機械人",
        "/bots/library": "在網頁加入聊天機械人",
        "/collections": "建立知識庫",
        "/collections/library-docs?q=library": "出處：",
    }
    for path, words in expected.items():
        page = await admin.get(path)
        assert page.status_code == 200, path
        assert '<html lang="zh-Hant-HK">' in page.text and words in page.text, path
