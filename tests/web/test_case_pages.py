"""The case desk end to end in Chromium: a member of the public files a Cantonese complaint
on the form and gets a reference; it lands in the right department's queue; an officer
drafts a cited reply in written Chinese, approves it; the citizen reads it on the status
page; the analytics page counts it. And the plain messages for bad input and guessing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, chromium, serve
from web_support import PASSWORD, browser, page_token

from govpilot.config import AuthSettings
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.knowledge.uploads import UploadedFile
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.testing import SETUP_CONTEXT, add_user
from support.case_support import DRIPPING_YUE, case_platform

FEHD_OFFICER = "chan.tm@fehd.gov.hk"
GUIDE = "食環署接獲冷氣機滴水投訴後，會於十天內派員巡查冷氣機滴水的情況，並可發出妨擾事故通知。"


@pytest.fixture
def served_platform(tmp_path: Path, scripted_detector: PiiDetector) -> Iterator[Platform]:
    platform = case_platform(
        tmp_path, scripted_detector, settings={"auth": AuthSettings(secure_cookies=False)}
    )
    platform.knowledge = KnowledgeBase.build(platform.database, InMemoryRetriever())
    add_user(platform, FEHD_OFFICER, department="FEHD", password=PASSWORD)
    setup = SETUP_CONTEXT
    platform.knowledge.create_collection(setup, "dripping", department="FEHD")
    platform.knowledge.ingest_uploads(
        setup, "dripping", [UploadedFile("dripping.txt", GUIDE.encode())], department="FEHD"
    )
    try:
        yield platform
    finally:
        platform.shutdown()
        platform.database.dispose()


def test_a_cantonese_complaint_from_the_form_to_an_approved_reply_in_chromium(
    served_platform: Platform,
) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    with serve(served_platform) as base_url, chromium() as launched:
        context = launched.new_context(locale="zh-HK")
        public = context.new_page()
        public.on("pageerror", lambda exc: problems.append(str(exc)))
        public.goto(f"{base_url}/report?lang=zh-Hant")
        public.locator("#p-subject").fill("冷氣機滴水")
        public.locator("#p-text").fill(DRIPPING_YUE)
        public.locator("#p-email").fill("citizen@example.com")
        public.locator("#submit-case").click()
        reference = public.locator("#reference").inner_text()
        assert reference.startswith("GP-")
        public.screenshot(path=str(ARTIFACTS / "case-received.png"), full_page=True)

        officer = launched.new_context(locale="en-GB").new_page()
        officer.on("pageerror", lambda exc: problems.append(str(exc)))
        officer.goto(f"{base_url}/login")
        officer.locator("#email").fill(FEHD_OFFICER)
        officer.locator("#password").fill(PASSWORD)
        officer.locator("form[action='/login'] button[type=submit]").click()
        officer.wait_for_load_state()
        officer.get_by_role("link", name="Cases", exact=True).click()
        row = officer.locator("#cases tbody tr", has_text=reference)
        expect(row).to_contain_text("FEHD")
        expect(row).to_contain_text("Normal")
        row.get_by_role("link", name=reference).click()
        expect(officer.locator("#case-department")).to_contain_text("FEHD")
        expect(officer.locator("#candidates")).to_contain_text("keywords")
        officer.locator("#d-kind").select_option("final")
        officer.locator("#draft").click()
        expect(officer.get_by_role("status")).to_contain_text("A draft is ready")
        draft = officer.locator("article.reply textarea").first
        expect(draft).to_contain_text("[1]")
        expect(draft).to_contain_text("巡查")
        officer.screenshot(path=str(ARTIFACTS / "case-draft.png"), full_page=True)
        officer.locator("article.reply button[value=approve]").first.click()
        expect(officer.get_by_role("status")).to_contain_text("approved")
        expect(officer.locator("#case-status")).to_have_text("Replied")

        public.goto(f"{base_url}/report/status")
        public.locator("#s-reference").fill(reference.lower())
        public.locator("#look-up").click()
        expect(public.locator("#case-status")).to_contain_text("巡查")
        public.screenshot(path=str(ARTIFACTS / "case-status.png"), full_page=True)

        officer.goto(f"{base_url}/cases/analytics")
        expect(officer.locator("#total")).to_have_text("1")
        expect(officer.locator("figure").first).to_be_visible()
    assert problems == [], problems


@pytest.mark.anyio
async def test_bad_input_and_guessed_references_get_plain_answers(
    served_platform: Platform,
) -> None:
    async with browser(served_platform) as client:
        token = await page_token(client, "/report")
        empty = await client.post("/report", data={"csrf_token": token, "text": " "})
        assert empty.status_code == 400 and "empty" in empty.text
        wrong = await client.post(
            "/report",
            data={"csrf_token": token, "text": "The tree fell.", "subject": "Tree"},
            files={"files": ("virus.exe", b"MZ", "application/octet-stream")},
        )
        assert wrong.status_code == 415 and "cannot be attached" in wrong.text
        assert 'value="Tree"' in wrong.text  # what was typed is kept
        statuses = []
        for _ in range(12):
            guess = await client.post(
                "/report/status", data={"csrf_token": token, "reference": "GP-2222-2222"}
            )
            statuses.append(guess.status_code)
        assert statuses[0] == 404 and 429 in statuses
