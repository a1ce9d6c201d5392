"""Shared by the accounts tests: a clock to move by hand, services on one database, contexts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from govpilot.access import CallContext, Role
from govpilot.accounts.models import User

PASSWORD = "correct horse battery staple"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class ManualClock:
    """`clock()` is `now`, which only `advance` moves."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def admin_context(department: str = "HAD") -> CallContext:
    """A platform administrator without an account (as the CLI acts)."""
    return CallContext(
        actor="root@test", department=department, capability="t", role=Role.PLATFORM_ADMIN.value
    )


def acting(user: User) -> CallContext:
    """`user` acting through the API."""
    return user.context("t", "api")
