"""A meeting's transcript and minutes as files: what the exports and the player need."""

from __future__ import annotations

from dataclasses import dataclass

from govpilot.capabilities.meeting_store import Meeting
from govpilot.capabilities.minutes import Minutes
from govpilot.capabilities.transcribe import Transcript
from govpilot.capabilities.transcript_formats import (
    TRANSCRIPT_FORMATS,
    render_transcript,
    transcript_document,
)
from govpilot.documents.writers import render_document
from govpilot.errors import Conflict, InputError

MINUTES_FORMATS = ("docx", "md")
#: The files a meeting can be downloaded as, by name.
DOWNLOADS = (
    "minutes.docx",
    "minutes.md",
    "transcript.docx",
    "transcript.srt",
    "transcript.vtt",
    "transcript.txt",
    "transcript.json",
)
#: The recording's media type by its suffix, for the page's audio player.
MEDIA_TYPES = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".webm": "audio/webm",
    ".mp4": "audio/mp4",
}
_FILE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class Export:
    filename: str
    media_type: str
    data: bytes


def transcript_of(meeting: Meeting) -> Transcript:
    """The meeting's transcript with the speakers' names."""
    languages = [s.language for s in meeting.labelled if s.language]
    main = max(set(languages), key=languages.count) if languages else ""
    return Transcript(
        meeting.segments, meeting.language or main, meeting.duration, meeting.model_id or ""
    )


def transcript_export(meeting: Meeting, fmt: str) -> Export:
    if fmt not in TRANSCRIPT_FORMATS:
        raise InputError(f"no transcript format {fmt!r}", hint=", ".join(TRANSCRIPT_FORMATS))
    transcript = transcript_of(meeting)
    transcript.notes = list(meeting.notes)
    if fmt == "docx":
        data = render_document(transcript_document(transcript, title=meeting.title), "docx")
    else:
        data = render_transcript(transcript, fmt).encode("utf-8")
    return Export(f"{file_stem(meeting)}.{fmt}", _FILE_TYPES[fmt], data)


def minutes_export(meeting: Meeting, fmt: str) -> Export:
    if fmt not in MINUTES_FORMATS:
        raise InputError(f"no minutes format {fmt!r}", hint=", ".join(MINUTES_FORMATS))
    if meeting.minutes is None:
        raise Conflict("there are no minutes yet", hint="write them first")
    minutes = Minutes.from_dict(meeting.minutes, meeting.segments)
    data = render_document(minutes.as_document(meeting.title), fmt)
    return Export(f"{file_stem(meeting)}-minutes.{fmt}", _FILE_TYPES[fmt], data)


def download(meeting: Meeting, name: str) -> Export:
    """One of the `DOWNLOADS` ("minutes.docx", "transcript.srt" ...)."""
    if name not in DOWNLOADS:
        raise InputError(f"there is no download {name!r}", hint=", ".join(DOWNLOADS))
    what, fmt = name.split(".")
    return minutes_export(meeting, fmt) if what == "minutes" else transcript_export(meeting, fmt)


def file_stem(meeting: Meeting) -> str:
    """The meeting's title made safe for a file name."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in meeting.title).strip("-")
    return stem[:60] or "meeting"
