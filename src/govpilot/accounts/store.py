"""Shared by the account services: the database, the audit log, the clock, row lookups."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govpilot.access import CallContext
from govpilot.audit.events import AuditEvent, AuditSink, Outcome, utc_now
from govpilot.config import AuthSettings
from govpilot.errors import NotFound
from govpilot.storage.account_tables import DepartmentRow, UserRow
from govpilot.storage.base import as_utc
from govpilot.storage.db import Database

Clock = Callable[[], datetime]


class AccountStoreBase:
    """The database, audit log, settings and clock the account services share."""

    def __init__(
        self,
        database: Database,
        audit: AuditSink,
        settings: AuthSettings | None = None,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self.database = database
        self.audit = audit
        self.settings = settings or AuthSettings()
        self.clock = clock

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Session]:
        with self.database.session(write=write) as session:
            yield session

    def _now(self) -> datetime:
        return as_utc(self.clock())

    def _record(
        self,
        actor: str,
        department: str,
        action: str,
        *,
        channel: str,
        outcome: Outcome = "ok",
        **detail: Any,
    ) -> None:
        # Ids, roles and reasons only: never a password, a token or a hash of one.
        self.audit.record(
            AuditEvent(
                actor=actor,
                department=department,
                action=action,
                outcome=outcome,
                channel=channel,
                detail=detail,
            )
        )

    def _audit(self, ctx: CallContext, action: str, department: str, **detail: Any) -> None:
        self._record(ctx.actor, department, action, channel=ctx.channel, **detail)


def normalise_email(email: str) -> str:
    """E-mail addresses compare without case or surrounding space."""
    return email.strip().lower()


def user_row(session: Session, user: str) -> UserRow:
    """The user with this id or e-mail address, or NotFound."""
    row = session.get(UserRow, user)
    if row is None:
        row = session.scalar(select(UserRow).where(UserRow.email == normalise_email(user)))
    if row is None:
        raise no_user(user)
    return row


def no_user(user: str) -> NotFound:
    """The refusal for a user not there, or not the caller's to see (the same words)."""
    return NotFound(f"no user {user!r}", hint="list users with `govpilot users list`")


def no_key(key_id: str) -> NotFound:
    """The refusal for an API key not there, or not the caller's to see."""
    return NotFound(f"no API key {key_id!r}", hint="list a user's keys with `govpilot keys list`")


def department_row(session: Session, name: str) -> DepartmentRow:
    row = session.get(DepartmentRow, name)
    if row is None:
        raise NotFound(
            f"no department {name!r}", hint="create it with `govpilot departments create NAME`"
        )
    return row


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)
