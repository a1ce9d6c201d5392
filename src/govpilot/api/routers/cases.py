"""The case desk over the API: take cases in, triage, work them, reply, read the figures.

The same façade as the CLI and the web pages (`capabilities.cases`):

- `POST /api/v1/cases` takes one case in (a department's own form, a phone call typed
  by an officer, a social-media post): JSON `text`, `subject`, `channel`, and the
  citizen's `name`, `email`, `phone` for the reply; `POST /api/v1/cases/email` takes a
  raw e-mail (.eml) as the body of a multipart `file` (an auto-reply or a bounce is
  skipped, and says so). `POST /api/v1/cases/triage` routes a text without storing it.
- `GET /api/v1/cases?queue=department|mine|triage|overdue|open|closed` lists a queue,
  urgent first; `GET /api/v1/cases/{id}` is a case with its events, replies and the
  other reports of its incident.
- `POST .../{id}/route` (department, reason) routes or transfers it; `.../assign`,
  `.../notes`, `.../close`, `.../reopen`.
- `POST .../{id}/replies` drafts a reply (`kind`: acknowledgement, interim, final);
  `PATCH .../replies/{reply_id}` changes its wording; `.../approve` approves it (the
  citizen sees it on the status page, and by e-mail when they gave an address);
  `.../send` e-mails an approved reply again.
- `GET /api/v1/cases/analytics` the figures, `GET /api/v1/cases/analytics.csv` the cases.

A case is seen by the desk that took it in and the department that owns it; for anyone
else it does not exist (404).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from govpilot.api.deps import CallerDep, PlatformDep, acting_as
from govpilot.api.schemas.copilot import ERROR_RESPONSES
from govpilot.capabilities.cases.intake import Submission
from govpilot.capabilities.cases.store import Case, CaseReply
from govpilot.errors import InputTooLarge
from govpilot.http.downloads import attachment

CAPABILITY = "cases"
MAX_TEXT = 100_000
MAX_EML = 30 * 1024 * 1024

router = APIRouter(
    prefix="/api/v1/cases",
    tags=["cases"],
    responses={**ERROR_RESPONSES, 404: {"description": "No such case, or not yours"}},
)


class CaseIn(BaseModel):
    text: str = Field(max_length=MAX_TEXT)
    subject: str = Field(default="", max_length=300)
    channel: Literal["api", "phone", "social_media", "web_form"] = "api"
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=200)


class TriageIn(BaseModel):
    text: str = Field(max_length=MAX_TEXT)
    subject: str = Field(default="", max_length=300)


class RouteIn(BaseModel):
    department: str = Field(max_length=100)
    reason: str = Field(default="", max_length=500)
    version: int | None = None


class AssignIn(BaseModel):
    assignee: str | None = Field(default=None, max_length=200)
    team: str = Field(default="", max_length=100)
    version: int | None = None


class NoteIn(BaseModel):
    text: str = Field(max_length=5_000)


class VersionIn(BaseModel):
    version: int | None = None


class ReasonIn(BaseModel):
    reason: str = Field(max_length=500)


class DraftIn(BaseModel):
    kind: Literal["acknowledgement", "interim", "final"] = "final"


class EditIn(BaseModel):
    body: str = Field(max_length=10_000)


def case_json(case: Case) -> dict[str, Any]:
    """A case as the API gives it (no vector)."""
    body = {k: v for k, v in case.__dict__.items() if not k.endswith("_at") and k != "id"}
    body["id"] = case.id
    for name in ("acknowledge_due", "reply_due"):
        body[name] = getattr(case, name).isoformat()
    for name in ("created_at", "updated_at", "acknowledged_at", "replied_at", "closed_at"):
        value = getattr(case, name)
        body[name] = value.isoformat() if value else None
    return body


def reply_json(reply: CaseReply) -> dict[str, Any]:
    body = dict(reply.__dict__)
    for name in ("created_at", "updated_at", "sent_at"):
        value = getattr(reply, name)
        body[name] = value.isoformat() if value else None
    return body


@router.get("/departments")
def departments(platform: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """The departments cases are routed to, with their categories."""
    acting_as(caller, CAPABILITY)
    return {
        "departments": [
            {
                "code": d.code,
                "name_en": d.name_en,
                "name_zh": d.name_zh,
                "summary_en": d.summary_en,
                "categories": [duty.category for duty in d.duties],
            }
            for d in platform.case_departments.departments
        ]
    }


@router.post("", status_code=201)
def take_in(platform: PlatformDep, caller: CallerDep, body: CaseIn) -> dict[str, Any]:
    """Take one case in; it comes back triaged, with its reference."""
    ctx = acting_as(caller, CAPABILITY)
    case = platform.case_desk.intake.submit(ctx, Submission(**body.model_dump()))
    return case_json(case)


@router.post("/email", status_code=201)
def take_email(
    platform: PlatformDep,
    caller: CallerDep,
    file: Annotated[UploadFile, File(description="One e-mail message (.eml)")],
) -> dict[str, Any]:
    """Take one e-mail in: a new case, a note on the case it answers, or skipped."""
    data = file.file.read(MAX_EML + 1)
    if len(data) > MAX_EML:
        raise InputTooLarge("the e-mail is over 30 MB")
    outcome = platform.case_desk.take_email(acting_as(caller, CAPABILITY), data)
    return {
        "outcome": outcome.kind,
        "reason": outcome.reason,
        "case": case_json(outcome.case) if outcome.case else None,
    }


@router.post("/triage")
def triage(platform: PlatformDep, caller: CallerDep, body: TriageIn) -> dict[str, Any]:
    """Route a text without storing it: candidates, category, urgency, confidence."""
    ctx = acting_as(caller, CAPABILITY)
    text = f"{body.subject}\n{body.text}".strip()
    routing, urgency = platform.case_desk.triage(ctx, text)
    return {
        "department": routing.department,
        "candidates": [c.as_dict() for c in routing.candidates[:3]],
        "category": routing.category,
        "urgency": urgency.level,
        "confidence": round(routing.confidence, 3),
    }


@router.get("")
def queue(
    platform: PlatformDep,
    caller: CallerDep,
    name: Annotated[
        Literal["department", "mine", "triage", "overdue", "open", "closed"],
        Query(alias="queue"),
    ] = "department",
    team: Annotated[str, Query(max_length=100, description="Only this team's cases")] = "",
) -> dict[str, Any]:
    """One queue, urgent first, then by the next deadline."""
    cases = platform.case_desk.work.queue(acting_as(caller, CAPABILITY), name, team=team)
    return {"queue": name, "cases": [case_json(c) for c in cases]}


@router.get("/analytics")
def analytics(
    platform: PlatformDep, caller: CallerDep, days: Annotated[int, Query(ge=1, le=3660)] = 90
) -> dict[str, Any]:
    """Volumes by department, category, district, channel and week; deadlines met."""
    return platform.case_desk.analytics.figures(acting_as(caller, CAPABILITY), days).as_dict()


@router.get("/analytics.csv", response_model=None)
def analytics_csv(
    platform: PlatformDep, caller: CallerDep, days: Annotated[int, Query(ge=1, le=3660)] = 90
) -> Response:
    """One row per case (no text, no contact details)."""
    data = platform.case_desk.analytics.csv(acting_as(caller, CAPABILITY), days)
    return attachment(data.encode("utf-8-sig"), "cases.csv", "text/csv")


@router.get("/{case_id}")
def show(platform: PlatformDep, caller: CallerDep, case_id: str) -> dict[str, Any]:
    """A case with its events, replies and the other reports of its incident."""
    ctx = acting_as(caller, CAPABILITY)
    desk = platform.case_desk
    case = desk.work.get(ctx, case_id)
    return {
        **case_json(case),
        "events": [
            {**e.__dict__, "created_at": e.created_at.isoformat()}
            for e in desk.work.events(ctx, case.id)
        ],
        "replies": [reply_json(r) for r in desk.replies.of_case(ctx, case.id)],
        "incident": [c.reference for c in desk.work.incident(ctx, case)],
    }


@router.post("/{case_id}/route")
def route(platform: PlatformDep, caller: CallerDep, case_id: str, body: RouteIn) -> dict[str, Any]:
    """Route the case to a department (a transfer needs a reason)."""
    case = platform.case_desk.work.route(
        acting_as(caller, CAPABILITY),
        case_id,
        body.department,
        reason=body.reason,
        version=body.version,
    )
    return case_json(case)


@router.post("/{case_id}/assign")
def assign(
    platform: PlatformDep, caller: CallerDep, case_id: str, body: AssignIn
) -> dict[str, Any]:
    case = platform.case_desk.work.assign(
        acting_as(caller, CAPABILITY),
        case_id,
        assignee=body.assignee,
        team=body.team,
        version=body.version,
    )
    return case_json(case)


@router.post("/{case_id}/notes", status_code=201)
def note(platform: PlatformDep, caller: CallerDep, case_id: str, body: NoteIn) -> dict[str, Any]:
    """An internal note (never shown to the citizen)."""
    return case_json(
        platform.case_desk.work.note(acting_as(caller, CAPABILITY), case_id, body.text)
    )


@router.post("/{case_id}/close")
def close(
    platform: PlatformDep, caller: CallerDep, case_id: str, body: VersionIn
) -> dict[str, Any]:
    ctx = acting_as(caller, CAPABILITY)
    return case_json(platform.case_desk.work.close(ctx, case_id, version=body.version))


@router.post("/{case_id}/reopen")
def reopen(
    platform: PlatformDep, caller: CallerDep, case_id: str, body: ReasonIn
) -> dict[str, Any]:
    ctx = acting_as(caller, CAPABILITY)
    return case_json(platform.case_desk.work.reopen(ctx, case_id, reason=body.reason))


@router.post("/{case_id}/replies", status_code=201)
def draft(platform: PlatformDep, caller: CallerDep, case_id: str, body: DraftIn) -> dict[str, Any]:
    """A new draft; a final one is written by the model from the department's documents."""
    ctx = acting_as(caller, CAPABILITY)
    return reply_json(platform.case_desk.replies.draft(ctx, case_id, body.kind))


@router.patch("/{case_id}/replies/{reply_id}")
def edit(
    platform: PlatformDep, caller: CallerDep, case_id: str, reply_id: str, body: EditIn
) -> dict[str, Any]:
    ctx = acting_as(caller, CAPABILITY)
    return reply_json(platform.case_desk.replies.edit(ctx, case_id, reply_id, body.body))


@router.post("/{case_id}/replies/{reply_id}/approve")
def approve(
    platform: PlatformDep, caller: CallerDep, case_id: str, reply_id: str
) -> dict[str, Any]:
    """Approve a draft: on the status page, and e-mailed when the citizen gave an address."""
    ctx = acting_as(caller, CAPABILITY)
    return reply_json(platform.case_desk.replies.approve(ctx, case_id, reply_id))


@router.post("/{case_id}/replies/{reply_id}/send")
def send(platform: PlatformDep, caller: CallerDep, case_id: str, reply_id: str) -> dict[str, Any]:
    """E-mail an approved reply (again, after a failure)."""
    ctx = acting_as(caller, CAPABILITY)
    return reply_json(platform.case_desk.replies.send(ctx, case_id, reply_id))
