"""The copilot in a real browser: headless Chromium (Debian's) via Playwright.

Signs in, starts a translation, and watches htmx poll the job's progress until the result
and its download link appear, under the pages' Content-Security-Policy (a violation would be
a console error). The app runs under uvicorn on 127.0.0.1 in a thread, with a scripted model.
Screenshots go to test-artifacts/web/. Skipped when Chromium or Playwright is missing, unless
GOVPILOT_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, chromium, serve
from web_support import OFFICER, PASSWORD, ZH_HK, add_accounts, respond

from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.config import AuthSettings
from govpilot.platform import Platform
from govpilot.testing import fake_settings, make_test_platform

TEXT = "The library will extend its opening hours.\n\nA consultation runs until March."


def slow_respond(messages: Sequence[ChatMessage]) -> str:
    time.sleep(0.6)  # long enough for the page to poll a few times
    return respond(messages)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    settings = fake_settings(tmp_path, department="HAD", auth=AuthSettings(secure_cookies=False))
    platform: Platform = make_test_platform(
        settings, models=[ScriptedModel(name="fake", responder=slow_respond)]
    )
    platform.jobs = platform.new_job_service(workers=1).start()
    add_accounts(platform)
    try:
        with serve(platform) as url:
            yield url
    finally:
        platform.jobs.shutdown()
        platform.database.dispose()


def test_a_translation_from_sign_in_to_download(server: str) -> None:
    with chromium() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="en-GB")
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on(
            "console",
            lambda msg: problems.append(msg.text) if msg.type == "error" else None,
        )
        page.goto(f"{server}/copilot")
        expect(page).to_have_url(f"{server}/login?next=/copilot")
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
        page.get_by_label("E-mail address").fill(OFFICER)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{server}/copilot")

        # Only the chosen task's options show (CSS :has, no script).
        expect(page.get_by_label("Instructions")).to_be_hidden()
        page.get_by_label("Draft", exact=True).check()
        expect(page.get_by_label("Instructions")).to_be_visible()
        expect(page.get_by_label("Translate into")).to_be_hidden()
        page.get_by_label("Translate", exact=True).check()
        page.get_by_label("Paste a text").fill(TEXT)
        page.get_by_label("Translate into").select_option("zh-Hant")
        page.screenshot(path=str(ARTIFACTS / "copilot-form.png"), full_page=True)
        page.get_by_role("button", name="Start").click()

        expect(page).to_have_url(re.compile(r".*/jobs/[0-9a-f]+$"))
        expect(page.locator("#job-progress[hx-get]")).to_have_count(1)  # polling
        expect(page.get_by_role("link", name="Download .DOCX")).to_be_visible(timeout=20_000)
        expect(page.get_by_role("status")).to_contain_text("Finished")
        expect(page.locator('div.text[lang="zh-Hant-HK"]')).to_contain_text(ZH_HK)
        page.screenshot(path=str(ARTIFACTS / "job-done.png"), full_page=True)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download .DOCX").click()
        assert download.value.suggested_filename.endswith(".zh-Hant.docx")

        page.get_by_role("button", name="繁體中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-HK")
        expect(page.get_by_role("heading", level=2, name="結果")).to_be_visible()
        assert problems == [], problems
