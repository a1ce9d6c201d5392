"""Incidents against AI applications: anyone with access reports one (a wrong answer to
the public, a data leak, bias); it has a status, an owner and a link to the evidence."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from govpilot.access import CallContext, Permission, authorize, visible_departments
from govpilot.audit.events import AuditEvent, AuditSink
from govpilot.errors import InputError, NotFound
from govpilot.governance.register import AiRegister, check_choice
from govpilot.storage.db import Database
from govpilot.storage.governance_tables import IncidentRow

CATEGORIES = ("wrong_answer", "data_leak", "bias", "security", "other")
STATUSES = ("open", "investigating", "resolved")


@dataclass
class Incident:
    id: str
    application_id: str
    department: str
    category: str
    summary: str
    evidence: str
    status: str
    owner: str
    reported_by: str
    reported_at: datetime
    updated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["reported_at"] = self.reported_at.isoformat()
        data["updated_at"] = self.updated_at.isoformat()
        return data


def _incident(row: IncidentRow) -> Incident:
    return Incident(
        row.id,
        row.application_id,
        row.department,
        row.category,
        row.summary,
        row.evidence,
        row.status,
        row.owner,
        row.reported_by,
        row.reported_at,
        row.updated_at,
    )


class Incidents:
    """Reports, lists and moves incidents; audited."""

    def __init__(self, database: Database, register: AiRegister, audit: AuditSink) -> None:
        self.database = database
        self.register = register
        self.audit = audit

    def report(
        self, caller: CallContext, app_id: str, category: str, summary: str, evidence: str = ""
    ) -> Incident:
        """Report an incident against an application of the caller's department."""
        app = self.register.get(caller, app_id)
        authorize(caller, Permission.REPORT_INCIDENT, app.department)
        check_choice("category", category, CATEGORIES)
        if not summary.strip():
            raise InputError("say what happened (the summary is empty)")
        if len(summary) > 5000 or len(evidence) > 2000:
            raise InputError("keep the summary under 5,000 characters and the evidence link short")
        now = datetime.now(UTC)
        row = IncidentRow(
            id=uuid.uuid4().hex,
            application_id=app.id,
            department=app.department,
            category=category,
            summary=summary.strip(),
            evidence=evidence.strip(),
            status="open",
            owner=app.owner,
            reported_by=caller.actor,
            reported_at=now,
            updated_at=now,
        )
        with self.database.session(write=True) as session:
            session.add(row)
        self._audit(caller, row, "governance.incident")
        return _incident(row)

    def list(self, caller: CallContext, app_id: str | None = None) -> list[Incident]:
        """Incidents the caller may see, newest first."""
        authorize(caller, Permission.READ_GOVERNANCE)
        seen = visible_departments(caller, Permission.READ_GOVERNANCE)
        query = select(IncidentRow).order_by(IncidentRow.reported_at.desc())
        if seen is not None:
            query = query.where(IncidentRow.department.in_(seen))
        if app_id:
            query = query.where(IncidentRow.application_id == app_id)
        with self.database.session() as session:
            return [_incident(row) for row in session.scalars(query)]

    def update(
        self, caller: CallContext, incident_id: str, *, status: str, owner: str | None = None
    ) -> Incident:
        """Move an incident on (department admins); NotFound for another department's."""
        check_choice("status", status, STATUSES)
        seen = visible_departments(caller, Permission.READ_GOVERNANCE)
        with self.database.session(write=True) as session:
            row = session.get(IncidentRow, incident_id)
            if row is None or (seen is not None and row.department not in seen):
                raise NotFound(f"no incident {incident_id!r}")
            authorize(caller, Permission.MANAGE_GOVERNANCE, row.department)
            row.status = status
            if owner:
                row.owner = owner.strip()
            row.updated_at = datetime.now(UTC)
            updated = _incident(row)
        self._audit(caller, row, "governance.incident_update")
        return updated

    def _audit(self, caller: CallContext, row: IncidentRow, action: str) -> None:
        self.audit.record(
            AuditEvent(
                actor=caller.actor,
                department=row.department,
                action=action,
                channel=caller.channel,
                detail={"incident": row.id, "category": row.category, "status": row.status},
                application_id=row.application_id,
            )
        )
