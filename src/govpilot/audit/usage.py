"""What auditors read: the audit log filtered and paged, as CSV, and usage per department.

Every function takes the caller's CallContext and authorises it here (`READ_AUDIT`), so the
web, the API and the CLI share one rule: auditors and platform admins read every department,
nobody else reads the log. Days are Hong Kong calendar days (UTC+8, no daylight saving);
they are computed in SQL, so a year of events is summed by the database, on SQLite and on
PostgreSQL alike. Usage counts model calls: the events that name the model that answered.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal

from sqlalchemy import ColumnElement, Date, Select, distinct, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from govpilot.access import CallContext, Permission, authorize, visible_departments
from govpilot.audit.log import EVENT_FIELDS, AuditRecord
from govpilot.errors import InputError
from govpilot.storage.audit_tables import AuditEventRow
from govpilot.storage.db import Database

__all__ = [
    "CSV_COLUMNS",
    "HONG_KONG",
    "DepartmentDay",
    "EventFilter",
    "EventPage",
    "UsageReport",
    "events_csv",
    "export_events",
    "find_events",
    "usage_by_day",
]

HONG_KONG = timezone(timedelta(hours=8), "HKT")
MAX_PAGE_SIZE = 500
#: The most events one CSV export holds; narrow the filter for more.
MAX_EXPORT = 100_000
#: The longest period a usage report covers, in days.
MAX_USAGE_DAYS = 366
CSV_COLUMNS = (
    "seq",
    "occurred_at",
    "actor",
    "department",
    "action",
    "outcome",
    "channel",
    "backend",
    "model_name",
    "model_id",
    "tokens_in",
    "tokens_out",
    "latency_ms",
    "redactions",
    "detail",
    "hash",
)
Metric = Literal["calls", "tokens_in", "tokens_out", "users"]


class hk_day(FunctionElement[date]):
    """The Hong Kong calendar day of a UTC timestamp column, in the database's own SQL."""

    type = Date()
    inherit_cache = True


