"""/governance/reviews: the queue, one item with its texts and passages, verdicts that go
on to the next item, one verdict per item; the application page's evidence, due badge and
incidents; registering an outside system; the assessment as a Word report."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import docx
import httpx
import pytest
from browser_support import ARTIFACTS, chromium, serve
from web_support import (
    OFFICER,
    OTHER_OFFICER,
    PASSWORD,
    browser,
    page_token,
    respond,
    sign_in,
)

from govpilot.access import CallContext, Role
from govpilot.backends.fake import ScriptedModel
from govpilot.config import AuthSettings
from govpilot.governance.questionnaire import load_questionnaire
from govpilot.platform import Platform
from govpilot.testing import add_user, fake_settings, make_test_platform

DEPT_ADMIN = "admin@had.gov.hk"
ADMIN = CallContext(
    actor=DEPT_ADMIN,
    department="HAD",
    capability="governance",
    channel="web",
    role="department_admin",
)
DRAFTER = replace(ADMIN, actor=OFFICER, role="officer", capability="draft")
PASSAGE = {"n": 1, "label": "Footbridge works notice", "excerpt": "Works start on 3 March."}


def hold(platform: Platform, n: int) -> list[str]:
    """`n` drafts held for approval, oldest first; their item ids."""
    return [
        platform.approvals.hold(
            DRAFTER, f"Reply {i} about the footbridge", f"Draft reply {i}", citations=[PASSAGE]
        ).id
        for i in range(n)
    ]


async def in_chinese(client: httpx.AsyncClient, path: str) -> str:
    """Switch the signed-in user's pages to Chinese; the page to go back to."""
    token = await page_token(client, path)
    switched = await client.post(
        "/language", data={"language": "zh-Hant", "next": path, "csrf_token": token}
    )
    return str(switched.headers["location"])


