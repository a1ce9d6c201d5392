"""The case desk with a scripted model and a hashing embedder: intake from the public form,
refusals that store nothing, routing with its reasons, the triage queue and corrections
that teach the router, urgent escalation to a real local hook, duplicates as incidents,
transfers, departments kept apart, replies approved by an officer, and analytics."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from govpilot.access import CallContext
from govpilot.capabilities.cases.intake import Submission
from govpilot.capabilities.cases.mail import Attachment
from govpilot.errors import (
    Conflict,
    InputError,
    InputTooLarge,
    NotFound,
    PermissionDenied,
    UnsupportedFileType,
)
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from support.case_support import (
    DESK,
    DRIPPING,
    DRIPPING_YUE,
    GAS,
    HOSTILE,
    VAGUE,
    case_platform,
)

PUBLIC = CallContext("public@127.0.0.1", DESK, "cases", channel="web", role="public")
TRIAGE_OFFICER = CallContext("lee@1823.gov.hk", DESK, "cases", channel="web", role="officer")
FEHD_OFFICER = CallContext("chan@fehd.gov.hk", "FEHD", "cases", channel="web", role="officer")
BD_OFFICER = CallContext("ho@bd.gov.hk", "BD", "cases", channel="web", role="officer")
OUTSIDER = CallContext("wong@had.gov.hk", "HAD", "cases", channel="web", role="department_admin")


@pytest.fixture
def platform(tmp_path: Path, scripted_detector: PiiDetector) -> Iterator[Platform]:
    platform = case_platform(tmp_path, scripted_detector)
    yield platform
    platform.database.dispose()


def submit(platform: Platform, text: str, **fields: Any) -> Any:
    return platform.case_desk.intake.submit(PUBLIC, Submission(text=text, **fields))


def test_a_public_complaint_is_stored_redacted_routed_and_audited(platform: Platform) -> None:
    case = submit(platform, DRIPPING, subject="Air-con dripping", email="chan@example.com")
    assert case.reference.startswith("GP-") and len(case.reference) == 12
    assert case.department == "FEHD" and case.status == "open"
    assert case.category == "air_conditioner_dripping"
    assert case.district == "Yau Tsim Mong"
    assert "9123 4567" not in case.text and "Chan Tai Man" not in case.text
    assert case.pii == {"PHONE": 1, "PERSON": 1}
    assert case.contact == {"email": "chan@example.com"}
    reasons = case.triage["candidates"][0]["reasons"]
    assert any(r.startswith("keywords:") for r in reasons)
    assert 0 < case.confidence <= 1
    events = platform.audit.events(10, action="cases.intake")
    assert events and DRIPPING[:20] not in json.dumps(events[0].detail)
    assert platform.case_desk.work.get(FEHD_OFFICER, case.id).id == case.id


def test_bad_messages_are_refused_and_nothing_is_stored(platform: Platform) -> None:
    with pytest.raises(InputError, match="empty"):
        submit(platform, "   ")
    with pytest.raises(InputTooLarge):
        submit(platform, "x" * 20_001)
    with pytest.raises(UnsupportedFileType, match="cannot be attached"):
        submit(platform, DRIPPING, attachments=[Attachment("run.exe", "", b"MZ\x90\x00")])
    with pytest.raises(InputError, match="not a photo"):
        submit(platform, DRIPPING, attachments=[Attachment("tree.jpg", "image/jpeg", b"nope")])
    with pytest.raises(InputError, match="e-mail address"):
        submit(platform, DRIPPING, email="not an address")
    with pytest.raises(InputError, match="unknown channel"):
        submit(platform, DRIPPING, channel="fax")
    assert platform.case_desk.work.queue(TRIAGE_OFFICER, "open") == []


def test_the_public_may_only_use_the_web_form(platform: Platform) -> None:
    with pytest.raises(PermissionDenied):
        submit(platform, DRIPPING, channel="api")


def test_a_document_attachment_is_read_and_kept(platform: Platform) -> None:
    text = b"Photo notes: the air-con dripping continues at night."
    case = submit(platform, DRIPPING, attachments=[Attachment("notes.txt", "text/plain", text)])
    assert case.attachments[0]["filename"] == "notes.txt"
    assert case.attachments[0]["chars"] == len(text)
    assert platform.records.get(case.attachments[0]["record"]).department == DESK


@dataclass
class Hook:
    url: str
    received: list[dict[str, Any]]


@pytest.fixture
def hook() -> Iterator[Hook]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Hook(f"http://127.0.0.1:{server.server_port}/urgent", received)
    server.shutdown()
    server.server_close()


def test_urgent_cases_are_escalated_without_personal_data_and_come_first(
    tmp_path: Path, scripted_detector: PiiDetector, hook: Hook
) -> None:
    platform = case_platform(tmp_path, scripted_detector, escalation_url=hook.url)
    try:
        normal = submit(platform, DRIPPING)
        urgent = submit(platform, GAS + " Chan Tai Man 9123 4567")
        assert urgent.urgency == "urgent" and urgent.escalated
        assert "gas" in urgent.triage["urgency_reasons"]
        assert [h["reference"] for h in hook.received] == [urgent.reference]
        assert "9123" not in json.dumps(hook.received) and "Chan" not in json.dumps(hook.received)
        queue = platform.case_desk.work.queue(platform.cli_context("cases"), "open")
        assert [c.id for c in queue][:2] == [urgent.id, normal.id]
        assert platform.audit.events(5, action="cases.escalate")[0].outcome == "ok"
    finally:
        platform.database.dispose()


def test_a_hook_that_is_down_loses_nothing(tmp_path: Path, scripted_detector: PiiDetector) -> None:
    platform = case_platform(tmp_path, scripted_detector, escalation_url="http://127.0.0.1:9/x")
    try:
        case = submit(platform, GAS)
        assert platform.case_desk.work.get(TRIAGE_OFFICER, case.id).escalated
        assert platform.audit.events(5, action="cases.escalate")[0].outcome == "error"
    finally:
        platform.database.dispose()


def test_an_unsure_case_waits_for_triage_and_the_correction_teaches_routing(
    tmp_path: Path, scripted_detector: PiiDetector
) -> None:
    platform = case_platform(tmp_path, scripted_detector, confident=0.99)
    try:
        work = platform.case_desk.work
        first = submit(platform, VAGUE)
        assert first.status == "triage" and first.department == ""
        assert [c.id for c in work.queue(TRIAGE_OFFICER, "triage")] == [first.id]
        with pytest.raises(NotFound):
            work.get(BD_OFFICER, first.id)
        routed = work.route(TRIAGE_OFFICER, first.id, "BD", version=first.version)
        assert routed.status == "open" and routed.confirmed
        assert work.get(BD_OFFICER, first.id).department == "BD"
        again = submit(platform, VAGUE)
        reasons = next(c for c in again.triage["candidates"] if c["code"] == "BD")["reasons"]
        assert any(r.startswith("like a past case routed here") for r in reasons)
        assert not any(first.reference in r for r in reasons)
        with pytest.raises(Conflict):
            work.route(TRIAGE_OFFICER, first.id, "EMSD", reason="gas", version=first.version)
    finally:
        platform.database.dispose()


def test_reports_of_the_same_problem_become_one_incident(platform: Platform) -> None:
    first = submit(platform, DRIPPING)
    second = submit(platform, DRIPPING + " Still dripping.")
    other = submit(platform, GAS)
    assert second.incident_id == first.id
    assert other.incident_id is None
    incident = platform.case_desk.work.incident(FEHD_OFFICER, first)
    assert [c.reference for c in incident] == [second.reference]


def test_a_transfer_needs_a_reason_moves_the_case_and_is_audited(platform: Platform) -> None:
    work = platform.case_desk.work
    case = submit(platform, DRIPPING)
    with pytest.raises(InputError, match="why"):
        work.route(FEHD_OFFICER, case.id, "BD")
    with pytest.raises(InputError, match="unknown department"):
        work.route(FEHD_OFFICER, case.id, "XYZ", reason="?")
    moved = work.route(FEHD_OFFICER, case.id, "BD", reason="the window, not the air-con")
    assert moved.department == "BD" and moved.confirmed
    with pytest.raises(NotFound):
        work.get(FEHD_OFFICER, case.id)
    assert work.get(BD_OFFICER, case.id).department == "BD"
    event = platform.audit.events(5, action="cases.transfer")[0]
    assert event.detail["from"] == "FEHD" and event.detail["to"] == "BD"
    kinds = [e.kind for e in work.events(BD_OFFICER, case.id)]
    assert kinds == ["received", "transfer"]


def test_another_department_never_sees_a_case(platform: Platform) -> None:
    case = submit(platform, DRIPPING)
    desk = platform.case_desk
    for call in (
        lambda: desk.work.get(OUTSIDER, case.id),
        lambda: desk.work.note(OUTSIDER, case.id, "hi"),
        lambda: desk.work.route(OUTSIDER, case.id, "BD", reason="x"),
        lambda: desk.work.close(OUTSIDER, case.id),
        lambda: desk.replies.draft(OUTSIDER, case.id, "acknowledgement"),
        lambda: desk.work.by_reference(OUTSIDER, case.reference),
    ):
        with pytest.raises(NotFound):
            call()
    assert desk.work.queue(OUTSIDER, "open") == []
    assert desk.analytics.figures(OUTSIDER).total == 0


def test_notes_assignment_close_and_reopen(platform: Platform) -> None:
    work = platform.case_desk.work
    case = submit(platform, DRIPPING)
    work.note(FEHD_OFFICER, case.id, "Called the management office.")
    assigned = work.assign(FEHD_OFFICER, case.id, assignee=FEHD_OFFICER.actor, team="Mong Kok")
    assert [c.id for c in work.queue(FEHD_OFFICER, "mine")] == [case.id]
    assert [c.id for c in work.queue(FEHD_OFFICER, "open", team="mong kok")] == [case.id]
    assert work.queue(FEHD_OFFICER, "open", team="Sha Tin") == []
    closed = work.close(FEHD_OFFICER, case.id, version=assigned.version)
    assert closed.status == "closed" and closed.closed_at is not None
    with pytest.raises(Conflict):
        work.close(FEHD_OFFICER, case.id)
    with pytest.raises(InputError, match="why"):
        work.reopen(FEHD_OFFICER, case.id, reason=" ")
    reopened = work.reopen(FEHD_OFFICER, case.id, reason="The dripping started again")
    assert reopened.status == "open" and reopened.reply_due > closed.reply_due
    notes = [e for e in work.events(FEHD_OFFICER, case.id) if e.kind == "note"]
    assert notes[0].text == "Called the management office."
    with pytest.raises(InputError):
        work.note(FEHD_OFFICER, case.id, "")


def test_replies_are_drafted_approved_by_an_officer_and_shown_on_the_status_page(
    platform: Platform,
) -> None:
    desk = platform.case_desk
    case = submit(platform, DRIPPING_YUE, name="陳生")
    ack = desk.replies.draft(FEHD_OFFICER, case.id, "acknowledgement")
    assert ack.language == "zh" and case.reference in ack.body and "陳生" in ack.body
    assert ack.status == "draft"
    assert desk.public_status(case.reference)[1] == []  # a draft is never public
    edited = desk.replies.edit(FEHD_OFFICER, case.id, ack.id, ack.body + "\n多謝。")
    assert edited.drafted_by == "template+officer"
    approved = desk.replies.approve(FEHD_OFFICER, case.id, ack.id)
    assert approved.status == "approved" and approved.approved_by == FEHD_OFFICER.actor
    with pytest.raises(Conflict):
        desk.replies.edit(FEHD_OFFICER, case.id, ack.id, "changed")
    shown, replies = desk.public_status(case.reference.lower())
    assert shown.acknowledged_at is not None and [r.id for r in replies] == [ack.id]
    with pytest.raises(NotFound):
        desk.public_status("GP-0000-0000")
    assert platform.audit.events(5, action="cases.reply_approve")


def test_a_final_reply_cites_the_departments_documents(
    tmp_path: Path, scripted_detector: PiiDetector
) -> None:
    @dataclass(frozen=True)
    class Chunk:
        text: str
        title: str = "Air-conditioner dripping"
        source: str = "dripping.md"

    platform = case_platform(tmp_path, scripted_detector)
    try:
        desk = platform.case_desk
        desk.replies.search = lambda department, query, k: [
            Chunk("Officers inspect the premises within 10 days of a complaint.")
        ]
        case = submit(platform, DRIPPING, name="Mr Chan")
        final = desk.replies.draft(FEHD_OFFICER, case.id, "final")
        assert final.drafted_by == "model" and final.language == "en"
        assert "[1]" in final.body and final.body.startswith("Dear Mr Chan")
        assert final.citations[0]["supported"] is True
        changed = desk.replies.edit(FEHD_OFFICER, case.id, final.id, "Refund tomorrow [1].")
        assert changed.citations[0]["supported"] is False
        desk.replies.approve(FEHD_OFFICER, case.id, final.id)
        assert desk.work.get(FEHD_OFFICER, case.id).status == "replied"
    finally:
        platform.database.dispose()


def test_hostile_text_is_flagged_audited_and_still_a_case(platform: Platform) -> None:
    case = submit(platform, HOSTILE)
    assert case.triage["hostile"] == "override"
    assert case.department == "FEHD"
    assert platform.audit.events(5, action="cases.hostile")
    draft = platform.case_desk.replies.draft(FEHD_OFFICER, case.id, "final")
    assert "cancelled" not in draft.body


def test_analytics_count_the_cases_and_the_csv_has_no_text(platform: Platform) -> None:
    submit(platform, DRIPPING, channel="web_form")
    submit(platform, DRIPPING + " Again.")
    submit(platform, GAS)
    analytics = platform.case_desk.analytics
    figures = analytics.figures(TRIAGE_OFFICER)
    assert figures.total == 3
    assert dict(figures.by_department) == {"FEHD": 2, "EMSD": 1}
    assert figures.incidents and figures.incidents[0][2] == 2
    assert dict(figures.by_urgency)["urgent"] == 1
    csv = analytics.csv(TRIAGE_OFFICER)
    assert csv.splitlines()[0].startswith("case,received,department")
    assert len(csv.splitlines()) == 4 and "dripping" not in csv.lower().split(",air")[0]
    assert "9123" not in csv and "Chan" not in csv


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("The signboard is about to fall, it could hit someone", "urgent"),
        ("A tree has fallen and is blocking the road, it is a risk to cars", "urgent"),
        ("屋企廚房有條蛇，好危險", "urgent"),
        ("困𨋢呀，有兩個人喺入面", "urgent"),
        ("大廈後面斜坡有裂縫，擔心有山泥傾瀉危險，請派人檢查", "normal"),
        ("Hawkers cook with gas cylinders on the pavement, a fire hazard. Please act.", "normal"),
        ("Can I renew my library books online?", "low"),
    ],
)
def test_urgency_is_a_danger_happening_now(text: str, level: str) -> None:
    from govpilot.capabilities.cases.urgency import urgency_of

    assert urgency_of(text).level == level
