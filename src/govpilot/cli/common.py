"""What every CLI command shares: the platform, input and output, errors, progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from govpilot.config import Settings
from govpilot.documents import Document, check_output_path, load_document, write_document
from govpilot.errors import EmptyDocument, GovpilotError, InputTooLarge
from govpilot.platform import Platform

err_console = Console(stderr=True, soft_wrap=True)  # one line per message, even in logs


_platform: Platform | None = None


def get_platform() -> Platform:
    """The platform for this CLI process, built from settings on first use."""
    global _platform
    if _platform is None:
        _platform = Platform.from_settings(Settings())
    return _platform


@contextmanager
def using_platform(platform: Platform) -> Iterator[Platform]:
    """Run CLI commands against a given platform (tests pass one with a scripted model)."""
    global _platform
    previous, _platform = _platform, platform
    try:
        yield platform
    finally:
        _platform = previous


def fail(error: GovpilotError) -> typer.Exit:
    """Print a one-line error (no traceback) and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {error.message}", highlight=False)
    if error.hint:
        err_console.print(f"[dim]hint: {error.hint}[/]", highlight=False)
    return typer.Exit(code=2 if error.status_code < 500 else 1)


@contextmanager
def handled_errors() -> Iterator[None]:
    """Turn govpilot errors into a clear message and a non-zero exit."""
    try:
        yield
    except GovpilotError as error:
        raise fail(error) from None
    except KeyboardInterrupt:
        err_console.print("interrupted; nothing was written")
        raise typer.Exit(code=130) from None


def prepare(output: Path | None) -> Platform:
    """Check the output path before any work, then return the platform."""
    if output is not None:
        check_output_path(output)
    return get_platform()


def read_stdin_text(settings: Settings) -> str:
    """Standard input as text, within the upload limit and not empty."""
    data = sys.stdin.buffer.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise InputTooLarge(
            f"standard input is over the {settings.max_upload_mb:g} MB limit",
            hint="set GOVPILOT_MAX_UPLOAD_MB to raise it",
        )
    text = data.decode("utf-8", errors="replace")
    if not text.strip():
        raise EmptyDocument("standard input is empty", hint="pipe some text in")
    return text


def read_input(source: str, settings: Settings) -> Document:
    """A document from a path, or plain text from stdin when source is '-'."""
    if source == "-":
        return Document.from_text(read_stdin_text(settings), source="stdin")
    return load_document(
        Path(source),
        max_bytes=settings.max_upload_bytes,
        max_unpacked_bytes=settings.max_unpacked_bytes,
    )


def emit(doc: Document, output: Path | None, as_json: bool, extra: dict[str, Any]) -> None:
    """Write the result to OUT (format from its extension) or print it."""
    if output is not None:
        write_document(doc, output)
        err_console.print(f"wrote {output}", highlight=False)
    if as_json:
        payload = {"text": doc.text, **extra}
        if output is not None:
            payload["output"] = str(output)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=sorted))
    elif output is None:
        typer.echo(doc.text)


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (hidden when stderr is not a terminal)."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not enabled or not err_console.is_terminal,
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update
