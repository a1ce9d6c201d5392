"""Draft letters, memos and replies from a template; list the templates."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import JSONResponse

from govpilot.api.deps import CallerDep, PlatformDep, acting_as
from govpilot.api.job_inputs import remember_input
from govpilot.api.schemas.copilot import (
    MAX_TEXTS,
    DraftPublic,
    DraftRequest,
    Lang,
    TemplateList,
    TemplatePublic,
)
from govpilot.documents.model import Document
from govpilot.http.downloads import FILE_RESPONSES, document_download
from govpilot.http.uploads import check_text_size, load_uploads, size_limited_route

router = APIRouter(tags=["draft"], route_class=size_limited_route(max_files=MAX_TEXTS))

DraftFormat = Literal["json", "docx", "md", "txt"]


@router.get("/templates", response_model=TemplateList)
def list_templates(platform: PlatformDep, caller: CallerDep) -> TemplateList:
    """Every draft template, one entry per name and language."""
    return TemplateList(
        templates=[
            TemplatePublic(name=t.name, lang=t.lang, title=t.title, description=t.description)
            for t in platform.templates.all()
        ]
    )


@router.post("/draft", response_model=DraftPublic)
def draft(body: DraftRequest, platform: PlatformDep, caller: CallerDep) -> Any:
    """Draft a document following a template, from instructions and reference texts."""
    check_text_size(platform.settings, body.instructions, *body.references)
    references = [
        Document.from_text(text, source=f"reference {index}")
        for index, text in enumerate(body.references, 1)
    ]
    ctx = acting_as(caller, "draft")
    remember_input(
        platform,
        ctx,
        [body.instructions, *body.references],
        title=body.template,
        lang=body.lang,
        model=body.model,
    )
    result = platform.copilot.draft(
        ctx,
        body.template,
        body.instructions,
        references=references,
        lang=body.lang,
        model=body.model,
        for_approval=body.for_approval,
    )
    return result.as_dict()


@router.post("/draft/files", response_model=DraftPublic, responses=FILE_RESPONSES)
def draft_with_files(
    platform: PlatformDep,
    caller: CallerDep,
    template: Annotated[str, Form(description="A template name from /api/v1/templates")],
    instructions: Annotated[str, Form(description="What the draft should cover")],
    references: Annotated[
        list[UploadFile] | None, File(description="Reference files to draw on")
    ] = None,
    lang: Annotated[Lang | None, Form()] = None,
    output_format: Annotated[
        DraftFormat, Form(alias="format", description="json, or a file: docx, md or txt")
    ] = "json",
    model: Annotated[str | None, Form()] = None,
    for_approval: Annotated[bool, Form(description="Hold it until a reviewer approves")] = False,
) -> Any:
    """Draft with reference files; `format` other than json returns the draft as a file,
    except a draft held for approval: that one is answered as JSON (202), its file is the
    approved text once a reviewer released it."""
    check_text_size(platform.settings, instructions)
    documents = load_uploads(references or [], platform.settings, max_files=MAX_TEXTS)
    ctx = acting_as(caller, "draft")
    remember_input(
        platform,
        ctx,
        [instructions, *(d.text for d in documents)],
        title=template,
        lang=lang,
        model=model,
        files=len(documents),
    )
    result = platform.copilot.draft(
        ctx,
        template,
        instructions,
        references=documents,
        lang=lang,
        model=model,
        for_approval=for_approval,
    )
    if output_format == "json":
        return result.as_dict()
    if result.approval is not None:
        return JSONResponse(result.as_dict(), status_code=202)
    filename = f"{result.template}.{result.lang}.{output_format}"
    response: Response = document_download(result.document, filename, output_format)
    return response
