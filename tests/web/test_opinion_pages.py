"""/opinion: import a spreadsheet of responses, analyse it, read the stance-split themes
with counts and quotes, correct two themes, download the report (Chromium); and the
plain messages for bad files and stale forms."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from browser_support import ARTIFACTS, chromium, serve
from web_support import OFFICER, PASSWORD, browser, page_token

from govpilot.backends.fake import ScriptedModel
from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.capabilities.opinion.sentiment import train
from govpilot.config import AuthSettings
from govpilot.platform import Platform
from govpilot.testing import add_user, fake_settings, make_test_platform

FOR = [
    "Yes, open the promenade all night, night shift workers need somewhere to walk.",
    "支持全晚開放，夜更工人收工都想有地方散步。",
    "I support it: runners like me train after eleven at night.",
    "Support, families have no other open space in the evening.",
]
AGAINST = [
    "No. Noise at night will keep the residents of the towers awake.",
    "反對，半夜嘈吵會影響附近居民休息。",
    "No, night patrols cost too much public money.",
    "反對，浪費公帑請保安通宵巡邏。",
]


def reply(messages: Any) -> str:
    last = messages[-1].content
    if last.startswith("Question:"):
        return "The promenade should open all night."
    if last.startswith("Proposal:"):
        words = last.split("Response:", 1)[1].lower()
        return "no" if ("no" in words or "反對" in words) else "yes"
    first = last.split("- ", 1)[1][:30] if "- " in last else "Views"
    return f"title: {first}\ndescription: About {first}.\n標題: 意見\n描述: 意見。"


def spreadsheet() -> bytes:
    lines = ["id,text,district,date"]
    for i, text in enumerate(FOR + AGAINST):
        lines.append(f'R{i},"{text}",{"Southern" if i % 2 else "Islands"},2026-0{1 + i % 2}-10')
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def served_platform(tmp_path: Path) -> Iterator[Platform]:
    settings = fake_settings(tmp_path, department="HAB", auth=AuthSettings(secure_cookies=False))
    platform = make_test_platform(settings, models=[ScriptedModel(name="fake", responder=reply)])
    embedder = HashingEmbedder()
    platform.opinion_embedder = embedder
    texts = ["great", "fine", "awful"]
    platform.opinion_sentiment = train(
        texts, embedder.embed_passages(texts), ["positive", "neutral", "negative"], steps=20
    )
    platform.jobs = platform.new_job_service(workers=1).start()
    add_user(platform, OFFICER, department="HAB", password=PASSWORD)
    try:
        yield platform
    finally:
        platform.shutdown()
        platform.database.dispose()


def test_an_officer_imports_analyses_corrects_and_downloads_in_chromium(
    served_platform: Platform, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    source = tmp_path / "promenade.csv"
    source.write_bytes(spreadsheet())
    problems: list[str] = []
    with serve(served_platform) as base_url, chromium() as launched:
        context = launched.new_context(locale="en-GB", accept_downloads=True)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{base_url}/login")
        page.locator("#email").fill(OFFICER)
        page.locator("#password").fill(PASSWORD)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="Opinions", exact=True).click()
        page.get_by_label("Responses").set_input_files(str(source))
        page.get_by_label("Name of the consultation").fill("Promenade at night")
        page.get_by_role("button", name="Import").click()
        expect(page.locator("#import-summary")).to_contain_text("8 responses")
        page.get_by_label("Themes per question").fill("4")
        page.get_by_role("button", name="Analyse").click()
        expect(page.locator("article.theme").first).to_be_visible(timeout=30_000)
        expect(page.locator("#opinion-status")).to_have_text("Analysed")
        sides = page.locator("article.theme").evaluate_all("els => els.map(e => e.dataset.side)")
        assert {"support", "oppose"} <= set(sides)
        expect(page.locator("#stances-1")).to_contain_text("Support")
        expect(page.locator("blockquote").first).to_be_visible()
        # Correct two themes: rename one, merge or delete another.
        first = page.locator("article.theme").first
        first.locator("summary").click()
        first.get_by_label("Title in English").fill("Night workers need it")
        first.get_by_role("button", name="Rename").click()
        expect(page.get_by_role("status")).to_have_text(
            "The change is saved and the counts are updated."
        )
        expect(page.locator("article.theme h4").first).to_contain_text("Night workers need it")
        last = page.locator("article.theme").last
        last.locator("summary").click()
        merge = last.get_by_role("button", name="Merge")
        (merge if merge.count() else last.get_by_role("button", name="Delete")).click()
        expect(page.get_by_role("status")).to_have_text(
            "The change is saved and the counts are updated."
        )
        page.screenshot(path=str(ARTIFACTS / "opinion-themes.png"), full_page=True)
        with page.expect_download() as info:
            page.get_by_role("link", name="the report (.docx)").click()
        saved = Path(info.value.path()).read_bytes()
        # The page in Chinese.
        page.goto(f"{page.url.split('?')[0]}?lang=zh-Hant")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(saved)).paragraphs)
    assert "Night workers need it" in text and "Majority view" in text
    assert problems == [], problems


@pytest.mark.anyio
async def test_bad_files_and_stale_forms_get_plain_messages(served_platform: Platform) -> None:
    from web_support import sign_in

    async with browser(served_platform) as client:
        assert (await sign_in(client, OFFICER)).status_code == 303
        token = await page_token(client, "/opinion")
        wrong = await client.post(
            "/opinion",
            data={"csrf_token": token},
            files={"file": ("r.csv", b"name,comment\na,b\n", "text/csv")},
        )
        assert wrong.status_code == 400 and "comment" in wrong.text
        empty = await client.post("/opinion", data={"csrf_token": token})
        assert empty.status_code == 400 and "Choose a file" in empty.text
        sent = await client.post(
            "/opinion",
            data={"csrf_token": token, "name": "Promenade"},
            files={"file": ("r.csv", spreadsheet(), "text/csv")},
        )
        assert sent.status_code == 303
        url = sent.headers["location"].split("?")[0]
        consultation_id = url.rsplit("/", 1)[-1]
        queued = await client.post(f"{url}/analyse", data={"csrf_token": token, "themes": "x"})
        assert queued.status_code == 400 and "whole number" in queued.text
        await client.post(f"{url}/analyse", data={"csrf_token": token, "themes": "3"})
        done = served_platform.consultations.store.get(consultation_id)
        assert done is not None and done.analysis_job_id
        served_platform.job_service().wait(done.analysis_job_id, timeout=30)
        job_page = await client.get(f"/jobs/{done.analysis_job_id}")
        assert job_page.status_code == 303 and job_page.headers["location"] == url
        theme = served_platform.consultations.store.themes(consultation_id)[0]
        stale = await client.post(
            f"{url}/themes/{theme.id}",
            data={"csrf_token": token, "version": "1", "title_en": "Old", "action": "rename"},
        )
        assert stale.status_code == 409 and "changed since" in stale.text
        xlsx = await client.get(f"{url}/download/responses.xlsx")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        missing = await client.get(f"{url}/download/report.pdf")
        assert missing.status_code == 404
