"""Accounts fixtures: AccountService and SignIn on one empty database (SQLite, and PostgreSQL
when configured), auditing to memory, with a clock the test moves."""

from __future__ import annotations

import pytest
from accounts_support import ManualClock, admin_context

from govpilot.accounts.service import AccountService
from govpilot.accounts.signin import SignIn
from govpilot.audit.events import MemoryAuditSink
from govpilot.config import AuthSettings
from govpilot.storage.db import Database


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def auth_settings() -> AuthSettings:
    return AuthSettings(
        max_failed_logins=3, lockout_minutes=10, session_hours=2, idle_minutes=30, api_key_days=30
    )


@pytest.fixture
def accounts(
    database: Database,
    audit_sink: MemoryAuditSink,
    auth_settings: AuthSettings,
    clock: ManualClock,
) -> AccountService:
    service = AccountService(database, audit_sink, auth_settings, clock=clock)
    for name in ("HAD", "LD"):
        service.create_department(admin_context(), name)
    return service


@pytest.fixture
def signin(
    accounts: AccountService,
    audit_sink: MemoryAuditSink,
    auth_settings: AuthSettings,
    clock: ManualClock,
) -> SignIn:
    return SignIn(accounts.database, audit_sink, auth_settings, clock=clock)
