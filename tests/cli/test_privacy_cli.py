"""`govpilot privacy ...` in-process: retention, purge, access, erase, correct, all audited."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import text
from typer.testing import Result

from govpilot.audit.events import AuditEvent
from govpilot.cli.privacy import privacy_app
from govpilot.config import (
    DepartmentPrivacy,
    PrivacySettings,
    RetentionDays,
)
from govpilot.language import Glossary
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from govpilot.storage.db import Database
from govpilot.testing import fake_settings, make_test_platform

HKID = "A123456(3)"
NOW = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)

Invoke = Callable[..., Result]


@pytest.fixture
def platform(
    tmp_path: Path, glossary: Glossary, scripted_detector: PiiDetector
) -> Iterator[Platform]:
    settings = fake_settings(
        tmp_path / "home",
        department="DPO",
        user="dpo.handler",
        privacy=PrivacySettings(
            storage="placeholder",
            departments={"HAD": DepartmentPrivacy(storage="keep")},
            retention_days=RetentionDays(job_inputs=30, audit=365),
        ),
    )
    built = make_test_platform(settings, detector=scripted_detector, glossary=glossary)
    yield built
    built.database.dispose()


@pytest.fixture
def cli_app() -> typer.Typer:
    """What tests/cli/conftest.py's `invoke` runs."""
    return privacy_app


def audit_dump(database: Database) -> str:
    with database.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_events")).all()
    return " ".join(str(value) for row in rows for value in row).casefold()


def test_retention_lists_every_class(invoke: Invoke) -> None:
    result = invoke("retention")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["uploads", "30", "days"]
    assert lines[1].split() == ["job_inputs", "30", "days"]
    assert lines[-1].split() == ["audit", "365", "days"]
    data = json.loads(invoke("retention", "--json").stdout)
    assert data["conversations"] == 90


def test_purge_dry_run_then_purge(invoke: Invoke, platform: Platform) -> None:
    platform.records.save_text("job_inputs", "DPO", "o", "old", now=NOW - timedelta(days=40))
    platform.records.save_text("job_inputs", "DPO", "o", "new", now=NOW - timedelta(days=1))
    platform.audit.record(AuditEvent("o", "DPO", "translate", occurred_at=NOW - timedelta(400)))

    dry = invoke("purge", "--dry-run", "--now", NOW.isoformat())
    assert dry.exit_code == 0, dry.stderr
    assert "job_inputs     would delete 1" in dry.stdout
    assert "audit          would delete 1" in dry.stdout
    assert len(platform.records.list()) == 2

    result = invoke("purge", "--now", "2025-06-30T17:00+08:00", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["records"]["job_inputs"] == 1 and report["audit_events"] == 1
    assert [r.content for r in platform.records.list()] == ["new"]
    event = platform.audit.events(limit=1)[0]
    assert (event.action, event.actor, event.department) == ("privacy.purge", "dpo.handler", "DPO")
    assert platform.audit.verify().ok


def test_purge_rejects_a_bad_time(invoke: Invoke) -> None:
    result = invoke("purge", "--now", "yesterday")
    assert result.exit_code == 2
    assert "not an ISO date" in result.stderr


def test_access_writes_a_private_export(invoke: Invoke, platform: Platform, tmp_path: Path) -> None:
    platform.records.save_text("job_inputs", "DPO", "o", f"HKID {HKID} applied")
    platform.records.save_text("conversations", "HAD", "o", "a1234563 phoned")
    out = tmp_path / "dsar.json"

    result = invoke("access", "a1234563", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "HKID: 2 record(s) mention it" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    export = json.loads(out.read_text(encoding="utf-8"))
    assert [r["content"] for r in export["records"]] == ["HKID [HKID] applied", "a1234563 phoned"]

    again = invoke("access", HKID, "-o", out)
    assert again.exit_code == 2 and "already exists" in again.stderr

    printed = invoke("access", "Chan Tai Man", "--type", "person")
    assert printed.exit_code == 0
    assert json.loads(printed.stdout)["subject"]["type"] == "PERSON"
    dump = audit_dump(platform.database)
    assert "a1234563" not in dump and "chan tai man" not in dump
    assert [e.action for e in platform.audit.events()] == ["privacy.access"] * 2


def test_erase_needs_yes(invoke: Invoke, platform: Platform) -> None:
    platform.records.save_text("job_inputs", "DPO", "o", f"Chan Tai Man {HKID}")
    platform.records.save_text("job_inputs", "DPO", "o", "nothing personal")

    refused = invoke("erase", HKID)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert len(platform.records.list()) == 2 and platform.audit.events() == []

    result = invoke("erase", HKID, "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("erased 1 record(s) (job_inputs 1)")
    assert [r.content for r in platform.records.list()] == ["nothing personal"]
    assert platform.audit.events()[0].action == "privacy.erase"
    assert "a123456" not in audit_dump(platform.database)


def test_correct_reports_what_it_could_and_could_not_fix(
    invoke: Invoke, platform: Platform
) -> None:
    readable = platform.records.save_text("conversations", "HAD", "o", f"HKID {HKID}")
    platform.records.save_text("job_inputs", "DPO", "o", f"HKID {HKID}")

    result = invoke("correct", HKID, "B987654(3)")
    assert result.exit_code == 0, result.stderr
    assert "corrected 1 record(s)" in result.stdout
    assert "1 record(s) were stored redacted" in result.stdout
    assert platform.records.get(readable).content == "HKID B987654(3)"

    data = json.loads(invoke("correct", "B987654(3)", "C123456(9)", "--json").stdout)
    assert data["corrected"] == [readable] and data["redacted"] == []
    bad = invoke("correct", "C123456(9)", "nonsense")
    assert bad.exit_code == 2 and "HKID expected" in bad.stderr
    assert "b987654" not in audit_dump(platform.database)
