"""The hash-chained audit log: append, list, verify, tampering, concurrent writers."""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import bindparam, text

from govpilot.audit import AuditEvent, AuditLog, VerifyReport
from govpilot.audit.events import AuditSink
from govpilot.audit.log import canonical_json, event_hash, hashed_values
from govpilot.errors import AuditChainBroken, StorageError
from govpilot.storage.base import UtcDateTime
from govpilot.storage.db import Database

HKT = timezone(timedelta(hours=8))


def make_event(i: int, **changes: Any) -> AuditEvent:
    values: dict[str, Any] = {
        "actor": f"officer{i % 3}",
        "department": "DPO" if i % 2 else "HAD",
        "action": "translate",
        "backend": "fake",
        "model_name": "embedded",
        "model_id": "qwen2.5-1.5b",
        "tokens_in": 10 + i,
        "tokens_out": 20 + i,
        "latency_ms": 5,
        "redactions": {"HKID": 1},
        "detail": {"n": i, "note": "數字政策辦公室"},
        "occurred_at": datetime(2025, 3, 1, 9, 0, tzinfo=HKT) + timedelta(minutes=i),
    }
    values.update(changes)
    return AuditEvent(**values)


def fill(log: AuditLog, count: int) -> None:
    for i in range(1, count + 1):
        log.record(make_event(i))


def execute(database: Database, sql: str, **params: Any) -> None:
    statement = text(sql)
    if "when" in params:
        statement = statement.bindparams(bindparam("when", type_=UtcDateTime()))
    with database.connect() as connection:
        connection.execute(statement, params)


def test_audit_log_is_an_audit_sink(database: Database) -> None:
    sink: AuditSink = AuditLog(database)
    sink.record(make_event(1))
    assert AuditLog(database).verify().ok


def test_records_chain_and_verify(database: Database) -> None:
    log = AuditLog(database)
    fill(log, 10)
    report = log.verify()
    assert report == VerifyReport(True, 10, None, None, report.last_hash)
    report.raise_if_broken()
    records = log.events(limit=None)
    assert [r.seq for r in records] == list(range(10, 0, -1))
    assert records[-1].prev_hash == "0" * 64
    assert all(newer.prev_hash == older.hash for newer, older in itertools.pairwise(records))
    assert records[0].hash == report.last_hash


def test_empty_log_verifies(database: Database) -> None:
    assert AuditLog(database).verify() == VerifyReport(True, 0, None, None, "0" * 64)


def test_fields_round_trip(database: Database) -> None:
    log = AuditLog(database)
    sent = make_event(1, detail={"tags": ("a", "b"), "ok": True, "score": 0.25})
    appended = log.append(sent)
    (stored,) = log.events()
    assert stored == appended
    assert stored.event == AuditEvent(
        **{**sent.__dict__, "detail": {"tags": ["a", "b"], "ok": True, "score": 0.25}}
    )
    assert stored.occurred_at.tzinfo == UTC
    assert stored.occurred_at == sent.occurred_at
    assert stored.hash == event_hash(stored.prev_hash, hashed_values(1, stored))


def test_hash_format_is_stable() -> None:
    # Pinned: changing the canonical form would make every existing log fail verification.
    event = AuditEvent(
        actor="陳",
        department="DPO",
        action="summarise",
        occurred_at=datetime(2025, 1, 1, 8, tzinfo=HKT),
    )
    values = hashed_values(1, event)
    assert canonical_json(values) == (
        '{"action":"summarise","actor":"\\u9673","backend":null,"channel":"cli",'
        '"department":"DPO","detail":{},"latency_ms":0,"model_id":null,"model_name":null,'
        '"occurred_at":"2025-01-01T00:00:00.000000+00:00","outcome":"ok","redactions":{},'
        '"seq":1,"tokens_in":0,"tokens_out":0}'
    )
    expected = hashlib.sha256(("0" * 64 + canonical_json(values)).encode()).hexdigest()
    assert event_hash("0" * 64, values) == expected


def test_events_filters_and_limit(database: Database) -> None:
    log = AuditLog(database)
    fill(log, 12)
    log.record(make_event(13, action="draft"))
    assert [r.seq for r in log.events(limit=3)] == [13, 12, 11]
    assert {r.department for r in log.events(department="DPO")} == {"DPO"}
    assert [r.seq for r in log.events(actor="officer0", limit=None)] == [12, 9, 6, 3]
    assert [r.seq for r in log.events(action="draft")] == [13]
    since = datetime(2025, 3, 1, 1, 10, tzinfo=UTC)  # 09:10 HKT = event 10
    assert [r.seq for r in log.events(since=since)] == [13, 12, 11, 10]


def test_detail_must_be_plain_json(database: Database) -> None:
    log = AuditLog(database)
    with pytest.raises(StorageError, match="not plain JSON"):
        log.record(make_event(1, detail={"when": datetime.now(UTC)}))
    assert log.verify().checked == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "'mallory'"),
        ("tokens_out", "0"),
        ("model_id", "NULL"),
        ("detail", "'{\"n\": 999}'"),
        ("redactions", "'{}'"),
    ],
)
def test_altered_field_is_found(database: Database, column: str, value: str) -> None:
    log = AuditLog(database)
    fill(log, 6)
    execute(database, f"UPDATE audit_events SET {column} = {value} WHERE seq = 4")
    report = log.verify()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 4, 3)
    assert report.reason is not None and "altered" in report.reason
    with pytest.raises(AuditChainBroken) as info:
        report.raise_if_broken()
    assert info.value.seq == 4


