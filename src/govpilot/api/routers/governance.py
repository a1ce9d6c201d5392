"""AI governance over the API: the register, impact assessments, review queues, incidents,
and the public transparency records (no sign-in).

The services authorise every call (`govpilot.governance`); another department's objects
are 404 as everywhere else.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from govpilot.api.deps import CallerDep, PlatformDep
from govpilot.api.schemas.copilot import ERROR_RESPONSES
from govpilot.documents.writers import render_document
from govpilot.governance.assessment_report import assessment_document
from govpilot.governance.assessments import application_status
from govpilot.governance.questionnaire import load_questionnaire
from govpilot.governance.transparency import public_applications, transparency_record
from govpilot.jobs.models import MEDIA_TYPES

router = APIRouter(
    prefix="/api/v1",
    tags=["governance"],
    responses={**ERROR_RESPONSES, 404: {"description": "No such object, or not one you may see"}},
)


class AssessmentBody(BaseModel):
    """Answers by question id (see GET /api/v1/assessment-questions)."""

    answers: dict[str, Any] = Field(default_factory=dict)
    mitigations: list[str] = Field(default_factory=list, max_length=100)
    thresholds: dict[str, float] = Field(default_factory=dict)
    submit: bool = Field(default=False, description="False saves a draft to resume")
    prefill: bool = Field(default=True, description="Start from what the system knows")


class DecisionBody(BaseModel):
    verdict: Literal["approved", "rejected", "corrected"]
    note: str = Field(default="", max_length=2000)
    correction: str = Field(default="", max_length=10000)


class IncidentBody(BaseModel):
    category: Literal["wrong_answer", "data_leak", "bias", "security", "other"]
    summary: str = Field(max_length=5000)
    evidence: str = Field(default="", max_length=2000)


@router.get("/ai-apps")
def list_apps(platform: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """The AI applications the caller may see."""
    return {"applications": [a.as_dict() for a in platform.register.list(caller)]}


@router.post("/ai-apps", status_code=201)
def register_app(
    platform: PlatformDep, caller: CallerDep, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Register an AI system that runs elsewhere (department admins)."""
    return platform.register.register_external(caller, body).as_dict()


@router.get("/ai-apps/{app_id}")
def show_app(platform: PlatformDep, caller: CallerDep, app_id: str) -> dict[str, Any]:
    """One application with its model cards and assessment history."""
    app = platform.register.get(caller, app_id)
    cards = platform.model_cards
    return {
        **app.as_dict(),
        "model_cards": [cards[m].as_dict() for m in app.models if m in cards],
        "assessments": [a.as_dict() for a in platform.assessments.history(caller, app.id)],
        **application_status(platform.assessments, caller, app),
    }


@router.patch("/ai-apps/{app_id}")
def update_app(
    platform: PlatformDep,
    caller: CallerDep,
    app_id: str,
    body: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """Change an entry's fields (department admins)."""
    return platform.register.update(caller, app_id, body).as_dict()


@router.get("/assessment-questions")
def questions() -> dict[str, Any]:
    """The current questionnaire: principles, questions, weighted answers, in both languages."""
    return load_questionnaire().as_dict()


@router.post("/ai-apps/{app_id}/assessments")
def save_assessment(
    platform: PlatformDep, caller: CallerDep, app_id: str, body: AssessmentBody
) -> dict[str, Any]:
    """Save the open draft (or a new version), or submit it with every required answer."""
    service = platform.assessments
    app = platform.register.get(caller, app_id)
    draft = service.open_draft(caller, app.id)
    answers = {
        **(service.prefill(app) if body.prefill else {}),
        **(draft.answers if draft else {}),
        **body.answers,
    }
    saved = service.save(
        caller,
        app.id,
        answers,
        mitigations=body.mitigations,
        thresholds=body.thresholds,
        submit=body.submit,
    )
    return service.export(saved, app)


@router.get("/assessments/{assessment_id}")
def show_assessment(platform: PlatformDep, caller: CallerDep, assessment_id: str) -> dict[str, Any]:
    """One assessment as exported: application, answers with their questions, scores."""
    found = platform.assessments.get(caller, assessment_id)
    return platform.assessments.export(found, platform.register.get(caller, found.application_id))


@router.get(
    "/assessments/{assessment_id}/report.docx",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPES["docx"]: {}}}},
)
def assessment_report(
    platform: PlatformDep,
    caller: CallerDep,
    assessment_id: str,
    lang: Annotated[Literal["en", "zh-Hant"], Query()] = "en",
) -> Response:
    """The assessment as a Word report in English or Traditional Chinese."""
    found = platform.assessments.get(caller, assessment_id)
    app = platform.register.get(caller, found.application_id)
    name = f"assessment-{found.version}-{app.id}.docx"
    return Response(
        render_document(assessment_document(found, app, lang=lang), "docx"),
        media_type=MEDIA_TYPES["docx"],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.post("/assessments/{assessment_id}/sign-off")
def sign_off(platform: PlatformDep, caller: CallerDep, assessment_id: str) -> dict[str, Any]:
    """Sign a submitted assessment off as the caller (department admins)."""
    return platform.assessments.sign_off(caller, assessment_id).as_dict()


@router.get("/reviews")
def review_queue(
    platform: PlatformDep,
    caller: CallerDep,
    status: Annotated[str, Query(max_length=20)] = "pending",
) -> dict[str, Any]:
    """Review items the caller may see, oldest first."""
    return {"items": [i.as_dict() for i in platform.reviews.queue(caller, status=status)]}


@router.get("/reviews/{item_id}")
def review_item(platform: PlatformDep, caller: CallerDep, item_id: str) -> dict[str, Any]:
    """One item with the question, the answer, its citations and passages."""
    return platform.reviews.item(caller, item_id).as_dict()


@router.get("/reviews/{item_id}/released")
def released(platform: PlatformDep, caller: CallerDep, item_id: str) -> dict[str, Any]:
    """The text an approval released (as approved or corrected); 409 while it waits for
    approval or when it was rejected."""
    return {"item": item_id, "text": platform.approvals.released(caller, item_id)}


@router.post("/reviews/{item_id}/decision")
def decide(
    platform: PlatformDep, caller: CallerDep, item_id: str, body: DecisionBody
) -> dict[str, Any]:
    """Give the verdict; 409 when someone decided the item first."""
    return platform.reviews.decide(
        caller, item_id, body.verdict, note=body.note, correction=body.correction
    ).as_dict()


@router.post("/ai-apps/{app_id}/incidents", status_code=201)
def report_incident(
    platform: PlatformDep, caller: CallerDep, app_id: str, body: IncidentBody
) -> dict[str, Any]:
    """Report an incident against an application."""
    return platform.incidents.report(
        caller, app_id, body.category, body.summary, body.evidence
    ).as_dict()


@router.get("/ai-apps/{app_id}/incidents")
def list_incidents(platform: PlatformDep, caller: CallerDep, app_id: str) -> dict[str, Any]:
    """The application's incidents, newest first."""
    app = platform.register.get(caller, app_id)
    return {"incidents": [i.as_dict() for i in platform.incidents.list(caller, app.id)]}


@router.get("/transparency")
def transparency(
    platform: PlatformDep, department: Annotated[str, Query(max_length=100)] = ""
) -> dict[str, Any]:
    """Public: every department's (or one's) AI applications, tier 1 and tier 2 records."""
    apps = public_applications(platform.database, department or None)
    cards = platform.model_cards
    return {"applications": [transparency_record(platform.database, a, cards) for a in apps]}