@compiles(hk_day, "sqlite")
def _hk_day_sqlite(element: hk_day, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite holds the UTC time as text: date() reads it and shifts it.
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(hk_day)
def _hk_day_default(element: hk_day, compiler: SQLCompiler, **kw: Any) -> str:
    # A literal interval, not a parameter, so GROUP BY repeats the very same expression.
    column = compiler.process(element.clauses, **kw)
    return f"CAST(({column} AT TIME ZONE 'UTC') + INTERVAL '8 hours' AS DATE)"


def hk_midnight(day: date) -> datetime:
    """The UTC instant a Hong Kong day starts."""
    return datetime(day.year, day.month, day.day, tzinfo=HONG_KONG).astimezone(UTC)


def hk_today() -> date:
    return datetime.now(HONG_KONG).date()


# -- the log, filtered ---------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    """Which events to list; empty fields match everything. Dates are Hong Kong days."""

    actor: str = ""
    action: str = ""
    department: str = ""
    outcome: str = ""
    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InputError("the start date is after the end date", hint="swap the two dates")

    def as_query(self) -> dict[str, str]:
        """The filter as query-string fields (for paging and export links)."""
        values = {
            "actor": self.actor,
            "action": self.action,
            "department": self.department,
            "outcome": self.outcome,
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
        }
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class EventPage:
    """One page of matching events, newest first, and how many match in all."""

    records: list[AuditRecord]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _readable_departments(ctx: CallContext, department: str) -> set[str] | None:
    """The departments `ctx` may read the log of (None: all); PermissionDenied if none."""
    if department:
        authorize(ctx, Permission.READ_AUDIT, department)
        return {department}
    visible = visible_departments(ctx, Permission.READ_AUDIT)
    if visible is not None and not visible:
        authorize(ctx, Permission.READ_AUDIT)  # raises, with the reason
    return visible


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(ctx: CallContext, filters: EventFilter) -> Select[AuditEventRow]:
    departments = _readable_departments(ctx, filters.department.strip())
    query = select(AuditEventRow)
    if departments is not None:
        query = query.where(AuditEventRow.department.in_(sorted(departments)))
    if actor := filters.actor.strip().lower():
        # Part of an address finds it: "chan" finds "tm.chan@had.gov.hk".
        pattern = f"%{_like_escaped(actor)}%"
        query = query.where(func.lower(AuditEventRow.actor).like(pattern, escape="\\"))
    if action := filters.action.strip():
        # "user" finds user.create and user.update as well as "user" itself.
        query = query.where(
            or_(
                AuditEventRow.action == action,
                AuditEventRow.action.like(f"{_like_escaped(action)}.%", escape="\\"),
            )
        )
    if outcome := filters.outcome.strip():
        query = query.where(AuditEventRow.outcome == outcome)
    if filters.start is not None:
        query = query.where(AuditEventRow.occurred_at >= hk_midnight(filters.start))
    if filters.end is not None:
        query = query.where(
            AuditEventRow.occurred_at < hk_midnight(filters.end + timedelta(days=1))
        )
    return query


def _record(row: AuditEventRow) -> AuditRecord:
    values: dict[str, Any] = {name: getattr(row, name) for name in EVENT_FIELDS}
    return AuditRecord(**values, seq=row.seq, hash=row.hash, prev_hash=row.prev_hash)


def find_events(
    ctx: CallContext,
    database: Database,
    filters: EventFilter | None = None,
    *,
    page: int = 1,
    page_size: int = 50,
) -> EventPage:
    """One page of the events `filters` match, newest first; READ_AUDIT required."""
    filters = filters or EventFilter()
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    query = _filtered(ctx, filters)
    with database.session() as session:
        total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        rows = session.scalars(
            query.order_by(AuditEventRow.seq.desc()).limit(page_size).offset((page - 1) * page_size)
        ).all()
        records = [_record(row) for row in rows]
    return EventPage(records, total, page, page_size)


def export_events(
    ctx: CallContext,
    database: Database,
    filters: EventFilter | None = None,
    *,
    limit: int = MAX_EXPORT,
) -> list[AuditRecord]:
    """Every event `filters` match (up to `limit`), oldest first; READ_AUDIT required."""
    query = _filtered(ctx, filters or EventFilter()).order_by(AuditEventRow.seq).limit(limit)
    with database.session() as session:
        return [_record(row) for row in session.scalars(query)]


def events_csv(records: Iterable[AuditRecord]) -> Iterator[str]:
    """The events as CSV lines, header first; cells that look like formulas are quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for record in records:
        values = record.as_dict()
        values.update(seq=record.seq, hash=record.hash)
        for name in ("redactions", "detail"):
            values[name] = json.dumps(values[name], ensure_ascii=False, sort_keys=True)
        writer.writerow(_csv_cell(values[c]) for c in CSV_COLUMNS)
        yield flush()


def _csv_cell(value: Any) -> Any:
    # A cell starting with = + - @ is a formula in spreadsheet programs: mark it as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


# -- usage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentDay:
    """One department's model use on one Hong Kong day."""

    department: str
    day: date
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    users: int = 0

    def value(self, metric: Metric) -> int:
        return int(getattr(self, metric))


@dataclass
class UsageReport:
    """Model calls, tokens and distinct users per department per day, with period totals.

    `totals[department].users` counts people over the whole period, not the sum of days.
    """

    start: date
    end: date
    rows: list[DepartmentDay] = field(default_factory=list)
    totals: dict[str, DepartmentDay] = field(default_factory=dict)

    @property
    def departments(self) -> list[str]:
        return sorted(self.totals)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def series(self, metric: Metric, department: str | None = None) -> list[tuple[date, int]]:
        """(day, value) for every day of the period, days without calls as 0.

        Without a department: all departments together (users: the most of any one
        department that day is not meaningful, so the sum of each department's users).
        """
        by_day: dict[date, int] = dict.fromkeys(self.days, 0)
        for row in self.rows:
            if department is None or row.department == department:
                by_day[row.day] = by_day.get(row.day, 0) + row.value(metric)
        return sorted(by_day.items())


def _as_date(value: Any) -> date:
    # SQLite's date() gives text, PostgreSQL a date.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def usage_by_day(
    ctx: CallContext,
    database: Database,
    *,
    start: date | None = None,
    end: date | None = None,
    department: str = "",
) -> UsageReport:
    """Model use per department per Hong Kong day from `start` to `end` (default: 30 days)."""
    end = end or hk_today()
    start = start or end - timedelta(days=29)
    if start > end:
        raise InputError("the start date is after the end date", hint="swap the two dates")
    if (end - start).days >= MAX_USAGE_DAYS:
        raise InputError(f"a usage report covers at most {MAX_USAGE_DAYS} days")
    departments = _readable_departments(ctx, department.strip())
    conditions: list[ColumnElement[bool]] = [
        AuditEventRow.model_name.is_not(None),
        AuditEventRow.occurred_at >= hk_midnight(start),
        AuditEventRow.occurred_at < hk_midnight(end + timedelta(days=1)),
    ]
    if departments is not None:
        conditions.append(AuditEventRow.department.in_(sorted(departments)))
    figures = (
        func.count(),
        func.coalesce(func.sum(AuditEventRow.tokens_in), 0),
        func.coalesce(func.sum(AuditEventRow.tokens_out), 0),
        func.count(distinct(AuditEventRow.actor)),
    )
    day = hk_day(AuditEventRow.occurred_at)
    daily = (
        select(AuditEventRow.department, day, *figures)
        .where(*conditions)
        .group_by(AuditEventRow.department, day)
        .order_by(AuditEventRow.department, day)
    )
    totals = (
        select(AuditEventRow.department, *figures)
        .where(*conditions)
        .group_by(AuditEventRow.department)
    )
    with database.session() as session:
        rows = [
            DepartmentDay(dept, _as_date(d), int(c), int(ti), int(to), int(u))
            for dept, d, c, ti, to, u in session.execute(daily)
        ]
        summed = {
            dept: DepartmentDay(dept, start, int(c), int(ti), int(to), int(u))
            for dept, c, ti, to, u in session.execute(totals)
        }
    return UsageReport(start, end, rows, summed)
