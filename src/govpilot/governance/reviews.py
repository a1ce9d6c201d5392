"""Human review queues, by the application's oversight mode.

On the loop: a sampled share of a bot's answers (the entry's `review_sample`), every answer
the bot's checks flagged (hostile input, low confidence) and every answer rated thumbs-down
go to the queue after they were given. A reviewer sees the question, the answer (as stored,
redacted per policy), its citations and passages, and gives a verdict: approved, rejected
or corrected (with the correct answer). One reviewer decides an item: the second one to
try is told it was decided. Verdicts and who gave them are audited.

In the loop (`governance.approvals`): held drafts are items of reason "approval"; their
drafter may read them but not decide them.

Officers see the items of the applications they are assigned to review, and their own
held drafts; department administrators their department's; auditors every department's.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, select, update

from govpilot.access import CallContext, Permission, Role, authorize, visible_departments
from govpilot.audit.events import AuditEvent, AuditSink
from govpilot.errors import Conflict, InputError, NotFound, PermissionDenied
from govpilot.governance.register import AiRegister, Application
from govpilot.storage.bot_tables import BotTurnRow
from govpilot.storage.db import Database
from govpilot.storage.governance_tables import ReviewItemRow
from govpilot.storage.record_tables import StoredRecordRow

VERDICTS = ("approved", "rejected", "corrected")
#: Below this first-token confidence the bot's answer counts as flagged.
LOW_CONFIDENCE = 0.5


@dataclass
class ReviewItem:
    """An output waiting for, or given, a verdict; with its texts when read one by one."""

    id: str
    application_id: str
    department: str
    source: str
    source_id: str
    reason: str
    status: str
    citations: list[dict[str, Any]]
    created_at: datetime
    reviewer: str | None = None
    note: str = ""
    correction: str = ""
    decided_at: datetime | None = None
    question: str | None = None
    answer: str | None = None
    #: Who the stored output belongs to (the drafter of a held draft), when read one by one.
    owner: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["created_at"] = self.created_at.isoformat()
        data["decided_at"] = self.decided_at.isoformat() if self.decided_at else None
        return data


def item_of(row: ReviewItemRow) -> ReviewItem:
    return ReviewItem(
        id=row.id,
        application_id=row.application_id,
        department=row.department,
        source=row.source,
        source_id=row.source_id,
        reason=row.reason,
        status=row.status,
        citations=list(row.citations),
        created_at=row.created_at,
        reviewer=row.reviewer,
        note=row.note,
        correction=row.correction,
        decided_at=row.decided_at,
    )


class ReviewQueue:
    """Offers outputs for review and records verdicts."""

    def __init__(
        self,
        database: Database,
        register: AiRegister,
        audit: AuditSink,
        *,
        chance: Callable[[], float] = random.random,
    ) -> None:
        self.database = database
        self.register = register
        self.audit = audit
        self.chance = chance

    def offer_answer(
        self,
        ctx: CallContext,
        turn_id: str,
        citations: Sequence[dict[str, Any]],
        *,
        flagged: bool,
        reason: str | None = None,
    ) -> ReviewItem | None:
        """Queue a bot's answer if it was flagged, or if the sample draws it; None if not."""
        app_id = self.register.application_of(ctx)
        app = self.register.entry(app_id)
        if reason is None:
            if flagged:
                reason = "flagged"
            elif app.oversight != "out_of_the_loop" and self.chance() < app.review_sample:
                reason = "sampled"
            else:
                return None
        with self.database.session() as session:
            record_id = session.scalar(select(BotTurnRow.record_id).where(BotTurnRow.id == turn_id))
        row = self.new_row(app, "bot_turn", turn_id, reason, record_id, citations)
        with self.database.session(write=True) as session:
            session.add(row)
        return item_of(row)

    @staticmethod
    def new_row(
        app: Application,
        source: str,
        source_id: str,
        reason: str,
        record_id: str | None,
        citations: Sequence[dict[str, Any]],
    ) -> ReviewItemRow:
        return ReviewItemRow(
            id=uuid.uuid4().hex,
            application_id=app.id,
            department=app.department,
            source=source,
            source_id=source_id,
            reason=reason,
            record_id=record_id,
            citations=[dict(c) for c in citations],
            status="pending",
            reviewer=None,
            note="",
            correction="",
            created_at=datetime.now(UTC),
            decided_at=None,
        )

    def queue(
        self, caller: CallContext, *, status: str = "pending", application_id: str | None = None
    ) -> list[ReviewItem]:
        """Items the caller may see, oldest first: a department admin's department's, an
        officer's of the applications it is assigned to, every department's for auditors."""
        authorize(caller, Permission.READ_GOVERNANCE)
        seen = visible_departments(caller, Permission.READ_GOVERNANCE)
        query = select(ReviewItemRow).order_by(ReviewItemRow.created_at).limit(500)
        if status:
            query = query.where(ReviewItemRow.status == status)
        if seen is not None:
            query = query.where(ReviewItemRow.department.in_(seen))
        if application_id:
            query = query.where(ReviewItemRow.application_id == application_id)
        with self.database.session() as session:
            items = [item_of(row) for row in session.scalars(query)]
        if caller.role == Role.OFFICER.value:
            assigned = {a.id for a in self.register.list(caller) if caller.actor in a.reviewers}
            items = [i for i in items if i.application_id in assigned]
        return items

    def item(self, caller: CallContext, item_id: str) -> ReviewItem:
        """One item with its question and answer; NotFound for another department's, and
        for an officer's who neither reviews its application nor drafted it."""
        seen = visible_departments(caller, Permission.READ_GOVERNANCE)
        with self.database.session() as session:
            row = session.get(ReviewItemRow, item_id)
            if row is None or (seen is not None and row.department not in seen):
                raise NotFound(f"no review item {item_id!r}")
            item = item_of(row)
            record = session.get(StoredRecordRow, row.record_id) if row.record_id else None
            if record is not None:
                item.question, item.answer = record.title, record.content
                item.owner = record.owner
        officer = caller.role == Role.OFFICER.value
        if officer and caller.actor != item.owner and not self._reviews(caller, item):
            raise NotFound(f"no review item {item_id!r}")
        return item

    def _reviews(self, caller: CallContext, item: ReviewItem) -> bool:
        return caller.actor in self.register.entry(item.application_id).reviewers

    def decide(
        self,
        caller: CallContext,
        item_id: str,
        verdict: str,
        *,
        note: str = "",
        correction: str = "",
    ) -> ReviewItem:
        """Give the verdict on a pending item; Conflict if someone decided it first."""
        if verdict not in VERDICTS:
            raise InputError(f"a verdict is one of {', '.join(VERDICTS)}, not {verdict!r}")
        if verdict == "corrected" and not correction.strip():
            raise InputError("a correction needs the corrected answer")
        current = self.item(caller, item_id)  # NotFound before PermissionDenied
        authorize(caller, Permission.REVIEW_OUTPUTS, current.department)
        app = self.register.entry(current.application_id)
        self._check_assigned(caller, app)
        if current.reason == "approval" and current.owner == caller.actor:
            raise PermissionDenied(
                "you cannot approve your own draft",
                hint="another reviewer of the department decides it",
            )
        now = datetime.now(UTC)
        with self.database.session(write=True) as session:
            result = session.execute(
                update(ReviewItemRow)
                .where(ReviewItemRow.id == item_id, ReviewItemRow.status == "pending")
                .values(
                    status=verdict,
                    reviewer=caller.actor,
                    note=note.strip(),
                    correction=correction.strip(),
                    decided_at=now,
                )
            )
            changed = result.rowcount if isinstance(result, CursorResult) else 0
        if not changed:
            decided = self.item(caller, item_id)
            raise Conflict(
                f"this item was already decided ({decided.status}) by {decided.reviewer}",
                hint="take the next item in the queue",
            )
        self.audit.record(
            AuditEvent(
                actor=caller.actor,
                department=current.department,
                action="governance.review",
                channel=caller.channel,
                detail={"item": item_id, "verdict": verdict, "reason": current.reason},
                application_id=current.application_id,
            )
        )
        return self.item(caller, item_id)

    @staticmethod
    def _check_assigned(caller: CallContext, app: Application) -> None:
        if caller.role == Role.OFFICER.value and caller.actor not in app.reviewers:
            raise PermissionDenied(
                "you are not assigned to review this application",
                hint="a department administrator can add you to its reviewers",
            )
