"""SignIn: passwords with lockout, API keys that expire and are revoked, web sessions that
end when idle or old, and single sign-on accounts; time moves only by the test's clock."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from accounts_support import PASSWORD, ManualClock, acting, admin_context

from govpilot.access import Role
from govpilot.accounts.models import User
from govpilot.accounts.service import AccountService
from govpilot.accounts.signin import SignIn
from govpilot.audit.events import AuditEvent, MemoryAuditSink
from govpilot.config import AuthSettings
from govpilot.errors import NotAuthenticated, PermissionDenied
from govpilot.storage.db import Database

ADMIN = admin_context()
EMAIL = "chan.tm@had.gov.hk"
ISSUER = "https://login.gov.hk"


#: SignIn.login raises its refusals inside its write transaction, which rolls the failure
#: count back (so nothing ever locks), and records them there, which on SQLite waits out the
#: busy timeout of the audit log's own write. Strict: remove the marks once that is fixed.
@pytest.fixture
def officer(accounts: AccountService) -> User:
    return accounts.create_user(ADMIN, EMAIL, department="HAD", role="officer", password=PASSWORD)


def logins(audit_sink: MemoryAuditSink) -> list[tuple[str, str, str | None]]:
    return [
        (e.actor, e.outcome, e.detail.get("reason"))
        for e in audit_sink.events
        if e.action == "auth.login"
    ]


# -- passwords -----------------------------------------------------------------------------


def test_login(
    signin: SignIn, officer: User, clock: ManualClock, audit_sink: MemoryAuditSink
) -> None:
    user = signin.login(" CHAN.TM@had.gov.hk", PASSWORD)
    assert user.id == officer.id and user.last_login_at == clock.now
    assert logins(audit_sink) == [(EMAIL, "ok", None)]
    assert audit_sink.events[-1].detail["method"] == "password"
    assert PASSWORD not in repr(audit_sink.events)


def test_wrong_password_and_unknown_account_look_the_same(
    signin: SignIn, officer: User, audit_sink: MemoryAuditSink
) -> None:
    messages = []
    for email, password in ((EMAIL, "not the password"), ("nobody@had.gov.hk", PASSWORD)):
        with pytest.raises(NotAuthenticated) as refused:
            signin.login(email, password)
        messages.append(refused.value.message)
    assert messages == ["wrong e-mail or password"] * 2
    assert logins(audit_sink) == [
        (EMAIL, "refused", "wrong_password"),
        ("(unknown account)", "refused", "unknown_account"),  # the typed e-mail is not kept
    ]


def test_too_many_failures_lock_the_account_for_a_while(
    signin: SignIn,
    officer: User,
    clock: ManualClock,
    auth_settings: AuthSettings,
    audit_sink: MemoryAuditSink,
) -> None:
    for _ in range(auth_settings.max_failed_logins):
        with pytest.raises(NotAuthenticated, match="wrong e-mail or password"):
            signin.login(EMAIL, "not the password")
    with pytest.raises(NotAuthenticated, match="locked") as locked:
        signin.login(EMAIL, PASSWORD)  # even the right password, now
    assert locked.value.hint and "try again in 10 minutes" in locked.value.hint
    assert [r for _, _, r in logins(audit_sink)][-2:] == ["locked_now", "locked"]
    clock.advance(minutes=9, seconds=59)
    with pytest.raises(NotAuthenticated, match="locked"):
        signin.login(EMAIL, PASSWORD)
    clock.advance(seconds=2)
    assert signin.login(EMAIL, PASSWORD).id == officer.id


def test_a_success_forgets_earlier_failures(
    signin: SignIn, officer: User, auth_settings: AuthSettings
) -> None:
    for _ in range(3):
        for _ in range(auth_settings.max_failed_logins - 1):
            with pytest.raises(NotAuthenticated):
                signin.login(EMAIL, "not the password")
        assert signin.login(EMAIL, PASSWORD).id == officer.id


def test_an_administrator_unlocks_a_locked_account(
    signin: SignIn, accounts: AccountService, officer: User, auth_settings: AuthSettings
) -> None:
    for _ in range(auth_settings.max_failed_logins):
        with pytest.raises(NotAuthenticated):
            signin.login(EMAIL, "not the password")
    locked = accounts.user(ADMIN, EMAIL)
    assert locked.locked_until is not None
    assert accounts.update_user(ADMIN, EMAIL, unlock=True).locked_until is None
    assert signin.login(EMAIL, PASSWORD).id == officer.id


def test_disabled_and_passwordless_accounts_cannot_log_in(
    signin: SignIn, accounts: AccountService, officer: User
) -> None:
    accounts.update_user(ADMIN, EMAIL, disabled=True)
    with pytest.raises(NotAuthenticated, match="disabled"):
        signin.login(EMAIL, PASSWORD)
    accounts.create_user(ADMIN, "sso.only@had.gov.hk", department="HAD", role="officer")
    with pytest.raises(NotAuthenticated, match="wrong e-mail or password"):
        signin.login("sso.only@had.gov.hk", "")


def test_refusals_are_audited_outside_the_write_transaction(sqlite_url: str) -> None:
    """On SQLite the audit log needs the write lock too: a refusal recorded while SignIn still
    holds it waits for the busy timeout and fails, and the failure count is lost with it."""
    database = Database(sqlite_url)
    database.migrate()
    probe = LockProbeSink(Path(sqlite_url.removeprefix("sqlite:///")))
    try:
        accounts = AccountService(database, probe)
        accounts.create_department(ADMIN, "HAD")
        accounts.create_user(ADMIN, EMAIL, department="HAD", role="officer", password=PASSWORD)
        signin = SignIn(database, probe, AuthSettings(max_failed_logins=2))
        for email in (EMAIL, EMAIL, EMAIL, "nobody@had.gov.hk"):
            with pytest.raises(NotAuthenticated):
                signin.login(email, "not the password")
        with pytest.raises(NotAuthenticated):
            signin.sso_user(
                issuer=ISSUER, subject="1", email="x@y.hk", department="NO", role="officer"
            )
    finally:
        database.dispose()
    refusals = [(reason, free) for action, reason, free in probe.seen if action == "auth.login"]
    assert all(free for _, free in refusals), refusals
    assert [r for r, _ in refusals] == [
        "wrong_password", "locked_now", "locked", "unknown_account", "unknown_department",
    ]  # fmt: skip


class LockProbeSink:
    """An audit sink that notes whether SQLite's write lock was free when it was called."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: list[tuple[str, str | None, bool]] = []

    def record(self, event: AuditEvent) -> None:
        connection = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            free = True
        except sqlite3.OperationalError:
            free = False
        finally:
            connection.close()
        self.seen.append((event.action, event.detail.get("reason"), free))