@pytest.fixture
async def admin(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    add_user(platform, DEPT_ADMIN, department="HAD", role=Role.DEPARTMENT_ADMIN, password=PASSWORD)
    async with browser(platform) as client:
        assert (await sign_in(client, DEPT_ADMIN)).status_code == 303
        yield client


@pytest.mark.anyio
async def test_a_reviewer_clears_the_queue_item_by_item(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    first, second = hold(platform, 2)
    queue = await admin.get("/governance/reviews")
    assert queue.status_code == 200 and 'href="/governance/reviews"' in queue.text  # nav
    assert "Waiting for approval" in queue.text and "Copilot: drafting" in queue.text
    assert f'href="/governance/reviews/{first}"' in queue.text  # "review the oldest"
    item = await admin.get(f"/governance/reviews/{first}")
    assert "Reply 0 about the footbridge" in item.text and "Draft reply 0" in item.text
    assert "Footbridge works notice" in item.text and "Works start on 3 March." in item.text
    token = await page_token(admin, f"/governance/reviews/{first}")
    approved = await admin.post(
        f"/governance/reviews/{first}", data={"verdict": "approved", "csrf_token": token}
    )
    assert approved.status_code == 303
    assert approved.headers["location"].startswith(f"/governance/reviews/{second}")
    assert "The verdict is saved." in (await admin.get(approved.headers["location"])).text

    # A correction needs the corrected text; the refusal keeps the note typed.
    refused = await admin.post(
        f"/governance/reviews/{second}",
        data={"verdict": "corrected", "note": "tone", "csrf_token": token},
    )
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    assert (
        "a correction needs the corrected answer" in refused.text and 'value="tone"' in refused.text
    )
    corrected = await admin.post(
        f"/governance/reviews/{second}",
        data={"verdict": "corrected", "correction": "Dear Sir", "csrf_token": token},
    )
    assert corrected.status_code == 303 and "notice=done" in corrected.headers["location"]
    done = await admin.get(corrected.headers["location"])
    assert "The queue is clear." in done.text and 'id="queue-empty"' in done.text
    assert platform.approvals.released(DRAFTER, second) == "Dear Sir"
    decided = await admin.get("/governance/reviews?status=corrected")
    assert f'href="/governance/reviews/{second}"' in decided.text and DEPT_ADMIN in decided.text

    # The second verdict on one item is refused plainly, with no form to try again.
    again = await admin.post(
        f"/governance/reviews/{first}", data={"verdict": "rejected", "csrf_token": token}
    )
    assert again.status_code == 409 and "already decided (approved)" in again.text
    assert 'id="verdict-form"' not in again.text


@pytest.mark.anyio
async def test_review_items_of_another_department_are_not_found(platform: Platform) -> None:
    [item] = hold(platform, 1)
    async with browser(platform) as other:
        assert (await sign_in(other, OTHER_OFFICER)).status_code == 303
        assert (await other.get(f"/governance/reviews/{item}")).status_code == 404
        assert item not in (await other.get("/governance/reviews")).text
        token = await page_token(other, "/governance/reviews")
        decided = await other.post(
            f"/governance/reviews/{item}", data={"verdict": "approved", "csrf_token": token}
        )
        assert decided.status_code == 404
    assert platform.reviews.item(ADMIN, item).status == "pending"


@pytest.mark.anyio
async def test_officers_see_only_what_they_review_and_never_decide_their_own_draft(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    [own] = hold(platform, 1)  # drafted by the officer
    other = platform.approvals.hold(
        replace(DRAFTER, actor="lee.km@had.gov.hk"), "Reply about the pier", "Draft about the pier"
    ).id
    assert own not in (await officer.get("/governance/reviews")).text  # not assigned
    page = await officer.get(f"/governance/reviews/{own}")  # the drafter reads it
    assert page.status_code == 200 and 'id="verdict-form"' not in page.text
    assert (await officer.get(f"/governance/reviews/{other}")).status_code == 404
    token = await page_token(officer, f"/governance/reviews/{own}")
    refused = await officer.post(
        f"/governance/reviews/{own}", data={"verdict": "approved", "csrf_token": token}
    )
    assert refused.status_code == 403
    app_id = platform.reviews.item(ADMIN, own).application_id
    platform.register.update(ADMIN, app_id, {"reviewers": OFFICER})
    listed = (await officer.get("/governance/reviews")).text
    assert f'href="/governance/reviews/{other}"' in listed
    assert 'id="verdict-form"' in (await officer.get(f"/governance/reviews/{other}")).text
    assert 'id="verdict-form"' not in (await officer.get(f"/governance/reviews/{own}")).text
    own_verdict = await officer.post(
        f"/governance/reviews/{own}", data={"verdict": "approved", "csrf_token": token}
    )
    assert own_verdict.status_code == 403 and "cannot approve your own draft" in own_verdict.text


@pytest.mark.anyio
async def test_the_entry_page_shows_evidence_a_due_badge_and_takes_incidents(
    admin: httpx.AsyncClient, officer: httpx.AsyncClient, platform: Platform
) -> None:
    hold(platform, 1)
    app = platform.register.get(ADMIN, "Copilot: drafting")
    path = f"/governance/apps/{app.id}"
    page = await admin.get(path)
    assert 'id="reassessment-due"' in page.text
    assert "No impact assessment of this application has been signed off" in page.text
    assert "Model calls per week" in page.text and "<svg" in page.text
    assert 'id="evidence"' in page.text and "No incident has been reported." in page.text

    token = await page_token(officer, path)
    empty = await officer.post(
        f"{path}/incidents",
        data={
            "category": "wrong_answer",
            "summary": " ",
            "evidence": "item 1",
            "csrf_token": token,
        },
    )
    assert empty.status_code == 400 and "the summary is empty" in empty.text
    assert 'value="item 1"' in empty.text  # kept
    reported = await officer.post(
        f"{path}/incidents",
        data={
            "category": "data_leak",
            "summary": "A draft quoted a caller's HKID.",
            "evidence": "/governance/reviews/1",
            "csrf_token": token,
        },
    )
    assert reported.status_code == 303
    shown = await officer.get(reported.headers["location"])
    assert "The incident is reported." in shown.text
    assert (
        "A draft quoted a caller&#39;s HKID." in shown.text and "Personal data leak" in shown.text
    )
    assert 'action="/governance/incidents/' not in shown.text  # officers do not move it on
    [incident] = platform.incidents.list(ADMIN, app.id)
    admin_view = await admin.get(path)
    assert f'action="/governance/incidents/{incident.id}"' in admin_view.text
    moved = await admin.post(
        f"/governance/incidents/{incident.id}",
        data={"status": "investigating", "csrf_token": await page_token(admin, path)},
    )
    assert moved.status_code == 303
    assert platform.incidents.list(ADMIN, app.id)[0].status == "investigating"

    zh = await admin.get(await in_chinese(admin, path))
    assert "此應用程式尚未有已簽署的影響評估" in zh.text and "個人資料外洩" in zh.text


@pytest.mark.anyio
async def test_an_admin_registers_an_outside_system(
    admin: httpx.AsyncClient, officer: httpx.AsyncClient, platform: Platform
) -> None:
    assert 'id="external-form"' not in (await officer.get("/governance")).text
    token = await page_token(admin, "/governance")
    missing = await admin.post(
        "/governance", data={"name_en": "", "purpose": "kept", "csrf_token": token}
    )
    assert missing.status_code == 400 and "needs an English name" in missing.text
    assert ">kept</textarea>" in missing.text
    made = await admin.post(
        "/governance",
        data={
            "name_en": "Vendor chatbot",
            "name_zh": "供應商聊天機械人",
            "purpose": "Answers licensing questions.",
            "affected": "public",
            "oversight": "on_the_loop",
            "stage": "deployment",
            "models": "vendor-llm 2, vendor-embed",
            "csrf_token": token,
        },
    )
    assert made.status_code == 303
    app = platform.register.get(ADMIN, "Vendor chatbot")
    assert (app.kind, app.affected, app.models) == (
        "external",
        "public",
        ["vendor-llm 2", "vendor-embed"],
    )
    assert "The AI system is registered." in (await admin.get(made.headers["location"])).text


@pytest.mark.anyio
async def test_an_assessment_downloads_as_a_word_report_in_either_language(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    hold(platform, 1)
    app = platform.register.get(ADMIN, "Copilot: drafting")
    answers = {q.id: q.answers[0].value for q in load_questionnaire().questions}
    saved = platform.assessments.save(
        ADMIN, app.id, answers, mitigations=["Every reply approved by an officer"], submit=True
    )
    page = await admin.get(f"/governance/assessments/{saved.id}")
    assert f'href="/governance/assessments/{saved.id}.docx"' in page.text
    download = await admin.get(f"/governance/assessments/{saved.id}.docx")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    report = docx.Document(io.BytesIO(download.content))
    text = "\n".join(p.text for p in report.paragraphs)
    cells = {c.text for t in report.tables for row in t.rows for c in row.cells}
    assert "AI Application Impact Assessment: Copilot: drafting" in text
    assert "Every reply approved by an officer" in text
    first = load_questionnaire().questions[0]
    assert first.text["en"] in cells and first.answers[0].text["en"] in cells
    await in_chinese(admin, f"/governance/assessments/{saved.id}")
    zh = await admin.get(f"/governance/assessments/{saved.id}.docx")
    zh_cells = {
        c.text
        for t in docx.Document(io.BytesIO(zh.content)).tables
        for row in t.rows
        for c in row.cells
    }
    assert first.text["zh-Hant"] in zh_cells and "風險級別" in zh_cells


@pytest.mark.anyio
async def test_a_draft_job_sent_for_approval_is_downloaded_only_once_approved(
    admin: httpx.AsyncClient, officer: httpx.AsyncClient, platform: Platform
) -> None:
    token = await page_token(officer, "/copilot")
    started = await officer.post(
        "/copilot",
        data={
            "csrf_token": token,
            "task": "draft",
            "template": "memo",
            "instructions": "Tell staff the new library hours.",
            "for_approval": "true",
        },
    )
    assert started.status_code == 303, started.text
    job_id = started.headers["location"].removeprefix("/jobs/")
    assert platform.job_service().wait(job_id).status == "done"
    page = await officer.get(f"/jobs/{job_id}")
    assert 'id="job-held"' in page.text and "waiting for approval" in page.text
    assert f'href="/jobs/{job_id}/download"' not in page.text
    assert (await officer.get(f"/jobs/{job_id}/download")).status_code == 409
    [item] = platform.reviews.queue(ADMIN)
    assert (item.source_id, item.reason) == (job_id, "approval")
    review = await admin.get(f"/governance/reviews/{item.id}")
    assert "Tell staff the new library hours." in review.text  # the instructions
    decided = await admin.post(
        f"/governance/reviews/{item.id}",
        data={
            "verdict": "corrected",
            "correction": "Libraries open until 9 p.m. from April.",
            "csrf_token": await page_token(admin, f"/governance/reviews/{item.id}"),
        },
    )
    assert decided.status_code == 303
    released = await officer.get(f"/jobs/{job_id}/download")
    assert released.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(released.content)).paragraphs)
    assert text == "Libraries open until 9 p.m. from April."  # the reviewer's correction


# -- in a real browser ----------------------------------------------------------------------


@pytest.fixture
def served_platform(tmp_path: Path) -> Iterator[Platform]:
    # Plain HTTP on 127.0.0.1: the session cookie may not be Secure.
    settings = fake_settings(tmp_path, department="HAD", auth=AuthSettings(secure_cookies=False))
    platform = make_test_platform(settings, models=[ScriptedModel(name="fake", responder=respond)])
    add_user(platform, DEPT_ADMIN, department="HAD", role=Role.DEPARTMENT_ADMIN, password=PASSWORD)
    try:
        yield platform
    finally:
        platform.shutdown()
        platform.database.dispose()


def test_a_reviewer_clears_the_queue_in_chromium(served_platform: Platform) -> None:
    from playwright.sync_api import expect

    first, second, third = hold(served_platform, 3)
    problems: list[str] = []
    with serve(served_platform) as base_url, chromium() as launched:
        page = launched.new_context(locale="en-GB").new_page()
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{base_url}/login")
        page.locator("#email").fill(DEPT_ADMIN)
        page.locator("#password").fill(PASSWORD)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="Reviews", exact=True).click()
        expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "governance-review-queue.png"), full_page=True)
        page.get_by_role("link", name="Review the oldest of 3 items").click()
        expect(page.locator("#item-answer")).to_have_text("Draft reply 0")
        expect(page.locator("#item-citations")).to_contain_text("Works start on 3 March.")
        page.screenshot(path=str(ARTIFACTS / "governance-review-item.png"), full_page=True)
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_role("status")).to_have_text("The verdict is saved.")
        expect(page.locator("#item-answer")).to_have_text("Draft reply 1")  # the next item
        page.get_by_role("button", name="Save the correction").click()  # nothing typed
        expect(page.get_by_role("alert")).to_contain_text("needs the corrected answer")
        page.get_by_label("Corrected answer (only to correct it)").fill("Dear Sir or Madam")
        page.get_by_role("button", name="Save the correction").click()
        expect(page.locator("#item-answer")).to_have_text("Draft reply 2")
        page.get_by_label("Note (optional)").fill("Wrong department")
        page.get_by_role("button", name="Reject").click()
        expect(page.get_by_role("status")).to_contain_text("The queue is clear.")
    verdicts = [served_platform.reviews.item(ADMIN, i).status for i in (first, second, third)]
    assert verdicts == ["approved", "corrected", "rejected"]
    assert problems == [], problems
