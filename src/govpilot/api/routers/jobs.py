"""Copilot jobs: submit work to run in the background, follow its progress, download the file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from govpilot.access import CallContext
from govpilot.api.deps import CallerDep, PlatformDep
from govpilot.api.errors import error_body
from govpilot.api.schemas.copilot import ERROR_RESPONSES, Lang, Target
from govpilot.api.schemas.jobs import JobList, JobPublic, JobResultPublic, SubmitKindField
from govpilot.api.streaming import KEEPALIVE_S, event_stream, sse
from govpilot.errors import GovpilotError
from govpilot.http.downloads import FILE_RESPONSES, OutputFormat, file_response
from govpilot.http.uploads import read_upload, size_limited_route, upload_name
from govpilot.jobs.service import JobService
from govpilot.privacy.operators import OperatorName

POLL_S = 0.5  # how often the event stream looks at the job

router = APIRouter(
    prefix="/api/v1/jobs",
    tags=["jobs"],
    responses={
        **ERROR_RESPONSES,
        404: {"description": "No such job, or not one you may see"},
        429: {"description": "Your department has its most jobs running; see Retry-After"},
    },
    route_class=size_limited_route(max_files=1),
)


@router.post("", status_code=202, response_model=JobPublic)
def submit_job(
    platform: PlatformDep,
    caller: CallerDep,
    kind: Annotated[SubmitKindField, Form()],
    file: Annotated[UploadFile | None, File(description="txt, md, html, docx or pdf")] = None,
    text: Annotated[str | None, Form(description="Text instead of a file")] = None,
    filename: Annotated[
        str | None, Form(description="A name for the text's output (default: text.txt)")
    ] = None,
    target: Annotated[Target | None, Form(description="translate: en or zh-Hant")] = None,
    output_format: Annotated[
        OutputFormat | None, Form(alias="format", description="Output file (default: docx)")
    ] = None,
    template: Annotated[str | None, Form(description="draft: a template name")] = None,
    instructions: Annotated[str | None, Form(description="draft: what to cover")] = None,
    length: Annotated[int | None, Form(ge=20, le=2000, description="summarise: words")] = None,
    lang: Annotated[Lang | None, Form(description="summarise, draft: output language")] = None,
    operator: Annotated[OperatorName | None, Form(description="redact: how to replace")] = None,
    types: Annotated[str | None, Form(description="redact: e.g. HKID,PHONE (default all)")] = None,
    model: Annotated[str | None, Form(description="A model from /v1/models")] = None,
) -> dict[str, Any]:
    """Queue a translate, summarise, draft or redact job on a file or a text (202)."""
    params = {
        "target": target,
        "format": output_format,
        "template": template,
        "instructions": instructions,
        "length": length,
        "lang": lang,
        "operator": operator,
        "types": types,
        "model": model,
    }
    data = read_upload(file, platform.settings) if file is not None else None
    name = upload_name(file) if file is not None else filename or "text.txt"
    job = platform.job_service().submit(
        caller, kind, filename=name, data=data, text=text, params=params
    )
    return job.as_dict()


@router.get("", response_model=JobList)
def list_jobs(platform: PlatformDep, caller: CallerDep, limit: int = 50) -> dict[str, Any]:
    """Your own jobs, newest first."""
    return {"jobs": [job.as_dict() for job in platform.job_service().list(caller, limit=limit)]}


@router.get("/{job_id}", response_model=JobPublic)
def get_job(platform: PlatformDep, caller: CallerDep, job_id: str) -> dict[str, Any]:
    """One job: its status, progress and, if it failed, why."""
    return platform.job_service().get(caller, job_id).as_dict()


@router.post("/{job_id}/cancel", response_model=JobPublic)
def cancel_job(platform: PlatformDep, caller: CallerDep, job_id: str) -> dict[str, Any]:
    """Cancel a queued or running job (a running one stops at its next step; 409 if finished)."""
    return platform.job_service().cancel(caller, job_id).as_dict()


@router.get("/{job_id}/result", response_model=JobResultPublic)
def job_result(platform: PlatformDep, caller: CallerDep, job_id: str) -> dict[str, Any]:
    """A finished job's output and input as plain text, to show side by side (409 if not done)."""
    result = platform.job_service().result(caller, job_id)
    return {
        "filename": result.filename,
        "media_type": result.media_type,
        "text": result.text,
        "source_text": result.source_text,
    }


@router.get("/{job_id}/download", response_class=Response, responses=FILE_RESPONSES)
def download_job(platform: PlatformDep, caller: CallerDep, job_id: str) -> Response:
    """A finished job's output file, as an attachment (409 if not done)."""
    result = platform.job_service().result(caller, job_id)
    fmt = PurePosixPath(result.filename).suffix.lstrip(".")
    return file_response(result.data, result.filename, fmt, {})


@router.get(
    "/{job_id}/events",
    response_class=Response,
    responses={
        200: {
            "description": "Server-sent events: `progress` {status, done, total} as the job "
            "moves, then `result` with the job's JSON once it is done or failed (or `error`)",
            "content": {"text/event-stream": {}},
        }
    },
)
def job_events(platform: PlatformDep, caller: CallerDep, job_id: str) -> Response:
    """Follow a job's progress as server-sent events until it finishes."""
    jobs = platform.job_service()
    jobs.get(caller, job_id)  # 404 now, before the stream starts
    return event_stream(_follow(jobs, caller, job_id))


async def _follow(jobs: JobService, caller: CallContext, job_id: str) -> AsyncIterator[str]:
    last: tuple[str, int, int] | None = None
    quiet = 0.0
    while True:
        try:
            job = await run_in_threadpool(jobs.get, caller, job_id)
        except GovpilotError as exc:  # e.g. the database went away mid-stream
            yield sse(error_body(exc), "error")
            return
        state = (job.status, job.progress_done, job.progress_total)
        if state != last:
            last, quiet = state, 0.0
            yield sse({"status": job.status, "done": state[1], "total": state[2]}, "progress")
        elif quiet >= KEEPALIVE_S:
            quiet = 0.0
            yield ": keep-alive\n\n"
        if job.finished:
            yield sse(job.as_dict(), "result")
            return
        await asyncio.sleep(POLL_S)
        quiet += POLL_S
