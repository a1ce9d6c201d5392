"""Passwords and API key tokens never reach a log, a console, a table or a file.

One story drives everything that handles a secret: users created with a password from the
CLI and from the admin page, a password changed from the CLI and by the service, sign-ins
with the right and a wrong password, keys created from the CLI and the admin page, keys used
and a wrong key tried. All logging is captured at DEBUG (every logger made to propagate,
SQLAlchemy's statement log included), with stdout and stderr. Afterwards the plaintext
secrets must appear in no log record, no console output, no row of any table and no file
under GOVPILOT_HOME. (A stored hash is fine; the token printed once by `keys create`, and
shown once on the page that created it, is the one place it belongs.)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from matrix_support import (
    DEPARTMENT_ADMIN,
    OFFICER,
    PASSWORD,
    World,
    build_world,
    close_world,
    table_rows,
)
from typer.testing import CliRunner

from govpilot.accounts.secrets import API_KEY_PREFIX
from govpilot.cli.common import using_platform
from govpilot.cli.main import app as cli_app
from govpilot.testing import SETUP_CONTEXT

CLI_PASSWORD = "cli typed this password 7731"
CHANGED_PASSWORD = "a changed password from the cli 5520"
SERVICE_PASSWORD = "the service set this password 9012"
FORM_PASSWORD = "the admin form gave this password 3308"
WRONG_PASSWORD = "a wrong guess at the password 4417"
WRONG_KEY = API_KEY_PREFIX + "not-a-real-key-but-shaped-like-one-0000000000"
_TOKEN = re.compile(re.escape(API_KEY_PREFIX) + r"[A-Za-z0-9_\-]{20,}")


@pytest.fixture
def everything_propagates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every logger there is (and SQLAlchemy's statement log) reaches caplog at DEBUG."""
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "propagate", True)
            monkeypatch.setattr(logger, "disabled", False)
    for name in ("govpilot", "sqlalchemy.engine", "uvicorn", "httpx", "fastapi"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.DEBUG)


@pytest.fixture
def world(tmp_path: Path, everything_propagates: None) -> Iterator[World]:
    built = build_world(tmp_path)
    try:
        yield built
    finally:
        close_world(built)


def _cli(world: World, *args: str, input: str | None = None) -> tuple[str, str]:
    with using_platform(world.platform):
        result = CliRunner().invoke(cli_app, list(args), input=input)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout, result.stderr


def _drive(world: World) -> tuple[list[str], list[str]]:
    """Every secret-handling path; (secrets used, console text that must hold none)."""
    console: list[str] = []
    tokens = list(world.keys.values())
    # The CLI: a user with a password from stdin, a password change, a key.
    out, err = _cli(
        world,
        "users",
        "create",
        "cli.user@had.gov.hk",
        "--department",
        "HAD",
        "--role",
        "officer",
        input=CLI_PASSWORD + "\n",
    )
    console += [out, err]
    out, err = _cli(
        world, "users", "password", "cli.user@had.gov.hk", input=CHANGED_PASSWORD + "\n"
    )
    console += [out, err]
    out, err = _cli(world, "keys", "create", "--user", "cli.user@had.gov.hk")
    cli_token = out.strip()
    assert cli_token.startswith(API_KEY_PREFIX)  # printed once, on stdout: where it belongs
    tokens.append(cli_token)
    console.append(err)
    # The service: a password set by an administrator.
    user = world.platform.accounts.user(SETUP_CONTEXT, "officer@had.gov.hk")
    world.platform.accounts.set_password(SETUP_CONTEXT, user.id, SERVICE_PASSWORD)
    world.platform.accounts.set_password(SETUP_CONTEXT, user.id, PASSWORD)
    client = world.client()
    # Sign-ins: right and wrong passwords, a known and an unknown e-mail.
    for email, password, status in (
        ("officer@had.gov.hk", PASSWORD, 303),
        ("officer@had.gov.hk", WRONG_PASSWORD, 400),
        ("nobody@had.gov.hk", WRONG_PASSWORD, 400),
        ("cli.user@had.gov.hk", CHANGED_PASSWORD, 303),
    ):
        response = world.send(
            client, "anonymous", "POST", "/login", data={"email": email, "password": password}
        )
        assert response.status_code == status, (email, response.status_code)
    # The admin pages: a user with a password, then a key whose token the page shows once.
    created = world.send(
        client,
        DEPARTMENT_ADMIN,
        "POST",
        "/admin/users",
        data={
            "department": "HAD",
            "email": "form.user@had.gov.hk",
            "role": "officer",
            "password": FORM_PASSWORD,
        },
    )
    assert created.status_code == 303, created.text
    form_user = world.platform.accounts.user(SETUP_CONTEXT, "form.user@had.gov.hk")
    page = world.send(
        client, DEPARTMENT_ADMIN, "POST", f"/admin/users/{form_user.id}/keys", data={"name": "x"}
    )
    assert page.status_code == 200
    shown = _TOKEN.findall(page.text)
    assert shown, "the key's token is not on the page that created it"
    tokens += shown
    # Keys in use, and a wrong one.
    for token in tokens:
        used = client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {token}"})
        assert used.status_code == 200, used.text
    wrong = client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {WRONG_KEY}"})
    assert wrong.status_code == 401
    assert world.send(client, OFFICER, "GET", "/api/v1/jobs").status_code == 200
    passwords = [PASSWORD, CLI_PASSWORD, CHANGED_PASSWORD, SERVICE_PASSWORD, FORM_PASSWORD]
    return [*passwords, WRONG_PASSWORD, *tokens, WRONG_KEY], console


def _where(secret: str, places: dict[str, str]) -> list[str]:
    return [name for name, text in places.items() if secret in text]


def test_no_secret_is_logged_printed_or_stored(
    world: World, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets, console = _drive(world)
    captured = capfd.readouterr()
    records = caplog.records
    assert records, "nothing was logged: the capture is not working"
    assert any(r.name.startswith("sqlalchemy.engine") for r in records), "SQL was not captured"
    places = {
        "log messages": "\n".join(r.getMessage() for r in records),
        "log records": "\n".join(repr(vars(r)) for r in records),
        "stdout/stderr": captured.out + captured.err,
        "CLI output": "\n".join(console),
    }
    for table, rows in table_rows(world.platform).items():
        places[f"table {table}"] = "\n".join(repr(row) for row in rows)
    home = world.platform.settings.home
    for path in Path(home).rglob("*"):
        if path.is_file():
            places[f"file {path.relative_to(home)}"] = path.read_bytes().decode("latin-1")
    assert any(name.startswith("table audit") for name in places), sorted(places)
    leaks = {secret[:12] + "...": _where(secret, places) for secret in secrets}
    found = {secret: where for secret, where in leaks.items() if where}
    assert not found, f"secrets found in: {found}"
