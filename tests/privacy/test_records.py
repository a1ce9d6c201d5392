"""The record store: redacted per policy, indexed by subject, purged by retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from govpilot.config import DepartmentPrivacy, PrivacySettings, RetentionDays
from govpilot.errors import InputError, NotFound
from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.policy import PrivacyPolicy
from govpilot.privacy.stored_text import StorageRedactor, Subject
from govpilot.storage.db import Database
from govpilot.storage.record_tables import RecordSubjectRow
from govpilot.storage.records import DATA_CLASSES, RecordStore

SALT = b"test-salt"
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TEXT = "Chan Tai Man (HKID A123456(3), phone 9123 4567) asked about public housing."


@pytest.fixture
def store(database: Database, scripted_detector: PiiDetector, tmp_path: Path) -> RecordStore:
    privacy = PrivacySettings(
        storage="placeholder", departments={"HAD": DepartmentPrivacy(storage="keep")}
    )
    redactor = StorageRedactor(scripted_detector, PrivacyPolicy(privacy), SALT)
    retention = RetentionDays(uploads=7, job_inputs=30, conversations=90, transcripts=180)
    return RecordStore(database, redactor, retention, tmp_path / "blobs")


def subject(store: RecordStore, kind: str, value: str) -> Subject:
    return Subject(kind, store.redactor.subject_hash(kind, value))


def subject_rows(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(RecordSubjectRow)) or 0)


def test_text_is_stored_redacted_with_its_subjects(store: RecordStore) -> None:
    record_id = store.save_text(
        "job_inputs", "DPO", "officer1", TEXT, title="Enquiry", metadata={"target": "zh"}, now=NOW
    )
    record = store.get(record_id)
    assert record.content == "[PERSON] (HKID [HKID], phone [PHONE]) asked about public housing."
    assert (record.storage, record.redactions) == (
        "placeholder",
        {"PERSON": 1, "HKID": 1, "PHONE": 1},
    )
    assert (record.department, record.owner, record.title) == ("DPO", "officer1", "Enquiry")
    assert record.metadata == {"target": "zh"}
    assert record.created_at == NOW
    assert record.expires_at == NOW + timedelta(days=30)
    assert store.subjects_of(record_id) == {
        subject(store, "PERSON", "Chan Tai Man"),
        subject(store, "HKID", "A123456(3)"),
        subject(store, "PHONE", "9123 4567"),
    }


def test_department_policy_keep_stores_the_text_as_written(store: RecordStore) -> None:
    record = store.get(store.save_text("conversations", "HAD", "officer1", TEXT))
    assert (record.content, record.storage, record.redactions) == (TEXT, "keep", {})
    assert subject(store, "HKID", "A1234563") in store.subjects_of(record.id)


def test_records_are_found_by_subject_however_the_identifier_was_written(
    store: RecordStore,
) -> None:
    first = store.save_text("job_inputs", "DPO", "officer1", TEXT, now=NOW)
    second = store.save_text(
        "transcripts", "HAD", "officer2", "Caller gave a1234563 again.", now=NOW + timedelta(1)
    )
    store.save_text("job_inputs", "DPO", "officer1", "Nothing personal here.")
    found = store.find_by_subjects([subject(store, "HKID", "A 123456 (3)")])
    assert [r.id for r in found] == [first, second]
    assert store.find_by_subjects([subject(store, "PHONE", "+852 9123-4567")])[0].id == first
    assert store.find_by_subjects([subject(store, "HKID", "B987654(3)")]) == []
    assert store.find_by_subjects([]) == []


def test_list_filters_and_orders_newest_first(store: RecordStore) -> None:
    ids = [
        store.save_text("job_inputs", "DPO", "a", "one", now=NOW),
        store.save_text("conversations", "DPO", "b", "two", now=NOW + timedelta(hours=1)),
        store.save_text("job_inputs", "HAD", "a", "three", now=NOW + timedelta(hours=2)),
    ]
    assert [r.id for r in store.list()] == ids[::-1]
    assert [r.id for r in store.list(department="DPO")] == [ids[1], ids[0]]
    assert [r.id for r in store.list(owner="a")] == [ids[2], ids[0]]
    assert [r.id for r in store.list(data_class="job_inputs", limit=1)] == [ids[2]]
    with pytest.raises(InputError, match="unknown data class"):
        store.list(data_class="emails")


def test_upload_keeps_the_file_and_redacts_its_name_and_text(store: RecordStore) -> None:
    record_id = store.save_upload(
        "DPO", "officer1", "Chan Tai Man letter.docx", b"PK\x03\x04 original", text=TEXT, now=NOW
    )
    record = store.get(record_id)
    path = store.blob_file(record)
    assert path is not None and path.read_bytes() == b"PK\x03\x04 original"
    assert path.suffix == ".docx" and path.is_relative_to(store.blob_dir)
    assert record.title == "[PERSON] letter.docx"
    assert record.metadata == {"bytes": 13}  # the name is in the (redacted) title only
    assert record.data_class == "uploads" and record.expires_at == NOW + timedelta(days=7)
    assert record.redactions["PERSON"] == 2


def test_a_failed_upload_leaves_no_file(store: RecordStore) -> None:
    with pytest.raises(InputError):
        store.save_upload("DPO", "o", "x.txt", b"data", data_class="emails")
    assert not any(p.is_file() for p in store.blob_dir.rglob("*"))


def test_unknown_class_and_missing_record_are_clear_errors(store: RecordStore) -> None:
    with pytest.raises(InputError, match="unknown data class 'emails'"):
        store.save_text("emails", "DPO", "o", "text")
    with pytest.raises(NotFound, match="no stored record"):
        store.get("0" * 32)


def test_delete_removes_record_subjects_and_file(store: RecordStore, database: Database) -> None:
    record_id = store.save_upload("DPO", "o", "a.pdf", b"%PDF", text=TEXT)
    path = store.blob_file(store.get(record_id))
    assert path is not None and path.exists() and subject_rows(database) == 3
    assert store.delete(record_id) is True
    assert not path.exists() and subject_rows(database) == 0
    assert store.delete(record_id) is False
    with pytest.raises(NotFound):
        store.get(record_id)


def test_purge_deletes_what_has_expired_in_each_class(
    store: RecordStore, database: Database
) -> None:
    old_upload = store.save_upload("DPO", "o", "a.txt", b"a", text=TEXT, now=NOW)
    old_input = store.save_text("job_inputs", "DPO", "o", TEXT, now=NOW)
    fresh_input = store.save_text("job_inputs", "DPO", "o", TEXT, now=NOW + timedelta(days=25))
    transcript = store.save_text("transcripts", "DPO", "o", TEXT, now=NOW)
    blob = store.blob_file(store.get(old_upload))
    later = NOW + timedelta(days=31)

    expected = {"uploads": 1, "job_inputs": 1, "conversations": 0, "transcripts": 0}
    assert store.count_expired(later) == expected
    assert len(store.list()) == 4  # counting deletes nothing
    assert store.purge_expired(later) == expected
    assert {r.id for r in store.list()} == {fresh_input, transcript}
    assert blob is not None and not blob.exists()
    assert subject_rows(database) == 6
    assert store.purge_expired(later) == dict.fromkeys(DATA_CLASSES, 0)
    assert old_input not in {r.id for r in store.list()}


def test_shorter_retention_applies_to_records_already_stored(store: RecordStore) -> None:
    record_id = store.save_text("conversations", "DPO", "o", "hello", now=NOW)
    assert store.purge_expired(NOW + timedelta(days=10))["conversations"] == 0
    store.retention = RetentionDays(conversations=5)
    assert store.purge_expired(NOW + timedelta(days=10))["conversations"] == 1
    with pytest.raises(NotFound):
        store.get(record_id)


def test_purge_works_in_batches(store: RecordStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import govpilot.storage.records as records

    monkeypatch.setattr(records, "_BATCH", 3)
    for i in range(7):
        store.save_text("job_inputs", "DPO", "o", f"text {i}", now=NOW)
    assert store.purge_expired(NOW + timedelta(days=31))["job_inputs"] == 7
    assert store.list() == []


def test_replace_content_rewrites_text_and_subjects(store: RecordStore) -> None:
    record_id = store.save_text("conversations", "HAD", "o", TEXT)
    new_subjects = {subject(store, "HKID", "B987654(3)")}
    store.replace_content(record_id, "HKID B987654(3)", new_subjects, title="fixed")
    record = store.get(record_id)
    assert (record.content, record.title) == ("HKID B987654(3)", "fixed")
    assert store.subjects_of(record_id) == new_subjects