# -- API keys ------------------------------------------------------------------------------


def test_keys_work_until_revoked(signin: SignIn, accounts: AccountService, officer: User) -> None:
    created = accounts.create_key(acting(officer), officer.id)
    user, key = signin.user_for_key(created.token)
    assert user.id == officer.id and key.id == created.key.id
    accounts.revoke_key(acting(officer), created.key.id)
    with pytest.raises(NotAuthenticated, match="revoked") as refused:
        signin.user_for_key(created.token)
    assert refused.value.hint and "govpilot keys create" in refused.value.hint
    with pytest.raises(NotAuthenticated, match="not valid"):
        signin.user_for_key("gpk_made-up")


def test_keys_expire(
    signin: SignIn, accounts: AccountService, officer: User, clock: ManualClock
) -> None:
    created = accounts.create_key(acting(officer), officer.id, days=2)
    clock.advance(days=1, hours=23, minutes=59)
    _, key = signin.user_for_key(created.token)
    assert key.last_used_at == clock.now
    clock.advance(minutes=1)
    with pytest.raises(NotAuthenticated, match="expired"):
        signin.user_for_key(created.token)


def test_keys_of_disabled_accounts_stop_working(
    signin: SignIn, accounts: AccountService, officer: User
) -> None:
    created = accounts.create_key(ADMIN, officer.email)
    accounts.update_user(ADMIN, officer.email, disabled=True)
    with pytest.raises(NotAuthenticated, match="disabled"):
        signin.user_for_key(created.token)


def test_last_use_is_written_at_most_once_a_minute(
    signin: SignIn, accounts: AccountService, officer: User, clock: ManualClock
) -> None:
    created = accounts.create_key(ADMIN, officer.email)
    first = clock.now
    signin.user_for_key(created.token)
    clock.advance(seconds=30)
    assert signin.user_for_key(created.token)[1].last_used_at == first
    clock.advance(seconds=31)
    assert signin.user_for_key(created.token)[1].last_used_at == clock.now


