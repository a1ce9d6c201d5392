"""Opinion analysis over the API: import a file of consultation responses (or push posts
from a social-media listening tool), analyse it into stance-split themes, review the
themes, read the counts and download the report.

The same façade as the CLI and the web pages (`capabilities.opinion`):

- `POST /api/v1/consultations` (multipart `file`, `name`) imports a .csv, .xlsx or .jsonl
  file (columns `id`, `text`, and optionally `question`, `respondent_type`, `district`,
  `date`, `source`); a file it cannot use is refused at once, naming what is missing. The
  file may be as large as `opinion.max_upload_mb`.
- `POST .../{id}/posts` appends up to 10,000 posts a call (the push API); the posts it
  could not use (an empty text, an id already there ...) come back as `problems`.
- `POST .../{id}/analyse` queues the analysis as a job (202; follow the consultation's
  `status`, or `/api/v1/jobs/{analysis_job_id}`); `resume` goes on after a failed one.
- `GET .../{id}` is the consultation with the counts of each question analysed;
  `GET .../{id}/analysis` the themes and every response's themes, stance and sentiment.
- The review: `PATCH .../themes/{theme_id}` renames, `POST .../themes/{theme_id}/merge`
  merges a theme into another of its side, `.../split` divides it, `DELETE` removes it,
  `POST .../responses/{response_id}/move` moves a response between themes. Every change
  names the `version` it was made on (a stale one is 409).
- `GET .../{id}/report.docx` and `.../report.xlsx` download the report and the workbook.

Consultations are the department's: every officer of it sees them; for anyone else they
do not exist (404).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.types import Message, Receive

from govpilot.api.deps import CallerDep, PlatformDep, acting_as
from govpilot.api.schemas.copilot import ERROR_RESPONSES
from govpilot.capabilities.opinion.counts import question_counts
from govpilot.capabilities.opinion.reports import analysis_json, write_report
from govpilot.capabilities.opinion.store import Consultation
from govpilot.config import Settings
from govpilot.errors import Conflict, InputTooLarge
from govpilot.http.dependencies import platform_of
from govpilot.http.downloads import attachment
from govpilot.http.errors import ErrorAsHTTPException
from govpilot.http.uploads import FORM_OVERHEAD
from govpilot.platform import Platform

CAPABILITY = "opinion"
MAX_POSTS = 10_000
#: A pushed post's text; longer ones are refused (the analysis reads 20,000 characters).
MAX_POST_CHARS = 100_000
REPORT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FIELDS = (
    "id",
    "department",
    "name",
    "status",
    "version",
    "summary",
    "error",
    "done_questions",
    "target_themes",
    "analysis_job_id",
)


def _limit(settings: Settings) -> int:
    return int(settings.opinion.max_upload_mb * 1024 * 1024)


def _too_large(settings: Settings) -> InputTooLarge:
    return InputTooLarge(
        f"the request is over the {settings.opinion.max_upload_mb:g} MB limit",
        hint="split it by question, or ask your administrator to raise opinion.max_upload_mb",
    )


class OpinionRoute(APIRoute):
    """Bodies within `opinion.max_upload_mb` (and the form around it): a larger declared
    body is refused before it is read, an undeclared one once it has grown past it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            settings = platform_of(request).settings
            limit = _limit(settings) + FORM_OVERHEAD
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _too_large(settings)
            return await handler(
                Request(request.scope, _counting(request.receive, limit, settings))
            )

        return limited


def _counting(receive: Receive, limit: int, settings: Settings) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise ErrorAsHTTPException(_too_large(settings))
        return message

    return counted


router = APIRouter(
    prefix="/api/v1/consultations",
    tags=["opinion"],
    route_class=OpinionRoute,
    responses={**ERROR_RESPONSES, 404: {"description": "No such consultation, or not yours"}},
)


class Post(BaseModel):
    id: str | int = Field(description="Unique within its question")
    text: str = Field(max_length=MAX_POST_CHARS)
    question: str = Field(default="", max_length=2000)
    respondent_type: str = Field(default="", max_length=200)
    district: str = Field(default="", max_length=200)
    date: str = Field(default="", max_length=40)
    source: str = Field(default="", max_length=200, description='e.g. "facebook", "lihkg"')


