"""The embeddable widget in a real browser: headless Chromium (Debian's) via Playwright.

The API runs under uvicorn on 127.0.0.1 (a free port) in a thread, with a scripted model
and a scripted retriever, so answers are deterministic. Screenshots go to
test-artifacts/widget/. Skipped, with the reason, when Chromium or Playwright is missing,
unless GOVPILOT_REQUIRE_BROWSER is set (CI sets it), in which case that is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from browser_support import chromium, serve
from sqlalchemy import select

from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.capabilities.chat.bots import new_bot
from govpilot.capabilities.chat.testing import ScriptedRetriever, make_chunk
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from govpilot.storage.bot_tables import BotTurnRow
from govpilot.testing import make_test_platform

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "widget"
PASSAGE = "公共圖書館逢星期一至星期日上午十時至晚上九時開放，星期三休館。"
URL = "https://www.lcsd.gov.hk/tc/libraries/hours.html"


def respond(messages: Sequence[ChatMessage]) -> str:
    question = messages[-1].content.split("Question:")[-1]
    if "圖書館" in question:
        return "公共图书馆上午十时至晚上九时开放，星期三休馆 [1]。"
    return "NO_ANSWER"


@pytest.fixture
def server(tmp_path: Path, scripted_detector: PiiDetector) -> Iterator[tuple[str, Platform]]:
    retriever = ScriptedRetriever()
    platform = make_test_platform(
        tmp_path,
        models=[ScriptedModel(name="fake", responder=respond)],
        detector=scripted_detector,
        retriever=retriever,
    )
    collection = platform.knowledge_base().collections.create(
        "LCSD", "libraries", created_by="admin"
    )
    retriever.add(
        [
            make_chunk(
                1,
                PASSAGE,
                department="LCSD",
                collection=collection.id,
                source="圖書館開放時間.pdf",
                section="開放時間",
                page=1,
                url=URL,
            )
        ]
    )
    platform.bot_service().bots.create(
        new_bot("library", "LCSD", [collection.id], handover="請致電2921 0208 / Call 2921 0208")
    )
    try:
        with serve(platform) as url:
            yield url, platform
    finally:
        platform.database.dispose()


def test_widget_answers_with_citation_and_hands_over(server: tuple[str, Platform]) -> None:
    url, platform = server
    with chromium() as browser:
        from playwright.sync_api import expect

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page = browser.new_page(viewport={"width": 1024, "height": 768}, locale="zh-HK")
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # No account: the widget names the bot's department (X-Govpilot-Department).
        page.goto(f"{url}/widget/demo?bot=library&lang=zh-Hant&department=LCSD")
        launcher = page.get_by_role("button", name="線上查詢")
        expect(launcher).to_have_attribute("aria-expanded", "false")
        launcher.click()
        expect(launcher).to_have_attribute("aria-expanded", "true")
        box = page.get_by_label("你的問題")
        expect(box).to_be_focused()
        box.fill("圖書館幾點開門？")
        box.press("Enter")

        answer = page.locator(".msg.bot").nth(1)
        link = answer.locator("a.citation")
        expect(link).to_have_text("圖書館開放時間.pdf, 開放時間, p. 1", timeout=10_000)
        expect(link).to_have_attribute("href", URL)
        expect(answer.locator(".text")).to_contain_text("公共圖書館上午十時至晚上九時開放")
        expect(page.locator("[role=log][aria-live=polite]")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "answer.png"))

        box.fill("可以帶寵物入去嗎？")
        page.get_by_role("button", name="發送").click()
        handover = page.locator(".msg.bot[data-handed-over=true]")
        expect(handover).to_contain_text("請致電2921 0208", timeout=10_000)
        expect(handover.locator("a.citation")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "handover.png"))

        page.get_by_role("button", name="有幫助").first.click()
        expect(page.get_by_text("多謝你的意見。")).to_be_visible()
        page.keyboard.press("Escape")
        expect(launcher).to_have_attribute("aria-expanded", "false")
        assert errors == []
    assert (ARTIFACTS / "answer.png").stat().st_size > 0
    # The questions were asked as a member of the public, of LCSD's bot, in one conversation.
    asked = platform.audit.events(action="bot")
    assert asked and {(e.channel, e.department) for e in asked} == {("public", "LCSD")}
    with platform.database.session() as session:
        turns = session.scalars(select(BotTurnRow)).all()
    assert len(turns) == 2 and len({t.conversation_id for t in turns}) == 1
    assert sorted(t.rating or 0 for t in turns) == [0, 1]
