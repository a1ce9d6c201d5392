"""The copilot page: paste a text or choose a file, pick a task, start a job.

The form posts to the job service (`platform.job_service().submit`) and goes on to the
job's page. Problems with the input are shown on the form again, in plain words, with what
was typed kept; a role that may not start jobs gets the 403 page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from govpilot.access import Permission, authorize
from govpilot.errors import (
    CorruptDocument,
    EmptyDocument,
    InputError,
    InputTooLarge,
    NoTextLayer,
    NotFound,
    PermissionDenied,
    RateLimited,
    UnsupportedFileType,
)
from govpilot.http.dependencies import platform_of
from govpilot.http.uploads import read_upload, size_limited_route, upload_name
from govpilot.platform import Platform
from govpilot.web.errors import PageError
from govpilot.web.i18n import CHINESE, ENGLISH, N_, ROLE_LABELS
from govpilot.web.render import NavItem, page_language, render, translate
from govpilot.web.routes.auth import home_for
from govpilot.web.session import WebUser, WebUserDep

router = APIRouter(route_class=size_limited_route())

NAV_ITEMS = [NavItem("/copilot", N_("Copilot"), Permission.USE_COPILOT, order=10)]

TASKS = ("translate", "summarise", "draft")
ACCEPTED_FILES = ".txt,.md,.html,.htm,.docx,.pdf"
#: The name a pasted text goes by (its job's output is named after it).
PASTED_NAME = "pasted-text.txt"
NO_COPILOT = N_(
    "Your role (%(role)s) cannot start copilot jobs. If your work needs it, ask your "
    "department administrator."
)
# Refusals of the input, most specific first: (error type, message shown on the form).
_INPUT_PROBLEMS: tuple[tuple[type[InputError], str], ...] = (
    (
        UnsupportedFileType,
        N_("This file type cannot be read. Use a .txt, .md, .html, .docx or .pdf file."),
    ),
    (NoTextLayer, N_("This PDF has no text layer (it is a scan), so there is nothing to read.")),
    (CorruptDocument, N_("The file cannot be read: it may be damaged or protected by a password.")),
    (EmptyDocument, N_("There is no text to work on. Paste a text or choose a file.")),
    (InputTooLarge, N_("The file or text is over the size limit. Split it into smaller parts.")),
    (NotFound, N_("That template or model is not available. Choose another.")),
)


@dataclass
class CopilotForm:
    """What the form holds (kept when it is shown again with a problem)."""

    task: str = "translate"
    text: str = ""
    target: str = ""
    output_lang: str = ""
    words: str = ""
    template: str = ""
    instructions: str = ""
    model: str = ""
    for_approval: bool = False
    errors: list[str] = field(default_factory=list)
    detail: str | None = None


def _may_use_copilot(request: Request, user: WebUser) -> None:
    try:
        authorize(user.context("copilot"), Permission.USE_COPILOT)
    except PermissionDenied:
        role = translate(request, ROLE_LABELS.get(user.user.role.value, user.user.role.value))
        raise PageError(403, NO_COPILOT, role=role) from None


def allowed_models(platform: Platform, user: WebUser) -> list[str]:
    """The models the user's department allows, the default first."""
    department = platform.accounts.find_department(user.user.department)
    names = [m.name for m in platform.gateway.models]
    names.sort(key=lambda name: name != platform.gateway.default_model)
    return [n for n in names if department is None or department.allows_model(n)]


def _templates(platform: Platform, language: str) -> list[dict[str, str]]:
    library = platform.templates
    return [{"name": name, "title": library.get(name, language).title} for name in library.names()]


def _form_page(
    request: Request, user: WebUser, form: CopilotForm, status_code: int = 200
) -> Response:
    platform = platform_of(request)
    language = page_language(request)
    if not form.target:
        form.target = CHINESE if language == ENGLISH else ENGLISH
    return render(
        request,
        "copilot/index.html",
        status_code=status_code,
        form=form,
        tasks=TASKS,
        models=allowed_models(platform, user),
        templates=_templates(platform, language),
        accepted_files=ACCEPTED_FILES,
        max_upload_mb=f"{platform.settings.max_upload_mb:g}",
    )