class PostsBody(BaseModel):
    posts: list[Post] = Field(max_length=MAX_POSTS)


class AnalyseBody(BaseModel):
    themes: int | None = Field(default=None, description="Themes per question (1 to 40)")
    resume: bool = Field(default=False, description="Go on after a failed analysis")


class VersionBody(BaseModel):
    version: int


class RenameBody(VersionBody):
    title_en: str | None = Field(default=None, max_length=200)
    title_zh: str | None = Field(default=None, max_length=200)


class MergeBody(VersionBody):
    into: str = Field(max_length=64, description="The theme to keep (of the same side)")


class MoveBody(VersionBody):
    from_theme: str | None = Field(default=None, max_length=64)
    to_theme: str | None = Field(default=None, max_length=64)


def consultation_json(platform: Platform, consultation: Consultation) -> dict[str, Any]:
    """The consultation, with the counts of each question analysed so far."""
    body: dict[str, Any] = {key: getattr(consultation, key) for key in _FIELDS}
    body["created_at"] = consultation.created_at.isoformat()
    body["updated_at"] = consultation.updated_at.isoformat()
    store = platform.consultations.store
    done = set(consultation.done_questions)
    questions = [q for q in consultation.summary.get("questions") or [] if q in done]
    body["questions"] = [
        question_counts(q, store.responses(consultation.id, q), store.themes(consultation.id, q))
        for q in questions
    ]
    return body


def _read_file(upload: UploadFile, settings: Settings) -> bytes:
    """The uploaded file's bytes, within `opinion.max_upload_mb`."""
    limit = _limit(settings)  # the route has refused a larger body already
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise _too_large(settings)
    return data


@router.post("", status_code=201)
def import_file(
    platform: PlatformDep,
    caller: CallerDep,
    file: Annotated[UploadFile, File(description="The responses (.csv .xlsx .jsonl)")],
    name: Annotated[str, Form(max_length=200)] = "",
) -> dict[str, Any]:
    """Import a file of responses, redacted, as a new consultation (status "imported")."""
    data = _read_file(file, platform.settings)
    consultation = platform.consultations.import_file(
        acting_as(caller, CAPABILITY), data, file.filename or "responses.csv", name=name
    )
    return consultation_json(platform, consultation)


