"""/bots and /collections: department admins create, edit and delete; officers read and
search; uploads are indexed in the background, the page showing the progress and then each
file's result; analytics draw a chart; another department's are 404."""

from __future__ import annotations

import asyncio
import html
import re
import threading
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from web_support import OFFICER, OTHER_OFFICER, PASSWORD, browser, page_token, sign_in

from govpilot.access import Role
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.platform import Platform
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.retrieval.types import Chunk
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
def knowledge(platform: Platform) -> KnowledgeBase:
    """Knowledge services over an in-memory index, and a department admin of HAD."""
    platform.knowledge = KnowledgeBase.build(platform.database, InMemoryRetriever())
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


Files = Sequence[tuple[str, tuple[str, bytes, str]]]


def job_of(response: httpx.Response) -> str:
    """The ingest job an upload's redirect names."""
    return parse_qs(urlsplit(response.headers["location"]).query)["ingest"][0]


def wait_until_indexed(platform: Platform, job_id: str, department: str = "HAD") -> None:
    ingestor = platform.knowledge_base().ingestor
    deadline = time.monotonic() + 30
    while not ingestor.report(job_id, department).finished:
        assert time.monotonic() < deadline, "the upload was never indexed"
        time.sleep(0.05)


async def upload(
    admin: httpx.AsyncClient, platform: Platform, files: Files, collection: str = "library-docs"
) -> httpx.Response:
    """Upload `files`, wait until they are indexed, and open the page the upload went to."""
    response = await post(admin, f"/collections/{collection}/upload", {}, files=files)
    assert response.status_code == 303, response.text
    wait_until_indexed(platform, job_of(response))
    return await admin.get(response.headers["location"])


def results_of(page: str) -> str:
    """The table of what became of each uploaded file."""
    return page.split('id="upload-status-heading"', 1)[1].split("</table>", 1)[0]


async def make_collection(admin: httpx.AsyncClient, platform: Platform) -> None:
    response = await post(admin, "/collections", {"name": "library-docs", "description": "Hours"})
    assert response.status_code == 303
    assert response.headers["location"] == "/collections/library-docs?done=collection_created"
    await upload(admin, platform, [("files", ("hours.txt", HOURS.encode(), "text/plain"))])


