"""/governance: the AI application register, one entry with its model cards and assessment
history (department admins edit it there), the impact assessment form, and one assessment
with its scores, changes since the previous version, sign-off and JSON export.

The register and assessment services authorise every call (another department's entry is a
404 there); the pages only choose which forms to show.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import suppress
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from govpilot.access import CallContext, Permission, allowed
from govpilot.documents.writers import render_document
from govpilot.errors import InputError
from govpilot.governance.assessment_report import assessment_document
from govpilot.governance.assessments import Assessment, application_status
from govpilot.governance.incidents import CATEGORIES
from govpilot.governance.questionnaire import Question, Questionnaire, load_questionnaire
from govpilot.governance.register import AFFECTED, OVERSIGHT, STAGES, Application
from govpilot.http.dependencies import PlatformDep
from govpilot.jobs.models import MEDIA_TYPES
from govpilot.platform import Platform
from govpilot.web.charts import Series, bar_chart
from govpilot.web.i18n import CHINESE, N_
from govpilot.web.render import NavItem, page_language, render, translate
from govpilot.web.routes.governance_labels import LABELS
from govpilot.web.session import WebUserDep

router = APIRouter()

NAV_ITEMS = [NavItem("/governance", N_("AI register"), Permission.READ_GOVERNANCE, order=88)]
CAPABILITY = "governance"
#: The entry's fields a department admin edits on its page.
EDITABLE = (
    "owner",
    "contact",
    "purpose",
    "oversight",
    "stage",
    "next_review",
    "review_sample",
    "reviewers",
)
NOTICES = {
    "updated": N_("The entry is saved."),
    "draft": N_("The draft is saved. You can come back to it later."),
    "submitted": N_("The assessment is submitted for sign-off."),
    "signed": N_("The assessment is signed off."),
    "incident": N_("The incident is reported. The application's owner is told on its page."),
    "registered": N_("The AI system is registered."),
}


async def form_data(request: Request) -> FormData:
    """The posted form (already read, and its CSRF token checked, by WebUserDep)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]
Notice = Annotated[str, Query(max_length=20)]


def labeller(request: Request) -> Callable[[str, str | None], str]:
    def label(group: str, value: str | None) -> str:
        if not value:
            return "—"
        return translate(request, LABELS[group].get(value, value))

    return label


def _text(request: Request) -> Callable[[dict[str, str]], str]:
    """Bilingual text ({"en": ..., "zh-Hant": ...}) in the page's language."""
    language = page_language(request)

    def text(values: dict[str, str]) -> str:
        return values.get(CHINESE if language == CHINESE else "en") or values.get("en", "")

    return text


def _page(request: Request, template: str, **context: Any) -> Response:
    error = context.get("error")
    return render(
        request,
        template,
        label=labeller(request),
        text=_text(request),
        lang_code=page_language(request),
        status_code=400 if error else 200,
        **context,
    )


EXTERNAL_FIELDS = ("name_en", "name_zh", "purpose", "affected", "oversight", "stage", "models")


def _register_page(
    request: Request,
    ctx: CallContext,
    platform: Platform,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    notice: str = "",
) -> Response:
    return _page(
        request,
        "governance/register.html",
        apps=platform.register.list(ctx),
        can_manage=allowed(ctx, Permission.MANAGE_GOVERNANCE, ctx.department),
        form=form or {"affected": "officers", "oversight": "in_the_loop", "stage": "planning"},
        affected_choices=AFFECTED,
        oversight_choices=OVERSIGHT,
        stage_choices=STAGES,
        error=error,
        notice=NOTICES.get(notice),
    )


@router.get("/governance")
def register_page(
    request: Request, platform: PlatformDep, web: WebUserDep, notice: Notice = ""
) -> Response:
    """Every application the user may see, by department and name; the form that registers
    an AI system running elsewhere (department admins)."""
    return _register_page(request, web.context(CAPABILITY), platform, notice=notice)


@router.post("/governance")
def register_external(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep
) -> Response:
    """Register an outside AI system; a refused form keeps what was typed."""
    ctx = web.context(CAPABILITY)
    sent = {name: str(form.get(name, "")).strip() for name in EXTERNAL_FIELDS}
    values: dict[str, Any] = dict(sent)
    values["models"] = [m.strip() for m in sent["models"].split(",") if m.strip()]
    try:
        app = platform.register.register_external(ctx, values)
    except InputError as exc:
        return _register_page(request, ctx, platform, form=sent, error=str(exc))
    return RedirectResponse(f"/governance/apps/{quote(app.id)}?notice=registered", status_code=303)


