"""The copilot page, jobs and their pages: submit, follow, read, download; who sees what."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import docx
import httpx
import pytest
from web_support import (
    AUDITOR,
    OFFICER,
    OTHER_OFFICER,
    ZH_HK,
    browser,
    page_token,
    sign_in,
)

from govpilot.platform import Platform
from govpilot.testing import SETUP_CONTEXT
from govpilot.web.security_headers import SECURITY_HEADERS

pytestmark = pytest.mark.anyio

ENGLISH_TEXT = "The library will extend its opening hours.\n\nA consultation runs until March."
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STATIC = Path(__file__).resolve().parents[2] / "src" / "govpilot" / "web" / "static"


class Controls(HTMLParser):
    """The form controls of a page and the `for` of its labels."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.headings: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.controls.append(found)
        if tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


async def submit(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    token = await page_token(client)
    return await client.post("/copilot", data={"csrf_token": token, **fields})


def job_id_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/jobs/")
    return location.removeprefix("/jobs/")


async def test_every_control_of_the_copilot_form_has_a_label(officer: httpx.AsyncClient) -> None:
    page = await officer.get("/copilot")
    parsed = Controls()
    parsed.feed(page.text)
    assert len(parsed.controls) >= 9
    for control in parsed.controls:
        assert control.get("id") in parsed.labels, control
    assert parsed.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(parsed.headings, parsed.headings[1:], strict=False))
    assert 'accept=".txt,.md,.html,.htm,.docx,.pdf"' in page.text


async def test_the_form_offers_only_models_the_department_allows(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    page = await officer.get("/copilot")
    assert '<option value="other"' in page.text
    platform.accounts.update_department(SETUP_CONTEXT, "HAD", allowed_models=["fake"])
    page = await officer.get("/copilot")
    assert '<option value="fake"' in page.text
    assert '<option value="other"' not in page.text


async def test_a_pasted_translation_runs_and_shows_source_beside_result(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    response = await submit(officer, task="translate", text=ENGLISH_TEXT, target="zh-Hant")
    job_id = job_id_of(response)
    page = await officer.get(f"/jobs/{job_id}")
    assert page.status_code == 200
    if "hx-get" in page.text:  # still running: the page polls its progress fragment
        assert f'hx-get="/jobs/{job_id}/progress"' in page.text
        assert 'hx-trigger="every 1s"' in page.text
        assert "<progress" in page.text
    assert platform.job_service().wait(job_id).status == "done"

    page = await officer.get(f"/jobs/{job_id}")
    assert "hx-trigger" not in page.text  # finished: nothing to poll
    assert re.search(r'<div class="text" lang="en">The library will extend', page.text)
    assert f'<div class="text" lang="zh-Hant-HK">{ZH_HK}' in page.text
    assert f'href="/jobs/{job_id}/download"' in page.text
    assert "Download .DOCX" in page.text

    fragment = await officer.get(f"/jobs/{job_id}/progress", headers={"HX-Request": "true"})
    assert fragment.status_code == 286  # htmx stops polling
    assert 'hx-swap-oob="innerHTML"' in fragment.text
    assert "Finished" in fragment.text

    download = await officer.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    assert download.headers["content-type"] == DOCX_TYPE
    assert ".zh-Hant.docx" in download.headers["content-disposition"]
    paragraphs = [p.text for p in docx.Document(io.BytesIO(download.content)).paragraphs]
    assert ZH_HK in paragraphs


async def test_an_uploaded_word_file_is_translated(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    word = docx.Document()
    word.add_paragraph("The library will extend its opening hours.")
    data = io.BytesIO()
    word.save(data)
    token = await page_token(officer)
    response = await officer.post(
        "/copilot",
        data={"csrf_token": token, "task": "translate", "target": "zh-Hant"},
        files={"file": ("hours.docx", data.getvalue(), DOCX_TYPE)},
    )
    job_id = job_id_of(response)
    assert platform.job_service().wait(job_id).status == "done"
    listing = await officer.get("/jobs")
    assert f'<a href="/jobs/{job_id}">hours.docx</a>' in listing.text


async def test_a_draft_from_instructions_alone(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    response = await submit(
        officer, task="draft", template="memo", instructions="Tell staff the new library hours."
    )
    job_id = job_id_of(response)
    assert platform.job_service().wait(job_id).status == "done"
    page = await officer.get(f"/jobs/{job_id}")
    assert "To extend library opening hours." in page.text  # the draft, from its Word file
    assert "Tell staff the new library hours." in page.text  # beside the instructions


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"task": "translate", "target": "zh-Hant"}, "Paste a text or choose a file."),
        ({"task": "poetry", "text": "x"}, "Choose a task."),
        ({"task": "translate", "text": "   ", "target": "zh-Hant"}, "Paste a text or choose"),
        ({"task": "draft", "template": "no-such", "instructions": "x"}, "That template or model"),
    ],
)
async def test_form_problems_are_shown_on_the_form_with_the_input_kept(
    officer: httpx.AsyncClient, fields: dict[str, str], message: str
) -> None:
    response = await submit(officer, **fields)
    assert response.status_code in (400, 404)
    assert message in response.text
    assert 'role="alert"' in response.text
    assert '<form method="post" action="/copilot"' in response.text


