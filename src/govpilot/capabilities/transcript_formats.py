"""A transcript written out: SubRip (.srt), WebVTT (.vtt), plain text with times (.txt),
JSON (.json, the shape of `govpilot transcribe --json`) and Word (.docx: a table of
times, speakers and what was said)."""

from __future__ import annotations

import json
from pathlib import PurePath

from govpilot.capabilities.transcribe import Transcript
from govpilot.documents.model import Block, Document
from govpilot.errors import UnsupportedFileType

TRANSCRIPT_FORMATS = ("srt", "vtt", "txt", "json", "docx")
#: The formats written as text (the rest: documents).
TEXT_FORMATS = ("srt", "vtt", "txt", "json")


def timestamp(seconds: float, *, separator: str = ",", hours: bool = True) -> str:
    """00:01:02,345 (SubRip), 00:01:02.345 (WebVTT) or, without milliseconds, 00:01:02."""
    millis = max(0, round(seconds * 1000))
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    clock = f"{h:02d}:{m:02d}:{s:02d}" if hours else f"{m:02d}:{s:02d}"
    return f"{clock}{separator}{ms:03d}" if separator else clock


def _speaker(text: str, speaker: str | None) -> str:
    return f"{speaker}: {text}" if speaker else text


def render_transcript(transcript: Transcript, fmt: str) -> str:
    """The transcript in `fmt` (srt, vtt, txt or json)."""
    if fmt == "json":
        return json.dumps(transcript.as_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "srt":
        blocks = [
            f"{n}\n{timestamp(s.start)} --> {timestamp(s.end)}\n{_speaker(s.text, s.speaker)}\n"
            for n, s in enumerate(transcript.segments, 1)
        ]
        return "\n".join(blocks)
    if fmt == "vtt":
        cues = [
            f"{timestamp(s.start, separator='.')} --> {timestamp(s.end, separator='.')}\n"
            + (f"<v {s.speaker}>{s.text}" if s.speaker else s.text)
            + "\n"
            for s in transcript.segments
        ]
        return "WEBVTT\n\n" + "\n".join(cues)
    if fmt == "txt":
        return "".join(
            f"[{timestamp(s.start, separator='')}-{timestamp(s.end, separator='')}] "
            f"{_speaker(s.text, s.speaker)}\n"
            for s in transcript.segments
        )
    raise UnsupportedFileType(
        f"a transcript cannot be written as {fmt!r}",
        hint=f"use one of: {', '.join(TEXT_FORMATS)}",
    )


def transcript_document(transcript: Transcript, *, title: str | None = None) -> Document:
    """The transcript as a document: a title, then a table of time, speaker and words."""
    zh = transcript.language in ("yue", "zh")
    heading = title or ("逐字稿" if zh else "Transcript")
    rows = [("時間", "發言者", "內容") if zh else ("Time", "Speaker", "Words")]
    rows += [
        (
            f"{timestamp(s.start, separator='')}-{timestamp(s.end, separator='')}",
            s.speaker or "",
            s.text,
        )
        for s in transcript.segments
    ]
    blocks = [Block("heading", heading, level=1)]
    if transcript.segments:
        blocks.append(Block("table", rows=tuple(rows)))
    blocks += [Block("paragraph", note) for note in transcript.notes]
    return Document(blocks, title=heading)


def format_of(path: str) -> str:
    """The transcript format a file name asks for (by its suffix)."""
    fmt = PurePath(path).suffix.lower().lstrip(".")
    if fmt not in TRANSCRIPT_FORMATS:
        raise UnsupportedFileType(
            f"{path!r}: a transcript is written as .srt, .vtt, .txt, .json or .docx",
            hint="name the output file with one of those endings",
        )
    return fmt
