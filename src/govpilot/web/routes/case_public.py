"""/report and /report/status: the public's case form and status page (no sign-in).

Anyone may report a problem or ask a question, in English or Chinese, with photos or
documents attached; the page answers with the case's reference, which the status page
takes back to show where the case is and the replies an officer approved. Both are
limited per address (`cases.public_per_minute`), so references cannot be guessed by
trying many; an unknown reference is "not found", whether or not it ever existed. The
reference is sent in the body of a POST, never in a URL.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from govpilot.access import CallContext, Role
from govpilot.capabilities.cases.attachments import ATTACHMENT_SUFFIXES
from govpilot.capabilities.cases.intake import Attachment, Submission
from govpilot.errors import InputError, NotFound
from govpilot.http.callers import client_host
from govpilot.http.dependencies import PlatformDep
from govpilot.http.limits import request_limiter
from govpilot.platform import Platform
from govpilot.web.i18n import CHINESE
from govpilot.web.render import page_language, render
from govpilot.web.routes.case_labels import PUBLIC_STATUS_LABELS, REPLY_LABELS
from govpilot.web.routes.governance import FormDep
from govpilot.web.session import FormCallerDep

router = APIRouter()

FIELDS = ("subject", "text", "name", "email", "phone")


def _limit(request: Request, platform: Platform, purpose: str) -> None:
    per_minute = platform.settings.cases.public_per_minute
    request_limiter(request).check(f"{purpose}:{client_host(request)}", per_minute)


def _form(
    request: Request,
    platform: Platform,
    *,
    values: dict[str, str] | None = None,
    errors: list[str] | None = None,
    code: int = 200,
) -> Response:
    cases = platform.settings.cases
    return render(
        request,
        "cases/report.html",
        status_code=code,
        values=values or {},
        errors=errors or [],
        accepted=",".join(ATTACHMENT_SUFFIXES),
        max_files=cases.max_attachments,
        max_mb=cases.max_attachment_mb,
    )


@router.get("/report")
def report_form(request: Request, platform: PlatformDep) -> Response:
    """The public form: report a problem or ask a question."""
    return _form(request, platform)


@router.post("/report")
async def report(
    request: Request, platform: PlatformDep, _caller: FormCallerDep, form: FormDep
) -> Response:
    """Store the case; the page gives its reference. A problem keeps what was typed."""
    _limit(request, platform, "case-form")
    values = {k: str(form.get(k, "")) for k in FIELDS}
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    limit = int(platform.settings.cases.max_attachment_mb * 1024 * 1024)
    attachments = []
    for file in files[: platform.settings.cases.max_attachments + 1]:
        data = await file.read(limit + 1)
        attachments.append(Attachment(file.filename or "file", file.content_type or "", data))
    ctx = CallContext(
        actor=f"public@{client_host(request)}",
        department=platform.case_desk.desk,
        capability="cases",
        channel="web",
        role=Role.PUBLIC.value,
    )
    submission = Submission(**values, channel="web_form", attachments=attachments)
    try:
        case = await run_in_threadpool(platform.case_desk.intake.submit, ctx, submission)
    except InputError as exc:
        message = exc.message + (f" ({exc.hint})" if exc.hint else "")
        return _form(request, platform, values=values, errors=[message], code=exc.status_code)
    return render(request, "cases/received.html", case=case)


@router.get("/report/status")
def status_form(request: Request) -> Response:
    """Where the citizen types their reference."""
    return render(request, "cases/status.html", case=None, replies=[], reference="", errors=[])


@router.post("/report/status")
def status(
    request: Request, platform: PlatformDep, _caller: FormCallerDep, form: FormDep
) -> Response:
    """The case of a reference: where it is, and the replies approved for the citizen."""
    _limit(request, platform, "case-status")
    reference = str(form.get("reference", ""))[:40]
    context: dict[str, Any] = {
        "reference": reference,
        "labels": PUBLIC_STATUS_LABELS,
        "reply_labels": REPLY_LABELS,
    }
    try:
        case, replies = platform.case_desk.public_status(reference)
    except NotFound as exc:
        message = exc.message + (f" ({exc.hint})" if exc.hint else "")
        return render(
            request,
            "cases/status.html",
            status_code=404,
            case=None,
            replies=[],
            errors=[message],
            **context,
        )
    zh = page_language(request) == CHINESE
    department = platform.case_desk.departments.name(case.department, zh) if case.department else ""
    return render(
        request,
        "cases/status.html",
        case=case,
        replies=replies,
        errors=[],
        department=department,
        **context,
    )
