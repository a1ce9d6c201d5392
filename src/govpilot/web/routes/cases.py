"""/cases: the officers' case desk: queues, a case's page, replies to approve, analytics.

The queue page lists one queue (the department's, mine, the desk's triage queue,
overdue, open, closed), urgent cases first, each with its deadline; officers record a
phone call or load an e-mail (.eml) there. A case's page shows the message (personal
data as the desk's policy stores it), why the router chose its department and how sure
it was, the other reports of its incident, and the forms to route or transfer it (with
a reason), assign it, add a note, close or reopen it. Replies are drafted there (an
acknowledgement, an interim reply, or a final one the model writes from the
department's documents with citations), edited, and approved: nothing reaches the
citizen before an officer approves it. Every form names the case's version, so a change
on a stale page is refused with a plain message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from govpilot.access import CallContext, Permission
from govpilot.capabilities.cases.intake import Submission
from govpilot.capabilities.cases.store import Case
from govpilot.capabilities.cases.work import QUEUES
from govpilot.errors import InputError
from govpilot.http.dependencies import PlatformDep
from govpilot.http.downloads import attachment
from govpilot.platform import Platform
from govpilot.web.charts import Series, bar_chart, line_chart
from govpilot.web.i18n import CHINESE, N_
from govpilot.web.notices import after_change
from govpilot.web.render import NavItem, page_language, render, translate
from govpilot.web.routes.case_labels import (
    CHANNEL_LABELS,
    EVENT_LABELS,
    NOTICES,
    QUEUE_LABELS,
    REPLY_LABELS,
    STATUS_LABELS,
    URGENCY_LABELS,
)
from govpilot.web.routes.governance import FormDep, Notice
from govpilot.web.routes.meetings import form_version
from govpilot.web.session import WebUser, WebUserDep

router = APIRouter()

NAV_ITEMS = [NavItem("/cases", N_("Cases"), Permission.USE_COPILOT, order=17)]
CAPABILITY = "cases"
MAX_EML = 30 * 1024 * 1024


def _ctx(web: Any) -> CallContext:
    ctx: CallContext = web.context(CAPABILITY)
    return ctx


def _message(exc: InputError) -> str:
    return exc.message + (f" ({exc.hint})" if exc.hint else "")


@router.get("/cases")
def queue_page(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    queue: str = "department",
    team: Annotated[str, Query(max_length=100)] = "",
    notice: Notice = "",
) -> Response:
    """One queue (of one team, if named), urgent first."""
    return _queue(request, platform, _ctx(web), queue, team=team, notice=NOTICES.get(notice, ""))


def _queue(
    request: Request,
    platform: Platform,
    ctx: CallContext,
    queue: str,
    *,
    team: str = "",
    notice: str = "",
    errors: list[str] | None = None,
    code: int = 200,
) -> Response:
    desk = platform.case_desk
    if queue not in QUEUES:
        queue = "department"
    now = desk.work.clock()
    cases = desk.work.queue(ctx, queue, team=team)
    return render(
        request,
        "cases/queue.html",
        status_code=code,
        queue=queue,
        team=team,
        queues=QUEUES,
        queue_labels=QUEUE_LABELS,
        cases=cases,
        overdue={c.id: c.overdue(now) for c in cases},
        departments=desk.departments,
        status_labels=STATUS_LABELS,
        urgency_labels=URGENCY_LABELS,
        channel_labels=CHANNEL_LABELS,
        notice=notice,
        errors=errors or [],
    )


@router.post("/cases")
def record_call(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep
) -> Response:
    """An officer's note of a phone call (or a post seen on social media) becomes a case."""
    ctx = _ctx(web)
    channel = str(form.get("channel", "phone"))
    submission = Submission(
        text=str(form.get("text", "")),
        subject=str(form.get("subject", "")),
        channel=channel if channel in ("phone", "social_media") else "phone",
        name=str(form.get("name", "")),
        email=str(form.get("email", "")),
        phone=str(form.get("phone", "")),
    )
    try:
        case = platform.case_desk.intake.submit(ctx, submission)
    except InputError as exc:
        return _queue(
            request, platform, ctx, "department", errors=[_message(exc)], code=exc.status_code
        )
    return RedirectResponse(f"/cases/{case.id}?notice=received", status_code=303)


