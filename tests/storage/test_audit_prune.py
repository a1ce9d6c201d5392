"""Audit retention: pruning the oldest events keeps the rest of the chain verifiable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, text

from govpilot.audit import AuditEvent, AuditLog
from govpilot.audit.log import PRUNE_ACTION, event_hash, hashed_values
from govpilot.errors import AuditChainBroken
from govpilot.storage.audit_tables import GENESIS_HASH, AuditHeadRow
from govpilot.storage.base import UtcDateTime
from govpilot.storage.db import Database

START = datetime(2018, 1, 1, 9, 0, tzinfo=UTC)


def event(day: int, **changes: Any) -> AuditEvent:
    values: dict[str, Any] = {
        "actor": f"officer{day % 3}",
        "department": "DPO",
        "action": "translate",
        "detail": {"day": day},
        "occurred_at": START + timedelta(days=day),
    }
    values.update(changes)
    return AuditEvent(**values)


def fill(log: AuditLog, days: range) -> None:
    for day in days:
        log.record(event(day))


def execute(database: Database, sql: str, **params: Any) -> None:
    statement = text(sql)
    if "when" in params:
        statement = statement.bindparams(bindparam("when", type_=UtcDateTime()))
    with database.connect() as connection:
        connection.execute(statement, params)


def head(database: Database) -> AuditHeadRow:
    with database.session() as session:
        return session.get_one(AuditHeadRow, 1)


def test_prune_deletes_the_oldest_events_and_the_rest_verifies(database: Database) -> None:
    log = AuditLog(database)
    fill(log, range(10))  # seq 1..10 on days 0..9
    assert log.prunable(START + timedelta(days=4)) == 4
    assert log.prune(START + timedelta(days=4), actor="dpo-admin") == 4

    seqs = [e.seq for e in log.events(limit=None)]
    assert seqs == list(range(11, 4, -1))
    report = log.verify()
    assert (report.ok, report.checked, report.first_seq) == (True, 7, 5)
    prune_event = log.events(limit=1)[0]
    assert (prune_event.action, prune_event.actor) == (PRUNE_ACTION, "dpo-admin")
    first_kept = log.events(limit=None)[-1]
    assert prune_event.detail == {
        "before": (START + timedelta(days=4)).isoformat(),
        "deleted": 4,
        "from_seq": 1,
        "first_seq": 5,
        "first_prev_hash": first_kept.prev_hash,
    }
    row = head(database)
    assert (row.first_seq, row.first_prev_hash) == (5, first_kept.prev_hash)


def test_nothing_old_enough_changes_nothing(database: Database) -> None:
    log = AuditLog(database)
    fill(log, range(3))
    assert log.prune(START) == 0
    assert log.prunable(START) == 0
    assert [e.action for e in log.events(limit=None)] == ["translate"] * 3
    assert log.verify().first_seq == 1
    assert AuditLog(database).prune(START - timedelta(days=1)) == 0


def test_empty_log_prunes_nothing(database: Database) -> None:
    log = AuditLog(database)
    assert log.prune(START) == 0
    assert log.verify().ok


def test_pruning_every_event_leaves_a_chain_that_goes_on(database: Database) -> None:
    log = AuditLog(database)
    fill(log, range(5))
    assert log.prune(START + timedelta(days=100)) == 5
    assert head(database).first_seq == 6
    fill(log, range(200, 203))
    report = log.verify()
    assert (report.ok, report.checked, report.first_seq) == (True, 4, 6)


def test_pruning_again_moves_the_anchor_again(database: Database) -> None:
    log = AuditLog(database)
    fill(log, range(10))
    log.prune(START + timedelta(days=3))
    fill(log, range(10, 12))
    # The first prune's own event is recent, so it stays until everything before it goes.
    assert log.prune(START + timedelta(days=8)) == 5
    report = log.verify()
    assert report.ok and report.first_seq == 9
    assert [e.seq for e in log.events(limit=None)][-1] == 9


def test_an_old_event_after_a_newer_one_is_kept(database: Database) -> None:
    log = AuditLog(database)
    for day in (0, 1, 5, 2, 6):  # seq 4 is older than seq 3
        log.record(event(day))
    assert log.prune(START + timedelta(days=3)) == 2
    assert [e.seq for e in log.events(limit=None)] == [6, 5, 4, 3]
    assert log.verify().ok


@pytest.mark.parametrize(("where", "broken_at"), [("seq = 5", 5), ("seq = 7", 7)])
def test_deleting_an_event_after_a_prune_is_found(
    database: Database, where: str, broken_at: int
) -> None:
    log = AuditLog(database)
    fill(log, range(10))
    log.prune(START + timedelta(days=4))  # keeps 5..10, adds 11
    execute(database, f"DELETE FROM audit_events WHERE {where}")
    report = log.verify()
    assert (report.ok, report.first_broken_seq) == (False, broken_at)
    assert report.reason is not None and "missing" in report.reason


def test_deleting_the_newest_event_after_a_prune_is_found(database: Database) -> None:
    log = AuditLog(database)
    fill(log, range(10))
    log.prune(START + timedelta(days=4))
    execute(database, "DELETE FROM audit_events WHERE seq = 11")
    assert (log.verify().ok, log.verify().first_broken_seq) == (False, 11)


def test_moving_the_anchor_by_hand_is_found(database: Database) -> None:
    log = AuditLog(database)
    fill(log, range(10))
    log.prune(START + timedelta(days=4))  # anchor at 5, recorded by event 11
    sixth = next(e for e in log.events(limit=None) if e.seq == 7)
    # Someone deletes 5 and 6 and moves the anchor to hide it: the chain alone would verify.
    execute(database, "DELETE FROM audit_events WHERE seq IN (5, 6)")
    execute(
        database,
        "UPDATE audit_head SET first_seq = 7, first_prev_hash = :h",
        h=sixth.prev_hash,
    )
    report = log.verify()
    assert (report.ok, report.first_broken_seq) == (False, 7)
    assert report.reason is not None and PRUNE_ACTION in report.reason


def test_an_anchor_no_prune_recorded_is_found(database: Database) -> None:
    log = AuditLog(database)
    fill(log, range(6))
    fourth = next(e for e in log.events(limit=None) if e.seq == 4)
    execute(database, "DELETE FROM audit_events WHERE seq < 4")
    execute(
        database, "UPDATE audit_head SET first_seq = 4, first_prev_hash = :h", h=fourth.prev_hash
    )
    report = log.verify()
    assert (report.ok, report.first_broken_seq) == (False, 4)


def test_deleting_the_first_events_without_moving_the_anchor_is_found(
    database: Database,
) -> None:
    log = AuditLog(database)
    fill(log, range(6))
    execute(database, "DELETE FROM audit_events WHERE seq < 3")
    report = log.verify()
    assert (report.ok, report.first_broken_seq) == (False, 1)


def test_a_broken_chain_is_not_pruned(database: Database) -> None:
    log = AuditLog(database)
    fill(log, range(6))
    execute(database, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2")
    with pytest.raises(AuditChainBroken, match="event 2"):
        log.prune(START + timedelta(days=4))
    assert len(log.events(limit=None)) == 6


def test_a_database_from_before_retention_upgrades_and_verifies(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate("0001_audit")
        prev = GENESIS_HASH
        for seq in (1, 2, 3):
            values = hashed_values(seq, event(seq))
            digest = event_hash(prev, values)
            execute(
                db,
                "INSERT INTO audit_events (seq, occurred_at, actor, department, action, outcome,"
                " tokens_in, tokens_out, latency_ms, channel, redactions, detail, prev_hash,"
                f" hash) VALUES ({seq}, :when, :actor, 'DPO', 'translate', 'ok', 0, 0, 0, 'cli',"
                f" '{{}}', :detail, '{prev}', '{digest}')",
                when=event(seq).occurred_at,
                actor=values["actor"],
                detail=f'{{"day": {seq}}}',
            )
            execute(db, "UPDATE audit_head SET last_seq = :s, last_hash = :h", s=seq, h=digest)
            prev = digest
        db.migrate()
        log = AuditLog(db)
        assert log.verify().ok and log.verify().checked == 3
        assert (head(db).first_seq, head(db).first_prev_hash) == (1, GENESIS_HASH)
        assert log.prune(START + timedelta(days=2)) == 1
        assert log.verify().ok
    finally:
        db.dispose()
