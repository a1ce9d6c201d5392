"""CLI fixtures: `invoke` runs a test file's `cli_app` against its `platform` fixture.

Typer's CliRunner keeps stdout and stderr apart (`result.stdout`, `result.stderr`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from govpilot.cli.common import using_platform
from govpilot.platform import Platform

Invoke = Callable[..., Result]


@pytest.fixture
def invoke(cli_app: typer.Typer, platform: Platform) -> Iterator[Invoke]:
    """Run `cli_app ARGS...` (with `input` on stdin) against the test platform."""
    runner = CliRunner()

    def run(*args: str | Path, input: str | None = None) -> Result:
        return runner.invoke(cli_app, [str(a) for a in args], input=input)

    with using_platform(platform):
        yield run
