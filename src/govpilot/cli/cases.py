"""CLI of the case desk.

- `govpilot cases import FILE.jsonl`: store each line's case (fields `text`, and
  optionally `subject`, `channel`, `name`, `email`, `phone`, `id`), triaged; a line that
  cannot be a case is reported with its reason and the others go on.
- `govpilot cases triage FILE.jsonl --json`: route each case without storing anything;
  one JSON line per case: `{"id", "department", "candidates", "category", "urgency",
  "confidence"}`.
- `govpilot cases list [--queue NAME] [--json]`: a queue, urgent first.
- `govpilot cases poll`: read the desk's mailbox (`cases.mail.imap_host`) into cases.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govpilot.capabilities.cases.intake import Submission
from govpilot.capabilities.cases.work import QUEUES
from govpilot.cli.common import handled_errors, prepare, progress_bar
from govpilot.errors import GovpilotError, InputError

cases_app = typer.Typer(help="The case desk: complaints and enquiries, triaged and answered.")
MAX_FILE_MB = 200
CAPABILITY = "cases"
_FIELDS = ("text", "subject", "channel", "name", "email", "phone")


@cases_app.callback()
def cases() -> None:
    """The case desk: complaints and enquiries, triaged and answered."""


def _lines(source: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, the case, the problem) for each non-empty line of a JSONL file."""
    if not source.is_file():
        raise InputError(f"{source} does not exist", hint="give the path of a .jsonl file")
    if source.stat().st_size > MAX_FILE_MB * 1024 * 1024:
        raise InputError(f"{source} is over {MAX_FILE_MB} MB", hint="split it")
    with source.open(encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"not JSON: {exc.msg}"
                continue
            text = row.get("text") if isinstance(row, dict) else None
            if not isinstance(text, str) or not text.strip():
                yield number, None, 'no "text"'
                continue
            yield number, row, ""


def _count(source: Path) -> int:
    with source.open(encoding="utf-8-sig", errors="replace") as handle:
        return sum(1 for line in handle if line.strip())


@cases_app.command("import")
def import_file(
    source: Annotated[Path, typer.Argument(help="One case per line (JSON)")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per case")] = False,
) -> None:
    """Store each case of the file, triaged; problems are reported, the rest go on."""
    with handled_errors():
        platform = prepare(None)
        ctx = platform.cli_context(CAPABILITY)
        intake = platform.case_desk.intake
        stored = problems = 0
        total = _count(source) if source.is_file() else 0
        with progress_bar("Importing cases", enabled=not as_json) as update:
            for done, (number, row, problem) in enumerate(_lines(source), 1):
                if row is not None:
                    values = {k: str(row.get(k) or "") for k in _FIELDS}
                    try:
                        case = intake.submit(
                            ctx,
                            Submission(
                                text=values["text"],
                                subject=values["subject"],
                                channel=values["channel"] or "api",
                                name=values["name"],
                                email=values["email"],
                                phone=values["phone"],
                            ),
                        )
                    except GovpilotError as exc:
                        problem = exc.message
                    else:
                        stored += 1
                        _say(
                            as_json,
                            {
                                "line": number,
                                "id": row.get("id"),
                                "reference": case.reference,
                                "department": case.department,
                                "status": case.status,
                                "urgency": case.urgency,
                            },
                        )
                if problem:
                    problems += 1
                    _say(as_json, {"line": number, "problem": problem})
                update(done, total)
        if not as_json:
            typer.echo(f"{stored} cases stored, {problems} lines not used.")


def _say(as_json: bool, data: dict[str, Any]) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
    elif "problem" in data:
        typer.echo(f"line {data['line']}: {data['problem']}", err=True)
    else:
        typer.echo(f"{data['reference']}  {data['department'] or 'triage'}  {data['urgency']}")


@cases_app.command("triage")
def triage(
    source: Annotated[Path, typer.Argument(help="One case per line (JSON)")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per case")] = False,
) -> None:
    """Route each case without storing it: department, candidates, urgency, confidence."""
    with handled_errors():
        platform = prepare(None)
        ctx = platform.cli_context(CAPABILITY)
        desk = platform.case_desk
        total = _count(source) if source.is_file() else 0
        with progress_bar("Triaging", enabled=not as_json) as update:
            for done, (number, row, problem) in enumerate(_lines(source), 1):
                update(done, total)
                if row is None:
                    _say(as_json, {"line": number, "problem": problem})
                    continue
                text = f"{row.get('subject', '')}\n{row['text']}".strip()
                routing, urgency = desk.triage(ctx, text)
                found = {
                    "id": row.get("id", number),
                    "department": routing.department,
                    "candidates": routing.codes(3),
                    "category": routing.category,
                    "urgency": urgency.level,
                    "confidence": round(routing.confidence, 3),
                }
                if as_json:
                    typer.echo(json.dumps(found, ensure_ascii=False))
                else:
                    typer.echo(
                        f"{found['id']}  {found['department']} ({found['confidence']:.0%})  "
                        f"{found['category']}  {found['urgency']}  "
                        f"also: {', '.join(found['candidates'][1:])}"
                    )


@cases_app.command("list")
def list_cases(
    queue: Annotated[str, typer.Option(help=f"One of {', '.join(QUEUES)}")] = "open",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per case")] = False,
) -> None:
    """A queue of cases, urgent first, then by the next deadline."""
    with handled_errors():
        platform = prepare(None)
        found = platform.case_desk.work.queue(platform.cli_context(CAPABILITY), queue)
        if as_json:
            for c in found:
                typer.echo(
                    json.dumps(
                        {
                            "reference": c.reference,
                            "department": c.department,
                            "status": c.status,
                            "urgency": c.urgency,
                            "category": c.category,
                            "subject": c.subject,
                            "received": c.created_at.isoformat(),
                            "reply_due": c.reply_due.isoformat(),
                        },
                        ensure_ascii=False,
                    )
                )
            return
        table = Table("Reference", "Department", "Urgency", "Status", "Subject", "Reply due")
        for c in found:
            table.add_row(
                c.reference,
                c.department or "(triage)",
                c.urgency,
                c.status,
                (c.subject or c.text)[:50],
                c.reply_due.strftime("%Y-%m-%d %H:%M"),
            )
        Console().print(table)
        if not found:
            typer.echo(f"No case in the {queue} queue.")


@cases_app.command("poll")
def poll() -> None:
    """Read the desk's new e-mail into cases (each message is marked seen once stored)."""
    with handled_errors():
        platform = prepare(None)
        if platform.settings.cases.mail.imap_host is None:
            raise InputError(
                "the desk has no mailbox", hint="set cases.mail.imap_host and its login"
            )
        report = platform.case_desk.poll_mailbox(platform.cli_context(CAPABILITY))
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
