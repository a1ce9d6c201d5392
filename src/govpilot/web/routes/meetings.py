"""/meetings: upload or record a meeting, correct its transcript beside the player, write,
edit and approve its minutes, download them.

The list page takes a recording (a file, or one recorded in the browser) and goes on to
the meeting's page, which follows the transcription job with a progress bar and shows,
once it is done, the audio player, the speakers to name (once each, applied everywhere),
the segments (a time that seeks the player, the speaker, the text; each one can be
corrected, given to another speaker, merged with the next or split), and the minutes:
every point carries its time range, which plays that moment. Every form names the
version it was made on, so an edit on a stale page is refused with a plain message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from govpilot.access import CallContext, Permission
from govpilot.capabilities.meetings import Meeting
from govpilot.capabilities.transcript_formats import timestamp
from govpilot.errors import Conflict, InputError
from govpilot.http.dependencies import PlatformDep
from govpilot.http.downloads import attachment
from govpilot.http.uploads import read_recording
from govpilot.platform import Platform
from govpilot.web.i18n import N_
from govpilot.web.notices import after_change
from govpilot.web.render import NavItem, render, translate
from govpilot.web.routes.governance import FormDep, Notice
from govpilot.web.session import WebUserDep

router = APIRouter()

NAV_ITEMS = [NavItem("/meetings", N_("Meetings"), Permission.USE_COPILOT, order=15)]
CAPABILITY = "minutes"
STOP_POLLING = 286
ACCEPTED = ".wav,.mp3,.m4a,.aac,.ogg,.opus,.flac,.webm,.mp4,audio/*"
LANGUAGE_CHOICES = (
    ("auto", N_("Detect it")),
    ("yue", N_("Cantonese")),
    ("zh", N_("Mandarin")),
    ("en", N_("English")),
)
NOTICES = {
    "saved": N_("The change is saved."),
    "minutes": N_("The minutes are being written. This page shows them when they are ready."),
    "approved": N_("The minutes are approved."),
    "retry": N_("The transcription goes on from where it stopped."),
    "deleted": N_("The meeting is deleted, with its recording and minutes."),
}
STATUS_LABELS = {
    "queued": N_("Waiting to start"),
    "transcribing": N_("Transcribing"),
    "transcribed": N_("Transcribed"),
    "failed": N_("Failed"),
    "none": N_("Not written yet"),
    "writing": N_("Being written"),
    "draft": N_("Draft"),
    "approved": N_("Approved"),
}


def _stamp(seconds: float) -> str:
    return timestamp(seconds, separator="")


def _page(
    request: Request,
    platform: Platform,
    ctx: CallContext,
    meeting: Meeting,
    *,
    notice: str = "",
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    if (notice == "minutes" and meeting.minutes_status != "writing") or (
        notice == "retry" and meeting.status not in ("queued", "transcribing")
    ):
        notice = ""  # the page was reloaded when the work finished: its notice is stale
    context: dict[str, Any] = {
        "meeting": meeting,
        "segments": list(enumerate(meeting.labelled)),
        "stamp": _stamp,
        "percent": _percent(platform, ctx, meeting),
        "notice": NOTICES.get(notice, ""),
        "errors": errors or [],
        "status_labels": STATUS_LABELS,
        "working": meeting.working,
    }
    return render(request, "meetings/detail.html", status_code=status_code, **context)


def _percent(platform: Platform, ctx: CallContext, meeting: Meeting) -> int:
    """How far the job at work on the meeting has got (0 when none is)."""
    job_id = meeting.working_job_id
    if not job_id:
        return 0
    job = platform.job_service().get(ctx, job_id)
    return int(100 * job.progress_done / job.progress_total) if job.progress_total else 0


@router.get("/meetings")
def list_page(
    request: Request, platform: PlatformDep, web: WebUserDep, notice: Notice = ""
) -> Response:
    """The caller's meetings, and the form to upload or record one."""
    ctx = web.context(CAPABILITY)
    return _list(request, platform, ctx, notice=NOTICES.get(notice, ""))