def _app_page(
    request: Request,
    platform: Platform,
    ctx: CallContext,
    app: Application,
    *,
    form: dict[str, str] | None = None,
    incident_form: dict[str, str] | None = None,
    error: str | None = None,
    notice: str = "",
) -> Response:
    history = platform.assessments.history(ctx, app.id)
    cards = [platform.model_cards[m] for m in app.models if m in platform.model_cards]
    status = application_status(platform.assessments, ctx, app)
    zh = page_language(request) == CHINESE
    return _page(
        request,
        "governance/app.html",
        app=app,
        cards=cards,
        history=history,
        evidence=status["evidence"],
        calls_chart=_calls_chart(request, status["evidence"]),
        due=[reason["zh-Hant" if zh else "en"] for reason in status["reassessment_due"]],
        incidents=platform.incidents.list(ctx, app.id),
        incident_categories=CATEGORIES,
        incident_form=incident_form or {"category": "wrong_answer", "summary": "", "evidence": ""},
        can_report=allowed(ctx, Permission.REPORT_INCIDENT, app.department),
        form=form or _app_form(app),
        oversight_choices=OVERSIGHT,
        stage_choices=STAGES,
        can_manage=allowed(ctx, Permission.MANAGE_GOVERNANCE, app.department),
        error=error,
        notice=NOTICES.get(notice),
    )


def _calls_chart(request: Request, evidence: dict[str, Any]) -> Any:
    def t(message: str) -> str:
        return translate(request, message)

    weeks = evidence["weeks"]
    return bar_chart(
        t(N_("Model calls per week")),
        [w["week"][5:] for w in weeks],
        [Series(t(N_("Model calls")), [w["calls"] for w in weeks])],
        x_label=t(N_("Week starting (month-day)")),
        y_label=t(N_("Model calls")),
        table_label=t(N_("Show the figures as a table")),
    )


def _app_form(app: Application) -> dict[str, str]:
    return {
        "owner": app.owner,
        "contact": app.contact,
        "purpose": app.purpose,
        "oversight": app.oversight,
        "stage": app.stage,
        "next_review": app.next_review.isoformat() if app.next_review else "",
        "review_sample": f"{app.review_sample:g}",
        "reviewers": ", ".join(app.reviewers),
    }


@router.get("/governance/apps/{app_id}")
def app_page(
    request: Request, platform: PlatformDep, web: WebUserDep, app_id: str, notice: Notice = ""
) -> Response:
    """One entry: every field, its models' cards, its assessments; the edit form."""
    ctx = web.context(CAPABILITY)
    app = platform.register.get(ctx, app_id)
    return _app_page(request, platform, ctx, app, notice=notice)


@router.post("/governance/apps/{app_id}")
def update_app(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, app_id: str
) -> Response:
    """Save the entry's edited fields; an unusable value is shown, with the form as sent."""
    ctx = web.context(CAPABILITY)
    app = platform.register.get(ctx, app_id)
    sent = {name: str(form.get(name, "")).strip() for name in EDITABLE}
    try:
        platform.register.update(ctx, app.id, sent)
    except InputError as exc:
        return _app_page(request, platform, ctx, app, form=sent, error=str(exc))
    return RedirectResponse(f"/governance/apps/{quote(app.id)}?notice=updated", status_code=303)


@router.post("/governance/apps/{app_id}/incidents")
def report_incident(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, app_id: str
) -> Response:
    """Report an incident against the application; a refused report keeps what was typed."""
    ctx = web.context(CAPABILITY)
    app = platform.register.get(ctx, app_id)
    sent = {name: str(form.get(name, "")).strip() for name in ("category", "summary", "evidence")}
    try:
        platform.incidents.report(ctx, app.id, sent["category"], sent["summary"], sent["evidence"])
    except InputError as exc:
        return _app_page(request, platform, ctx, app, incident_form=sent, error=str(exc))
    return RedirectResponse(f"/governance/apps/{quote(app.id)}?notice=incident", status_code=303)


@router.post("/governance/incidents/{incident_id}")
def update_incident(
    platform: PlatformDep, web: WebUserDep, form: FormDep, incident_id: str
) -> Response:
    """Move an incident on (department admins; the service refuses anyone else)."""
    ctx = web.context(CAPABILITY)
    moved = platform.incidents.update(ctx, incident_id, status=str(form.get("status", "")))
    return RedirectResponse(
        f"/governance/apps/{quote(moved.application_id)}?notice=updated", status_code=303
    )


def _groups(questionnaire: Questionnaire) -> list[tuple[str, dict[str, str], list[Question]]]:
    """The questions by principle, in the order the principles are listed."""
    return [
        (key, names, [q for q in questionnaire.questions if q.principle == key])
        for key, names in questionnaire.principles.items()
        if any(q.principle == key for q in questionnaire.questions)
    ]


def _assess_page(
    request: Request,
    app: Application,
    answers: dict[str, str],
    mitigations: list[str],
    *,
    error: str | None = None,
    missing: list[Question] | None = None,
    notice: str = "",
) -> Response:
    questionnaire = load_questionnaire()
    return _page(
        request,
        "governance/assess.html",
        app=app,
        questionnaire=questionnaire,
        groups=_groups(questionnaire),
        answers=answers,
        mitigations="\n".join(mitigations),
        missing=missing or [],
        missing_ids={q.id for q in missing or []},
        error=error,
        notice=NOTICES.get(notice),
    )


