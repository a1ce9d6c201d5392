"""Case analytics: volumes, deadlines met, recurring issues, and a CSV of the cases.

Counts are over the cases a caller may see (auditors see every department's, read
only), received in the last `days` days. The CSV has one row per case and no text or
contact details: the case's id (not its reference, which opens the status page), dates,
department, category, urgency, channel, district, status, and the hours taken to
acknowledge and to reply.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from govpilot.access import CallContext, Permission, visible_departments
from govpilot.capabilities.cases.store import Case, CaseStore

__all__ = ["CSV_COLUMNS", "CaseAnalytics", "CaseFigures", "figures_of"]

CSV_COLUMNS = (
    "case",
    "received",
    "department",
    "category",
    "urgency",
    "channel",
    "district",
    "status",
    "language",
    "incident",
    "hours_to_acknowledge",
    "hours_to_reply",
    "acknowledged_in_time",
    "replied_in_time",
)
MAX_CASES = 50_000


@dataclass(frozen=True)
class CaseFigures:
    """What the analytics page shows."""

    total: int
    by_department: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    by_district: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_urgency: list[tuple[str, int]]
    #: (week starting, cases received)
    by_week: list[tuple[str, int]]
    open: int
    overdue: int
    acknowledged_in_time: float | None
    replied_in_time: float | None
    median_hours_to_reply: float | None
    #: (first case's id, category, reports): incidents reported more than once. Ids, not
    #: references: a reference opens the status page, and auditors read these figures.
    incidents: list[tuple[str, str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def _hours(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 3600, 1)


def _blank(value: float | None) -> object:
    return "" if value is None else value


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def figures_of(cases: Sequence[Case], now: datetime) -> CaseFigures:
    """The figures of `cases` at `now`."""
    weeks: Counter[str] = Counter()
    for case in cases:
        start = case.created_at - timedelta(days=case.created_at.weekday())
        weeks[start.strftime("%Y-%m-%d")] += 1
    acknowledged = [c.acknowledged_at <= c.acknowledge_due for c in cases if c.acknowledged_at]
    acknowledged += [False for c in cases if c.acknowledged_at is None and now > c.acknowledge_due]
    replied = [c.replied_at <= c.reply_due for c in cases if c.replied_at]
    replied += [False for c in cases if c.replied_at is None and c.is_open and now > c.reply_due]
    reply_hours = [h for c in cases if (h := _hours(c.created_at, c.replied_at)) is not None]
    reports: Counter[str] = Counter(c.incident_id or c.id for c in cases)
    first = {c.id: c for c in cases}
    incidents = [
        (first[root].id, first[root].category, n)
        for root, n in reports.most_common(10)
        if n > 1 and root in first
    ]
    return CaseFigures(
        total=len(cases),
        by_department=Counter(c.department or "(triage)" for c in cases).most_common(),
        by_category=Counter(c.category or "(none)" for c in cases).most_common(15),
        by_district=Counter(c.district or "(not known)" for c in cases).most_common(),
        by_channel=Counter(c.channel for c in cases).most_common(),
        by_urgency=Counter(c.urgency for c in cases).most_common(),
        by_week=sorted(weeks.items()),
        open=sum(c.is_open for c in cases),
        overdue=sum(c.overdue(now) is not None for c in cases),
        acknowledged_in_time=_share(acknowledged),
        replied_in_time=_share(replied),
        median_hours_to_reply=round(statistics.median(reply_hours), 1) if reply_hours else None,
        incidents=incidents,
    )


class CaseAnalytics:
    """Figures and exports over the cases a caller may see."""

    def __init__(self, store: CaseStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def cases(self, ctx: CallContext, days: int = 90) -> list[Case]:
        visible = visible_departments(ctx, Permission.VIEW_ANALYTICS)
        if visible is not None and not visible:
            visible = visible_departments(ctx, Permission.USE_COPILOT)
        if visible is not None and not visible:
            return []
        since = self.clock() - timedelta(days=max(1, min(days, 3660)))
        return self.store.listed(visible, since=since, limit=MAX_CASES)

    def figures(self, ctx: CallContext, days: int = 90) -> CaseFigures:
        return figures_of(self.cases(ctx, days), self.clock())

    def csv(self, ctx: CallContext, days: int = 90) -> str:
        """One row per case, no text or contact details."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for c in self.cases(ctx, days):
            writer.writerow(
                [
                    c.id,
                    c.created_at.isoformat(timespec="seconds"),
                    c.department,
                    c.category,
                    c.urgency,
                    c.channel,
                    c.district,
                    c.status,
                    c.language,
                    c.incident_id or "",
                    _blank(_hours(c.created_at, c.acknowledged_at)),
                    _blank(_hours(c.created_at, c.replied_at)),
                    "" if c.acknowledged_at is None else c.acknowledged_at <= c.acknowledge_due,
                    "" if c.replied_at is None else c.replied_at <= c.reply_due,
                ]
            )
        return out.getvalue()
