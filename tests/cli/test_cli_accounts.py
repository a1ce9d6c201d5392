"""`govpilot departments|users|keys ...` in-process, through the real `govpilot` command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import text

from govpilot.accounts.signin import SignIn
from govpilot.audit.events import MemoryAuditSink
from govpilot.cli.main import app
from govpilot.errors import NotAuthenticated
from govpilot.platform import Platform
from govpilot.storage.account_tables import UserRow
from govpilot.testing import fake_settings, make_test_platform

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "Tai Mo Shan sunrise 0630"
OFFICER = "chan.tm@had.gov.hk"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    platform = make_test_platform(fake_settings(tmp_path, department="HAD"))
    yield platform
    platform.database.dispose()


@pytest.fixture
def cli_app() -> typer.Typer:
    """What tests/cli/conftest.py's `invoke` runs: the whole `govpilot` command."""
    return app


@pytest.fixture
def officer(invoke) -> str:  # type: ignore[no-untyped-def]
    assert invoke("departments", "create", "HAD").exit_code == 0
    created = invoke(
        "users", "create", OFFICER, "--department", "HAD", "--role", "officer", input=PASSWORD
    )
    assert created.exit_code == 0, created.output
    return OFFICER


def refused_signin(platform: Platform) -> SignIn:
    """A SignIn over the platform's database that audits to memory, for refused logins.

    SignIn records a refused login while it holds SQLite's write lock, so with the real
    audit log (which needs that lock too) a refusal waits out the busy timeout.
    """
    return SignIn(platform.database, MemoryAuditSink(), platform.settings.auth)


def audit_table_text(platform: Platform) -> str:
    """Every column of every stored audit event, as one string."""
    with platform.database.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_events")).all()
    return "\n".join(repr(tuple(row)) for row in rows)


