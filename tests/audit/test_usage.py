"""Audit queries: filters, paging, CSV, usage per department per Hong Kong day, and who may
read them; on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from govpilot.access import CallContext, Role
from govpilot.audit import AuditEvent, AuditLog
from govpilot.audit.usage import (
    CSV_COLUMNS,
    EventFilter,
    events_csv,
    export_events,
    find_events,
    usage_by_day,
)
from govpilot.errors import InputError, PermissionDenied
from govpilot.storage.db import Database

HKT = timezone(timedelta(hours=8))


def context(role: Role, department: str = "HAD") -> CallContext:
    return CallContext(
        actor=f"{role.value}@{department.lower()}.gov.hk",
        department=department,
        capability="audit",
        role=role.value,
    )


AUDITOR = context(Role.AUDITOR, "AUDIT")


def event(when: datetime, **changes: Any) -> AuditEvent:
    values: dict[str, Any] = {
        "actor": "chan@had.gov.hk",
        "department": "HAD",
        "action": "translate",
        "model_name": "fake",
        "tokens_in": 10,
        "tokens_out": 20,
        "occurred_at": when,
    }
    values.update(changes)
    return AuditEvent(**values)


@pytest.fixture
def log(database: Database) -> AuditLog:
    log = AuditLog(database)
    # 1 March, Hong Kong time: 23:30 on the 1st is 15:30 UTC, still the 1st in Hong Kong.
    day1 = datetime(2025, 3, 1, 9, 0, tzinfo=HKT)
    log.record(event(day1))
    log.record(event(day1.replace(hour=23, minute=30), actor="lee@had.gov.hk"))
    log.record(event(day1 + timedelta(days=1), tokens_in=5, tokens_out=7))  # 2 March
    log.record(event(day1, department="DPO", actor="wong@dpo.gov.hk", outcome="error"))
    log.record(event(day1, action="user.create", model_name=None, tokens_in=0, tokens_out=0))
    log.record(event(day1, action="user.update", model_name=None, actor="=cmd|'/c calc'!A1"))
    # 00:30 on 3 March in Hong Kong is still 2 March in UTC.
    log.record(event(datetime(2025, 3, 3, 0, 30, tzinfo=HKT), department="DPO"))
    return log


def test_auditor_filters_by_actor_action_department_outcome_and_dates(
    log: AuditLog, database: Database
) -> None:
    def seqs(**fields: Any) -> list[int]:
        page = find_events(AUDITOR, database, EventFilter(**fields))
        return [r.seq for r in page.records]

    assert seqs() == [7, 6, 5, 4, 3, 2, 1]  # newest first
    assert seqs(actor="LEE") == [2]  # part of the address, any case
    assert seqs(action="user") == [6, 5]  # a dotted prefix
    assert seqs(action="user.create") == [5]
    assert seqs(action="use") == []
    assert seqs(department="DPO") == [7, 4]
    assert seqs(outcome="error") == [4]
    assert seqs(start=date(2025, 3, 2), end=date(2025, 3, 2)) == [3]
    assert seqs(start=date(2025, 3, 3)) == [7]
    assert seqs(actor="%") == []  # wildcards are literal


def test_paging_counts_every_match_and_clamps_the_page(log: AuditLog, database: Database) -> None:
    page = find_events(AUDITOR, database, page=2, page_size=3)
    assert [r.seq for r in page.records] == [4, 3, 2]
    assert (page.total, page.pages, page.has_previous, page.has_next) == (7, 3, True, True)
    last = find_events(AUDITOR, database, page=99, page_size=3)
    assert last.page == 3 and [r.seq for r in last.records] == [1]
    assert not last.has_next


def test_only_auditors_and_platform_admins_read_the_log(log: AuditLog, database: Database) -> None:
    admin = context(Role.PLATFORM_ADMIN, "OGCIO")
    assert find_events(admin, database).total == 7
    for role in (Role.DEPARTMENT_ADMIN, Role.OFFICER):
        with pytest.raises(PermissionDenied):
            find_events(context(role), database)
        with pytest.raises(PermissionDenied):
            find_events(context(role), database, EventFilter(department="HAD"))
        with pytest.raises(PermissionDenied):
            usage_by_day(context(role), database, start=date(2025, 3, 1), end=date(2025, 3, 3))
        with pytest.raises(PermissionDenied):
            export_events(context(role), database)


def test_csv_export_is_oldest_first_and_defuses_formulas(log: AuditLog, database: Database) -> None:
    records = export_events(AUDITOR, database, EventFilter(department="HAD"))
    rows = list(csv.reader(io.StringIO("".join(events_csv(records)))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "5", "6"]
    actors = [row[CSV_COLUMNS.index("actor")] for row in rows[1:]]
    assert "'=cmd|'/c calc'!A1" in actors


def test_usage_per_department_per_hong_kong_day(log: AuditLog, database: Database) -> None:
    report = usage_by_day(AUDITOR, database, start=date(2025, 3, 1), end=date(2025, 3, 3))
    assert report.departments == ["DPO", "HAD"]
    had = [
        (r.day, r.calls, r.tokens_in, r.tokens_out, r.users)
        for r in report.rows
        if r.department == "HAD"
    ]
    assert had == [(date(2025, 3, 1), 2, 20, 40, 2), (date(2025, 3, 2), 1, 5, 7, 1)]
    assert report.totals["HAD"].calls == 3  # user.create and user.update are not model calls
    assert report.totals["HAD"].users == 2  # people over the period, not a sum of days
    assert report.series("calls", "DPO") == [
        (date(2025, 3, 1), 1),
        (date(2025, 3, 2), 0),
        (date(2025, 3, 3), 1),
    ]
    assert [v for _, v in report.series("tokens_in")] == [30, 5, 10]
    only = usage_by_day(
        AUDITOR, database, start=date(2025, 3, 1), end=date(2025, 3, 3), department="DPO"
    )
    assert only.departments == ["DPO"]


def test_usage_refuses_backwards_or_overlong_periods(database: Database) -> None:
    with pytest.raises(InputError):
        usage_by_day(AUDITOR, database, start=date(2025, 3, 2), end=date(2025, 3, 1))
    with pytest.raises(InputError):
        usage_by_day(AUDITOR, database, start=date(2024, 1, 1), end=date(2025, 3, 1))
    with pytest.raises(InputError):
        EventFilter(start=date(2025, 3, 2), end=date(2025, 3, 1))
