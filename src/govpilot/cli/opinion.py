"""CLI of opinion analysis.

- `govpilot opinion check FILE [--json]`: what a file holds (responses, languages, rows
  that cannot be used and why, campaigns); it reads the file only, nothing is stored.
- `govpilot opinion import FILE --consultation NAME`: store its responses, redacted.
- `govpilot opinion analyse NAME [--themes N] [--json]`: stance, sentiment, themes; run
  here, with a progress bar; a run that stopped goes on from the next question.
- `govpilot opinion report NAME -o report.docx|report.xlsx`: the report, or every
  response with its themes and stance.
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
from govpilot.capabilities.opinion.opinion_jobs import analyse_consultation
from govpilot.capabilities.opinion.reports import REPORTS, analysis_json, write_report
from govpilot.capabilities.opinion.responses import read_responses
from govpilot.cli.common import handled_errors, prepare, progress_bar
from govpilot.errors import InputError

opinion_app = typer.Typer(help="Opinion analysis of consultations and social media.")
MAX_FILE_MB = 500


@opinion_app.callback()
def opinion() -> None:
    """Opinion analysis of consultations and social media."""


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


@opinion_app.command("import")
def import_file(
    source: Annotated[Path, typer.Argument(help="Responses: .csv, .xlsx or .jsonl")],
    consultation: Annotated[str, typer.Option("--consultation", help="Its name")],
) -> None:
    """Store a file's responses (columns id, text; optional question, respondent_type,
    district, date, source) as a consultation, personal data redacted."""
    with handled_errors():
        if not source.is_file():
            raise InputError(f"{source} does not exist", hint="give the path of the file")
        platform = prepare(None)
        ctx = platform.cli_context("opinion")
        with progress_bar("Redacting and storing") as progress:
            stored = platform.consultations.import_file(
                ctx, source.read_bytes(), source.name, name=consultation, progress=progress
            )
        summary = stored.summary
        typer.echo(
            f"{stored.name}: {summary['responses']} responses stored, "
            f"{len(summary['questions'])} question(s), {len(summary['campaigns'])} campaign(s), "
            f"{summary['problems_count']} row(s) not used; personal data replaced: "
            + (", ".join(f"{k} {v}" for k, v in summary["redacted"].items()) or "none")
        )
        for problem in summary["problems"][:20]:
            typer.echo(f"  row {problem['row']} ({problem['id']}): {problem['reason']}")


@opinion_app.command("analyse")
def analyse(
    name: Annotated[str, typer.Argument(help="The consultation's name")],
    themes: Annotated[
        int | None, typer.Option("--themes", help="Themes per question (default: found)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Themes and responses as JSON")] = False,
) -> None:
    """Find the stance, sentiment and themes of every response, here, with progress."""
    with handled_errors():
        platform = prepare(None)
        ctx = platform.cli_context("opinion")
        found = platform.consultations.named(ctx, name)
        if not (found.working and found.analysis_job_id is None and found.target_themes == themes):
            # A run of this command that stopped goes on where it was; anything else starts anew.
            found = platform.consultations.begin(ctx, found.id, themes=themes)
        with progress_bar("Analysing", enabled=not as_json) as progress:
            done = analyse_consultation(
                platform.consultations.store,
                platform.gateway,
                ctx,
                platform.opinion_vectors(),
                platform.sentiment_model(),
                found,
                progress,
                stance_sample=platform.settings.opinion.stance_sample,
            )
        result = analysis_json(platform.consultations.store, done)
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        _print_themes(result)


@opinion_app.command("report")
def report(
    name: Annotated[str, typer.Argument(help="The consultation's name")],
    output: Annotated[Path, typer.Option("-o", "--output", help="report.docx or responses.xlsx")],
) -> None:
    """Write the report (.docx) or every response with its themes and stance (.xlsx)."""
    with handled_errors():
        suffix = output.suffix.lower()
        if suffix not in REPORTS:
            raise InputError(
                f"cannot write {suffix or 'a file without extension'}",
                hint="use " + " or ".join(REPORTS),
            )
        platform = prepare(output)
        ctx = platform.cli_context("opinion")
        found = platform.consultations.named(ctx, name)
        data = write_report(platform.consultations.store, found, suffix)
        output.write_bytes(data)
        typer.echo(f"wrote {output}")


def _print_themes(result: dict[str, Any]) -> None:
    console = Console()
    table = Table("theme", "stance", "responses", "title", title="Themes")
    for theme in result["themes"]:
        table.add_row(theme["id"][:8], theme["stance"], str(theme["count"]), theme["label"])
    console.print(table)
    stances = Counter(r["stance"] for r in result["responses"])
    console.print(", ".join(f"{k} {v}" for k, v in stances.most_common()), highlight=False)
