"""/api/v1/cases: take cases in (JSON and .eml), route without storing, work a case through
its queue, draft and approve a reply, e-mail it to a real local SMTP server, read the figures
and the CSV; another department's callers find nothing."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from api_support import app_client

from govpilot.config import CaseMailSettings
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from support.case_support import DRIPPING, GAS, case_platform
from support.mail_servers import LocalSmtp

pytestmark = pytest.mark.anyio
URL = "/api/v1/cases"


@pytest.fixture
def smtp() -> Iterator[LocalSmtp]:
    with LocalSmtp() as server:
        yield server


@pytest.fixture
def desk(tmp_path: Path, scripted_detector: PiiDetector, smtp: LocalSmtp) -> Iterator[Platform]:
    mail = CaseMailSettings(
        smtp_host=smtp.host, smtp_port=smtp.port, smtp_starttls=False, sender="desk@1823.gov.hk"
    )
    platform = case_platform(tmp_path, scripted_detector, mail=mail)
    yield platform
    platform.database.dispose()


def eml(subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Mr Chan <chan@example.com>"
    message["To"] = "desk@1823.gov.hk"
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id", "<m1@example.com>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


async def test_a_case_from_intake_to_an_emailed_reply(desk: Platform, smtp: LocalSmtp) -> None:
    async with (
        app_client(desk, "lee@1823.gov.hk", department="1823") as triage,
        app_client(desk, "chan@fehd.gov.hk", department="FEHD") as fehd,
    ):
        sent = await triage.post(URL, json={"text": DRIPPING, "email": "chan@example.com"})
        assert sent.status_code == 201, sent.text
        case = sent.json()
        assert case["department"] == "FEHD" and case["reference"].startswith("GP-")
        assert "vector" not in case and case["pii"]["PHONE"] == 1
        queue = (await fehd.get(URL, params={"queue": "department"})).json()["cases"]
        assert [c["id"] for c in queue] == [case["id"]]
        noted = await fehd.post(f"{URL}/{case['id']}/notes", json={"text": "Site visit booked."})
        assert noted.status_code == 201
        stale = await fehd.post(f"{URL}/{case['id']}/assign", json={"assignee": "x", "version": 1})
        assert stale.status_code == 409
        draft = await fehd.post(f"{URL}/{case['id']}/replies", json={"kind": "acknowledgement"})
        assert draft.status_code == 201 and draft.json()["status"] == "draft"
        reply_id = draft.json()["id"]
        edited = await fehd.patch(
            f"{URL}/{case['id']}/replies/{reply_id}", json={"body": "Dear Mr Chan, thank you."}
        )
        assert edited.json()["drafted_by"] == "template+officer"
        approved = await fehd.post(f"{URL}/{case['id']}/replies/{reply_id}/approve")
        assert approved.json()["status"] == "sent", approved.text
        [mail] = smtp.messages
        assert mail["To"] == "chan@example.com" and case["reference"] in mail["Subject"]
        assert mail["X-Govpilot-Case"] == case["reference"]
        shown = (await fehd.get(f"{URL}/{case['id']}")).json()
        assert [e["kind"] for e in shown["events"]][:2] == ["received", "note"]
        assert shown["replies"][0]["status"] == "sent" and shown["acknowledged_at"]
        figures = (await triage.get(f"{URL}/analytics")).json()
        assert figures["total"] == 1 and figures["acknowledged_in_time"] == 1.0
        exported = await triage.get(f"{URL}/analytics.csv")
        assert exported.headers["content-type"].startswith("text/csv")
        assert case["id"] in exported.text and case["reference"] not in exported.text
        assert "9123" not in exported.text


async def test_email_cases_auto_replies_loops_and_answers(desk: Platform) -> None:
    async with app_client(desk, "lee@1823.gov.hk", department="1823") as client:
        first = await client.post(
            f"{URL}/email", files={"file": ("m.eml", eml("Gas smell", GAS), "message/rfc822")}
        )
        body = first.json()
        assert body["outcome"] == "case" and body["case"]["urgency"] == "urgent"
        again = await client.post(
            f"{URL}/email", files={"file": ("m.eml", eml("Gas smell", GAS), "message/rfc822")}
        )
        assert again.json()["case"]["id"] == body["case"]["id"]  # one message, one case
        away = eml(
            "Out of office: Gas", "I am away.", message_id="<m2@x>", Auto_Submitted="auto-replied"
        )
        skipped = await client.post(
            f"{URL}/email", files={"file": ("a.eml", away, "message/rfc822")}
        )
        assert skipped.json()["outcome"] == "skipped" and "auto" in skipped.json()["reason"]
        reference = body["case"]["reference"]
        answer = eml(f"Re: [{reference}] Gas smell", "It is worse now.", message_id="<m3@x>")
        noted = await client.post(
            f"{URL}/email", files={"file": ("r.eml", answer, "message/rfc822")}
        )
        assert noted.json()["outcome"] == "note"
        junk = await client.post(
            f"{URL}/email", files={"file": ("x.eml", b"\x00\x01", "message/rfc822")}
        )
        assert junk.status_code in (400, 415, 422), junk.text


async def test_triage_stores_nothing_and_another_department_finds_nothing(desk: Platform) -> None:
    async with (
        app_client(desk, "lee@1823.gov.hk", department="1823") as client,
        app_client(desk, "wong@had.gov.hk", department="HAD") as outsider,
    ):
        routed = await client.post(f"{URL}/triage", json={"text": DRIPPING})
        assert routed.json()["department"] == "FEHD"
        assert set(routed.json()) == {
            "department",
            "candidates",
            "category",
            "urgency",
            "confidence",
        }
        assert (await client.get(URL, params={"queue": "open"})).json()["cases"] == []
        case = (await client.post(URL, json={"text": DRIPPING})).json()
        for method, path in (
            ("GET", f"{URL}/{case['id']}"),
            ("POST", f"{URL}/{case['id']}/close"),
            ("POST", f"{URL}/{case['id']}/replies"),
        ):
            answer = await outsider.request(method, path, json={})
            assert answer.status_code == 404, (method, path, answer.text)
        empty = await client.post(URL, json={"text": ""})
        assert empty.status_code == 400 and "empty" in empty.json()["error"]["message"]
