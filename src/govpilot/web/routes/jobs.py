"""A user's jobs: the list, one job's page with its progress and result, the download.

The job page polls `/jobs/{id}/progress` every second with htmx while the job runs; the
fragment answers 286 once it has finished, which tells htmx to stop. Without JavaScript the
page offers a link to reload it. A job the user may not see is a 404, like a missing one.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from govpilot.access import Permission
from govpilot.errors import Conflict
from govpilot.http.dependencies import platform_of
from govpilot.http.downloads import file_response
from govpilot.jobs import Job, JobResult
from govpilot.web.i18n import N_, text_lang
from govpilot.web.render import NavItem, render
from govpilot.web.session import WebUser, WebUserDep

router = APIRouter()

NAV_ITEMS = [NavItem("/jobs", N_("My jobs"), Permission.USE_COPILOT, order=20)]

#: htmx stops polling when a response has this status.
STOP_POLLING = 286
KIND_LABELS = {
    "translate": N_("Translation"),
    "summarise": N_("Summary"),
    "draft": N_("Draft"),
    "redact": N_("Redaction"),
    "upload": N_("Indexing the upload"),
    "meeting_transcribe": N_("Transcribing a meeting"),
    "meeting_minutes": N_("Writing a meeting's minutes"),
    "opinion_analyse": N_("Analysing a consultation"),
}
STATUS_LABELS = {
    "queued": N_("Waiting to start"),
    "running": N_("Running"),
    "done": N_("Finished"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
}
_PREVIEW_CHARS = 200_000


def _job_view(request: Request, user: WebUser, job: Job) -> dict[str, Any]:
    """What the job page and its progress fragment show."""
    result: JobResult | None = None
    held: str | None = None
    if job.status == "done" and job.output_record_id:  # uploads have no output file
        try:
            result = platform_of(request).job_service().result(user.context("copilot"), job.id)
        except Conflict as exc:  # a draft held for approval, or rejected
            held = str(exc)
    view: dict[str, Any] = {
        "held": held,
        "held_rejected": held is not None and "was rejected" in held,
        "job": job,
        "kind_label": KIND_LABELS.get(job.kind, job.kind),
        "status_label": STATUS_LABELS.get(job.status, job.status),
        "percent": _percent(job),
        "result": result,
        "download_format": "",
    }
    if result is not None:
        source, output = result.source_text[:_PREVIEW_CHARS], result.text[:_PREVIEW_CHARS]
        view.update(
            source_text=source,
            source_lang=text_lang(source),
            result_text=output,
            result_lang=text_lang(output),
            cut=max(len(result.source_text), len(result.text)) > _PREVIEW_CHARS,
            download_format=PurePosixPath(result.filename).suffix.lstrip(".").upper(),
        )
    return view


def _percent(job: Job) -> int:
    if job.status == "done":
        return 100
    if job.progress_total <= 0:
        return 0
    return min(100, round(100 * job.progress_done / job.progress_total))


@router.get("/jobs")
def job_list(request: Request, user: WebUserDep) -> Response:
    """The user's own jobs, newest first."""
    jobs = platform_of(request).job_service().list(user.context("copilot"), limit=50)
    rows = [
        {
            "job": job,
            "kind_label": KIND_LABELS.get(job.kind, job.kind),
            "status_label": STATUS_LABELS.get(job.status, job.status),
            "percent": _percent(job),
        }
        for job in jobs
    ]
    return render(request, "jobs/list.html", rows=rows)


@router.get("/jobs/{job_id}")
def job_page(request: Request, user: WebUserDep, job_id: str) -> Response:
    """One job: its progress while it runs, then the result beside the source."""
    job = platform_of(request).job_service().get(user.context("copilot"), job_id)
    if job.kind.startswith("meeting_") and job.params.get("meeting_id"):
        # A meeting's job is followed, and its work shown, on the meeting's page.
        return RedirectResponse(f"/meetings/{job.params['meeting_id']}", status_code=303)
    if job.kind == "opinion_analyse" and job.params.get("consultation_id"):
        return RedirectResponse(f"/opinion/{job.params['consultation_id']}", status_code=303)
    return render(request, "jobs/detail.html", **_job_view(request, user, job))


@router.get("/jobs/{job_id}/progress")
def job_progress(request: Request, user: WebUserDep, job_id: str) -> Response:
    """The progress fragment that the job page polls; 286 (stop polling) once finished."""
    job = platform_of(request).job_service().get(user.context("copilot"), job_id)
    status = STOP_POLLING if job.finished and request.headers.get("hx-request") else 200
    return render(
        request,
        "jobs/_progress.html",
        status_code=status,
        oob=True,
        **_job_view(request, user, job),
    )


@router.get("/jobs/{job_id}/download")
def job_download(request: Request, user: WebUserDep, job_id: str) -> Response:
    """The finished job's file (Word unless another format was asked for)."""
    result = platform_of(request).job_service().result(user.context("copilot"), job_id)
    fmt = PurePosixPath(result.filename).suffix.lstrip(".")
    return file_response(result.data, result.filename, fmt, {"Cache-Control": "no-store"})
