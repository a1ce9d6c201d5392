"""Cases as stored: what an interface sees, and the reads and writes of their rows.

Every change goes through `CaseStore.change`, under a row lock, and bumps the case's
version: a change made on an older version than the one stored is refused (Conflict),
so two officers working one case never overwrite each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import or_, select

from govpilot.capabilities.cases.routing import Example
from govpilot.errors import Conflict, NotFound
from govpilot.storage.case_tables import CaseEventRow, CaseReplyRow, CaseRow
from govpilot.storage.db import Database

__all__ = ["OPEN_STATUSES", "Case", "CaseEvent", "CaseReply", "CaseStore"]

#: Statuses of cases still being worked.
OPEN_STATUSES = ("triage", "open", "replied")


@dataclass(frozen=True)
class Case:
    """One case as an officer sees it (the vector left out)."""

    id: str
    reference: str
    desk: str
    department: str
    team: str
    assignee: str | None
    status: str
    urgency: str
    category: str
    language: str
    channel: str
    subject: str
    text: str
    district: str
    pii: dict[str, int]
    contact: dict[str, str]
    triage: dict[str, Any]
    confidence: float
    confirmed: bool
    incident_id: str | None
    escalated: bool
    message_id: str | None
    attachments: list[dict[str, Any]]
    version: int
    created_at: datetime
    updated_at: datetime
    acknowledge_due: datetime
    reply_due: datetime
    acknowledged_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def from_row(cls, row: CaseRow) -> Case:
        values = {f.name: getattr(row, f.name) for f in fields(cls)}
        for name in ("pii", "contact", "triage"):
            values[name] = dict(values[name] or {})
        values["attachments"] = list(values["attachments"] or [])
        return cls(**values)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, now: datetime) -> str | None:
        """ "acknowledge" or "reply" when that deadline has passed undone; else None."""
        if not self.is_open:
            return None
        if self.acknowledged_at is None and now > self.acknowledge_due:
            return "acknowledge"
        if self.replied_at is None and now > self.reply_due:
            return "reply"
        return None


@dataclass(frozen=True)
class CaseEvent:
    """One thing done to a case."""

    id: str
    kind: str
    actor: str
    detail: dict[str, Any]
    text: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: CaseEventRow) -> CaseEvent:
        return cls(row.id, row.kind, row.actor, dict(row.detail or {}), row.text, row.created_at)


@dataclass(frozen=True)
class CaseReply:
    """A reply to the citizen and where it is: draft, approved, sent or failed."""

    id: str
    kind: str
    language: str
    body: str
    citations: list[dict[str, Any]]
    status: str
    drafted_by: str
    approved_by: str | None
    sent_via: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None

    @classmethod
    def from_row(cls, row: CaseReplyRow) -> CaseReply:
        values = {f.name: getattr(row, f.name) for f in fields(cls)}
        values["citations"] = list(values["citations"] or [])
        return cls(**values)

    @property
    def public(self) -> bool:
        """Whether the citizen may see it (approved, or approved and sent)."""
        return self.status in ("approved", "sent", "failed")


class CaseStore:
    """The rows of cases, their events and replies."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    def create(self, actor: str, **values: Any) -> Case:
        """A new case, with its "received" event by `actor`."""
        now = self.clock()
        row = CaseRow(id=uuid.uuid4().hex, version=1, created_at=now, updated_at=now, **values)
        with self.database.session(what="cases") as session:
            session.add(row)
            session.flush()
            detail = {"channel": values.get("channel", "")}
            session.add(_event(row.id, "received", actor, detail, "", now))
            session.flush()
            return Case.from_row(row)

    def get(self, case_id: str) -> Case | None:
        with self.database.session(what="cases") as session:
            row = session.get(CaseRow, case_id)
            return Case.from_row(row) if row else None

    def by_reference(self, reference: str) -> Case | None:
        with self.database.session(what="cases") as session:
            row = session.scalars(select(CaseRow).where(CaseRow.reference == reference)).first()
            return Case.from_row(row) if row else None

    def by_message_id(self, desk: str, message_id: str) -> Case | None:
        query = select(CaseRow).where(CaseRow.desk == desk, CaseRow.message_id == message_id)
        with self.database.session(what="cases") as session:
            row = session.scalars(query).first()
            return Case.from_row(row) if row else None

    def listed(
        self,
        departments: Collection[str] | None,
        *,
        statuses: Collection[str] | None = None,
        department: str | None = None,
        limit: int = 200,
        since: datetime | None = None,
        oldest_first: bool = False,
    ) -> list[Case]:
        """Cases whose desk or department is in `departments` (None: all), newest first."""
        query = select(CaseRow)
        if departments is not None:
            query = query.where(
                or_(CaseRow.desk.in_(departments), CaseRow.department.in_(departments))
            )
        if statuses:
            query = query.where(CaseRow.status.in_(statuses))
        if department is not None:
            query = query.where(CaseRow.department == department)
        if since is not None:
            query = query.where(CaseRow.created_at >= since)
        order = CaseRow.created_at.asc() if oldest_first else CaseRow.created_at.desc()
        query = query.order_by(order).limit(limit)
        with self.database.session(what="cases") as session:
            return [Case.from_row(r) for r in session.scalars(query)]

    def change(
        self,
        case_id: str,
        apply: Callable[[CaseRow], dict[str, Any] | None],
        *,
        version: int | None = None,
        event: tuple[str, str] | None = None,
        note: str = "",
    ) -> Case:
        """Apply a change under a lock; Conflict if `version` is not the stored one.

        `event` is (kind, actor): an event is written with what `apply` returns as detail.
        """
        with self.database.session(write=True, what="cases") as session:
            query = select(CaseRow).where(CaseRow.id == case_id)
            row = session.scalars(query.with_for_update()).first()
            if row is None:
                raise NotFound("no such case")
            if version is not None and version != row.version:
                raise Conflict(
                    "the case was changed since you opened it",
                    hint="reload the page and make your change again",
                )
            detail = apply(row) or {}
            now = self.clock()
            row.version += 1
            row.updated_at = now
            if event is not None:
                session.add(_event(row.id, event[0], event[1], detail, note, now))
            session.flush()
            return Case.from_row(row)

    def events(self, case_id: str) -> list[CaseEvent]:
        query = (
            select(CaseEventRow)
            .where(CaseEventRow.case_id == case_id)
            .order_by(CaseEventRow.created_at, CaseEventRow.id)
        )
        with self.database.session(what="cases") as session:
            return [CaseEvent.from_row(r) for r in session.scalars(query)]

    # --- replies -----------------------------------------------------------------------

    def add_reply(self, case_id: str, **values: Any) -> CaseReply:
        now = self.clock()
        row = CaseReplyRow(
            id=uuid.uuid4().hex, case_id=case_id, created_at=now, updated_at=now, **values
        )
        with self.database.session(what="cases") as session:
            session.add(row)
            session.flush()
            return CaseReply.from_row(row)

    def replies(self, case_id: str) -> list[CaseReply]:
        query = (
            select(CaseReplyRow)
            .where(CaseReplyRow.case_id == case_id)
            .order_by(CaseReplyRow.created_at, CaseReplyRow.id)
        )
        with self.database.session(what="cases") as session:
            return [CaseReply.from_row(r) for r in session.scalars(query)]

    def reply(self, case_id: str, reply_id: str) -> CaseReply:
        with self.database.session(what="cases") as session:
            row = session.get(CaseReplyRow, reply_id)
            if row is None or row.case_id != case_id:
                raise NotFound("no such reply")
            return CaseReply.from_row(row)

    def change_reply(
        self, reply_id: str, *, expect: Collection[str] | None = None, **values: Any
    ) -> CaseReply:
        """Change a reply under a lock; Conflict if its status is not one of `expect`."""
        with self.database.session(write=True, what="cases") as session:
            query = select(CaseReplyRow).where(CaseReplyRow.id == reply_id)
            row = session.scalars(query.with_for_update()).first()
            if row is None:
                raise NotFound("no such reply")
            if expect is not None and row.status not in expect:
                raise Conflict(f"the reply is {row.status} already", hint="reload the page")
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = self.clock()
            session.flush()
            return CaseReply.from_row(row)

    # --- what routing and duplicates read -----------------------------------------------

    def examples(self, desk: str, limit: int = 20_000) -> list[Example]:
        """Cases an officer routed or confirmed, with their vectors: routing's past cases."""
        query = (
            select(CaseRow.vector, CaseRow.department)
            .where(CaseRow.desk == desk, CaseRow.confirmed.is_(True))
            .order_by(CaseRow.updated_at.desc())
            .limit(limit)
        )
        with self.database.session(what="cases") as session:
            return [
                Example(np.asarray(vector, dtype=np.float32), department)
                for vector, department in session.execute(query)
                if vector
            ]

    def recent_open(
        self, desk: str, since: datetime
    ) -> list[tuple[str, str, str | None, list[float]]]:
        """(id, department, incident, vector) of the desk's open cases since `since`."""
        query = select(CaseRow.id, CaseRow.department, CaseRow.incident_id, CaseRow.vector).where(
            CaseRow.desk == desk,
            CaseRow.status.in_(OPEN_STATUSES),
            CaseRow.created_at >= since,
        )
        with self.database.session(what="cases") as session:
            return [(i, d, n, v) for i, d, n, v in session.execute(query) if v]

    def incident(self, incident_id: str) -> list[Case]:
        """Every case of one incident (the first case and those that report it again)."""
        query = (
            select(CaseRow)
            .where(or_(CaseRow.id == incident_id, CaseRow.incident_id == incident_id))
            .order_by(CaseRow.created_at)
        )
        with self.database.session(what="cases") as session:
            return [Case.from_row(r) for r in session.scalars(query)]


def _event(
    case_id: str, kind: str, actor: str, detail: dict[str, Any], text: str, now: datetime
) -> CaseEventRow:
    return CaseEventRow(
        id=uuid.uuid4().hex,
        case_id=case_id,
        kind=kind,
        actor=actor,
        detail=detail,
        text=text,
        created_at=now,
    )