def _list(
    request: Request,
    platform: Platform,
    ctx: CallContext,
    errors: list[str] | None = None,
    code: int = 200,
    notice: str = "",
) -> Response:
    context: dict[str, Any] = {
        "notice": notice,
        "meetings": platform.meetings.list(ctx),
        "accepted": ACCEPTED,
        "languages": LANGUAGE_CHOICES,
        "errors": errors or [],
        "status_labels": STATUS_LABELS,
        "max_mb": platform.settings.speech.max_upload_mb,
        "max_minutes": platform.settings.speech.max_minutes,
    }
    return render(request, "meetings/list.html", status_code=code, **context)


@router.post("/meetings")
def upload(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    file: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(max_length=10)] = "auto",
) -> Response:
    """Keep the recording, queue its transcription, go to its page."""
    ctx = web.context(CAPABILITY)
    if file is None or not file.filename:
        message = translate(request, N_("Choose a recording, or record one."))
        return _list(request, platform, ctx, [message], 400)
    try:
        data = read_recording(request, file, platform.settings)
        meeting = platform.meetings.upload(ctx, data, file.filename, title=title, language=language)
    except InputError as exc:
        return _list(request, platform, ctx, [exc.message], exc.status_code)
    return RedirectResponse(f"/meetings/{meeting.id}", status_code=303)


@router.get("/meetings/{meeting_id}")
def meeting_page(
    request: Request, platform: PlatformDep, web: WebUserDep, meeting_id: str, notice: Notice = ""
) -> Response:
    """The meeting: progress, or the player, speakers, transcript and minutes."""
    ctx = web.context(CAPABILITY)
    meeting = platform.meetings.get(ctx, meeting_id)
    return _page(request, platform, ctx, meeting, notice=notice)


@router.get("/meetings/{meeting_id}/progress")
def progress(request: Request, platform: PlatformDep, web: WebUserDep, meeting_id: str) -> Response:
    """The progress bar (polled by the page); the whole page again once the work is done."""
    ctx = web.context(CAPABILITY)
    meeting = platform.meetings.get(ctx, meeting_id)
    if not meeting.working:
        # 286 stops htmx polling; the refresh shows the finished work.
        return Response(status_code=STOP_POLLING, headers={"HX-Refresh": "true"})
    percent = _percent(platform, ctx, meeting)
    return render(request, "meetings/_progress.html", percent=percent, meeting=meeting)


@router.get("/meetings/{meeting_id}/audio")
def audio(platform: PlatformDep, web: WebUserDep, meeting_id: str) -> Response:
    """The recording, with byte ranges, so the player can seek."""
    path, media_type = platform.meetings.audio(web.context(CAPABILITY), meeting_id)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private"})


@router.get("/meetings/{meeting_id}/download/{name}")
def download(platform: PlatformDep, web: WebUserDep, meeting_id: str, name: str) -> Response:
    """The minutes (.docx, .md) or the transcript (.docx, .srt, .vtt, .txt, .json)."""
    export = platform.meetings.download(web.context(CAPABILITY), meeting_id, name)
    return attachment(export.data, export.filename, export.media_type)


def form_version(form: FormData) -> int:
    """The version a form was made on (every editing form carries it)."""
    raw = str(form.get("version", ""))
    if not raw.isdigit():
        raise InputError("the form has no version", hint="reload the page")
    return int(raw)


def _changed(
    request: Request,
    platform: Platform,
    ctx: CallContext,
    meeting_id: str,
    change: Callable[[], object],
    notice: str = "saved",
) -> Response:
    """Run `change`; back to the page with the notice, or the page with the problem."""

    def problem(message: str, status: int) -> Response:
        meeting = platform.meetings.get(ctx, meeting_id)
        return _page(request, platform, ctx, meeting, errors=[message], status_code=status)

    return after_change(change, f"/meetings/{meeting_id}?notice={notice}", problem)


@router.post("/meetings/{meeting_id}/speakers")
def rename_speaker(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, meeting_id: str
) -> Response:
    """Name one speaker label in every segment."""
    ctx = web.context(CAPABILITY)
    label, name = str(form.get("label", "")), str(form.get("name", ""))
    return _changed(
        request,
        platform,
        ctx,
        meeting_id,
        lambda: platform.meetings.rename_speaker(
            ctx, meeting_id, label, name, version=form_version(form)
        ),
    )


