"""The data lifecycle end to end: purge, data access request, erasure, correction, audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from govpilot.access import CallContext, Role
from govpilot.audit import AuditEvent, AuditLog
from govpilot.config import DepartmentPrivacy, PrivacySettings, RetentionDays
from govpilot.errors import InputError, StorageError
from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.lifecycle import EXPORT_FORMAT, DataLifecycle
from govpilot.privacy.policy import PrivacyPolicy
from govpilot.privacy.stored_text import StorageRedactor, Subject
from govpilot.storage.db import Database
from govpilot.storage.records import RecordStore

NOW = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)
HKID = "A123456(3)"
HKID_VARIANTS = ("A123456(3)", "a1234563", "A1234563")
RETENTION = RetentionDays(uploads=7, job_inputs=30, conversations=90, transcripts=180, audit=365)
# Purges and data subject requests span every department: a platform administrator's work.
HANDLER = CallContext(
    actor="dpo.handler", department="DPO", capability="privacy", role=Role.PLATFORM_ADMIN.value
)


@pytest.fixture
def lifecycle(database: Database, scripted_detector: PiiDetector, tmp_path: Path) -> DataLifecycle:
    privacy = PrivacySettings(
        storage="placeholder", departments={"HAD": DepartmentPrivacy(storage="keep")}
    )
    redactor = StorageRedactor(scripted_detector, PrivacyPolicy(privacy), b"test-salt")
    store = RecordStore(database, redactor, RETENTION, tmp_path / "blobs")
    return DataLifecycle(store, AuditLog(database), redactor, RETENTION)


def audit_dump(database: Database) -> str:
    """Every value in every audit row, as one string."""
    with database.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_events")).all()
        heads = connection.execute(text("SELECT * FROM audit_head")).all()
    return " ".join(str(value) for row in [*rows, *heads] for value in row)


def assert_not_in_audit(database: Database, *values: str) -> None:
    dump = audit_dump(database).casefold()
    for value in values:
        assert value.casefold() not in dump, f"{value!r} is in the audit log"


def last_event(lifecycle: DataLifecycle) -> AuditEvent:
    return lifecycle.audit.events(limit=1)[0].event


def test_purge_end_to_end(lifecycle: DataLifecycle, database: Database) -> None:
    store, audit = lifecycle.records, lifecycle.audit
    for days_ago in (400, 380, 10):
        audit.record(
            AuditEvent("officer", "DPO", "translate", occurred_at=NOW - timedelta(days_ago))
        )
    upload = store.save_upload(
        "DPO", "o", "scan.pdf", b"%PDF-1.7", text=f"HKID {HKID}", now=NOW - timedelta(days=8)
    )
    blob = store.blob_file(store.get(upload))
    store.save_text("job_inputs", "DPO", "o", "old input", now=NOW - timedelta(days=31))
    kept_input = store.save_text("job_inputs", "DPO", "o", "new input", now=NOW - timedelta(1))
    store.save_text("conversations", "DPO", "o", "chat", now=NOW - timedelta(days=91))
    kept_transcript = store.save_text("transcripts", "DPO", "o", "minutes", now=NOW - timedelta(9))

    dry = lifecycle.purge(HANDLER, NOW, dry_run=True)
    expected = {"uploads": 1, "job_inputs": 1, "conversations": 1, "transcripts": 0}
    assert (dry.records, dry.audit_events, dry.dry_run) == (expected, 2, True)
    assert len(store.list()) == 5 and len(audit.events(limit=None)) == 3

    report = lifecycle.purge(HANDLER, NOW)
    assert (report.records, report.audit_events, report.total_records) == (expected, 2, 3)
    assert report.audit_before == NOW - timedelta(days=365)
    assert {r.id for r in store.list()} == {kept_input, kept_transcript}
    assert blob is not None and not blob.exists()

    actions = [e.action for e in audit.events(limit=None)]
    assert actions == ["privacy.purge", "audit.prune", "translate"]
    purge_event = last_event(lifecycle)
    assert (purge_event.actor, purge_event.department) == ("dpo.handler", "DPO")
    assert purge_event.detail["records"] == expected
    assert purge_event.detail["audit_events"] == 2
    verified = audit.verify()
    assert verified.ok and verified.first_seq == 3

    again = lifecycle.purge(HANDLER, NOW)
    assert (again.total_records, again.audit_events) == (0, 0)
    assert audit.verify().ok


def test_access_request_finds_records_however_the_hkid_was_written(
    lifecycle: DataLifecycle, database: Database
) -> None:
    store = lifecycle.records
    first = store.save_text(
        "job_inputs", "DPO", "officer1", f"Reply to Chan Tai Man, HKID {HKID}.", now=NOW
    )
    second = store.save_text(
        "transcripts", "HAD", "officer2", "Caller quoted a1234563 twice.", now=NOW + timedelta(1)
    )
    upload = store.save_upload("DPO", "officer1", "form.pdf", b"%PDF", text=f"ID: {HKID}")
    store.save_text("job_inputs", "DPO", "officer1", "HKID B987654(3), someone else.")

    export = lifecycle.data_access_request(HANDLER, "a1234563")
    assert export.subject.type == "HKID"
    assert [r.id for r in export.records] == [first, second, upload]
    document = json.loads(json.dumps(export.as_dict(), ensure_ascii=False))
    assert document["format"] == EXPORT_FORMAT
    assert [r["content"] for r in document["records"][:2]] == [
        "Reply to [PERSON], HKID [HKID].",  # DPO stores placeholders
        "Caller quoted a1234563 twice.",  # HAD keeps text as written
    ]
    assert document["records"][2]["file"].endswith(".pdf")
    assert Path(document["records"][2]["file"]).read_bytes() == b"%PDF"
    assert document["notes"] and "'placeholder'" in document["notes"][0]

    event = last_event(lifecycle)
    assert event.action == "privacy.access" and event.actor == "dpo.handler"
    assert event.detail == {
        "subject_type": "HKID",
        "subject_hash": export.subject.hash,
        "records": 3,
        "records_by_class": {"uploads": 1, "job_inputs": 1, "transcripts": 1},
        "records_owned": 0,
        "audit_events": 0,
    }
    assert_not_in_audit(database, *HKID_VARIANTS)


def test_an_officer_is_a_data_subject_too(lifecycle: DataLifecycle) -> None:
    officer = "chan.tm@had.gov.hk"
    lifecycle.audit.record(AuditEvent(officer, "HAD", "translate", model_id="m1"))
    lifecycle.audit.record(AuditEvent("someone.else", "HAD", "translate"))
    lifecycle.audit.record(AuditEvent(officer, "HAD", "summarise"))
    mention = lifecycle.records.save_text("conversations", "HAD", "x", f"Ask {officer} please")
    owned = lifecycle.records.save_text("job_inputs", "HAD", officer, "a memo about parks")

    export = lifecycle.data_access_request(HANDLER, "Chan.TM@had.gov.hk")
    assert export.subject.type == "EMAIL"
    assert [e.action for e in export.audit_events] == ["translate", "summarise"]
    assert [r.id for r in export.records] == [mention]
    assert [r.id for r in export.owned] == [owned]
    document = export.as_dict()
    assert document["audit_events"][0]["model_id"] == "m1"
    assert document["records_owned"][0]["content"] == "a memo about parks"

    second = lifecycle.data_access_request(HANDLER, officer)
    assert [e.action for e in second.requests] == ["privacy.access"]


def test_identifier_types_are_detected_or_given(lifecycle: DataLifecycle) -> None:
    resolve = lifecycle.resolve
    assert resolve(" A123456(3) ").type == "HKID"
    assert resolve("+852 9123 4567") == resolve("91234567")
    assert resolve("+852 9123 4567").type == "PHONE"
    assert resolve("Chan Tai Man").type == "PERSON"
    assert resolve("Ho Ka Yan") == Subject(
        "PERSON", lifecycle.redactor.subject_hash("PERSON", "ho  ka yan")
    )
    assert resolve("X1234", "passport").type == "PASSPORT"
    with pytest.raises(InputError, match="more than one"):
        resolve("Chan Tai Man A123456(3)")
    with pytest.raises(InputError, match="cannot tell"):
        resolve("12-34")
    with pytest.raises(InputError, match="unknown identifier type"):
        resolve("x", "SHOE_SIZE")
    with pytest.raises(InputError, match="empty"):
        resolve("  ")


def test_erase_deletes_every_record_that_mentions_the_person(
    lifecycle: DataLifecycle, database: Database
) -> None:
    store = lifecycle.records
    store.save_text("job_inputs", "DPO", "o", f"Chan Tai Man {HKID}")
    store.save_text("conversations", "HAD", "o", "Chan Tai Man called again")
    upload = store.save_upload("DPO", "o", "Chan Tai Man.docx", b"PK", text="letter")
    blob = store.blob_file(store.get(upload))
    other = store.save_text("job_inputs", "DPO", "o", "Wong Siu Ming called")

    report = lifecycle.erase(HANDLER, "CHAN TAI MAN")
    assert report.deleted == {"uploads": 1, "job_inputs": 1, "conversations": 1}
    assert report.total == 3
    assert [r.id for r in store.list()] == [other]
    assert blob is not None and not blob.exists()
    event = last_event(lifecycle)
    assert event.action == "privacy.erase"
    assert (event.detail["records"], event.detail["subject_type"]) == (3, "PERSON")
    assert lifecycle.data_access_request(HANDLER, "Chan Tai Man").records == []
    assert_not_in_audit(database, "Chan Tai Man", "chan tai man")
    assert lifecycle.audit.verify().ok


def test_erase_can_include_what_the_person_owns(lifecycle: DataLifecycle) -> None:
    officer = "wong.sm@dpo.gov.hk"
    lifecycle.audit.record(AuditEvent(officer, "DPO", "translate"))
    lifecycle.records.save_text("job_inputs", "DPO", officer, "parks memo")
    assert lifecycle.erase(HANDLER, officer).total == 0
    report = lifecycle.erase(HANDLER, officer, include_owned=True)
    assert (report.total, report.audit_events_kept) == (1, 1)
    assert lifecycle.records.list() == []


def test_correct_rewrites_readable_records_and_reports_redacted_ones(
    lifecycle: DataLifecycle, database: Database
) -> None:
    store = lifecycle.records
    kept = store.save_text(
        "conversations", "HAD", "o", f"Applicant {HKID}, tel 9123 4567", title=HKID
    )
    redacted = store.save_text("job_inputs", "DPO", "o", f"Applicant {HKID}")

    report = lifecycle.correct(HANDLER, "a1234563", "B987654(3)")
    assert (report.corrected, report.redacted, report.not_found) == ([kept], [redacted], [])
    record = store.get(kept)
    assert (record.content, record.title) == ("Applicant B987654(3), tel 9123 4567", "B987654(3)")
    assert [r.id for r in store.find_by_subjects([lifecycle.resolve("B987654(3)")])] == [kept]
    assert [r.id for r in store.find_by_subjects([lifecycle.resolve(HKID)])] == [redacted]
    assert lifecycle.resolve("91234567") in store.subjects_of(kept)
    assert store.get(redacted).content == "Applicant [HKID]"

    event = last_event(lifecycle)
    assert event.action == "privacy.correct"
    assert {k: event.detail[k] for k in ("corrected", "redacted", "not_found")} == {
        "corrected": 1,
        "redacted": 1,
        "not_found": 0,
    }
    assert_not_in_audit(database, *HKID_VARIANTS, "B987654")


def test_correct_refuses_a_value_that_is_not_a_correction(lifecycle: DataLifecycle) -> None:
    with pytest.raises(InputError, match="same as the stored one"):
        lifecycle.correct(HANDLER, HKID, "a 123456 (3)")
    with pytest.raises(InputError, match="HKID expected"):
        lifecycle.correct(HANDLER, HKID, "not an id")
    with pytest.raises(InputError, match="empty"):
        lifecycle.correct(HANDLER, HKID, " ")
    assert lifecycle.audit.events(limit=None) == []


def test_correct_a_name(lifecycle: DataLifecycle) -> None:
    kept = lifecycle.records.save_text("conversations", "HAD", "o", "Wong Siu Ming phoned")
    report = lifecycle.correct(HANDLER, "wong siu ming", "Wong Siu-ming")
    assert report.corrected == [kept]
    assert lifecycle.records.get(kept).content == "Wong Siu-ming phoned"


def test_a_failed_purge_is_audited_with_what_it_did(
    lifecycle: DataLifecycle, database: Database
) -> None:
    store = lifecycle.records
    store.save_text("job_inputs", "DPO", "o", "old", now=NOW - timedelta(days=40))
    tampered = store.save_upload("DPO", "o", "a.txt", b"a", now=NOW - timedelta(days=40))
    with database.connect() as connection:
        connection.execute(
            text("UPDATE stored_records SET blob_path = '../../etc/passwd' WHERE id = :id"),
            {"id": tampered},
        )
    with pytest.raises(StorageError, match="outside the blob folder"):
        lifecycle.purge(HANDLER, NOW)
    event = last_event(lifecycle)
    assert (event.action, event.outcome) == ("privacy.purge", "error")
    assert event.detail["error"] == "StorageError"
    assert len(store.list()) == 2  # the failing batch was rolled back whole
    assert lifecycle.audit.verify().ok
