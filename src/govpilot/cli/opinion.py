"""CLI: `govpilot opinion check FILE [--json]`: what a consultation's file holds before it
is analysed (responses, languages, rows that cannot be used and why, campaigns).

It reads the file only: nothing is stored and no model is called.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govpilot.capabilities.opinion.campaigns import find_campaigns
from govpilot.capabilities.opinion.responses import read_responses
from govpilot.cli.common import handled_errors
from govpilot.errors import InputError

opinion_app = typer.Typer(help="Opinion analysis of consultations and social media.")
MAX_FILE_MB = 500


@opinion_app.callback()
def opinion() -> None:
    """Opinion analysis of consultations and social media (more commands to come)."""


@opinion_app.command("check")
def check(
    source: Annotated[Path, typer.Argument(help="Responses: .csv, .xlsx or .jsonl")],
    as_json: Annotated[bool, typer.Option("--json", help="The findings as JSON")] = False,
) -> None:
    """Read a file of responses and say what is in it: languages, problems, campaigns."""
    with handled_errors():
        if not source.is_file():
            raise InputError(f"{source} does not exist", hint="give the path of the file")
        if source.stat().st_size > MAX_FILE_MB * 1024 * 1024:
            raise InputError(f"{source} is over {MAX_FILE_MB} MB", hint="split it")
        read = read_responses(source.read_bytes(), source.name)
        responses = read.responses
        found = find_campaigns([r.id for r in responses], [r.text for r in responses])
        report: dict[str, Any] = {
            "file": source.name,
            "encoding": read.encoding,
            "columns": read.columns,
            "responses": len(responses),
            "languages": dict(Counter(r.language for r in responses).most_common()),
            "problems": [{"row": p.row, "id": p.id, "reason": p.reason} for p in read.problems],
            "campaigns": [
                {"representative": g.representative, "size": g.size, "ids": list(g.ids)}
                for g in found.campaigns
            ],
            "duplicates": [list(g.ids) for g in found.duplicates],
            "not_compared": len(found.not_compared),
        }
        if as_json:
            typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
            return
        _print(report)


def _print(report: dict[str, Any]) -> None:
    console = Console()
    console.print(
        f"{report['file']}: {report['responses']} responses ({report['encoding']}), "
        + ", ".join(f"{k} {v}" for k, v in report["languages"].items()),
        highlight=False,
    )
    if report["campaigns"]:
        table = Table("campaign (first response)", "copies", title="Campaigns")
        for campaign in report["campaigns"]:
            table.add_row(str(campaign["representative"]), str(campaign["size"]))
        console.print(table)
    console.print(
        f"{len(report['duplicates'])} groups of 2-4 duplicates; "
        f"{report['not_compared']} responses too short to compare",
        highlight=False,
    )
    for problem in report["problems"]:
        console.print(
            f"row {problem['row']} ({problem['id']}): {problem['reason']}", highlight=False
        )