@router.get("")
def list_consultations(platform: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """The department's consultations, newest first."""
    found = platform.consultations.list(acting_as(caller, CAPABILITY))
    return {
        "consultations": [
            {
                "id": c.id,
                "name": c.name,
                "status": c.status,
                "responses": c.summary.get("responses", 0),
                "created_at": c.created_at.isoformat(),
            }
            for c in found
        ]
    }


@router.get("/{consultation_id}")
def show(platform: PlatformDep, caller: CallerDep, consultation_id: str) -> dict[str, Any]:
    """The consultation: its status, what its import found, and each question's counts."""
    consultation = platform.consultations.get(acting_as(caller, CAPABILITY), consultation_id)
    return consultation_json(platform, consultation)


@router.delete("/{consultation_id}", status_code=204, response_model=None)
def delete(platform: PlatformDep, caller: CallerDep, consultation_id: str) -> Response:
    """Delete the consultation with its responses, themes and original file."""
    platform.consultations.delete(acting_as(caller, CAPABILITY), consultation_id)
    return Response(status_code=204)


@router.post("/{consultation_id}/posts")
def add_posts(
    platform: PlatformDep, caller: CallerDep, consultation_id: str, body: PostsBody
) -> dict[str, Any]:
    """Append posts (at most 10,000 a call); how many were added, and each one refused."""
    posts = [{**post.model_dump(), "id": str(post.id)} for post in body.posts]
    return platform.consultations.add_posts(acting_as(caller, CAPABILITY), consultation_id, posts)


@router.post("/{consultation_id}/analyse", status_code=202)
def analyse(
    platform: PlatformDep, caller: CallerDep, consultation_id: str, body: AnalyseBody
) -> dict[str, Any]:
    """Queue the analysis (status "queued"); again, it replaces the themes and the review."""
    consultation = platform.consultations.analyse(
        acting_as(caller, CAPABILITY), consultation_id, themes=body.themes, resume=body.resume
    )
    return consultation_json(platform, consultation)


@router.get("/{consultation_id}/analysis")
def analysis(platform: PlatformDep, caller: CallerDep, consultation_id: str) -> dict[str, Any]:
    """The themes (id, label, stance, count) and every response's themes and stance."""
    consultation = platform.consultations.get(acting_as(caller, CAPABILITY), consultation_id)
    return analysis_json(platform.consultations.store, consultation)


@router.patch("/{consultation_id}/themes/{theme_id}")
def rename_theme(
    platform: PlatformDep, caller: CallerDep, consultation_id: str, theme_id: str, body: RenameBody
) -> dict[str, Any]:
    """Rename a theme in English, Chinese or both."""
    changed = platform.theme_review.rename(
        acting_as(caller, CAPABILITY),
        consultation_id,
        theme_id,
        version=body.version,
        title_en=body.title_en,
        title_zh=body.title_zh,
    )
    return consultation_json(platform, changed)


@router.post("/{consultation_id}/themes/{theme_id}/merge")
def merge_theme(
    platform: PlatformDep, caller: CallerDep, consultation_id: str, theme_id: str, body: MergeBody
) -> dict[str, Any]:
    """Merge this theme into `into` (of the same question and side); this one goes."""
    changed = platform.theme_review.merge(
        acting_as(caller, CAPABILITY), consultation_id, body.into, theme_id, version=body.version
    )
    return consultation_json(platform, changed)


@router.post("/{consultation_id}/themes/{theme_id}/split")
def split_theme(
    platform: PlatformDep,
    caller: CallerDep,
    consultation_id: str,
    theme_id: str,
    body: VersionBody,
) -> dict[str, Any]:
    """Divide a theme in two by its quotes (the new one is named by its words)."""
    changed = platform.theme_review.split(
        acting_as(caller, CAPABILITY), consultation_id, theme_id, version=body.version
    )
    return consultation_json(platform, changed)


@router.delete("/{consultation_id}/themes/{theme_id}")
def delete_theme(
    platform: PlatformDep,
    caller: CallerDep,
    consultation_id: str,
    theme_id: str,
    version: Annotated[int, Query(description="The consultation's version")],
) -> dict[str, Any]:
    """Delete a theme; its responses stay, in their other themes."""
    changed = platform.theme_review.delete(
        acting_as(caller, CAPABILITY), consultation_id, theme_id, version=version
    )
    return consultation_json(platform, changed)


@router.post("/{consultation_id}/responses/{response_id}/move")
def move_response(
    platform: PlatformDep,
    caller: CallerDep,
    consultation_id: str,
    response_id: str,
    body: MoveBody,
) -> dict[str, Any]:
    """Take a response (by its id in the file) out of one theme and/or into another."""
    changed = platform.theme_review.move(
        acting_as(caller, CAPABILITY),
        consultation_id,
        response_id,
        body.from_theme,
        body.to_theme,
        version=body.version,
    )
    return consultation_json(platform, changed)


@router.get(
    "/{consultation_id}/report.{ext}",
    response_model=None,
    responses={200: {"content": {media: {} for media in REPORT_TYPES.values()}}},
)
def report(
    platform: PlatformDep,
    caller: CallerDep,
    consultation_id: str,
    ext: Literal["docx", "xlsx"],
) -> Response:
    """The report (.docx) or the workbook of every response (.xlsx)."""
    consultation = platform.consultations.get(acting_as(caller, CAPABILITY), consultation_id)
    if not consultation.done_questions:
        raise Conflict("the consultation is not analysed yet", hint="analyse it first")
    data = write_report(platform.consultations.store, consultation, f".{ext}")
    stem = "".join("_" if c in '/\\:*?"<>|' else c for c in consultation.name) or "report"
    return attachment(data, f"{stem}.{ext}", REPORT_TYPES[ext])