class SlowIndex(InMemoryRetriever):
    """An index as slow as the embedder on a long PDF: adding waits until `release` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def add(self, chunks: Sequence[Chunk]) -> None:
        assert self.release.wait(30), "the test never released the index"
        super().add(chunks)


async def test_collection_upload_reports_each_file_then_search_cites(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    await post(admin, "/collections", {"name": "library-docs"})
    files = [
        ("files", ("hours.txt", HOURS.encode(), "text/plain")),
        ("files", ("photo.xyz", b"\x00\x01binary", "application/octet-stream")),
        ("files", ("empty.txt", b"", "text/plain")),
    ]
    page = await upload(admin, platform, files)
    results = results_of(page.text)
    assert "What became of each file" in results
    assert re.search(r"hours\.txt</th>\s*<td>Added</td>", results)
    assert re.search(r"photo\.xyz</th>\s*<td>(Skipped|Failed)</td>", results)
    assert re.search(r"empty\.txt</th>\s*<td>Failed</td>", results)
    assert "hx-get" not in page.text.split('id="upload-progress"', 1)[1].split(">", 1)[0]
    again = await upload(admin, platform, [files[0]])
    assert re.search(r"hours\.txt</th>\s*<td>Unchanged</td>", results_of(again.text))

    found = await admin.get("/collections/library-docs", params={"q": "library opening hours"})
    assert "10 am to 9 pm" in found.text
    assert re.search(r'class="citation">Source:\s*<cite>hours', found.text)
    listing = await admin.get("/collections")
    assert re.search(r"library-docs</a></th>\s*<td></td>\s*<td>1</td>", listing.text)
    # An upload is one of the admin's jobs, like a translation: listed, and its page opens.
    jobs = await admin.get("/jobs")
    assert jobs.status_code == 200 and "Indexing the upload" in jobs.text
    job_id = re.findall(r'href="/jobs/([0-9a-f]{32})"', jobs.text)[0]
    job_page = await admin.get(f"/jobs/{job_id}")
    assert job_page.status_code == 200 and "Finished" in job_page.text


async def test_upload_returns_at_once_then_the_page_follows_the_indexing(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    slow = SlowIndex()
    platform.knowledge = KnowledgeBase.build(platform.database, slow)
    await post(admin, "/collections", {"name": "library-docs"})
    files = [
        ("files", ("C:\\Users\\chan\\hours.txt", HOURS.encode(), "text/plain")),
        ("files", ("fees.txt", b"A reader's card costs nothing.", "text/plain")),
    ]
    try:
        # The answer comes while the index is still held: the request did not index.
        response = await asyncio.wait_for(
            post(admin, "/collections/library-docs/upload", {}, files=files), timeout=10
        )
        assert response.status_code == 303
        job_id = job_of(response)
        assert response.headers["location"] == (
            f"/collections/library-docs?ingest={job_id}#upload-progress"
        )
        page = await admin.get(response.headers["location"])
        section = page.text.split('id="upload-progress"', 1)[1]
        poll = f'hx-get="/collections/library-docs/ingest-jobs/{job_id}" hx-trigger="every 2s"'
        assert poll in section.split(">", 1)[0]
        assert "Indexing: 0 of 2 files done" in section or "Waiting to start" in section
        assert re.search(r"hours\.txt</th>\s*<td>Waiting</td>", section)
        # The index holds the first file: the second is not a document yet.
        assert "fees.txt</th>" not in page.text.split('id="documents"', 1)[1]
        fragment = await admin.get(
            f"/collections/library-docs/ingest-jobs/{job_id}", headers={"HX-Request": "true"}
        )
        assert fragment.status_code == 200 and "<html" not in fragment.text
        assert "of 2 files done" in fragment.text or "Waiting to start" in fragment.text
        # Leaving and coming back shows the upload still indexing.
        again = await admin.get("/collections/library-docs")
        assert f"/ingest-jobs/{job_id}" in again.text
    finally:
        slow.release.set()
    wait_until_indexed(platform, job_id)
    done = await admin.get(
        f"/collections/library-docs/ingest-jobs/{job_id}", headers={"HX-Request": "true"}
    )
    assert done.status_code == 286  # htmx stops polling
    assert re.search(r"hours\.txt</th>\s*<td>Added</td>", done.text)
    assert re.search(r"fees\.txt</th>\s*<td>Added</td>", done.text)
    documents = done.text.split('id="documents" hx-swap-oob="true"', 1)[1]
    assert re.search(r"<th scope=\"row\">hours\.txt</th>", documents)
    assert "Users" not in documents and "ingest-uploads" not in done.text
    page = await admin.get("/collections/library-docs")
    assert "/ingest-jobs/" not in page.text  # nothing left indexing
    found = await admin.get("/collections/library-docs", params={"q": "library opening hours"})
    citation = re.search(r'class="citation">Source:\s*<cite>([^<]*)</cite>', found.text)
    assert citation and citation.group(1).startswith("hours"), found.text
    assert "Users" not in citation.group(1)


async def test_upload_progress_belongs_to_the_department_managers(
    admin: httpx.AsyncClient, officer: httpx.AsyncClient, platform: Platform
) -> None:
    await post(admin, "/collections", {"name": "library-docs"})
    files = [("files", ("hours.txt", HOURS.encode(), "text/plain"))]
    response = await post(admin, "/collections/library-docs/upload", {}, files=files)
    job_id = job_of(response)
    wait_until_indexed(platform, job_id)
    path = f"/collections/library-docs/ingest-jobs/{job_id}"
    assert (await admin.get(path)).status_code == 200
    assert (await officer.get(path)).status_code == 403
    page = await officer.get(f"/collections/library-docs?ingest={job_id}")
    assert page.status_code == 200 and "upload-progress" not in page.text
    add_user(
        platform, "admin@ld.gov.hk", department="LD", role=Role.DEPARTMENT_ADMIN, password=PASSWORD
    )
    async with browser(platform) as other:
        assert (await sign_in(other, "admin@ld.gov.hk")).status_code == 303
        await post(other, "/collections", {"name": "library-docs"})  # a namesake of its own
        assert (await other.get(path)).status_code == 404
        assert (await other.get("/collections/library-docs/ingest-jobs/nope")).status_code == 404
        theirs = await other.get(f"/collections/library-docs?ingest={job_id}")
        assert theirs.status_code == 200 and "hours.txt" not in theirs.text


async def test_delete_a_document(admin: httpx.AsyncClient, platform: Platform) -> None:
    await make_collection(admin, platform)
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
    await make_collection(admin, platform)
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
    assert [c.name for c in platform.knowledge_base().collections.list("HAD")] == ["library-docs"]


async def test_create_edit_and_delete_a_bot(admin: httpx.AsyncClient, platform: Platform) -> None:
    await make_collection(admin, platform)
    form = await admin.get("/bots/new")
    assert 'name="collections" value="library-docs"' in form.text
    created = await post(admin, "/bots", NEW_BOT)
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/bots/library?done=bot_created"
    bot = platform.bot_service().bots.get("HAD", "library")
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
    assert platform.bot_service().bots.get("HAD", "library").languages == ("en",)
    bad = await post(admin, "/bots/library", {**NEW_BOT, "collections": []})
    assert bad.status_code == 400 and "at least one collection" in bad.text

    duplicate = await post(admin, "/bots", NEW_BOT)
    assert duplicate.status_code == 400 and 'role="alert"' in duplicate.text

    deleted = await post(admin, "/bots/library/delete", {})
    assert deleted.status_code == 303
    assert "library" not in (await admin.get("/bots")).text.split("<main", 1)[1].split("</main>")[0]


async def test_bot_analytics_and_csv(admin: httpx.AsyncClient, platform: Platform) -> None:
    await make_collection(admin, platform)
    await post(admin, "/bots", NEW_BOT)
    service = platform.bot_service()
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
    await make_collection(admin, platform)
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
    assert platform.bot_service().bots.get("HAD", "library").tone == "friendly"


async def test_another_departments_bot_and_collection_are_404(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    await make_collection(admin, platform)
    await post(admin, "/bots", NEW_BOT)
    async with browser(platform) as other:
        assert (await sign_in(other, OTHER_OFFICER)).status_code == 303
        assert (await other.get("/bots/library")).status_code == 404
        assert (await other.get("/collections/library-docs")).status_code == 404
        assert "library" not in (await other.get("/bots")).text.split("<main", 1)[1]


async def test_forms_without_csrf_are_refused(admin: httpx.AsyncClient, platform: Platform) -> None:
    assert (await admin.post("/collections", data={"name": "x"})).status_code == 403
    assert platform.knowledge_base().collections.list("HAD") == []


async def test_pages_in_traditional_chinese(admin: httpx.AsyncClient, platform: Platform) -> None:
    await make_collection(admin, platform)
    await post(admin, "/bots", NEW_BOT)
    platform.accounts.set_language(
        platform.accounts.user(SETUP_CONTEXT, ADMIN).context("web", "web"), "zh-Hant"
    )
    knowledge = platform.knowledge_base()
    upload_job = knowledge.ingestor.jobs(knowledge.collections.get("HAD", "library-docs"))[0]["id"]
    expected = {
        "/bots": "聊天機械人",
        "/bots/new": "建立聊天機械人",
        "/bots/library": "在網頁加入聊天機械人",
        "/collections": "建立知識庫",
        "/collections/library-docs?q=library": "出處：",
        f"/collections/library-docs?ingest={upload_job}": "各檔案的處理結果",
    }
    for path, words in expected.items():
        page = await admin.get(path)
        assert page.status_code == 200, path
        assert '<html lang="zh-Hant-HK">' in page.text and words in page.text, path
