"""CLI: `govpilot transcribe FILE [--language yue|zh|en|auto] [--json | -o out.srt]` and
`govpilot minutes FILE|TRANSCRIPT.json [--template formal] [--lang zh-Hant|en] -o FILE.docx`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from govpilot.backends.speech import SpeechSegment
from govpilot.capabilities.transcript_formats import (
    format_of,
    render_transcript,
    transcript_document,
)
from govpilot.cli.common import err_console, handled_errors, prepare, progress_bar
from govpilot.documents.writers import write_document
from govpilot.errors import InputError, InputTooLarge


def transcribe(
    recording: Annotated[Path, typer.Argument(help="A recording: .wav .mp3 .m4a .ogg .flac ...")],
    language: Annotated[
        str, typer.Option("--language", help="yue (Cantonese), zh (Mandarin), en, or auto")
    ] = "auto",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write .srt, .vtt, .txt, .json or .docx")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Segments as JSON on stdout")] = False,
) -> None:
    """Turn a recording into a timed transcript (Chinese in Hong Kong Traditional script)."""
    with handled_errors():
        fmt = format_of(str(output)) if output is not None else None
        if output is not None and not output.parent.is_dir():
            raise InputError(
                f"cannot write {output}: the folder {output.parent} does not exist",
                hint="create the folder first or choose another output path",
            )
        platform = prepare(None)
        if not recording.is_file():
            raise InputError(f"{recording} does not exist", hint="give the path of a recording")
        limit = platform.settings.speech.max_upload_mb
        if recording.stat().st_size > limit * 1024 * 1024:
            raise InputTooLarge(
                f"{recording} is over the {limit:g} MB limit for recordings",
                hint="split it, or ask your administrator to raise speech.max_upload_mb",
            )
        ctx = platform.cli_context("transcribe")
        with progress_bar("Transcribing") as progress:
            transcript = platform.transcriber.transcribe(
                ctx,
                recording.read_bytes(),
                recording.name,
                language=language,
                progress=lambda done, total: progress(int(done), int(total)),
            )
        for note in transcript.notes:
            err_console.print(f"note: {note}", highlight=False)
        if output is not None and fmt == "docx":
            write_document(transcript_document(transcript), output)
            err_console.print(f"wrote {output}", highlight=False)
        elif output is not None and fmt is not None:
            partial = output.with_name(output.name + ".partial")
            partial.write_text(render_transcript(transcript, fmt), encoding="utf-8")
            partial.replace(output)  # never a half-written transcript
            err_console.print(f"wrote {output}", highlight=False)
        if as_json:
            typer.echo(render_transcript(transcript, "json"), nl=False)
        elif output is None:
            typer.echo(render_transcript(transcript, "txt"), nl=False)


def _segments_of(path: Path, data: bytes) -> list[SpeechSegment]:
    """The segments of a transcript JSON (`govpilot transcribe --json`); InputError if not."""
    try:
        loaded = json.loads(data.decode("utf-8"))
        return [
            SpeechSegment(
                float(s["start"]),
                float(s["end"]),
                str(s["text"]),
                str(s.get("language") or ""),
                speaker=s.get("speaker"),
            )
            for s in loaded["segments"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path} is not a transcript",
            hint="give a recording, or the JSON of `govpilot transcribe --json`",
        ) from exc


def minutes(
    source: Annotated[Path, typer.Argument(help="A recording, or a transcript .json")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The minutes file (.docx .md)")],
    template: Annotated[str, typer.Option("--template", help="formal or notes")] = "formal",
    lang: Annotated[
        str | None, typer.Option("--lang", help="zh-Hant or en (default: as spoken)")
    ] = None,
    language: Annotated[
        str, typer.Option("--language", help="For a recording: yue, zh, en or auto")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="The minutes as JSON on stdout")] = False,
) -> None:
    """Write minutes of a meeting whose every point cites the time it was said."""
    with handled_errors():
        platform = prepare(output)
        if not source.is_file():
            raise InputError(f"{source} does not exist", hint="give a recording or a transcript")
        data = source.read_bytes()
        if source.suffix.lower() == ".json":
            segments = _segments_of(source, data)
        else:
            with progress_bar("Transcribing") as progress:
                segments = platform.transcriber.transcribe(
                    platform.cli_context("transcribe"),
                    data,
                    source.name,
                    language=language,
                    progress=lambda done, total: progress(int(done), int(total)),
                ).segments
        with progress_bar("Writing the minutes") as progress:
            written = platform.minutes(
                platform.cli_context("minutes"),
                segments,
                template=template,
                lang=lang,
                progress=progress,
            )
        write_document(written.as_document(), output)
        err_console.print(f"wrote {output}", highlight=False)
        if as_json:
            typer.echo(json.dumps(written.as_dict(), ensure_ascii=False, indent=2))
