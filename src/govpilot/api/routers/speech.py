"""OpenAI-compatible `POST /v1/audio/transcriptions`: other tools send recordings here and
get text back, through the same checks, recogniser and audit log as `govpilot transcribe`.

The recording may be as large as `speech.max_upload_mb` (not the document limit); a body
declared larger is refused before it is read. `response_format` is json (`{"text"}`),
verbose_json (with segments), text, srt or vtt.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import PlainTextResponse

from govpilot.api.deps import CallerDep, acting_as
from govpilot.api.schemas.openai import ERROR_RESPONSES
from govpilot.capabilities.transcript_formats import render_transcript
from govpilot.http.dependencies import PlatformDep
from govpilot.http.uploads import read_recording

router = APIRouter(prefix="/v1", tags=["openai"], responses=ERROR_RESPONSES)

ResponseFormat = Literal["json", "verbose_json", "text", "srt", "vtt"]


@router.post("/audio/transcriptions", response_model=None)
def transcriptions(
    request: Request,
    platform: PlatformDep,
    caller: CallerDep,
    file: Annotated[UploadFile, File(description="The recording (.wav .mp3 .m4a .ogg ...)")],
    model: Annotated[str, Form(description="Ignored: the configured recogniser")] = "whisper",
    language: Annotated[str | None, Form(description="yue, zh, en or auto")] = None,
    response_format: Annotated[ResponseFormat, Form()] = "json",
) -> Any:
    """Transcribe one recording; Chinese comes back in Hong Kong Traditional characters."""
    data = read_recording(request, file, platform.settings)
    transcript = platform.transcriber.transcribe(
        acting_as(caller, "transcribe"), data, file.filename or "recording", language=language
    )
    if response_format in ("text", "srt", "vtt"):
        fmt = "txt" if response_format == "text" else response_format
        body = transcript.text + "\n" if fmt == "txt" else render_transcript(transcript, fmt)
        return PlainTextResponse(body)
    if response_format == "json":
        return {"text": transcript.text}
    return {
        "task": "transcribe",
        "language": transcript.language,
        "duration": round(transcript.duration, 2),
        "text": transcript.text,
        "segments": [{"id": n, **s.as_dict()} for n, s in enumerate(transcript.segments)],
        "notes": transcript.notes,
    }