def test_departments_create_and_list(invoke) -> None:  # type: ignore[no-untyped-def]
    created = invoke(
        "departments", "create", "HAD", "--title-en", "Home Affairs Department",
        "--title-zh", "民政事務總署",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "HAD" in created.stdout
    assert invoke("departments", "create", "OGCIO").exit_code == 0
    listed = json.loads(invoke("departments", "list", "--json").stdout)
    assert [d["name"] for d in listed] == ["HAD", "OGCIO"]
    assert listed[0]["title_zh"] == "民政事務總署"
    assert "HAD\tHome Affairs Department\t民政事務總署" in invoke("departments", "list").stdout


def test_errors_print_message_and_hint(invoke) -> None:  # type: ignore[no-untyped-def]
    assert invoke("departments", "create", "HAD").exit_code == 0
    again = invoke("departments", "create", "HAD")
    assert again.exit_code == 2 and "already exists" in again.stderr
    bad = invoke("departments", "create", "no spaces")
    assert bad.exit_code == 2
    assert "not a usable department name" in bad.stderr and "hint:" in bad.stderr
    role = invoke("users", "create", "a@had.gov.hk", "--department", "HAD", "--role", "boss",
                  input=PASSWORD)  # fmt: skip
    assert role.exit_code == 2 and "unknown role" in role.stderr and "officer" in role.stderr
    nobody = invoke("keys", "create", "--user", "nobody@had.gov.hk")
    assert nobody.exit_code == 2 and "no user" in nobody.stderr and "users list" in nobody.stderr
    assert "Traceback" not in again.output + bad.output + role.output + nobody.output


def test_user_create_reads_password_from_stdin(invoke, platform) -> None:  # type: ignore[no-untyped-def]
    assert invoke("departments", "create", "HAD").exit_code == 0
    created = invoke(
        "users", "create", OFFICER, "--department", "HAD", "--role", "officer",
        "--name", "Chan Tai-man", "--json", input=PASSWORD + "\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    user = json.loads(created.stdout)
    assert (user["email"], user["department"], user["role"]) == (OFFICER, "HAD", "officer")
    assert user["display_name"] == "Chan Tai-man"
    assert platform.signin.login(OFFICER, PASSWORD).id == user["id"]  # newline stripped
    assert PASSWORD not in created.output
    assert PASSWORD not in audit_table_text(platform)
    assert "user.create" in audit_table_text(platform)


def test_user_create_prints_the_user(invoke) -> None:  # type: ignore[no-untyped-def]
    assert invoke("departments", "create", "HAD").exit_code == 0
    created = invoke(
        "users", "create", OFFICER, "--department", "HAD", "--role", "department_admin",
        input=PASSWORD,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert f"{OFFICER}\tHAD\tdepartment_admin" in created.stdout


def test_password_is_not_a_flag(invoke) -> None:  # type: ignore[no-untyped-def]
    assert invoke("departments", "create", "HAD").exit_code == 0
    result = invoke(
        "users", "create", OFFICER, "--department", "HAD", "--role", "officer",
        "--password", PASSWORD,
    )  # fmt: skip
    assert result.exit_code != 0 and "No such option" in result.output


def test_weak_or_missing_password_is_refused(invoke, platform) -> None:  # type: ignore[no-untyped-def]
    assert invoke("departments", "create", "HAD").exit_code == 0
    args = ("users", "create", OFFICER, "--department", "HAD", "--role", "officer")
    short = invoke(*args, input="hunter2")
    assert short.exit_code == 2 and "shorter than 12" in short.stderr
    assert "hunter2" not in short.output
    empty = invoke(*args, input="")
    assert empty.exit_code == 2 and "no password on standard input" in empty.stderr
    assert "--no-password" in empty.stderr
    two_lines = invoke(*args, input="first line is long\nsecond line too\n")
    assert two_lines.exit_code == 2 and "one line" in two_lines.stderr
    assert platform.accounts.users(platform.cli_context("t"), "HAD") == []


def test_no_password_user_for_single_sign_on(invoke, platform) -> None:  # type: ignore[no-untyped-def]
    assert invoke("departments", "create", "HAD").exit_code == 0
    created = invoke(
        "users", "create", OFFICER, "--department", "HAD", "--role", "officer", "--no-password",
        "--json",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    user = platform.accounts.user(platform.cli_context("t"), OFFICER)
    assert not user.has_password
    with pytest.raises(NotAuthenticated):
        refused_signin(platform).login(OFFICER, "")


def test_users_list(invoke, officer) -> None:  # type: ignore[no-untyped-def]
    assert invoke("departments", "create", "OGCIO").exit_code == 0
    other = invoke("users", "create", "it@ogcio.gov.hk", "--department", "OGCIO",
                   "--role", "auditor", "--no-password")  # fmt: skip
    assert other.exit_code == 0, other.output
    default = json.loads(invoke("users", "list", "--json").stdout)  # GOVPILOT_DEPARTMENT=HAD
    assert [u["email"] for u in default] == [OFFICER]
    ogcio = invoke("users", "list", "--department", "OGCIO")
    assert ogcio.stdout.strip() == "it@ogcio.gov.hk\tOGCIO\tauditor\t-"
    assert "password" not in json.dumps(default)


def test_set_role(invoke, officer, platform) -> None:  # type: ignore[no-untyped-def]
    result = invoke("users", "set-role", officer, "department_admin")
    assert result.exit_code == 0 and "department_admin" in result.stdout
    assert platform.accounts.user(platform.cli_context("t"), officer).role == "department_admin"
    assert invoke("users", "set-role", officer, "public").exit_code == 2
    events = platform.audit.events(action="user.update")
    assert events[0].detail["changed"] == ["role"] and events[0].channel == "cli"


def test_disable_ends_sessions_and_enable(invoke, officer, platform) -> None:  # type: ignore[no-untyped-def]
    token, _ = platform.signin.start_session(platform.signin.login(officer, PASSWORD))
    assert invoke("users", "disable", officer).exit_code == 0
    assert platform.signin.session_for(token) is None
    with pytest.raises(NotAuthenticated, match="disabled"):
        refused_signin(platform).login(officer, PASSWORD)
    listed = invoke("users", "list")
    assert "disabled" in listed.stdout
    assert invoke("users", "enable", officer).exit_code == 0
    assert platform.signin.login(officer, PASSWORD).email == officer


def test_unlock_after_lockout(invoke, officer, platform) -> None:  # type: ignore[no-untyped-def]
    # Locked as SignIn.login leaves an account after too many failures (tests/accounts).
    with platform.database.session(write=True) as session:
        row = session.query(UserRow).filter_by(email=officer).one()
        row.locked_until = datetime.now(UTC) + timedelta(minutes=15)
        row.failed_logins = 2
    with pytest.raises(NotAuthenticated, match="locked"):
        refused_signin(platform).login(officer, PASSWORD)
    assert "locked" in invoke("users", "list").stdout
    result = invoke("users", "unlock", officer)
    assert result.exit_code == 0 and f"unlocked {officer}" in result.stdout
    assert platform.signin.login(officer, PASSWORD).email == officer
    with platform.database.session() as session:
        row = session.query(UserRow).filter_by(email=officer).one()
        assert (row.failed_logins, row.locked_until) == (0, None)
    assert platform.audit.events(action="user.update")[0].detail["changed"] == ["unlocked"]


def test_password_change_from_stdin(invoke, officer, platform) -> None:  # type: ignore[no-untyped-def]
    token, _ = platform.signin.start_session(platform.signin.login(officer, PASSWORD))
    result = invoke("users", "password", officer, input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    assert platform.signin.session_for(token) is None  # signed out everywhere
    with pytest.raises(NotAuthenticated):
        refused_signin(platform).login(officer, PASSWORD)
    assert platform.signin.login(officer, NEW_PASSWORD).email == officer
    audit = audit_table_text(platform)
    assert "user.password" in audit
    assert NEW_PASSWORD not in audit and PASSWORD not in audit


def test_keys_create_list_revoke(invoke, officer, platform) -> None:  # type: ignore[no-untyped-def]
    created = invoke("keys", "create", "--user", officer, "--name", "minutes bot", "--days", "7")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("gpk_") and "\n" not in token
    assert "only once" in created.stderr and token not in created.stderr
    user, key = platform.signin.user_for_key(token)
    assert user.email == officer and key.name == "minutes bot"
    assert (key.expires_at - key.created_at).days == 7

    listed = invoke("keys", "list", "--user", officer)
    assert listed.exit_code == 0 and key.id in listed.stdout and "minutes bot" in listed.stdout
    assert token not in listed.stdout
    listed_json = json.loads(invoke("keys", "list", "--user", officer, "--json").stdout)
    assert [k["id"] for k in listed_json] == [key.id] and "token" not in listed_json[0]

    revoked = invoke("keys", "revoke", key.id)
    assert revoked.exit_code == 0 and key.id in revoked.stdout
    with pytest.raises(NotAuthenticated, match="revoked"):
        platform.signin.user_for_key(token)
    assert "revoked" in invoke("keys", "list", "--user", officer).stdout
    assert token not in audit_table_text(platform)
    assert invoke("keys", "revoke", "no-such-key").exit_code == 2


def test_keys_create_json_and_limits(invoke, officer) -> None:  # type: ignore[no-untyped-def]
    created = json.loads(invoke("keys", "create", "--user", officer, "--json").stdout)
    assert created["token"].startswith("gpk_") and created["name"] == "API key"
    too_long = invoke("keys", "create", "--user", officer, "--days", "5000")
    assert too_long.exit_code == 2 and "3650" in too_long.stderr