@router.get("/")
def home(request: Request, user: WebUserDep) -> Response:
    """The start page: the copilot, or the first page the user's role opens."""
    return RedirectResponse(home_for(request, user), status_code=303)


@router.get("/copilot")
def copilot_page(request: Request, user: WebUserDep) -> Response:
    """The copilot form."""
    _may_use_copilot(request, user)
    return _form_page(request, user, CopilotForm())


@router.post("/copilot")
def start_job(
    request: Request,
    user: WebUserDep,
    task: Annotated[str, Form()] = "translate",
    text: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    target: Annotated[str, Form(max_length=20)] = "",
    output_lang: Annotated[str, Form(max_length=20)] = "",
    words: Annotated[str, Form(max_length=10)] = "",
    template: Annotated[str, Form(max_length=200)] = "",
    instructions: Annotated[str, Form(max_length=20_000)] = "",
    model: Annotated[str, Form(max_length=200)] = "",
    for_approval: Annotated[bool, Form()] = False,
) -> Response:
    """Start a job from the form, then show its page (or the form again, with the problem)."""
    _may_use_copilot(request, user)
    platform = platform_of(request)
    form = CopilotForm(
        task, text, target, output_lang, words, template, instructions, model, for_approval
    )
    upload = file if file is not None and file.filename else None
    if task not in TASKS:
        form.task = "translate"
        form.errors.append(translate(request, N_("Choose a task.")))
    if upload and text.strip():
        form.errors.append(translate(request, N_("Give either a text or a file, not both.")))
    if not upload and not text.strip() and not (task == "draft" and instructions.strip()):
        form.errors.append(translate(request, N_("Paste a text or choose a file.")))
    if form.errors:
        return _form_page(request, user, form, 400)
    try:
        data = read_upload(upload, platform.settings) if upload else None
        kwargs = _job_input(form, data, upload_name(upload) if upload else "")
        job = platform.job_service().submit(user.context("copilot"), task, **kwargs)
    except RateLimited as exc:
        form.errors.append(
            translate(
                request,
                N_(
                    "Your department already has as many jobs running as it may. "
                    "Wait %(seconds)s seconds and try again."
                ),
                seconds=exc.retry_after,
            )
        )
        return _form_page(request, user, form, 429)
    except InputError as exc:
        form.errors.append(translate(request, _problem(exc)))
        form.detail = exc.message
        return _form_page(request, user, form, exc.status_code)
    except PermissionDenied as exc:
        if "model" not in exc.message:
            raise
        form.errors.append(
            translate(request, N_("Your department does not allow that model. Choose another."))
        )
        return _form_page(request, user, form, 403)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _job_input(form: CopilotForm, data: bytes | None, filename: str) -> dict[str, Any]:
    """The job service's arguments for what the form holds."""
    params: dict[str, Any] = {"format": "docx", "model": form.model or None}
    text: str | None = form.text if data is None else None
    if form.task == "translate":
        params["target"] = form.target
    elif form.task == "summarise":
        params.update(lang=form.output_lang or None, words=form.words.strip() or None)
    else:
        params.update(
            template=form.template,
            lang=form.output_lang or None,
            for_approval=True if form.for_approval else None,
        )
        instructions = form.instructions.strip()
        if data is None and not form.text.strip():
            text = instructions  # no reference given: the instructions are the input
        else:
            params["instructions"] = instructions or None
    return {
        "filename": filename or PASTED_NAME,
        "data": data,
        "text": text,
        "params": {k: v for k, v in params.items() if v is not None},
    }


def _problem(exc: InputError) -> str:
    for kind, message in _INPUT_PROBLEMS:
        if isinstance(exc, kind):
            return message
    return N_("The input cannot be used. Check the form and try again.")
