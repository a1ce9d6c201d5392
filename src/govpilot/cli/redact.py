"""`govpilot redact`: find and replace personal data (PDPO) in texts, documents and JSON lines.

Plain text (standard input, or a .txt file) is redacted as it is, layout and all, and
`--json` offsets point into that text. Other documents (.md .html .docx .pdf) are read into
blocks and redacted block by block; their `--json` offsets point into the document's plain
text, `Document.text`: blocks joined by a blank line, table cells by a tab, rows by a newline.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from govpilot.capabilities.redaction import RedactionBatch
from govpilot.cli.common import (
    err_console,
    get_platform,
    handled_errors,
    prepare,
    progress_bar,
    read_stdin_text,
)
from govpilot.documents import Document, load_document, write_document
from govpilot.documents.formats.text import decode_text, load_text
from govpilot.errors import GovpilotError, InputError
from govpilot.platform import Platform
from govpilot.privacy.documents import RedactionReport
from govpilot.privacy.entities import parse_pii_types
from govpilot.privacy.operators import OperatorName, parse_operator

REPORT_SUFFIXES = (".md", ".json")


def redact(
    input: Annotated[
        str | None,
        typer.Argument(help="A file (.txt .md .html .docx .pdf), or - for standard input"),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write here (.docx .md .txt); format from extension"),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"text", "entities"} (offsets into the input)')
    ] = False,
    jsonl: Annotated[
        str | None,
        typer.Option(
            "--jsonl",
            metavar="FILE",
            help='Redact JSON lines {"id", "text"} from FILE (or - for standard input)',
        ),
    ] = None,
    operator: Annotated[
        str, typer.Option("--operator", help="placeholder, mask, pseudonymise or hash")
    ] = "placeholder",
    types: Annotated[
        str | None,
        typer.Option("--types", help="Only these types, comma-separated, e.g. HKID,PHONE"),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write the report here (.md or .json)"),
    ] = None,
) -> None:
    """Redact personal data (HKID, phone, email, names, addresses ...) in a text or document.

    With -o, a document gets a report beside it (OUT.report.md): what was found where, no values.
    Exit code 2 when the input cannot be used, or when any --jsonl line failed.
    """
    with handled_errors():
        op = parse_operator(operator)
        wanted = parse_pii_types(types)
        if jsonl is not None:
            if input is not None or output is not None or report is not None:
                raise InputError(
                    "--jsonl reads its own input and prints JSON lines",
                    hint="drop INPUT, -o and --report, and redirect the output to a file",
                )
            platform = get_platform()
            if _redact_jsonl(jsonl, platform, op, wanted):
                raise typer.Exit(code=2)
            return
        if input is None:
            raise InputError(
                "nothing to redact", hint="give a file, - for standard input, or --jsonl FILE"
            )
        _check_report_path(report, output)
        platform = prepare(output)
        text, document = _read(input, platform)
        if document is None:
            _redact_plain(text, platform, op, wanted, output, as_json, report)
        else:
            _redact_document(document, platform, op, wanted, output, as_json, report)


def _check_report_path(report: Path | None, output: Path | None) -> None:
    if report is None:
        return
    if report.suffix.lower() not in REPORT_SUFFIXES:
        raise InputError(f"cannot write a report as {report.name!r}", hint="name it .md or .json")
    if output is not None and report.resolve() == output.resolve():
        raise InputError("the report and the output are the same file", hint="name them apart")
    if not report.parent.is_dir():
        raise InputError(
            f"cannot write {report}: the folder {report.parent} does not exist",
            hint="create the folder first or choose another path",
        )


def _read(source: str, platform: Platform) -> tuple[str, Document | None]:
    """Plain text as it is (stdin, .txt), or a structured document for every other format."""
    settings = platform.settings
    if source == "-":
        return read_stdin_text(settings), None
    path = Path(source)
    document = load_document(  # checks type and size
        path, max_bytes=settings.max_upload_bytes, max_unpacked_bytes=settings.max_unpacked_bytes
    )
    if document.source_format == "txt":
        return decode_text(path.read_bytes(), path.name), None
    return document.text, document


def _redact_plain(
    text: str,
    platform: Platform,
    op: OperatorName,
    wanted: list[str] | None,
    output: Path | None,
    as_json: bool,
    report_path: Path | None,
) -> None:
    redaction = platform.redaction.redact_text(platform.cli_context("redact"), text, op, wanted)
    report = RedactionReport.for_text(text, redaction, op)
    if output is not None:
        if output.suffix.lower() == ".docx":
            write_document(load_text(redaction.text.encode("utf-8"), output.name), output)
        else:
            _write_text(output, redaction.text)
        err_console.print(f"wrote {output}", highlight=False)
    _finish(platform, report, "text", output, as_json, report_path, redaction.text)


def _redact_document(
    document: Document,
    platform: Platform,
    op: OperatorName,
    wanted: list[str] | None,
    output: Path | None,
    as_json: bool,
    report_path: Path | None,
) -> None:
    with progress_bar("Redacting") as progress:
        redacted, report = platform.redaction.redact_document(
            platform.cli_context("redact"), document, op, wanted, progress=progress
        )
    if output is not None:
        write_document(redacted, output)
        err_console.print(f"wrote {output}", highlight=False)
        report_path = report_path or output.with_name(f"{output.stem}.report.md")
    kind = document.source_format or "document"
    _finish(platform, report, kind, output, as_json, report_path, redacted.text)


def _finish(
    platform: Platform,
    report: RedactionReport,
    kind: str,
    output: Path | None,
    as_json: bool,
    report_path: Path | None,
    text: str,
) -> None:
    """Write the report, print the result and the summary, and record the audit event."""
    if report_path is not None:
        if report_path.suffix.lower() == ".json":
            body = json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"
        else:
            body = report.as_markdown()
        _write_text(report_path, body)
        err_console.print(f"wrote report {report_path}", highlight=False)
    if as_json:
        entities = report.entities()
        typer.echo(json.dumps({"text": text, "entities": entities}, ensure_ascii=False, indent=2))
    elif output is None:
        typer.echo(text, nl=not text.endswith("\n"))
    err_console.print(report.summary(), highlight=False)


def _write_text(path: Path, text: str) -> None:
    """Write text as UTF-8 next to `path`, then rename it into place."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except IsADirectoryError as exc:
        temp.unlink(missing_ok=True)
        raise InputError(f"{path} is a folder", hint="give a file name to write") from exc
    except PermissionError as exc:
        temp.unlink(missing_ok=True)
        raise InputError(
            f"cannot write {path}: permission denied", hint="choose a folder you can write to"
        ) from exc