@router.post("/cases/email")
def load_email(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """An e-mail saved as .eml becomes a case (or a note on the case it answers)."""
    ctx = _ctx(web)
    try:
        if file is None or not file.filename:
            raise InputError("choose an e-mail file (.eml)")
        data = file.file.read(MAX_EML + 1)
        if len(data) > MAX_EML:
            raise InputError("the e-mail is over 30 MB")
        outcome = platform.case_desk.take_email(ctx, data)
    except InputError as exc:
        return _queue(
            request, platform, ctx, "department", errors=[_message(exc)], code=exc.status_code
        )
    if outcome.case is None:
        message = translate(
            request, N_("This e-mail is not a new case: %(reason)s"), reason=outcome.reason
        )
        return _queue(request, platform, ctx, "department", errors=[message], code=200)
    return RedirectResponse(f"/cases/{outcome.case.id}?notice=received", status_code=303)


@router.get("/cases/analytics")
def analytics_page(
    request: Request, platform: PlatformDep, web: WebUserDep, days: int = 90
) -> Response:
    """Volumes, deadlines met and recurring issues, as charts with their tables."""
    ctx = _ctx(web)
    days = max(1, min(days, 3660))
    figures = platform.case_desk.analytics.figures(ctx, days)
    names = platform.case_desk.departments
    zh = page_language(request) == CHINESE

    def bars(
        title: str, rows: list[tuple[str, int]], axis: str, label: Callable[[str], str] = str
    ) -> Any:
        if not rows:
            return None
        return bar_chart(
            translate(request, title),
            [label(k) for k, _ in rows],
            [Series(translate(request, N_("Cases")), [v for _, v in rows])],
            x_label=translate(request, axis),
            y_label=translate(request, N_("Cases")),
            table_label=translate(request, N_("Show the figures as a table")),
        )

    charts = [
        bars(
            N_("By department"),
            figures.by_department,
            N_("Department"),
            lambda code: code if code.startswith("(") else names.name(code, zh),
        ),
        bars(N_("By category"), figures.by_category, N_("Category")),
        bars(N_("By district"), figures.by_district, N_("District")),
        bars(
            N_("By channel"),
            figures.by_channel,
            N_("Channel"),
            lambda c: translate(request, CHANNEL_LABELS.get(c, c)),
        ),
    ]
    if len(figures.by_week) > 1:
        charts.insert(
            0,
            line_chart(
                translate(request, N_("Cases received by week")),
                [w for w, _ in figures.by_week],
                [Series(translate(request, N_("Cases")), [n for _, n in figures.by_week])],
                x_label=translate(request, N_("Week starting")),
                y_label=translate(request, N_("Cases")),
                table_label=translate(request, N_("Show the figures as a table")),
            ),
        )
    return render(
        request,
        "cases/analytics.html",
        figures=figures,
        days=days,
        charts=[c for c in charts if c is not None],
    )


@router.get("/cases/analytics.csv")
def analytics_csv(platform: PlatformDep, web: WebUserDep, days: int = 90) -> Response:
    """The cases of the period, one row each, without text or contact details."""
    data = platform.case_desk.analytics.csv(_ctx(web), max(1, min(days, 3660)))
    return attachment(data.encode("utf-8-sig"), "cases.csv", "text/csv")


@router.get("/cases/{case_id}")
def case_page(
    request: Request, platform: PlatformDep, web: WebUserDep, case_id: str, notice: Notice = ""
) -> Response:
    """One case: the message, its triage, its history and its replies."""
    ctx = _ctx(web)
    case = platform.case_desk.work.get(ctx, case_id)
    return _page(request, platform, ctx, case, notice=NOTICES.get(notice, ""))


def _page(
    request: Request,
    platform: Platform,
    ctx: CallContext,
    case: Case,
    *,
    notice: str = "",
    errors: list[str] | None = None,
    code: int = 200,
) -> Response:
    desk = platform.case_desk
    context: dict[str, Any] = {
        "case": case,
        "zh": page_language(request) == CHINESE,
        "events": desk.work.events(ctx, case.id),
        "replies": desk.replies.of_case(ctx, case.id),
        "incident": desk.work.incident(ctx, case),
        "departments": desk.departments,
        "overdue": case.overdue(desk.work.clock()),
        "status_labels": STATUS_LABELS,
        "urgency_labels": URGENCY_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "event_labels": EVENT_LABELS,
        "reply_labels": REPLY_LABELS,
        "notice": notice,
        "errors": errors or [],
    }
    return render(request, "cases/detail.html", status_code=code, **context)


def _changed(
    request: Request,
    platform: Platform,
    web: WebUser,
    case_id: str,
    change: Callable[[CallContext], object],
    notice: str = "saved",
) -> Response:
    """Run `change` on a case `web` may see; back to the case with the notice, or the case
    with the problem."""
    ctx = _ctx(web)
    platform.case_desk.work.get(ctx, case_id)  # another department's case: 404 first

    def problem(message: str, status: int) -> Response:
        case = platform.case_desk.work.get(ctx, case_id)
        return _page(request, platform, ctx, case, errors=[message], code=status)

    return after_change(lambda: change(ctx), f"/cases/{case_id}?notice={notice}", problem)


@router.post("/cases/{case_id}/route")
def route(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, case_id: str
) -> Response:
    """Route the case to a department, or transfer it (with a reason)."""
    work = platform.case_desk.work
    department, reason = str(form.get("department", "")), str(form.get("reason", ""))
    return _changed(
        request,
        platform,
        web,
        case_id,
        lambda ctx: work.route(ctx, case_id, department, reason=reason, version=form_version(form)),
        "routed",
    )


@router.post("/cases/{case_id}/assign")
def assign(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, case_id: str
) -> Response:
    """Give the case to an officer and a team."""
    work = platform.case_desk.work
    assignee, team = str(form.get("assignee", "")), str(form.get("team", ""))
    return _changed(
        request,
        platform,
        web,
        case_id,
        lambda ctx: work.assign(
            ctx, case_id, assignee=assignee, team=team, version=form_version(form)
        ),
    )


@router.post("/cases/{case_id}/note")
def note(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, case_id: str
) -> Response:
    """An internal note."""
    text = str(form.get("text", ""))
    work = platform.case_desk.work
    return _changed(request, platform, web, case_id, lambda ctx: work.note(ctx, case_id, text))


@router.post("/cases/{case_id}/status")
def status(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, case_id: str
) -> Response:
    """Close the case, or reopen it (with a reason)."""
    work = platform.case_desk.work
    action = str(form.get("action", ""))
    if action not in ("close", "reopen"):
        return _changed(request, platform, web, case_id, _unknown_action)
    if action == "reopen":
        reason = str(form.get("reason", ""))
        return _changed(
            request, platform, web, case_id, lambda ctx: work.reopen(ctx, case_id, reason=reason)
        )
    return _changed(
        request,
        platform,
        web,
        case_id,
        lambda ctx: work.close(ctx, case_id, version=form_version(form)),
        "closed",
    )


@router.post("/cases/{case_id}/replies")
def draft(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, case_id: str
) -> Response:
    """Draft a reply (the final one by the model, from the department's documents)."""
    replies = platform.case_desk.replies
    kind = str(form.get("kind", "final"))
    return _changed(
        request, platform, web, case_id, lambda ctx: replies.draft(ctx, case_id, kind), "drafted"
    )


@router.post("/cases/{case_id}/replies/{reply_id}")
def reply(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    form: FormDep,
    case_id: str,
    reply_id: str,
) -> Response:
    """Save a draft's wording, save and approve it, or send an approved one again."""
    replies = platform.case_desk.replies
    action = str(form.get("action", "save"))
    body = form.get("body")

    def change(ctx: CallContext) -> None:
        if action == "send":
            replies.send(ctx, case_id, reply_id)
            return
        if isinstance(body, str):
            replies.edit(ctx, case_id, reply_id, body)
        if action == "approve":
            replies.approve(ctx, case_id, reply_id)

    notice = {"approve": "approved", "send": "sent"}.get(action, "saved")
    return _changed(request, platform, web, case_id, change, notice)


def _unknown_action(ctx: CallContext) -> None:
    raise InputError("the form asks for neither closing nor reopening", hint="reload the page")
