"""Translate text (JSON, optionally streamed as SSE) and whole files."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile

from govpilot.api.deps import CallerDep, PlatformDep, acting_as
from govpilot.api.job_inputs import remember_documents, remember_input
from govpilot.api.schemas.copilot import Target, TranslateRequest, TranslateResponse
from govpilot.api.streaming import Progress, ProgressStream, event_stream
from govpilot.documents.writers import output_filename
from govpilot.errors import EmptyDocument
from govpilot.http.downloads import (
    FILE_RESPONSES,
    OutputFormat,
    default_output_format,
    document_download,
)
from govpilot.http.uploads import check_text_size, load_upload, size_limited_route, upload_name

REPORT_HEADER = "X-Govpilot-Report"

router = APIRouter(tags=["translate"], route_class=size_limited_route(max_files=1))

_SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or with `stream: true` server-sent events: `progress` "
        '{"done", "total"} as paragraphs finish, then `result` (the JSON answer) or `error`',
        "content": {"text/event-stream": {}},
    }
}


@router.post("/translate", response_model=TranslateResponse, responses=_SSE_RESPONSE)
def translate(body: TranslateRequest, platform: PlatformDep, caller: CallerDep) -> Any:
    """Translate text between English and Traditional Chinese (Hong Kong usage)."""
    check_text_size(platform.settings, body.text)
    if not body.text.strip():
        raise EmptyDocument("there is no text to translate", hint="Send some text.")
    ctx = acting_as(caller, "translate")
    platform.copilot.check_model(ctx, body.model)  # an unknown model fails here, not mid-stream
    remember_input(platform, ctx, [body.text], target=body.target, model=body.model)

    def run(progress: Progress | None = None) -> dict[str, Any]:
        text, report = platform.copilot.translate_text(
            ctx, body.text, body.target, model=body.model, progress=progress
        )
        return {"text": text, "report": report.as_dict()}

    if body.stream:
        return event_stream(ProgressStream(run).events())
    return run()


@router.post("/translate/file", response_class=Response, responses=FILE_RESPONSES)
def translate_file(
    platform: PlatformDep,
    caller: CallerDep,
    file: Annotated[UploadFile, File(description="txt, md, html, docx or pdf")],
    target: Annotated[Target, Form()],
    output_format: Annotated[
        OutputFormat | None,
        Form(alias="format", description="Default: the input's format if writable, else docx"),
    ] = None,
    model: Annotated[str | None, Form()] = None,
) -> Response:
    """Translate a file, keeping its structure; the report is in the X-Govpilot-Report header."""
    document = load_upload(file, platform.settings)
    name = upload_name(file)
    fmt = output_format or default_output_format(name)
    ctx = acting_as(caller, "translate")
    remember_documents(platform, ctx, [document], target=target, format=fmt, model=model)
    translated, report = platform.copilot.translate(ctx, document, target, model=model)
    # ensure_ascii: header values must be Latin-1; glossary terms are Chinese.
    report_json = json.dumps(report.as_dict(), ensure_ascii=True, separators=(",", ":"))
    return document_download(
        translated,
        output_filename(name, target, fmt),
        fmt,
        headers={REPORT_HEADER: report_json},
    )