# --jsonl ----------------------------------------------------------------------------------


def _redact_jsonl(
    source: str, platform: Platform, op: OperatorName, wanted: list[str] | None
) -> int:
    """Redact each `{"id", "text"}` line; print one JSON line per input; return the failures."""
    limit = platform.settings.max_text_chars
    out = sys.stdout  # the bar redirects sys.stdout to the terminal while it shows
    bar = progress_bar("Redacting lines", enabled=source != "-")
    ctx = platform.cli_context("redact")
    with (
        platform.redaction.batch(ctx, op, wanted, input_kind="jsonl") as batch,
        _LineSource(source) as (lines, total),
        bar as progress,
    ):
        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            result = _redact_line(raw, number, batch, limit)
            if "error" in result:
                batch.fail()
                err_console.print(f"line {number}: {result['error']}", highlight=False)
            typer.echo(json.dumps(result, ensure_ascii=False), file=out)
            progress(number, total or number)
    if batch.failed:
        lines_seen = batch.items + batch.failed
        err_console.print(f"{batch.failed} of {lines_seen} lines failed", highlight=False)
    return batch.failed


def _redact_line(raw: bytes, number: int, batch: RedactionBatch, limit: int) -> dict[str, Any]:
    try:
        line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError:
        return {"id": None, "error": "the line is not UTF-8 text"}
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"not valid JSON ({exc.msg} at column {exc.colno})"}
    if not isinstance(item, dict):
        return {"id": None, "error": 'expected a JSON object {"id", "text"}'}
    if "id" not in item:
        return {"id": None, "error": 'the line has no "id"'}
    item_id, text = item["id"], item.get("text")
    if not isinstance(text, str):
        return {"id": item_id, "error": '"text" is missing or not a string'}
    if len(text) > limit:
        return {"id": item_id, "error": f"the text is over the {limit:,} character limit"}
    try:
        redaction = batch.redact(text)
    except GovpilotError as error:
        return {"id": item_id, "error": error.message}
    entities = [f.as_dict() for f in redaction.findings]
    return {"id": item_id, "text": redaction.text, "entities": entities}


class _LineSource:
    """Lines of a JSONL file or standard input, as bytes; the count is known for files."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.handle: BinaryIO | None = None

    def __enter__(self) -> tuple[Iterator[bytes], int | None]:
        if self.source == "-":
            return iter(sys.stdin.buffer), None
        path = Path(self.source)
        try:
            with path.open("rb") as counting:
                total = sum(1 for _ in counting)
            self.handle = path.open("rb")
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise InputError(f"File not found: {path}", hint="Check the path.") from exc
        except IsADirectoryError as exc:
            raise InputError(f"{path} is a folder.", hint="Give the path of one file.") from exc
        except PermissionError as exc:
            raise InputError(f"Cannot read {path}: permission denied.") from exc
        return iter(self.handle), total

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()
