"""The governance API: register, assessments, reviews, incidents, public transparency."""

from __future__ import annotations

import io

import docx
import httpx
import pytest
from api_support import app_client

from govpilot.access import Role
from govpilot.backends.llm import ChatMessage
from govpilot.platform import Platform
from govpilot.server import create_app
from govpilot.testing import SETUP_CONTEXT, add_review_item

pytestmark = pytest.mark.anyio
ADMIN = "admin@had.gov.hk"


def _translate_app(platform: Platform) -> str:
    ctx = platform.cli_context("translate")
    platform.gateway.complete(ctx, [ChatMessage("user", "Translate: hello")])
    return platform.register.list(SETUP_CONTEXT)[0].id


async def test_register_assess_sign_off(platform: Platform) -> None:
    app_id = _translate_app(platform)
    async with app_client(platform, ADMIN, role=Role.DEPARTMENT_ADMIN) as client:
        listed = (await client.get("/api/v1/ai-apps")).json()["applications"]
        assert [a["id"] for a in listed] == [app_id]
        shown = (await client.get(f"/api/v1/ai-apps/{app_id}")).json()
        assert shown["model_cards"] and shown["assessments"] == []
        questions = (await client.get("/api/v1/assessment-questions")).json()
        answers = {
            q["id"]: max(q["answers"], key=lambda a: a["points"])["value"]
            for q in questions["questions"]
        }
        bad = await client.post(
            f"/api/v1/ai-apps/{app_id}/assessments",
            json={"answers": {"hosting": "mars"}, "submit": True},
        )
        assert bad.status_code == 400 and "'hosting'" in bad.json()["error"]["message"]
        saved = await client.post(
            f"/api/v1/ai-apps/{app_id}/assessments", json={"answers": answers, "submit": True}
        )
        assert saved.status_code == 200, saved.text
        assessment = saved.json()["assessment"]
        assert assessment["status"] == "submitted"
        signed = await client.post(f"/api/v1/assessments/{assessment['id']}/sign-off")
        assert signed.json()["status"] == "signed_off"
        again = await client.post(f"/api/v1/assessments/{assessment['id']}/sign-off")
        assert again.status_code == 409
        patched = await client.patch(f"/api/v1/ai-apps/{app_id}", json={"oversight": "bogus"})
        assert patched.status_code == 400
    async with app_client(platform, "o@ld.gov.hk", department="LD") as other:
        assert (await other.get(f"/api/v1/ai-apps/{app_id}")).status_code == 404
        assert (await other.get(f"/api/v1/assessments/{assessment['id']}")).status_code == 404


async def test_reviews_incidents_and_public_transparency(platform: Platform) -> None:
    app_id = _translate_app(platform)
    add_review_item(platform, app_id, item_id="i" * 32)
    async with app_client(platform, ADMIN, role=Role.DEPARTMENT_ADMIN) as client:
        items = (await client.get("/api/v1/reviews")).json()["items"]
        assert [i["id"] for i in items] == ["i" * 32]
        url = f"/api/v1/reviews/{'i' * 32}/decision"
        first = await client.post(url, json={"verdict": "approved"})
        assert first.status_code == 200, first.text
        assert (await client.post(url, json={"verdict": "rejected"})).status_code == 409
        incident = await client.post(
            f"/api/v1/ai-apps/{app_id}/incidents",
            json={"category": "bias", "summary": "Replies to Cantonese were curt"},
        )
        assert incident.status_code == 201 and incident.json()["status"] == "open"
        listed = (await client.get(f"/api/v1/ai-apps/{app_id}/incidents")).json()
        assert [i["id"] for i in listed["incidents"]] == [incident.json()["id"]]
    transport = httpx.ASGITransport(app=create_app(platform))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as anonymous:
        public = await anonymous.get("/api/v1/transparency")
        assert public.status_code == 200
        [record] = public.json()["applications"]
        assert record["tier_1"]["name"]["zh-Hant"] == "文書助手：翻譯"
        assert record["tier_2"]["impact_assessment"]["risk_level"] == "unassessed"
        assert "owner" not in record["tier_1"]


async def test_a_draft_held_for_approval_is_released_only_when_approved(
    platform: Platform,
) -> None:
    body = {
        "template": "reply-to-public",
        "instructions": "Thank Mr Chan for his letter about the footbridge.",
        "lang": "en",
        "for_approval": True,
    }
    async with app_client(platform, "o@had.gov.hk") as officer:
        drafted = await officer.post("/api/v1/draft", json=body)
        assert drafted.status_code == 200, drafted.text
        approval = drafted.json()["approval"]
        assert approval["status"] == "pending"
        released = f"/api/v1/reviews/{approval['item']}/released"
        waiting = await officer.get(released)
        assert waiting.status_code == 409
        assert "waiting for approval" in waiting.json()["error"]["message"]
        plain = await officer.post("/api/v1/draft", json={**body, "for_approval": False})
        assert plain.json()["approval"] is None
        # A held draft asked for as a file is answered as JSON: the file waits for approval.
        held_file = await officer.post(
            "/api/v1/draft/files",
            data={
                "template": "reply-to-public",
                "instructions": "Thank Ms Ho.",
                "format": "docx",
                "for_approval": "true",
            },
        )
        assert held_file.status_code == 202 and held_file.json()["approval"]["status"] == "pending"
    async with app_client(platform, ADMIN, role=Role.DEPARTMENT_ADMIN) as admin:
        corrected = await admin.post(
            f"/api/v1/reviews/{approval['item']}/decision",
            json={"verdict": "corrected", "correction": "Dear Mr Chan, thank you."},
        )
        assert corrected.status_code == 200, corrected.text
    async with app_client(platform, "o@had.gov.hk") as officer:
        out = await officer.get(released)
        assert out.status_code == 200 and out.json()["text"] == "Dear Mr Chan, thank you."
    async with app_client(platform, "o@ld.gov.hk", department="LD") as other:
        assert (await other.get(released)).status_code == 404


async def test_an_assessment_report_downloads_as_word(platform: Platform) -> None:
    app_id = _translate_app(platform)
    async with app_client(platform, ADMIN, role=Role.DEPARTMENT_ADMIN) as client:
        saved = await client.post(
            f"/api/v1/ai-apps/{app_id}/assessments", json={"answers": {"hosting": "local"}}
        )
        assessment = saved.json()["assessment"]["id"]
        report = await client.get(f"/api/v1/assessments/{assessment}/report.docx?lang=zh-Hant")
        assert report.status_code == 200
        assert report.headers["content-type"].startswith("application/vnd.openxmlformats")
        document = docx.Document(io.BytesIO(report.content))
        assert document.paragraphs[0].text.startswith("人工智能應用程式影響評估")
        bad = await client.get(f"/api/v1/assessments/{assessment}/report.docx?lang=fr")
        assert bad.status_code in (400, 422)
