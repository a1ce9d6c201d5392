"""CLI commands for the data lifecycle (PDPO): retention, purge, data access, erasure, correction.

Every command except `retention` and `purge --dry-run` appends an audit event; none of them
writes the identifier it is given to the audit log, only its type and salted hash.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from govpilot.cli.common import err_console, get_platform, handled_errors
from govpilot.errors import InputError, StorageError
from govpilot.platform import Platform
from govpilot.privacy.lifecycle import DataLifecycle
from govpilot.storage.records import DATA_CLASSES

privacy_app = typer.Typer(
    help="Personal data lifecycle (PDPO): retention, purge, data access requests, "
    "erasure and correction.",
    no_args_is_help=True,
)

TypeOption = Annotated[
    str | None,
    typer.Option("--type", "-t", help="HKID, PHONE, EMAIL, PERSON ... (default: detected)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON")]


def lifecycle_for(platform: Platform) -> DataLifecycle:
    """The data lifecycle over the platform's record store and audit log."""
    return DataLifecycle(
        platform.records,
        platform.audit,
        platform.storage_redactor,
        platform.settings.privacy.retention_days,
    )


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"--now {value!r} is not an ISO date or time",
            hint="e.g. 2025-06-30 or 2025-06-30T18:00+08:00",
        ) from None
    # A date or time without an offset is taken in this machine's time zone.
    return parsed if parsed.tzinfo else parsed.astimezone()


@privacy_app.command("retention")
def retention(as_json: JsonOption = False) -> None:
    """Show how many days each class of stored data is kept."""
    with handled_errors():
        days = get_platform().settings.privacy.retention_days.model_dump()
        if as_json:
            _print_json(days)
            return
        for name in (*DATA_CLASSES, "audit"):
            typer.echo(f"{name:<14} {days[name]:>5} days")


@privacy_app.command("purge")
def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what has expired; delete nothing")
    ] = False,
    now: Annotated[
        str | None, typer.Option("--now", help="Purge as at this ISO time (default: now)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Delete stored records and audit events older than their retention period."""
    with handled_errors():
        platform = get_platform()
        report = lifecycle_for(platform).purge(
            platform.cli_context("privacy.purge"), _parse_time(now), dry_run=dry_run
        )
        if as_json:
            _print_json(report.as_dict())
            return
        verb = "would delete" if dry_run else "deleted"
        for name in DATA_CLASSES:
            typer.echo(f"{name:<14} {verb} {report.records.get(name, 0)}")
        typer.echo(
            f"{'audit':<14} {verb} {report.audit_events} "
            f"(events before {report.audit_before:%Y-%m-%d})"
        )
        if not dry_run:
            err_console.print("purge recorded in the audit log", highlight=False)


@privacy_app.command("access")
def access(
    identifier: Annotated[str, typer.Argument(help="Name, HKID, phone number or e-mail")],
    pii_type: TypeOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the export to this JSON file")
    ] = None,
) -> None:
    """Export everything stored about a person (a data access request)."""
    with handled_errors():
        # Checked before the export, which is audited: a request is recorded only when served.
        if output is not None and output.exists():
            raise InputError(f"{output} already exists", hint="choose a new file name")
        if output is not None and not output.parent.is_dir():
            raise InputError(f"{output.parent} is not a folder", hint="create it first")
        platform = get_platform()
        export = lifecycle_for(platform).data_access_request(
            platform.cli_context("privacy.access"), identifier, pii_type=pii_type
        )
        document = json.dumps(export.as_dict(), ensure_ascii=False, indent=2, default=str)
        if output is None:
            typer.echo(document)
        else:
            _write_private(output, document + "\n")
        err_console.print(
            f"{export.subject.type}: {len(export.records)} record(s) mention it, "
            f"{len(export.owned)} owned, {len(export.audit_events)} audit event(s)"
            + (f"; wrote {output}" if output else ""),
            highlight=False,
        )


@privacy_app.command("erase")
def erase(
    identifier: Annotated[str, typer.Argument(help="Name, HKID, phone number or e-mail")],
    pii_type: TypeOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: deletion cannot be undone")] = False,
    include_owned: Annotated[
        bool, typer.Option("--include-owned", help="Also delete the records this person owns")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete every stored record that mentions a person (audit events are kept)."""
    with handled_errors():
        if not yes:
            raise InputError(
                "erasure deletes records for good and needs --yes",
                hint="run `govpilot privacy access` first to see what would go",
            )
        platform = get_platform()
        report = lifecycle_for(platform).erase(
            platform.cli_context("privacy.erase"),
            identifier,
            pii_type=pii_type,
            include_owned=include_owned,
        )
        if as_json:
            _print_json(report.as_dict())
            return
        by_class = ", ".join(f"{n} {c}" for n, c in report.deleted.items()) or "none"
        typer.echo(f"erased {report.total} record(s) ({by_class})")
        if report.audit_events_kept:
            typer.echo(f"kept {report.audit_events_kept} audit event(s) made by this person")


@privacy_app.command("correct")
def correct(
    identifier: Annotated[str, typer.Argument(help="The wrong value as stored")],
    new_value: Annotated[str, typer.Argument(help="The right value")],
    pii_type: TypeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Correct a wrong value in the records that were stored readable."""
    with handled_errors():
        platform = get_platform()
        report = lifecycle_for(platform).correct(
            platform.cli_context("privacy.correct"), identifier, new_value, pii_type=pii_type
        )
        if as_json:
            _print_json(report.as_dict())
            return
        typer.echo(f"corrected {len(report.corrected)} record(s)")
        if report.redacted:
            typer.echo(
                f"{len(report.redacted)} record(s) were stored redacted: there is no readable "
                "value in them to correct"
            )
        if report.not_found:
            typer.echo(
                f"{len(report.not_found)} record(s) are indexed under this value but it was "
                "not found in their text"
            )


def _write_private(path: Path, text: str) -> None:
    # The export holds personal data: readable by its owner only, and never over a file.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(f"{path} already exists", hint="choose a new file name") from None
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc}", hint="check the folder") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