async def test_an_unreadable_file_is_explained(officer: httpx.AsyncClient) -> None:
    token = await page_token(officer)
    response = await officer.post(
        "/copilot",
        data={"csrf_token": token, "task": "summarise"},
        files={"file": ("photo.exe", b"MZ\x90\x00binary", "application/octet-stream")},
    )
    assert response.status_code == 415
    assert "This file type cannot be read" in response.text


async def test_the_copilot_form_without_its_csrf_token_is_refused(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    data = {"task": "translate", "text": ENGLISH_TEXT, "target": "zh-Hant"}
    response = await officer.post("/copilot", data=data)
    assert response.status_code == 403
    assert "Not allowed" in response.text
    user = platform.accounts.user(SETUP_CONTEXT, OFFICER)
    assert platform.job_service().list(user.context("copilot", "web")) == []
    forged = await officer.post("/copilot", data={**data, "csrf_token": "guess"})
    assert forged.status_code == 403


async def test_another_departments_job_is_not_found(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    job_id = job_id_of(await submit(officer, task="summarise", text=ENGLISH_TEXT))
    platform.job_service().wait(job_id)
    async with browser(platform) as other:
        await sign_in(other, OTHER_OFFICER)
        for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/progress", f"/jobs/{job_id}/download"):
            response = await other.get(path)
            assert response.status_code == 404, path
            assert "Page not found" in response.text
        listing = await other.get("/jobs")
        assert job_id not in listing.text
        assert "You have no jobs yet." in listing.text


async def test_an_auditor_cannot_open_the_copilot(platform: Platform) -> None:
    async with browser(platform) as auditor:
        assert (await sign_in(auditor, AUDITOR)).status_code == 303
        page = await auditor.get("/copilot")
        assert page.status_code == 403
        assert "Your role (Auditor) cannot start copilot jobs." in page.text
        assert 'href="/copilot"' not in page.text  # not offered in the navigation either


async def test_too_many_form_posts_get_a_wait_message(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    platform.accounts.update_department(SETUP_CONTEXT, "HAD", requests_per_minute=1)
    first = await submit(officer, task="summarise", text=ENGLISH_TEXT)
    assert first.status_code == 303
    second = await submit(officer, task="summarise", text=ENGLISH_TEXT)
    assert second.status_code == 429
    assert re.search(r"Please wait \d+ seconds and try again.", second.text)
    assert second.headers["Retry-After"].isdigit()


async def test_pages_and_static_files_carry_the_security_headers(
    officer: httpx.AsyncClient,
) -> None:
    for path in ("/copilot", "/jobs", "/static/app.css", "/static/htmx.min.js", "/jobs/nope"):
        response = await officer.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
    assert "script-src 'self'" in SECURITY_HEADERS["Content-Security-Policy"]


async def test_the_api_still_answers_in_json(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/api/v1/jobs")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert "Content-Security-Policy" not in response.headers


def test_templates_hold_no_inline_script_or_style() -> None:
    templates = Path(__file__).resolve().parents[2] / "src" / "govpilot" / "web" / "templates"
    for path in templates.rglob("*.html"):
        html = path.read_text("utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html), path


async def test_the_copilot_page_weighs_under_200_kb(officer: httpx.AsyncClient) -> None:
    page = await officer.get("/copilot")
    assets = re.findall(r'(?:src|href)="(/static/[^"?]+)', page.text)
    assert "/static/htmx.min.js" in assets
    total = len(page.content)
    for asset in assets:
        total += len((await officer.get(asset)).content)
    assert total < 200_000, total


def test_vendored_htmx_keeps_its_licence() -> None:
    assert (STATIC / "htmx.min.js").read_text("utf-8").startswith("/*! htmx 2.")
    assert "Zero-Clause BSD" in (STATIC / "htmx.LICENSE.txt").read_text("utf-8")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_meet_wcag_aa() -> None:
    css = (STATIC / "app.css").read_text("utf-8")
    colour = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", css))
    colour["white"] = "#ffffff"
    # (text, background) pairs the stylesheet uses.
    pairs = [
        ("text", "white"),
        ("muted", "white"),
        ("link", "white"),
        ("white", "brand"),
        ("white", "link"),
        ("alert", "alert-bg"),
        ("text", "alert-bg"),
        ("text", "notice-bg"),
        ("text", "focus"),
    ]
    for text, background in pairs:
        ratio = contrast(colour[text], colour[background])
        assert ratio >= 4.5, (text, background, round(ratio, 2))


async def test_a_browser_asking_for_an_unknown_page_gets_a_page(
    officer: httpx.AsyncClient,
) -> None:
    page = await officer.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "Page not found" in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    api = await officer.get("/api/v1/no-such-thing", headers={"Accept": "text/html"})
    assert api.headers["content-type"] == "application/json"