# -- web sessions --------------------------------------------------------------------------


def test_a_session_lives_while_used(signin: SignIn, officer: User, clock: ManualClock) -> None:
    token, session = signin.start_session(officer)
    assert session.expires_at == clock.now + timedelta(hours=2)
    for _ in range(4):  # 25 minutes apart: never idle for the 30 allowed
        clock.advance(minutes=25)
        found = signin.session_for(token)
        assert found is not None and found.user.id == officer.id
        assert found.csrf_token == session.csrf_token
    clock.advance(minutes=25)  # 125 minutes in: older than session_hours
    assert signin.session_for(token) is None


def test_an_idle_session_ends(signin: SignIn, officer: User, clock: ManualClock) -> None:
    token, _ = signin.start_session(officer)
    clock.advance(minutes=30)
    assert signin.session_for(token) is not None
    clock.advance(minutes=30, seconds=1)
    assert signin.session_for(token) is None
    clock.now = clock.now.replace(hour=9, minute=0)  # even back in time, it is gone
    assert signin.session_for(token) is None


def test_signing_out(
    signin: SignIn, accounts: AccountService, officer: User, audit_sink: MemoryAuditSink
) -> None:
    token, _ = signin.start_session(officer)
    signin.end_session(token)
    assert signin.session_for(token) is None
    assert audit_sink.events[-1].action == "auth.logout"
    tokens = [signin.start_session(officer)[0] for _ in range(3)]
    assert signin.end_sessions_of(officer.id) == 3
    assert all(signin.session_for(t) is None for t in tokens)
    token, _ = signin.start_session(officer)
    accounts.update_user(ADMIN, officer.email, disabled=True)
    assert signin.session_for(token) is None
    assert signin.session_for("made-up") is None


# -- single sign-on ------------------------------------------------------------------------


def sso(signin: SignIn, **claims: str) -> User:
    values = {
        "issuer": ISSUER,
        "subject": "248289761001",
        "email": "wong.sm@had.gov.hk",
        "department": "HAD",
        "role": "officer",
        "display_name": "Wong Siu-ming",
        **claims,
    }
    return signin.sso_user(**values)


def test_sso_creates_then_follows_the_provider(
    signin: SignIn, accounts: AccountService, clock: ManualClock, audit_sink: MemoryAuditSink
) -> None:
    created = sso(signin)
    assert (created.department, created.role, created.sso, created.has_password) == (
        "HAD",
        Role.OFFICER,
        True,
        False,
    )
    assert created.display_name == "Wong Siu-ming" and created.last_login_at == clock.now
    assert audit_sink.events[-1].detail == {"method": "oidc", "role": "officer"}
    clock.advance(days=1)
    moved = sso(signin, department="LD", role="department_admin", email="WONG.SM@had.gov.hk")
    assert moved.id == created.id
    assert (moved.department, moved.role, moved.last_login_at) == (
        "LD",
        "department_admin",
        clock.now,
    )
    assert [u.email for u in accounts.users(ADMIN, "LD")] == ["wong.sm@had.gov.hk"]


def test_sso_links_a_local_account_with_the_same_email(signin: SignIn, officer: User) -> None:
    linked = sso(signin, email=EMAIL)
    assert linked.id == officer.id and linked.sso and linked.has_password
    with pytest.raises(NotAuthenticated, match="another sign-on identity"):
        sso(signin, email=EMAIL, subject="someone-else")


@pytest.mark.parametrize("role", ["platform_admin", "public"])
def test_sso_never_gives_platform_admin_or_public(signin: SignIn, role: str) -> None:
    with pytest.raises(PermissionDenied, match=f"cannot give the {role} role"):
        sso(signin, role=role)


def test_sso_refuses_unknown_departments_and_disabled_accounts(
    signin: SignIn, accounts: AccountService, audit_sink: MemoryAuditSink
) -> None:
    with pytest.raises(NotAuthenticated, match="'XYZ' is not set up") as refused:
        sso(signin, department="XYZ")
    assert refused.value.hint and "create it" in refused.value.hint
    assert logins(audit_sink)[-1] == ("wong.sm@had.gov.hk", "refused", "unknown_department")
    assert accounts.users(ADMIN, "HAD") == []
    user = sso(signin)
    accounts.update_user(ADMIN, user.id, disabled=True)
    with pytest.raises(NotAuthenticated, match="disabled"):
        sso(signin)
