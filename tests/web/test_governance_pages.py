"""/governance: the AI register, an entry's page and edit form, the impact assessment form
(draft, refused submit, submit), one assessment with sign-off and JSON export; the public
/transparency pages; and the assessment journey in a real browser (Chromium)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from browser_support import ARTIFACTS, chromium, serve
from web_support import (
    OFFICER,
    OTHER_OFFICER,
    PASSWORD,
    browser,
    csrf_token,
    page_token,
    respond,
    sign_in,
)

from govpilot.access import CallContext, Role
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.capabilities.chat.bots import new_bot
from govpilot.config import AuthSettings
from govpilot.governance.questionnaire import load_questionnaire
from govpilot.governance.register import Application
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.platform import Platform
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.testing import add_user, fake_settings, make_test_platform

if TYPE_CHECKING:
    from playwright.sync_api import Browser

DEPT_ADMIN = "admin@had.gov.hk"


def caller(role: Role, department: str = "HAD") -> CallContext:
    return CallContext(
        actor=f"{role.value}@{department.lower()}.gov.hk",
        department=department,
        capability="governance",
        channel="web",
        role=role.value,
    )


def register_apps(platform: Platform) -> tuple[Application, Application]:
    """A bot's entry (made when it is created) and the translation copilot's (first call)."""
    admin = caller(Role.DEPARTMENT_ADMIN)
    platform.knowledge = KnowledgeBase.build(platform.database, InMemoryRetriever())
    knowledge = platform.knowledge_base()
    knowledge.create_collection(caller(Role.PLATFORM_ADMIN), "guides")
    collection = knowledge.collections.get("HAD", "guides").id
    platform.bot_service().create_bot(
        new_bot("housing-faq", "HAD", [collection], created_by="admin"), admin
    )
    ctx = replace(caller(Role.OFFICER), capability="translate")
    platform.gateway.complete(ctx, [ChatMessage("user", "Hello")])
    bot = platform.register.get(admin, "Bot: housing-faq")
    copilot = platform.register.get(admin, "Copilot: translation")
    return bot, copilot


@pytest.fixture
def apps(platform: Platform) -> tuple[Application, Application]:
    add_user(platform, DEPT_ADMIN, department="HAD", role=Role.DEPARTMENT_ADMIN, password=PASSWORD)
    return register_apps(platform)


@pytest.fixture
async def admin(platform: Platform, apps: object) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(platform) as client:
        assert (await sign_in(client, DEPT_ADMIN)).status_code == 303
        yield client


def every_answer() -> dict[str, str]:
    """The first answer of every question, as the form sends them."""
    return {f"q.{q.id}": q.answers[0].value for q in load_questionnaire().questions}


@pytest.mark.anyio
async def test_the_register_lists_a_bot_and_a_copilot_capability(
    officer: httpx.AsyncClient, apps: tuple[Application, Application]
) -> None:
    bot, copilot = apps
    page = await officer.get("/governance")
    assert page.status_code == 200
    assert 'href="/governance"' in page.text  # the nav item
    assert "Bot: housing-faq" in page.text and "Copilot: translation" in page.text
    assert f'href="/governance/apps/{bot.id}"' in page.text
    assert "Human on the loop" in page.text and "Not yet assessed" in page.text
    entry = await officer.get(f"/governance/apps/{copilot.id}")
    assert entry.status_code == 200
    assert "Copilot: translation" in entry.text and "Model cards" in entry.text
    assert f'action="/governance/apps/{copilot.id}"' not in entry.text  # no edit form
    switched = await officer.post(
        "/language",
        data={"language": "zh-Hant", "next": "/governance", "csrf_token": csrf_token(page.text)},
    )
    chinese = await officer.get(switched.headers["location"])
    assert "人工智能應用登記冊" in chinese.text and "文書助手：翻譯" in chinese.text
    assert "人在環上" in chinese.text


@pytest.mark.anyio
async def test_another_departments_entry_is_not_found(
    platform: Platform, apps: tuple[Application, Application]
) -> None:
    async with browser(platform) as client:
        assert (await sign_in(client, OTHER_OFFICER)).status_code == 303
        page = await client.get(f"/governance/apps/{apps[0].id}")
        assert page.status_code == 404
        assert "Bot: housing-faq" not in page.text
        assert "Bot: housing-faq" not in (await client.get("/governance")).text
        assert (await client.get(f"/governance/apps/{apps[0].id}/assess")).status_code == 404


@pytest.mark.anyio
async def test_an_admin_edits_the_entry_and_sees_errors_plainly(
    admin: httpx.AsyncClient, platform: Platform, apps: tuple[Application, Application]
) -> None:
    bot = apps[0]
    path = f"/governance/apps/{bot.id}"
    token = await page_token(admin, path)
    values = {
        "owner": "lee.ka@had.gov.hk",
        "contact": "faq@had.gov.hk",
        "purpose": "Answers housing questions.",
        "oversight": "in_the_loop",
        "stage": "deployment",
        "next_review": "2027-03-31",
        "review_sample": "0.25",
        "reviewers": "a@had.gov.hk, b@had.gov.hk",
    }
    saved = await admin.post(path, data={**values, "csrf_token": token})
    assert saved.status_code == 303, saved.text
    entry = platform.register.get(caller(Role.DEPARTMENT_ADMIN), bot.id)
    assert (entry.owner, entry.oversight, entry.review_sample) == (
        "lee.ka@had.gov.hk",
        "in_the_loop",
        0.25,
    )
    assert entry.reviewers == ["a@had.gov.hk", "b@had.gov.hk"]
    assert "The entry is saved." in (await admin.get(saved.headers["location"])).text
    bad = await admin.post(
        path, data={**values, "next_review": "soon", "owner": "kept", "csrf_token": token}
    )
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    assert "&#39;soon&#39; is not a date" in bad.text and 'value="kept"' in bad.text
    assert platform.register.get(caller(Role.DEPARTMENT_ADMIN), bot.id).owner != "kept"


@pytest.mark.anyio
async def test_the_assessment_form_saves_a_draft_and_a_refused_submit_keeps_the_answers(
    admin: httpx.AsyncClient, platform: Platform, apps: tuple[Application, Application]
) -> None:
    bot = apps[0]
    path = f"/governance/apps/{bot.id}/assess"
    form = await admin.get(path)
    assert form.status_code == 200
    assert "Human oversight" in form.text  # grouped by principle
    assert 'name="q.hosting" value="local" checked' in form.text  # pre-filled
    token = await page_token(admin, path)
    answers = every_answer()
    partial = {k: v for k, v in answers.items() if k != "q.legal_basis"}
    draft = await admin.post(
        path,
        data={**partial, "mitigations": "Weekly review\nHandover to 1823", "action": "draft"}
        | {"csrf_token": token, "q.reversibility": "hard"},
    )
    assert draft.status_code == 303
    resumed = await admin.get(draft.headers["location"])
    assert "The draft is saved." in resumed.text
    assert 'name="q.reversibility" value="hard" checked' in resumed.text
    assert "Weekly review\nHandover to 1823</textarea>" in resumed.text
    ctx = caller(Role.DEPARTMENT_ADMIN)
    saved = platform.assessments.open_draft(ctx, bot.id)
    assert saved is not None and saved.mitigations == ["Weekly review", "Handover to 1823"]

    refused = await admin.post(
        path,
        data={**partial, "q.decision_effect": "direct", "action": "submit", "csrf_token": token},
    )
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    assert "legal_basis" in refused.text
    question = load_questionnaire().question("legal_basis")
    assert question.text["en"] in refused.text and 'href="#q-legal_basis"' in refused.text
    assert 'name="q.decision_effect" value="direct" checked' in refused.text  # kept
    kept = platform.assessments.open_draft(ctx, bot.id)
    assert kept is not None and kept.answers["decision_effect"] == "direct"
    assert kept.status == "draft"


@pytest.mark.anyio
async def test_submit_sign_off_compare_and_export(
    admin: httpx.AsyncClient,
    officer: httpx.AsyncClient,
    platform: Platform,
    apps: tuple[Application, Application],
) -> None:
    copilot = apps[1]
    path = f"/governance/apps/{copilot.id}/assess"
    token = await page_token(admin, path)
    first = await admin.post(path, data={**every_answer(), "action": "submit", "csrf_token": token})
    assert first.status_code == 303
    page_path = first.headers["location"].split("?")[0]
    page = await admin.get(first.headers["location"])
    assert "The assessment is submitted for sign-off." in page.text
    assert "This is the first version." in page.text
    assert f'action="{page_path}/sign-off"' in page.text
    assert f'href="{page_path}.json"' in page.text
    # An officer reads it but gets no sign-off button; the service refuses the post anyway.
    officer_view = await officer.get(page_path)
    assert officer_view.status_code == 200 and "/sign-off" not in officer_view.text
    refused = await officer.post(
        f"{page_path}/sign-off", data={"csrf_token": await page_token(officer, page_path)}
    )
    assert refused.status_code == 403

    signed = await admin.post(f"{page_path}/sign-off", data={"csrf_token": token})
    assert signed.status_code == 303
    signed_page = await admin.get(signed.headers["location"])
    assert "The assessment is signed off." in signed_page.text
    assert "/sign-off" not in signed_page.text and DEPT_ADMIN in signed_page.text
    entry = platform.register.get(caller(Role.DEPARTMENT_ADMIN), copilot.id)
    assert entry.risk_tier != "unassessed" and entry.next_review is not None

    download = await admin.get(f"{page_path}.json")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    exported = json.loads(download.text)
    assert exported["assessment"]["status"] == "signed_off"
    assert exported["application"]["id"] == copilot.id

    # A second version, with one answer changed, lists the change.
    changed = {**every_answer(), "q.hosting": "external"}
    second = await admin.post(path, data={**changed, "action": "submit", "csrf_token": token})
    second_page = await admin.get(second.headers["location"])
    changes = second_page.text.split('id="changes"', 1)[1].split("</table>", 1)[0]
    assert load_questionnaire().question("hosting").text["en"] in changes
    assert changes.count("<tr>") == 2  # the header and one change
    history = await admin.get(f"/governance/apps/{copilot.id}")
    assert len(re.findall(r'href="/governance/assessments/[0-9a-f]+"', history.text)) == 2


@pytest.mark.anyio
async def test_the_transparency_page_is_public_in_english_and_chinese(
    anonymous: httpx.AsyncClient, platform: Platform, apps: tuple[Application, Application]
) -> None:
    page = await anonymous.get("/transparency")
    assert page.status_code == 200
    assert "Bot: housing-faq" in page.text and "Copilot: translation" in page.text
    assert "Officers review a sample of outputs" in page.text  # the bot's oversight text
    assert "Not yet assessed" in page.text
    async with browser(platform, **{"Accept-Language": "zh-HK,zh;q=0.9"}) as chinese:
        zh = await chinese.get("/transparency/HAD")
    assert zh.status_code == 200 and '<html lang="zh-Hant-HK">' in zh.text
    assert "聊天機械人：housing-faq" in zh.text and "HAD 的人工智能應用" in zh.text
    assert "公務人員事後覆核抽樣輸出" in zh.text and "尚未評估" in zh.text
    assert "Bot: housing-faq" not in (await anonymous.get("/transparency/LD")).text
    records = (await anonymous.get("/transparency.json")).json()["applications"]
    assert {r["tier_1"]["name"]["en"] for r in records} == {
        "Bot: housing-faq",
        "Copilot: translation",
    }
    assert all("tier_2" in r for r in records)
    assert (await anonymous.get("/governance")).status_code == 303  # the register is not


# -- in a real browser ----------------------------------------------------------------------


@pytest.fixture
def served_platform(tmp_path: Path) -> Iterator[Platform]:
    # Plain HTTP on 127.0.0.1: the session cookie may not be Secure.
    settings = fake_settings(tmp_path, department="HAD", auth=AuthSettings(secure_cookies=False))
    platform = make_test_platform(settings, models=[ScriptedModel(name="fake", responder=respond)])
    add_user(platform, DEPT_ADMIN, department="HAD", role=Role.DEPARTMENT_ADMIN, password=PASSWORD)
    add_user(platform, OFFICER, department="HAD", password=PASSWORD)
    try:
        yield platform
    finally:
        platform.shutdown()
        platform.database.dispose()


@pytest.fixture
def chromium_browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_an_admin_fills_submits_and_signs_off_an_assessment_in_chromium(
    served_platform: Platform, chromium_browser: Browser
) -> None:
    from playwright.sync_api import expect

    bot, _ = register_apps(served_platform)
    problems: list[str] = []
    with serve(served_platform) as base_url:
        context = chromium_browser.new_context(locale="en-GB")
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{base_url}/login")
        page.locator("#email").fill(DEPT_ADMIN)
        page.locator("#password").fill(PASSWORD)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_load_state()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

        def shot(name: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"governance-{name}.png"), full_page=True)

        page.goto(f"{base_url}/governance")
        shot("register")
        page.get_by_role("link", name="Bot: housing-faq").click()
        shot("entry")
        page.get_by_role("link", name="Fill in the impact assessment").click()
        expect(page.get_by_role("heading", name="Human oversight", exact=True)).to_be_visible()

        # Submitting half-done names the first unanswered question and keeps the answers.
        reversibility = page.get_by_role("group", name=re.compile("how easily is the harm undone"))
        reversibility.get_by_label("Hard").check()
        page.get_by_label("Mitigations").fill("Weekly review of answers")
        page.get_by_role("button", name="Submit").click()
        expect(page.get_by_role("alert")).to_contain_text("needs an answer")
        shot("assessment-form")
        expect(reversibility.get_by_label("Hard")).to_be_checked()
        expect(page.get_by_label("Mitigations")).to_have_value("Weekly review of answers")

        for question in load_questionnaire().questions:  # answer the rest: the first answer
            group = page.locator(f"#q-{question.id}")
            if not group.locator("input:checked").count():
                group.locator("input[type=radio]").first.check()
        page.get_by_role("button", name="Submit").click()
        expect(page.get_by_role("status")).to_contain_text("submitted for sign-off")
        expect(page.locator("#assessment-status")).to_have_text("Submitted")
        page.get_by_role("button", name="Sign off").click()
        expect(page.get_by_role("status")).to_contain_text("signed off")
        expect(page.locator("#assessment-status")).to_have_text("Signed off")
        expect(page.get_by_role("button", name="Sign off")).to_have_count(0)
        shot("assessment-signed")
        public = chromium_browser.new_context(locale="zh-HK").new_page()
        public.goto(f"{base_url}/transparency")
        public.screenshot(path=str(ARTIFACTS / "governance-transparency-zh.png"), full_page=True)
        context.close()
    entry = served_platform.register.get(caller(Role.DEPARTMENT_ADMIN), bot.id)
    assert entry.risk_tier != "unassessed"
    assert problems == [], problems
