"""Each department's requests-per-minute limit is remembered for a short while, so the request
path does not read the database every time; a change through the service applies at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from accounts_support import admin_context
from sqlalchemy import event

from govpilot.accounts.limits import DEPARTMENT_LIMIT_TTL_SECONDS, DepartmentLimitCache
from govpilot.accounts.service import AccountService
from govpilot.audit.events import MemoryAuditSink
from govpilot.config import AuthSettings
from govpilot.storage.db import Database

ADMIN = admin_context()


class Ticks:
    """A monotonic clock that only `advance` moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class DepartmentReads:
    """Counts the SELECTs on `departments` sent to one database."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        self._engine = database.engine
        event.listen(self._engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "departments" in statement:
            self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def limited(
    database: Database, audit_sink: MemoryAuditSink, auth_settings: AuthSettings, ticks: Ticks
) -> AccountService:
    """An account service whose limit cache runs on `ticks`; HAD allows 30 a minute."""
    service = AccountService(database, audit_sink, auth_settings, limit_clock=ticks)
    service.create_department(ADMIN, "HAD", requests_per_minute=30)
    return service


@pytest.fixture
def reads(database: Database) -> Iterator[DepartmentReads]:
    counter = DepartmentReads(database)
    yield counter
    counter.close()


# -- the cache on its own ------------------------------------------------------------------------


def test_the_cache_reads_once_per_ttl(ticks: Ticks) -> None:
    asked: list[str] = []

    def read(department: str) -> int:
        asked.append(department)
        return 30

    cache = DepartmentLimitCache(read, clock=ticks)
    assert [cache.per_minute("HAD") for _ in range(5)] == [30] * 5
    ticks.advance(DEPARTMENT_LIMIT_TTL_SECONDS - 0.1)
    assert cache.per_minute("HAD") == 30
    assert asked == ["HAD"]
    cache.per_minute("LD")
    assert asked == ["HAD", "LD"]  # one entry per department
    ticks.advance(0.1)
    cache.per_minute("HAD")
    assert asked == ["HAD", "LD", "HAD"]


def test_a_limit_changed_during_its_read_is_not_remembered(ticks: Ticks) -> None:
    limits = {"HAD": 30}
    cache: DepartmentLimitCache

    def read_then_change(department: str) -> int:
        found = limits[department]
        limits[department] = 5  # another thread saves a new limit, and forgets the old one
        cache.forget(department)
        return found

    cache = DepartmentLimitCache(read_then_change, clock=ticks)
    assert cache.per_minute("HAD") == 30  # this request used what it read
    assert cache.per_minute("HAD") == 5  # the next one does not keep the stale value


# -- through the account service -----------------------------------------------------------------


def test_repeated_lookups_do_not_query_the_database(
    limited: AccountService, reads: DepartmentReads
) -> None:
    assert [limited.requests_per_minute("HAD") for _ in range(10)] == [30] * 10
    assert reads.count == 1


def test_a_change_through_the_service_applies_at_once(
    limited: AccountService, reads: DepartmentReads
) -> None:
    assert limited.requests_per_minute("HAD") == 30
    limited.update_department(ADMIN, "HAD", requests_per_minute=7)
    assert limited.requests_per_minute("HAD") == 7
    # A change to another setting keeps the remembered limit.
    limited.update_department(ADMIN, "HAD", title_en="Home Affairs")
    before = reads.count
    assert limited.requests_per_minute("HAD") == 7
    assert reads.count == before


def test_a_change_by_another_process_shows_after_the_ttl(
    limited: AccountService,
    database: Database,
    audit_sink: MemoryAuditSink,
    auth_settings: AuthSettings,
    ticks: Ticks,
) -> None:
    assert limited.requests_per_minute("HAD") == 30
    elsewhere = AccountService(database, audit_sink, auth_settings)  # e.g. the CLI
    elsewhere.update_department(ADMIN, "HAD", requests_per_minute=12)
    ticks.advance(DEPARTMENT_LIMIT_TTL_SECONDS - 1)
    assert limited.requests_per_minute("HAD") == 30
    ticks.advance(1)
    assert limited.requests_per_minute("HAD") == 12


def test_an_unknown_department_has_the_platforms_limit_until_it_is_created(
    limited: AccountService, auth_settings: AuthSettings
) -> None:
    assert limited.requests_per_minute("NEW") == auth_settings.requests_per_minute
    limited.create_department(ADMIN, "NEW", requests_per_minute=9)
    assert limited.requests_per_minute("NEW") == 9