@router.post("/meetings/{meeting_id}/segments/{index}")
def change_segment(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    form: FormDep,
    meeting_id: str,
    index: int,
) -> Response:
    """Save a segment's text and speaker, merge it with the next one, or split it."""
    ctx = web.context(CAPABILITY)
    meetings = platform.meetings
    action = str(form.get("action", "save"))

    def change() -> None:
        version = form_version(form)
        if action == "merge":
            meetings.merge(ctx, meeting_id, index, version=version)
        elif action == "split":
            at = str(form.get("at", ""))
            if not at.isdigit():
                raise InputError("say after how many characters to split", hint="e.g. 12")
            meetings.split(ctx, meeting_id, index, int(at), version=version)
        else:
            meetings.edit_segment(
                ctx,
                meeting_id,
                index,
                version=version,
                text=str(form.get("text", "")),
                speaker=str(form.get("speaker", "")) or None,
            )

    return _changed(request, platform, ctx, meeting_id, change)


@router.post("/meetings/{meeting_id}/retry")
def retry(request: Request, platform: PlatformDep, web: WebUserDep, meeting_id: str) -> Response:
    """Queue a failed transcription again (it goes on from the last saved window)."""
    ctx = web.context(CAPABILITY)
    return _changed(
        request,
        platform,
        ctx,
        meeting_id,
        lambda: platform.meetings.retry(ctx, meeting_id),
        notice="retry",
    )


@router.post("/meetings/{meeting_id}/delete")
def delete(platform: PlatformDep, web: WebUserDep, meeting_id: str) -> Response:
    """Delete the meeting with its recording, transcript and minutes."""
    platform.meetings.delete(web.context(CAPABILITY), meeting_id)
    return RedirectResponse("/meetings?notice=deleted", status_code=303)


@router.post("/meetings/{meeting_id}/minutes")
def write_minutes(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, meeting_id: str
) -> Response:
    """Queue the minutes of the transcript as it stands."""
    ctx = web.context(CAPABILITY)
    template, lang = str(form.get("template", "formal")), str(form.get("lang", ""))
    return _changed(
        request,
        platform,
        ctx,
        meeting_id,
        lambda: platform.meetings.write_minutes(
            ctx, meeting_id, template=template, lang=lang or None
        ),
        notice="minutes",
    )


@router.post("/meetings/{meeting_id}/minutes/edit")
def edit_minutes(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, meeting_id: str
) -> Response:
    """Save the edited minutes; with "approve", approve them as saved."""
    ctx = web.context(CAPABILITY)
    meetings = platform.meetings
    approve = str(form.get("action", "")) == "approve"

    def change() -> None:
        meeting = meetings.get(ctx, meeting_id)
        edited = _edited_minutes(meeting, form)
        saved = meetings.save_minutes(ctx, meeting_id, edited, version=form_version(form))
        if approve:
            meetings.approve_minutes(ctx, meeting_id, version=saved.version)

    return _changed(
        request, platform, ctx, meeting_id, change, notice="approved" if approve else "saved"
    )


def _edited_minutes(meeting: Meeting, form: FormData) -> dict[str, Any]:
    """The stored minutes with the form's titles and points (text, owner, due; a point
    whose "delete" box is ticked or whose text is emptied goes)."""
    if meeting.minutes is None:
        raise Conflict("there are no minutes to edit yet", hint="write them first")
    minutes = dict(meeting.minutes)
    items = []
    for i, item in enumerate(minutes.get("items", [])):
        points = []
        for j, point in enumerate(item.get("points", [])):
            key = f"p-{i}-{j}"
            if form.get(f"{key}-delete"):
                continue
            changed = dict(point)
            for field in ("text", "owner", "due"):
                value = form.get(f"{key}-{field}")
                if value is not None:
                    changed[field] = str(value)
            points.append(changed)
        title = form.get(f"i-{i}-title")
        items.append(
            {**item, "title": str(title) if title is not None else item["title"], "points": points}
        )
    minutes["items"] = items
    return minutes