@router.get("/governance/apps/{app_id}/assess")
def assess_form(
    request: Request, platform: PlatformDep, web: WebUserDep, app_id: str, notice: Notice = ""
) -> Response:
    """The questionnaire, resumed from the open draft or pre-filled from the system."""
    ctx = web.context(CAPABILITY)
    app = platform.register.get(ctx, app_id)
    answers, mitigations = platform.assessments.resume(ctx, app.id)
    return _assess_page(request, app, answers, mitigations, notice=notice)


@router.post("/governance/apps/{app_id}/assess")
def assess(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, app_id: str
) -> Response:
    """Save a draft, or submit; a refused submit keeps every answer (saved as the draft)."""
    ctx = web.context(CAPABILITY)
    app = platform.register.get(ctx, app_id)
    questionnaire = load_questionnaire()
    answers = {
        q.id: value
        for q in questionnaire.questions
        if (value := str(form.get(f"q.{q.id}", "")).strip())
    }
    mitigations = [m.strip() for m in str(form.get("mitigations", "")).splitlines() if m.strip()]
    submit = form.get("action") == "submit"
    service = platform.assessments
    try:
        saved = service.save(ctx, app.id, answers, mitigations=mitigations, submit=submit)
    except InputError as exc:
        if submit:
            # Keep what was answered: a draft needs no complete answers.
            with suppress(InputError):
                service.save(ctx, app.id, answers, mitigations=mitigations)
        missing = [q for q in questionnaire.questions if q.required and q.id not in answers]
        return _assess_page(
            request, app, answers, mitigations, error=str(exc), missing=missing if submit else []
        )
    if submit:
        return RedirectResponse(
            f"/governance/assessments/{quote(saved.id)}?notice=submitted", status_code=303
        )
    return RedirectResponse(
        f"/governance/apps/{quote(app.id)}/assess?notice=draft", status_code=303
    )


def _previous(history: list[Assessment], current: Assessment) -> Assessment | None:
    older = [a for a in history if a.version < current.version]
    return max(older, key=lambda a: a.version) if older else None


@router.get("/governance/assessments/{assessment_id}.json")
def export_assessment(platform: PlatformDep, web: WebUserDep, assessment_id: str) -> Response:
    """The assessment as a JSON download (application, answers with their text, scores)."""
    ctx = web.context(CAPABILITY)
    service = platform.assessments
    assessment = service.get(ctx, assessment_id)
    app = platform.register.get(ctx, assessment.application_id)
    body = json.dumps(service.export(assessment, app), ensure_ascii=False, indent=2)
    filename = f"assessment-{assessment.version}-{app.id}.json"
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )


@router.get("/governance/assessments/{assessment_id}.docx")
def export_assessment_docx(
    request: Request, platform: PlatformDep, web: WebUserDep, assessment_id: str
) -> Response:
    """The assessment as a Word report, in the page's language."""
    ctx = web.context(CAPABILITY)
    assessment = platform.assessments.get(ctx, assessment_id)
    app = platform.register.get(ctx, assessment.application_id)
    language = page_language(request)
    report = assessment_document(assessment, app, lang=language)
    filename = f"assessment-{assessment.version}-{app.id}.docx"
    return Response(
        render_document(report, "docx"),
        media_type=MEDIA_TYPES["docx"],
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )


@router.get("/governance/assessments/{assessment_id}")
def assessment_page(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    assessment_id: str,
    notice: Notice = "",
) -> Response:
    """One version: its scores and level, answers, changes since the version before."""
    ctx = web.context(CAPABILITY)
    service = platform.assessments
    assessment = service.get(ctx, assessment_id)
    app = platform.register.get(ctx, assessment.application_id)
    previous = _previous(service.history(ctx, app.id), assessment)
    questionnaire = load_questionnaire(assessment.questionnaire)
    return _page(
        request,
        "governance/assessment.html",
        app=app,
        assessment=assessment,
        questionnaire=questionnaire,
        score=questionnaire.score(assessment.answers),
        level_text=questionnaire.level_text(assessment.risk_level, page_language(request)),
        previous=previous,
        changes=service.compare(previous, assessment) if previous else [],
        can_manage=allowed(ctx, Permission.MANAGE_GOVERNANCE, app.department),
        notice=NOTICES.get(notice),
    )


@router.post("/governance/assessments/{assessment_id}/sign-off")
def sign_off(platform: PlatformDep, web: WebUserDep, assessment_id: str) -> Response:
    """Sign a submitted assessment off (the service refuses anyone else, or a draft)."""
    signed = platform.assessments.sign_off(web.context(CAPABILITY), assessment_id)
    return RedirectResponse(
        f"/governance/assessments/{quote(signed.id)}?notice=signed", status_code=303
    )
