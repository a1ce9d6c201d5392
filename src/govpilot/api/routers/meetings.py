"""Meetings over the API: upload a recording, follow its transcription, correct the
transcript, write, edit and approve the minutes, download them.

The same façade as the web page (`capabilities.meetings`): a recording is refused at once
when it is not usable, transcription and minutes are jobs (follow them with the meeting's
`status` and `minutes_status`, or with `/api/v1/jobs/{id}`), and every change names the
`version` it was made on (a stale one is 409). The recording may be as large as
`speech.max_upload_mb`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from govpilot.api.deps import CallerDep, PlatformDep, acting_as
from govpilot.api.schemas.copilot import ERROR_RESPONSES
from govpilot.capabilities.meeting_exports import DOWNLOADS
from govpilot.http.downloads import attachment
from govpilot.http.uploads import read_recording

router = APIRouter(
    prefix="/api/v1/meetings",
    tags=["meetings"],
    responses={**ERROR_RESPONSES, 404: {"description": "No such meeting, or not yours"}},
)
CAPABILITY = "minutes"


class SpeakerBody(BaseModel):
    label: str = Field(max_length=80, description='A label of the transcript, e.g. "Speaker 1"')
    name: str = Field(max_length=80)
    version: int


class SegmentBody(BaseModel):
    version: int
    action: Literal["edit", "merge", "split"] = "edit"
    text: str | None = Field(default=None, max_length=5000)
    speaker: str | None = Field(default=None, max_length=80, description="A label or a name")
    at: int | None = Field(default=None, description="split: characters in the first part")


class MinutesRequest(BaseModel):
    template: Literal["formal", "notes"] = "formal"
    lang: Literal["en", "zh-Hant"] | None = None
    model: str | None = None


class MinutesBody(BaseModel):
    version: int
    minutes: dict[str, Any]


class VersionBody(BaseModel):
    version: int


@router.post("", status_code=202)
def upload(
    request: Request,
    platform: PlatformDep,
    caller: CallerDep,
    file: Annotated[UploadFile, File(description="The recording (.wav .mp3 .m4a .ogg ...)")],
    title: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str | None, Form(description="yue, zh, en or auto")] = None,
) -> dict[str, Any]:
    """Keep a recording and queue its transcription; the meeting (status "queued")."""
    data = read_recording(request, file, platform.settings)
    meeting = platform.meetings.upload(
        acting_as(caller, CAPABILITY),
        data,
        file.filename or "recording",
        title=title,
        language=language,
    )
    return meeting.as_dict()


@router.get("")
def list_meetings(platform: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """Your meetings, newest first (a department administrator: the department's)."""
    meetings = platform.meetings.list(acting_as(caller, CAPABILITY))
    return {
        "meetings": [
            {k: m.as_dict()[k] for k in ("id", "title", "status", "minutes_status", "created_at")}
            for m in meetings
        ]
    }


@router.get("/{meeting_id}")
def show(platform: PlatformDep, caller: CallerDep, meeting_id: str) -> dict[str, Any]:
    """The meeting: its status, transcript (segments with speakers) and minutes."""
    return platform.meetings.get(acting_as(caller, CAPABILITY), meeting_id).as_dict()


@router.delete("/{meeting_id}", status_code=204, response_model=None)
def delete(platform: PlatformDep, caller: CallerDep, meeting_id: str) -> Response:
    """Delete the meeting with its recording, transcript and minutes."""
    platform.meetings.delete(acting_as(caller, CAPABILITY), meeting_id)
    return Response(status_code=204)


@router.patch("/{meeting_id}/speakers")
def rename_speaker(
    platform: PlatformDep, caller: CallerDep, meeting_id: str, body: SpeakerBody
) -> dict[str, Any]:
    """Name a speaker label in every segment."""
    ctx = acting_as(caller, CAPABILITY)
    return platform.meetings.rename_speaker(
        ctx, meeting_id, body.label, body.name, version=body.version
    ).as_dict()


@router.patch("/{meeting_id}/segments/{index}")
def change_segment(
    platform: PlatformDep, caller: CallerDep, meeting_id: str, index: int, body: SegmentBody
) -> dict[str, Any]:
    """Correct segment `index` (from 0), merge it with the next one, or split it."""
    ctx = acting_as(caller, CAPABILITY)
    meetings = platform.meetings
    if body.action == "merge":
        changed = meetings.merge(ctx, meeting_id, index, version=body.version)
    elif body.action == "split":
        changed = meetings.split(ctx, meeting_id, index, body.at or 0, version=body.version)
    else:
        changed = meetings.edit_segment(
            ctx, meeting_id, index, version=body.version, text=body.text, speaker=body.speaker
        )
    return changed.as_dict()


@router.post("/{meeting_id}/minutes", status_code=202)
def write_minutes(
    platform: PlatformDep, caller: CallerDep, meeting_id: str, body: MinutesRequest
) -> dict[str, Any]:
    """Queue the minutes of the transcript as it stands (minutes_status "writing")."""
    return platform.meetings.write_minutes(
        acting_as(caller, CAPABILITY),
        meeting_id,
        template=body.template,
        lang=body.lang,
        model=body.model,
    ).as_dict()


@router.put("/{meeting_id}/minutes")
def save_minutes(
    platform: PlatformDep, caller: CallerDep, meeting_id: str, body: MinutesBody
) -> dict[str, Any]:
    """Replace the minutes with an edited copy of their `minutes` (a draft again)."""
    return platform.meetings.save_minutes(
        acting_as(caller, CAPABILITY), meeting_id, body.minutes, version=body.version
    ).as_dict()


@router.post("/{meeting_id}/minutes/approve")
def approve_minutes(
    platform: PlatformDep, caller: CallerDep, meeting_id: str, body: VersionBody
) -> dict[str, Any]:
    """Approve the draft minutes in your name."""
    return platform.meetings.approve_minutes(
        acting_as(caller, CAPABILITY), meeting_id, version=body.version
    ).as_dict()


@router.get("/{meeting_id}/audio", response_model=None)
def audio(platform: PlatformDep, caller: CallerDep, meeting_id: str) -> FileResponse:
    """The recording, with byte ranges."""
    path, media_type = platform.meetings.audio(acting_as(caller, CAPABILITY), meeting_id)
    return FileResponse(path, media_type=media_type)


@router.get("/{meeting_id}/files/{name}", response_model=None)
def download(
    platform: PlatformDep,
    caller: CallerDep,
    meeting_id: str,
    name: Annotated[str, Path(description=f"One of: {', '.join(DOWNLOADS)}")],
) -> Response:
    """The minutes (.docx, .md) or the transcript (.docx, .srt, .vtt, .txt, .json)."""
    export = platform.meetings.download(acting_as(caller, CAPABILITY), meeting_id, name)
    return attachment(export.data, export.filename, export.media_type)
