"""The web workspace's acceptance journeys in a real browser (Debian's headless Chromium).

A new officer translates a Word file from upload to download; the language switch is
remembered across sign-ins; another department's job is a 404; an auditor reads the audit
log but starts nothing; the login form works from the keyboard and every copilot control
has a label; a department administrator's upload shows its indexing, then each file.
Full-page screenshots of the main pages go to test-artifacts/web/ (git-ignored).
The app runs under uvicorn on 127.0.0.1 with a scripted model (see browser_support).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import docx
import pytest
from browser_support import ARTIFACTS, chromium, serve
from web_support import AUDITOR, OFFICER, OTHER_OFFICER, PASSWORD, ZH_HK, add_accounts, respond

from govpilot.access import Role
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.config import AuthSettings, Settings
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.platform import Platform
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.retrieval.types import Chunk
from govpilot.testing import SETUP_CONTEXT, add_user, fake_settings, make_test_platform

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

NEW_OFFICER = "lee.ka@had.gov.hk"
NEW_PASSWORD = "harbour view 2026 april"
DEPT_ADMIN = "admin@had.gov.hk"
HEADING = "Library opening hours"
PARAGRAPHS = (
    "The library will extend its opening hours from April.",
    "A public consultation runs until the end of March.",
)
SECRET_TEXT = "Confidential HAD minute about the Kwun Tong community hall."
#: Every form control on /copilot, by the label a screen reader announces.
COPILOT_LABELS = (
    "Translate",
    "Summarise",
    "Draft",
    "Paste a text",
    "Or choose a file",
    "Translate into",
    "Kind of document",
    "Instructions",
    "Send it for approval before it is used",
    "Length in words",
    "Write the result in",
    "Model",
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


class SlowIndex(InMemoryRetriever):
    """An index as slow as the embedder on a long file: each add takes a while."""

    def add(self, chunks: Sequence[Chunk]) -> None:
        time.sleep(1.5)
        super().add(chunks)


def slow_respond(messages: Sequence[ChatMessage]) -> str:
    time.sleep(0.4)  # long enough for the job page to show its progress
    return respond(messages)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Plain HTTP on 127.0.0.1: the session cookie may not be Secure.
    return fake_settings(tmp_path, department="HAD", auth=AuthSettings(secure_cookies=False))


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    platform = make_test_platform(
        settings, models=[ScriptedModel(name="fake", responder=slow_respond)]
    )
    platform.jobs = platform.new_job_service(workers=1).start()
    platform.knowledge = KnowledgeBase.build(platform.database, InMemoryRetriever())
    add_accounts(platform)
    add_user(platform, DEPT_ADMIN, department="HAD", role=Role.DEPARTMENT_ADMIN, password=PASSWORD)
    try:
        yield platform
    finally:
        platform.shutdown()
        platform.database.dispose()


@pytest.fixture
def base_url(platform: Platform) -> Iterator[str]:
    with serve(platform) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def new_page(browser: Browser, problems: list[str] | None = None) -> Page:
    """A page in a fresh context (its own cookies), English unless the user switches."""
    page = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB").new_page()
    if problems is not None:  # script errors and CSP violations, not HTTP error statuses
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on(
            "console",
            lambda msg: (
                problems.append(msg.text)
                if msg.type == "error" and "Failed to load resource" not in msg.text
                else None
            ),
        )
    return page


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def english_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading(HEADING, level=1)
    for paragraph in PARAGRAPHS:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def test_a_new_officer_translates_a_word_file_and_downloads_it(
    platform: Platform, base_url: str, browser: Browser, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    add_user(platform, NEW_OFFICER, department="HAD", password=NEW_PASSWORD)
    source = english_docx(tmp_path / "opening-hours.docx")
    problems: list[str] = []
    page = new_page(browser, problems)
    sign_in(page, base_url, NEW_OFFICER, NEW_PASSWORD)
    expect(page).to_have_url(f"{base_url}/copilot")
    shot(page, "copilot")

    page.get_by_label("Translate", exact=True).check()
    page.get_by_label("Or choose a file").set_input_files(str(source))
    page.get_by_label("Translate into").select_option("zh-Hant")
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/progress") else None)
    page.get_by_role("button", name="Start").click()

    expect(page).to_have_url(re.compile(r".*/jobs/[0-9a-f]+$"))
    job_url = page.url
    # While it runs: the status line and a progress bar that htmx refreshes every second.
    expect(page.locator("#job-progress[hx-get]")).to_have_count(1)
    expect(page.get_by_role("status")).to_contain_text(re.compile("Waiting to start|Running"))
    expect(page.get_by_label("Progress")).to_be_visible()
    download_link = page.get_by_role("link", name="Download .DOCX")
    expect(download_link).to_be_visible(timeout=30_000)
    expect(page.get_by_role("status")).to_contain_text("Finished")
    assert page.url == job_url  # the result arrived in place, without a reload
    assert polls, "htmx should have polled the job's progress"

    # The result beside its source.
    source_column = page.locator("section[aria-labelledby=source-heading] .text")
    result_column = page.locator("section[aria-labelledby=result-heading] .text")
    expect(source_column).to_contain_text(PARAGRAPHS[0])
    expect(result_column).to_have_attribute("lang", "zh-Hant-HK")
    expect(result_column).to_contain_text(ZH_HK)
    assert source_column.bounding_box()["y"] == pytest.approx(  # type: ignore[index]
        result_column.bounding_box()["y"],  # type: ignore[index]
        abs=2,
    ), "source and result should sit side by side"
    shot(page, "job-result")

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zh-Hant.docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    translated = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
    assert ZH_HK in translated, translated
    assert len(_CJK.findall(translated)) > 10

    page.get_by_role("link", name="My jobs", exact=True).click()
    expect(page.locator("main")).to_contain_text("opening-hours.docx")
    shot(page, "jobs")
    assert problems == [], problems


def test_f_an_upload_shows_its_indexing_then_each_file(
    platform: Platform, base_url: str, browser: Browser, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    platform.knowledge = KnowledgeBase.build(platform.database, SlowIndex())
    platform.knowledge_base().create_collection(
        platform.accounts.user(SETUP_CONTEXT, DEPT_ADMIN).context("web", "web"), "library-docs"
    )
    hours = tmp_path / "hours.txt"
    hours.write_text(" ".join(PARAGRAPHS), encoding="utf-8")
    fees = tmp_path / "fees.md"
    fees.write_text("# Fees\n\nA reader's card costs nothing.\n", encoding="utf-8")
    problems: list[str] = []
    page = new_page(browser, problems)
    sign_in(page, base_url, DEPT_ADMIN)
    page.goto(f"{base_url}/collections/library-docs")
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/ingest-jobs/" in r.url else None)
    page.get_by_label("Files", exact=True).set_input_files([str(hours), str(fees)])
    started = time.monotonic()
    page.get_by_role("button", name="Upload and index").click()

    # Back at once (the files take 3 s to index), showing the indexing in progress.
    expect(page).to_have_url(re.compile(r".*/collections/library-docs\?ingest=[0-9a-f]+"))
    status = page.locator("#upload-progress").get_by_role("status")
    expect(status).to_contain_text(re.compile(r"Indexing: [01] of 2 files done|Waiting"))
    assert time.monotonic() - started < 2.5, "the upload waited for the indexing"
    expect(page.locator("#upload-progress progress")).to_be_visible()
    shot(page, "collection-upload-progress")

    # Then, in place, what became of each file, and the documents list without a reload.
    results = page.locator("#upload-progress table")
    expect(page.locator("#upload-status-heading")).to_have_text(
        "What became of each file", timeout=20_000
    )
    expect(results.locator("tr", has_text="hours.txt")).to_contain_text("Added")
    expect(results.locator("tr", has_text="fees.md")).to_contain_text("Added")
    documents = page.locator("#documents")
    expect(documents.locator("th", has_text="hours.txt")).to_have_count(1)
    expect(documents.locator("th", has_text="fees.md")).to_have_count(1)
    assert polls, "htmx should have polled the upload's progress"
    count = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == count, "polling should stop once the upload is indexed"
    shot(page, "collection-upload-done")
    assert problems == [], problems


def test_b_the_chinese_interface_is_remembered_across_sign_ins(
    base_url: str, browser: Browser
) -> None:
    from playwright.sync_api import expect

    page = new_page(browser)
    page.goto(f"{base_url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "login-en")
    page.get_by_label("E-mail address").fill(OFFICER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/copilot")

    page.get_by_role("button", name="繁體中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-HK")
    expect(page.get_by_label("翻譯", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="開始")).to_be_visible()

    page.get_by_role("button", name="登出").click()
    expect(page).to_have_url(f"{base_url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-HK")
    expect(page.get_by_role("button", name="登入")).to_be_visible()
    shot(page, "login-zh")
    page.get_by_label("電郵地址").fill(OFFICER)
    page.get_by_label("密碼").fill(PASSWORD)
    page.get_by_role("button", name="登入").click()
    expect(page).to_have_url(f"{base_url}/copilot")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-HK")

    # Another browser (no language cookie, English Accept-Language): the account remembers.
    other = new_page(browser)
    other.goto(f"{base_url}/login")
    expect(other.locator("html")).to_have_attribute("lang", "en")
    sign_in(other, base_url, OFFICER)
    expect(other).to_have_url(f"{base_url}/copilot")
    expect(other.locator("html")).to_have_attribute("lang", "zh-Hant-HK")
    expect(other.get_by_role("heading", level=1)).to_have_text("文書助理")


def test_c_another_departments_job_is_not_found(
    platform: Platform, base_url: str, browser: Browser
) -> None:
    from playwright.sync_api import expect

    owner = platform.accounts.user(SETUP_CONTEXT, OFFICER)
    job = platform.job_service().submit(
        owner.context("copilot", "web"),
        "translate",
        filename="kwun-tong-hall.txt",
        text=SECRET_TEXT,
        params={"target": "zh-Hant", "format": "docx"},
    )
    page = new_page(browser)
    sign_in(page, base_url, OTHER_OFFICER)  # an officer of LD
    for path in (f"/jobs/{job.id}", f"/jobs/{job.id}/progress", f"/jobs/{job.id}/download"):
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        content = page.content()
        assert "kwun-tong-hall" not in content and "Kwun Tong" not in content, path
    shot(page, "not-found")


def test_d_an_auditor_reads_the_audit_log_but_cannot_start_jobs(
    platform: Platform, base_url: str, browser: Browser
) -> None:
    from playwright.sync_api import expect

    page = new_page(browser)
    sign_in(page, base_url, AUDITOR)
    expect(page).to_have_url(f"{base_url}/audit")  # the auditor's start page
    expect(page.get_by_role("status")).to_contain_text("Verified: all")
    rows = page.locator("table.audit-events tbody tr")
    assert rows.count() > 0
    expect(page.locator("table.audit-events")).to_contain_text("user.create")
    expect(page.get_by_role("link", name="Copilot")).to_have_count(0)
    shot(page, "audit")
    page.get_by_role("link", name="Usage per department").click()
    expect(page).to_have_url(f"{base_url}/audit/usage")
    shot(page, "usage")

    response = page.goto(f"{base_url}/copilot")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.locator("form[action='/copilot']")).to_have_count(0)
    expect(page.get_by_role("button", name="Start")).to_have_count(0)

    # A forged form post, with the session cookie and a valid form token, is refused too.
    page.goto(f"{base_url}/audit")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    forged = page.request.post(
        f"{base_url}/copilot",
        multipart={
            "csrf_token": token,
            "task": "translate",
            "text": "Forged request.",
            "target": "zh-Hant",
        },
        max_redirects=0,
    )
    assert forged.status == 403, forged.text()
    assert "cannot start copilot jobs" in forged.text()  # refused for the role, not the token
    auditor = platform.accounts.user(SETUP_CONTEXT, AUDITOR)
    assert platform.job_service().list(auditor.context("copilot", "web")) == []


def test_e_the_login_form_works_from_the_keyboard_and_copilot_controls_are_labelled(
    base_url: str, browser: Browser
) -> None:
    from playwright.sync_api import expect

    page = new_page(browser)
    page.goto(f"{base_url}/login")
    email = page.get_by_label("E-mail address")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    expect(email).to_be_focused()
    page.keyboard.type(OFFICER)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/copilot")

    controls = page.locator(
        "main form input:not([type=hidden]), main form select, main form textarea"
    )
    control_ids = set(controls.evaluate_all("els => els.map(e => e.id)"))
    labelled_ids = set()
    for label in COPILOT_LABELS:
        found = page.get_by_label(label, exact=True)
        expect(found).to_have_count(1)
        labelled_ids.add(found.get_attribute("id"))
    assert labelled_ids == control_ids, control_ids ^ labelled_ids
    unnamed = controls.evaluate_all(
        "els => els.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')"
        " && !e.getAttribute('aria-labelledby')).map(e => e.name)"
    )
    assert unnamed == []


def test_main_pages_render_without_script_or_policy_errors(
    platform: Platform, base_url: str, browser: Browser
) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    officer = new_page(browser, problems)
    sign_in(officer, base_url, OFFICER)
    officer.goto(f"{base_url}/redact")
    expect(officer.get_by_role("heading", level=1)).to_be_visible()
    shot(officer, "redact")

    admin = new_page(browser, problems)
    sign_in(admin, base_url, DEPT_ADMIN)
    for path, name in (("/admin", "admin"), ("/bots", "bots"), ("/collections", "collections")):
        response = admin.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        expect(admin.get_by_role("heading", level=1)).to_be_visible()
        shot(admin, name)
    assert problems == [], problems
