"""Summarise texts (JSON) or uploaded files into one summary with references."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Response, UploadFile

from govpilot.api.deps import CallerDep, PlatformDep, acting_as
from govpilot.api.job_inputs import remember_documents, remember_input
from govpilot.api.schemas.copilot import MAX_TEXTS, Lang, SummariseRequest, SummaryPublic
from govpilot.documents.model import Document
from govpilot.http.downloads import FILE_RESPONSES, document_download
from govpilot.http.uploads import check_text_size, load_uploads, size_limited_route

router = APIRouter(tags=["summarise"], route_class=size_limited_route(max_files=MAX_TEXTS))

SummaryFormat = Literal["json", "docx", "md", "txt"]


@router.post("/summarise", response_model=SummaryPublic)
def summarise(body: SummariseRequest, platform: PlatformDep, caller: CallerDep) -> Any:
    """Summarise one or more texts together; points cite the numbered source paragraphs."""
    check_text_size(platform.settings, *body.texts)
    documents = [
        Document.from_text(text, source=f"text {index}") for index, text in enumerate(body.texts, 1)
    ]
    ctx = acting_as(caller, "summarise")
    remember_input(platform, ctx, body.texts, lang=body.lang, words=body.words, model=body.model)
    summary = platform.copilot.summarise(
        ctx, documents, lang=body.lang, words=body.words, model=body.model
    )
    return summary.as_dict()


@router.post(
    "/summarise/files",
    response_model=SummaryPublic,
    responses=FILE_RESPONSES,
)
def summarise_files(
    platform: PlatformDep,
    caller: CallerDep,
    files: Annotated[list[UploadFile], File(description="txt, md, html, docx or pdf files")],
    lang: Annotated[Lang | None, Form()] = None,
    words: Annotated[int, Form(ge=20, le=2000)] = 200,
    output_format: Annotated[
        SummaryFormat, Form(alias="format", description="json, or a file: docx, md or txt")
    ] = "json",
    model: Annotated[str | None, Form()] = None,
) -> Any:
    """Summarise uploaded files together; `format` other than json returns a file."""
    documents = load_uploads(files, platform.settings, max_files=MAX_TEXTS)
    ctx = acting_as(caller, "summarise")
    remember_documents(platform, ctx, documents, lang=lang, words=words, model=model)
    summary = platform.copilot.summarise(ctx, documents, lang=lang, words=words, model=model)
    if output_format == "json":
        return summary.as_dict()
    filename = f"summary.{summary.lang}.{output_format}"
    response: Response = document_download(summary.as_document(), filename, output_format)
    return response