def test_altered_timestamp_is_found(database: Database) -> None:
    log = AuditLog(database)
    fill(log, 5)
    when = datetime(2020, 1, 1, tzinfo=UTC)
    execute(database, "UPDATE audit_events SET occurred_at = :when WHERE seq = 2", when=when)
    assert log.verify().first_broken_seq == 2


def test_altered_hash_is_found(database: Database) -> None:
    log = AuditLog(database)
    fill(log, 5)
    execute(database, f"UPDATE audit_events SET hash = '{'a' * 64}' WHERE seq = 3")
    report = log.verify()
    assert (report.ok, report.first_broken_seq) == (False, 3)


def test_deleted_middle_event_is_found(database: Database) -> None:
    log = AuditLog(database)
    fill(log, 8)
    execute(database, "DELETE FROM audit_events WHERE seq = 5")
    report = log.verify()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 5, 4)
    assert report.reason is not None and "missing" in report.reason


def test_deleted_and_renumbered_event_is_found(database: Database) -> None:
    log = AuditLog(database)
    fill(log, 6)
    execute(database, "DELETE FROM audit_events WHERE seq = 3")
    execute(database, "UPDATE audit_events SET seq = seq - 1 WHERE seq > 3")
    assert log.verify().first_broken_seq == 3


def test_deleted_last_event_is_found(database: Database) -> None:
    log = AuditLog(database)
    fill(log, 6)
    execute(database, "DELETE FROM audit_events WHERE seq = 6")
    report = log.verify()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 6, 5)


def test_inserted_event_is_found(database: Database) -> None:
    log = AuditLog(database)
    fill(log, 4)
    (last,) = log.events(limit=1)
    # A forger who knows the hash format: the row itself checks out, only the head does not.
    forged = AuditEvent(actor="mallory", department="DPO", action="translate")
    digest = event_hash(last.hash, hashed_values(5, forged))
    execute(
        database,
        "INSERT INTO audit_events (seq, occurred_at, actor, department, action, outcome,"
        " tokens_in, tokens_out, latency_ms, channel, redactions, detail, prev_hash, hash)"
        " VALUES (5, :when, 'mallory', 'DPO', 'translate', 'ok', 0, 0, 0, 'cli', '{}', '{}',"
        f" '{last.hash}', '{digest}')",
        when=forged.occurred_at,
    )
    report = log.verify()
    assert (report.ok, report.first_broken_seq) == (False, 5)
    assert report.reason is not None and "inserted" in report.reason


def test_missing_head_row_is_found(database: Database) -> None:
    log = AuditLog(database)
    fill(log, 2)
    execute(database, "DELETE FROM audit_head")
    assert not log.verify().ok
    with pytest.raises(StorageError, match="audit_head"):
        log.record(make_event(3))


def test_concurrent_threads_keep_one_chain(database: Database) -> None:
    threads, per_thread = 8, 15
    errors: list[BaseException] = []

    def append_many(worker: int) -> None:
        # Each worker has its own Database, like a separate process would.
        own = Database(database.url)
        try:
            log = AuditLog(own)
            for i in range(per_thread):
                log.record(make_event(i, actor=f"worker{worker}"))
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    workers = [threading.Thread(target=append_many, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    log = AuditLog(database)
    assert log.verify() == VerifyReport(
        True, threads * per_thread, None, None, log.verify().last_hash
    )
    seqs = sorted(r.seq for r in log.events(limit=None))
    assert seqs == list(range(1, threads * per_thread + 1))


APPEND_SCRIPT = """
import sys
from govpilot.audit import AuditEvent, AuditLog
from govpilot.storage.db import Database
log = AuditLog(Database(sys.argv[1]))
for i in range(int(sys.argv[2])):
    log.record(AuditEvent(actor=sys.argv[3], department="DPO", action="chat", detail={"i": i}))
"""


def test_concurrent_processes_keep_one_chain(database: Database) -> None:
    url = database.url.render_as_string(hide_password=False)
    processes, per_process = 4, 25
    children = [
        subprocess.Popen([sys.executable, "-c", APPEND_SCRIPT, url, str(per_process), f"p{n}"])
        for n in range(processes)
    ]
    assert [child.wait(timeout=120) for child in children] == [0] * processes
    log = AuditLog(database)
    report = log.verify()
    assert (report.ok, report.checked) == (True, processes * per_process)
    assert {r.actor for r in log.events(limit=None)} == {f"p{n}" for n in range(processes)}


def test_sqlite_file_survives_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    first = Database(url)
    first.migrate()
    fill(AuditLog(first), 3)
    first.dispose()
    again = Database(url)
    again.migrate()
    log = AuditLog(again)
    log.record(make_event(4))
    assert log.verify().checked == 4
    again.dispose()
