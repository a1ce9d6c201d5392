"""Redaction of personal data (PDPO) as a service: text as JSON, and whole uploaded files.

No model is called, but every redaction is audited (action "redact") with the counts found
per type, never the values.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from govpilot.api.deps import CallerDep, PlatformDep
from govpilot.api.schemas.copilot import ERROR_RESPONSES
from govpilot.documents.writers import output_filename
from govpilot.errors import InputError
from govpilot.http.downloads import FILE_RESPONSES, document_download
from govpilot.http.uploads import check_text_size, load_upload, size_limited_route, upload_name
from govpilot.privacy.entities import PII_TYPES, parse_pii_types
from govpilot.privacy.operators import OperatorName

REPORT_HEADER = "X-Govpilot-Report"
#: Above this, the header carries the counts only; `?format=json` gives every location.
MAX_REPORT_HEADER = 4096

DocumentFormat = Literal["docx", "md", "txt", "json"]

router = APIRouter(
    prefix="/api/v1",
    tags=["privacy"],
    responses=ERROR_RESPONSES,
    route_class=size_limited_route(max_files=1),
)


class Entity(BaseModel):
    """One piece of personal data: its type and place in the input text."""

    type: str = Field(examples=["HKID"])
    start: int = Field(description="Offset of its first character (Python string index)")
    end: int = Field(description="Offset just past it: text[start:end] is the value")
    score: float = Field(description="How sure the detector is, 0-1")


class RedactRequest(BaseModel):
    """Text to redact."""

    text: str
    operator: OperatorName = Field(
        default="placeholder",
        description="placeholder: [HKID]; mask: ****; pseudonymise: [PERSON_1]; "
        "hash: [HKID:salted hash]",
    )
    types: list[str] | None = Field(
        default=None, description=f"Only these types (default: all): {', '.join(PII_TYPES)}"
    )

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("name at least one type, or leave types out for all of them")
        try:
            return parse_pii_types(value)
        except InputError as error:
            raise ValueError(f"{error.message}; {error.hint}") from None


class RedactResponse(BaseModel):
    """The redacted text and what was replaced, with offsets into the text sent."""

    text: str
    entities: list[Entity]


@router.post("/redact", response_model=RedactResponse)
def redact(body: RedactRequest, platform: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """Redact personal data in text (HKID, phone, email, names, addresses and more)."""
    platform.redaction.authorize(caller)
    check_text_size(platform.settings, body.text)
    redaction = platform.redaction.redact_text(caller, body.text, body.operator, body.types)
    return {"text": redaction.text, "entities": [f.as_dict() for f in redaction.findings]}


@router.post(
    "/redact/document",
    response_class=Response,
    responses={
        **FILE_RESPONSES,
        200: {
            "description": "The redacted file as an attachment, its report in the "
            f"{REPORT_HEADER} header; with format=json: {{report, text}}",
            "content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                "text/markdown": {},
                "text/plain": {},
                "application/json": {},
            },
        },
    },
)
def redact_uploaded_document(
    platform: PlatformDep,
    caller: CallerDep,
    file: Annotated[UploadFile, File(description="txt, md, html, docx or pdf")],
    operator: Annotated[OperatorName, Form()] = "placeholder",
    types: Annotated[
        str | None, Form(description="Comma-separated, e.g. HKID,PHONE (default: all)")
    ] = None,
    output_format: Annotated[
        DocumentFormat,
        Query(alias="format", description="docx (default), md, txt, or json for the report"),
    ] = "docx",
) -> Response:
    """Redact an uploaded file, keeping its structure, with a report of what was found where."""
    platform.redaction.authorize(caller)
    wanted = parse_pii_types(types)
    document = load_upload(file, platform.settings)
    redacted, report = platform.redaction.redact_document(caller, document, operator, wanted)
    if output_format == "json":
        return JSONResponse({"report": report.as_dict(), "text": redacted.text})
    # ensure_ascii: header values must be Latin-1.
    header = json.dumps(report.as_dict(), ensure_ascii=True, separators=(",", ":"))
    if len(header) > MAX_REPORT_HEADER:
        summary = {k: v for k, v in report.as_dict().items() if k != "findings"}
        header = json.dumps({**summary, "truncated": True}, separators=(",", ":"))
    name = output_filename(upload_name(file), "redacted", output_format)
    return document_download(redacted, name, output_format, headers={REPORT_HEADER: header})
