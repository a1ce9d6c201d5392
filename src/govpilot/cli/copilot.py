"""CLI commands of the document copilot: translate, summarise, draft."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govpilot.capabilities.translate import TARGETS
from govpilot.cli.common import emit, handled_errors, prepare, progress_bar, read_input
from govpilot.errors import InputError

OutOption = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write here; format from the extension")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output")]
ModelOption = Annotated[str | None, typer.Option("--model", help="A configured model name")]


def translate(
    input: Annotated[str, typer.Argument(help="A file (.txt .md .html .docx .pdf) or - for stdin")],
    to: Annotated[str, typer.Option("--to", help="zh-Hant or en")],
    output: OutOption = None,
    as_json: JsonOption = False,
    model: ModelOption = None,
) -> None:
    """Translate a document between English and Traditional Chinese (Hong Kong)."""
    with handled_errors():
        if to not in TARGETS:
            raise InputError(f"unknown target language {to!r}", hint="use --to zh-Hant or --to en")
        platform = prepare(output)
        doc = read_input(input, platform.settings)
        ctx = platform.cli_context("translate")
        with progress_bar(f"Translating to {to}") as progress:
            result, report = platform.copilot.translate(
                ctx, doc, to, model=model, progress=progress
            )
        emit(result, output, as_json, {"report": report.as_dict()})


def summarise(
    inputs: Annotated[list[str], typer.Argument(help="One or more files, or - for stdin")],
    lang: Annotated[str | None, typer.Option("--lang", help="en or zh-Hant")] = None,
    words: Annotated[int, typer.Option("--words", help="Length target in words")] = 200,
    output: OutOption = None,
    as_json: JsonOption = False,
    model: ModelOption = None,
) -> None:
    """Summarise or consolidate documents; each point cites its source paragraphs."""
    with handled_errors():
        platform = prepare(output)
        docs = [read_input(item, platform.settings) for item in inputs]
        ctx = platform.cli_context("summarise")
        with progress_bar("Summarising") as progress:
            summary = platform.copilot.summarise(
                ctx, docs, lang=lang, words=words, model=model, progress=progress
            )
        emit(summary.as_document(), output, as_json, {"summary": summary.as_dict()})


def draft(
    template: Annotated[str, typer.Option("--template", help="Template name (see `templates`)")],
    instructions: Annotated[str, typer.Option("--instructions", help="What to write")],
    reference: Annotated[
        list[str] | None, typer.Option("--reference", help="A reference document (repeatable)")
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="en or zh-Hant")] = None,
    output: OutOption = None,
    as_json: JsonOption = False,
    model: ModelOption = None,
    for_approval: Annotated[
        bool, typer.Option("--for-approval", help="Hold it until a reviewer approves it")
    ] = False,
) -> None:
    """Draft a reply, memo, press release or LegCo reply outline from a template."""
    with handled_errors():
        platform = prepare(output)
        refs = [read_input(item, platform.settings) for item in reference or []]
        ctx = platform.cli_context("draft")
        with progress_bar("Drafting"):
            result = platform.copilot.draft(
                ctx,
                template,
                instructions,
                references=refs,
                lang=lang,
                model=model,
                for_approval=for_approval,
            )
        if result.approval is not None and not as_json:
            item = result.approval["item"]
            typer.echo(
                f"Held for approval as review item {item}: "
                f"`govpilot review released {item}` prints it once a reviewer approves it."
            )
            return
        emit(result.document, output, as_json, {"draft": result.as_dict()})
