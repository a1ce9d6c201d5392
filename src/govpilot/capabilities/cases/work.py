"""Working cases: queues, routing decisions, transfers, assignment, notes, close, reopen.

Who sees a case: officers of the desk that took it in and of the department that owns
it, and platform administrators; for anyone else it does not exist (NotFound, the same
for every verb). A routing decision or a transfer says why, is audited, and teaches the
router (the case becomes a past case of its new department). Every change checks the
version the officer saw, so two officers never overwrite each other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from govpilot.access import CallContext, Permission, Role, authorize
from govpilot.audit.events import AuditSink
from govpilot.capabilities.cases import case_audit
from govpilot.capabilities.cases.departments import DepartmentList
from govpilot.capabilities.cases.store import OPEN_STATUSES, Case, CaseEvent, CaseStore
from govpilot.config import CaseSettings
from govpilot.errors import Conflict, InputError, NotFound
from govpilot.storage.case_tables import CaseRow

__all__ = ["QUEUES", "CaseWork", "queue_order"]

#: mine, the department's, the desk's triage queue, overdue, everything open, closed.
QUEUES = ("department", "mine", "triage", "overdue", "open", "closed")
MAX_NOTE = 5_000
#: Cases a queue reads (urgent first, then by deadline, among the oldest this many).
MAX_QUEUE = 20_000
MAX_REASON = 500
_URGENCY_ORDER = {"urgent": 0, "normal": 1, "low": 2}


def queue_order(case: Case) -> tuple[int, datetime]:
    """Urgent first, then by the next deadline."""
    due = case.acknowledge_due if case.acknowledged_at is None else case.reply_due
    return (_URGENCY_ORDER.get(case.urgency, 1), due)


class CaseWork:
    """What officers do with cases."""

    def __init__(
        self,
        store: CaseStore,
        departments: DepartmentList,
        audit: AuditSink,
        settings: CaseSettings,
        *,
        desk: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.departments = departments
        self.audit = audit
        self.settings = settings
        self.desk = desk
        self.clock = clock

    # --- reading ---------------------------------------------------------------------

    def visible(self, ctx: CallContext) -> set[str] | None:
        """The departments whose cases `ctx` sees (None: all)."""
        authorize(ctx, Permission.USE_COPILOT)
        if ctx.role == Role.PLATFORM_ADMIN.value:
            return None
        return {ctx.department}

    def get(self, ctx: CallContext, case_id: str) -> Case:
        """One case `ctx` may see; NotFound otherwise (whether or not it exists).

        Another department's case is NotFound for every role, before the role is checked:
        a 404 never tells an outsider that the case exists."""
        case = self.store.get(case_id)
        if case is None or (
            ctx.role != Role.PLATFORM_ADMIN.value
            and ctx.department not in (case.desk, case.department)
        ):
            raise NotFound("no such case", hint="check the case's link or reference")
        authorize(ctx, Permission.USE_COPILOT, ctx.department)
        return case

    def by_reference(self, ctx: CallContext, reference: str) -> Case:
        case = self.store.by_reference(reference.strip().upper())
        if case is None:
            raise NotFound("no such case", hint="check the reference")
        return self.get(ctx, case.id)

    def events(self, ctx: CallContext, case_id: str) -> list[CaseEvent]:
        return self.store.events(self.get(ctx, case_id).id)

    def incident(self, ctx: CallContext, case: Case) -> list[Case]:
        """The other cases of `case`'s incident that `ctx` may see."""
        root = case.incident_id or case.id
        visible = self.visible(ctx)
        return [
            c
            for c in self.store.incident(root)
            if c.id != case.id and (visible is None or c.desk in visible or c.department in visible)
        ]

    def queue(
        self, ctx: CallContext, name: str = "department", *, team: str = "", limit: int = 200
    ) -> list[Case]:
        """One queue (of one team, if named), urgent first, then by the next deadline."""
        if name not in QUEUES:
            raise InputError(f"unknown queue {name!r}", hint=f"use one of {', '.join(QUEUES)}")
        visible = self.visible(ctx)
        now = self.clock()
        statuses = ("closed",) if name == "closed" else OPEN_STATUSES
        # Open queues from the oldest: the ones most overdue are never cut off.
        cases = self.store.listed(
            visible, statuses=statuses, limit=MAX_QUEUE, oldest_first=name != "closed"
        )
        if name == "department":
            cases = [
                c for c in cases if c.department and (visible is None or c.department in visible)
            ]
        elif name == "mine":
            cases = [c for c in cases if c.assignee == ctx.actor]
        elif name == "triage":
            cases = [c for c in cases if c.status == "triage"]
        elif name == "overdue":
            cases = [c for c in cases if c.overdue(now)]
        if team.strip():
            cases = [c for c in cases if c.team.casefold() == team.strip().casefold()]
        if name != "closed":
            cases.sort(key=queue_order)
        return cases[:limit]

    # --- changing --------------------------------------------------------------------

    def route(
        self,
        ctx: CallContext,
        case_id: str,
        department: str,
        *,
        reason: str = "",
        version: int | None = None,
    ) -> Case:
        """Send a case to `department` (the triage decision, a correction or a transfer).

        A transfer of a case already in a department needs a reason; every one is audited
        and teaches the router.
        """
        case = self.get(ctx, case_id)
        if self.departments.get(department) is None:
            raise InputError(
                f"unknown department {department!r}",
                hint=f"use one of {', '.join(self.departments.codes)}",
            )
        reason = " ".join(reason.split())[:MAX_REASON]
        transfer = bool(case.department) and case.department != department
        if transfer and not reason:
            raise InputError("say why the case goes to another department")
        previous = case.department

        def apply(row: CaseRow) -> dict[str, object]:
            row.department = department
            row.confirmed = True
            if row.status == "triage":
                row.status = "open"
            if transfer:
                row.team, row.assignee = "", None
            return {"from": previous, "to": department, "reason": reason}

        kind = "transfer" if transfer else "routed"
        changed = self.store.change(case.id, apply, version=version, event=(kind, ctx.actor))
        self._audit(ctx, f"cases.{kind}", changed, **{"from": previous, "to": department})
        return changed

    def assign(
        self,
        ctx: CallContext,
        case_id: str,
        *,
        assignee: str | None,
        team: str = "",
        version: int | None = None,
    ) -> Case:
        """Give the case to an officer (None: to nobody) and a team of its department."""
        case = self.get(ctx, case_id)
        assignee = (assignee or "").strip()[:200] or None
        team = " ".join(team.split())[:100]

        def apply(row: CaseRow) -> dict[str, object]:
            row.assignee, row.team = assignee, team
            return {"assignee": assignee, "team": team}

        changed = self.store.change(case.id, apply, version=version, event=("assign", ctx.actor))
        self._audit(ctx, "cases.assign", changed)
        return changed

    def note(self, ctx: CallContext, case_id: str, text: str) -> Case:
        """An internal note (never shown to the citizen)."""
        case = self.get(ctx, case_id)
        text = text.strip()
        if not text:
            raise InputError("the note is empty")
        if len(text) > MAX_NOTE:
            raise InputError(f"a note is at most {MAX_NOTE:,} characters")
        changed = self.store.change(
            case.id, lambda row: {"chars": len(text)}, event=("note", ctx.actor), note=text
        )
        self._audit(ctx, "cases.note", changed)
        return changed

    def close(self, ctx: CallContext, case_id: str, *, version: int | None = None) -> Case:
        case = self.get(ctx, case_id)
        if case.status == "closed":
            raise Conflict("the case is already closed")
        if not case.department:
            raise InputError("route the case to a department before closing it")

        def apply(row: CaseRow) -> dict[str, object]:
            row.status, row.closed_at, row.confirmed = "closed", self.clock(), True
            return {}

        changed = self.store.change(case.id, apply, version=version, event=("closed", ctx.actor))
        self._audit(ctx, "cases.close", changed)
        return changed

    def reopen(self, ctx: CallContext, case_id: str, *, reason: str) -> Case:
        """Open a closed case again; its reply deadline starts again from now."""
        case = self.get(ctx, case_id)
        if case.status != "closed":
            raise Conflict("only a closed case can be reopened")
        reason = " ".join(reason.split())[:MAX_REASON]
        if not reason:
            raise InputError("say why the case is reopened")
        sla = self.settings.sla
        hours = sla.get(case.category) or sla.get(case.urgency) or sla.get("normal")
        due = self.clock() + timedelta(hours=hours.reply if hours else 240)

        def apply(row: CaseRow) -> dict[str, object]:
            row.status, row.closed_at, row.replied_at, row.reply_due = "open", None, None, due
            return {"reason": reason}

        changed = self.store.change(case.id, apply, event=("reopened", ctx.actor))
        self._audit(ctx, "cases.reopen", changed)
        return changed

    def _audit(self, ctx: CallContext, action: str, case: Case, **detail: object) -> None:
        detail = {"case": case.id, "department": case.department, **detail}
        case_audit.record(self.audit, ctx, action, case.desk, detail)
