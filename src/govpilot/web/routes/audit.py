"""/audit: the audit log with filters and paging, the chain's verification, CSV export;
/audit/usage: model use per department per day, as charts and tables.

`audit.usage` authorises every query (auditors and platform admins only), so these pages
hold no rules of their own. Nothing here changes anything: every route is a GET.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from markupsafe import Markup

from govpilot.access import Permission
from govpilot.audit.usage import (
    EventFilter,
    Metric,
    UsageReport,
    events_csv,
    export_events,
    find_events,
    hk_today,
    usage_by_day,
)
from govpilot.audit.verification import RecentVerification
from govpilot.errors import InputError
from govpilot.http.dependencies import PlatformDep
from govpilot.platform import Platform
from govpilot.web.charts import Series, bar_chart, line_chart
from govpilot.web.i18n import N_
from govpilot.web.render import NavItem, render, translate
from govpilot.web.session import WebUserDep

router = APIRouter()

NAV_ITEMS = [
    NavItem("/audit", N_("Audit log"), Permission.READ_AUDIT, order=85),
    NavItem("/audit/usage", N_("Usage"), Permission.READ_AUDIT, order=86),
]
CAPABILITY = "audit"
PAGE_SIZE = 50
OUTCOMES = ("ok", "error", "refused")
#: The usage charts: (metric, title, axis label).
USAGE_CHARTS: tuple[tuple[Metric, str, str], ...] = (
    ("calls", N_("Model calls per day"), N_("Calls")),
    ("tokens_in", N_("Tokens in (prompts) per day"), N_("Tokens")),
    ("tokens_out", N_("Tokens out (answers) per day"), N_("Tokens")),
    ("users", N_("People using models per day"), N_("People")),
)

Field = Annotated[str, Query(max_length=200)]
Day = Annotated[str, Query(max_length=10)]


def _verification(request: Request, platform: Platform) -> RecentVerification:
    """The app's remembered chain verification (made on first use)."""
    state = request.app.state
    if getattr(state, "audit_verification", None) is None:
        state.audit_verification = RecentVerification(platform.audit)
    verification: RecentVerification = state.audit_verification
    return verification


def _date(value: str, what: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{what} {value!r} is not a date", hint="use YYYY-MM-DD") from None


@dataclass(frozen=True)
class AuditFilters:
    """The audit log's filters as the form sent them: shown again as typed, then parsed."""

    actor: str = ""
    action: str = ""
    department: str = ""
    outcome: str = ""
    start: str = ""
    end: str = ""

    def event_filter(self) -> EventFilter:
        """The filters to query with; InputError if `start` or `end` is not a date."""
        return EventFilter(
            actor=self.actor.strip(),
            action=self.action.strip(),
            department=self.department.strip(),
            outcome=self.outcome if self.outcome in OUTCOMES else "",
            start=_date(self.start, "from"),
            end=_date(self.end, "to"),
        )


def audit_filters(
    actor: Field = "",
    action: Field = "",
    department: Field = "",
    outcome: Field = "",
    start: Day = "",
    end: Day = "",
) -> AuditFilters:
    """The filter query parameters that the log page and its CSV export share."""
    return AuditFilters(actor, action, department, outcome, start, end)


AuditFiltersDep = Annotated[AuditFilters, Depends(audit_filters)]


@router.get("/audit")
def audit_page(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    form: AuditFiltersDep,
    page: Annotated[int, Query(ge=1)] = 1,
    fresh: Annotated[bool, Query(alias="verify")] = False,
) -> Response:
    """The audit log, newest first, filtered; and whether its hash chain verifies."""
    ctx = web.context(CAPABILITY)
    error = None
    try:
        filters = form.event_filter()
    except InputError as exc:
        filters = EventFilter(actor=form.actor, action=form.action, department=form.department)
        error = str(exc)
    found = find_events(ctx, platform.database, filters, page=page, page_size=PAGE_SIZE)
    query = filters.as_query()
    verification = _verification(request, platform).get(fresh=fresh)

    def page_link(number: int) -> str:
        return "/audit?" + urlencode({**query, "page": str(number)})

    return render(
        request,
        "audit/index.html",
        form=asdict(form),
        outcomes=OUTCOMES,
        departments=[d.name for d in platform.accounts.departments(ctx)],
        found=found,
        previous_link=page_link(found.page - 1) if found.has_previous else None,
        next_link=page_link(found.page + 1) if found.has_next else None,
        export_link="/audit/export.csv" + (f"?{urlencode(query)}" if query else ""),
        verify=verification.report,
        verified_at=verification.checked_at,
        error=error,
        status_code=400 if error else 200,
    )


@router.get("/audit/export.csv")
def export_csv(
    platform: PlatformDep,
    web: WebUserDep,
    form: AuditFiltersDep,
) -> Response:
    """The filtered log as CSV, oldest first, with a BOM so spreadsheets read Chinese."""
    filters = form.event_filter()
    records = export_events(web.context(CAPABILITY), platform.database, filters)

    def body() -> Iterator[str]:
        yield "\ufeff"
        yield from events_csv(records)

    filename = f"audit-{hk_today().isoformat()}.csv"
    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )


def usage_charts(request: Request, report: UsageReport) -> list[Markup]:
    """One chart per metric: a line per department, or bars for a single department."""
    labels = [d.strftime("%m-%d") for d in report.days]
    departments: list[str | None] = list(report.departments) or [None]
    charts = []
    for metric, title, axis in USAGE_CHARTS:
        series = [
            Series(name or "—", [v for _, v in report.series(metric, name)]) for name in departments
        ]
        draw = bar_chart if len(series) == 1 else line_chart
        charts.append(
            draw(
                translate(request, title),
                labels,
                series,
                x_label=translate(request, N_("Day (Hong Kong time)")),
                y_label=translate(request, axis),
                table_label=translate(request, N_("Show the figures as a table")),
            )
        )
    return charts


@router.get("/audit/usage")
def usage_page(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    department: Field = "",
    start: Day = "",
    end: Day = "",
) -> Response:
    """Model calls, tokens and people per department per day, as charts and a table."""
    ctx = web.context(CAPABILITY)
    error = None
    try:
        report = usage_by_day(
            ctx,
            platform.database,
            start=_date(start, "from"),
            end=_date(end, "to"),
            department=department,
        )
    except InputError as exc:
        error = str(exc)
        report = usage_by_day(ctx, platform.database, department=department)
    return render(
        request,
        "audit/usage.html",
        report=report,
        charts=usage_charts(request, report),
        form={"department": department, "start": start, "end": end},
        departments=[d.name for d in platform.accounts.departments(ctx)],
        error=error,
        status_code=400 if error else 200,
    )
