"""`govpilot cases import | triage | list | poll`: cases from a JSONL file stored and
triaged, routed without storing, a queue listed, and the mailbox refused when unset."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from govpilot.cli.main import app
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from support.case_support import DRIPPING, DRIPPING_YUE, GAS, case_platform


@pytest.fixture
def platform(tmp_path: Path, scripted_detector: PiiDetector) -> Iterator[Platform]:
    platform = case_platform(tmp_path, scripted_detector)
    yield platform
    platform.database.dispose()


@pytest.fixture
def cli_app() -> typer.Typer:
    return app


def _jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def test_triage_prints_one_json_line_per_case(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = _jsonl(
        tmp_path / "cases.jsonl",
        [
            {"id": "a", "text": DRIPPING},
            {"id": "b", "subject": "煤氣", "text": GAS},
        ],
    )
    result = invoke("cases", "triage", source, "--json")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert set(lines[0]) == {"id", "department", "candidates", "category", "urgency", "confidence"}
    assert lines[0]["department"] == "FEHD" and lines[1]["department"] == "EMSD"
    assert lines[1]["urgency"] == "urgent" and len(lines[0]["candidates"]) == 3


def test_import_stores_the_cases_and_reports_bad_lines(  # type: ignore[no-untyped-def]
    invoke, platform: Platform, tmp_path: Path
) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text(
        json.dumps({"text": DRIPPING_YUE, "channel": "phone"}, ensure_ascii=False)
        + "\nnot json\n"
        + json.dumps({"text": ""})
        + "\n"
        + json.dumps({"text": GAS})
        + "\n",
        "utf-8",
    )
    result = invoke("cases", "import", source)
    assert result.exit_code == 0, result.stderr
    assert "2 cases stored, 2 lines not used." in result.stdout
    assert "line 2: not JSON" in result.stderr and 'line 3: no "text"' in result.stderr
    listed = invoke("cases", "list", "--json")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["urgency"] for r in rows] == ["urgent", "normal"]
    assert invoke("cases", "list", "--queue", "nope").exit_code != 0
    missing = invoke("cases", "import", tmp_path / "nothing.jsonl")
    assert missing.exit_code != 0 and "does not exist" in missing.stderr


def test_poll_says_when_there_is_no_mailbox(invoke) -> None:  # type: ignore[no-untyped-def]
    result = invoke("cases", "poll")
    assert result.exit_code != 0 and "no mailbox" in result.stderr
