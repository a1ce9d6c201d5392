"""Human review in the loop: an output is held until a reviewer approves, corrects or
rejects it, and only then released.

A copilot draft marked for approval (every draft, when the copilot's drafting entry is
overseen in the loop) is stored (as the department's policy for job inputs says) and
queued as a review item of reason "approval". Nothing of it leaves while it waits: the
draft's text is not returned, a draft job's file is not given out. Approved, it is
released as drafted; corrected, as the reviewer's correction; rejected, never. The drafter
may not approve their own draft. The drafter, the application's reviewers and the
department's administrators may read the released text; auditors may read it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select

from govpilot.access import CallContext
from govpilot.audit.events import AuditEvent
from govpilot.errors import ConfigError, Conflict, InputError, NotFound
from govpilot.governance.reviews import ReviewItem, ReviewQueue, item_of
from govpilot.storage.governance_tables import ReviewItemRow
from govpilot.storage.records import RecordStore

SOURCE = "copilot_draft"
#: The channel of background jobs: their held draft is found again by its job id.
JOB_CHANNEL = "job"


class Approvals:
    """Holds outputs for approval and releases the approved ones."""

    def __init__(self, reviews: ReviewQueue, records: RecordStore | None) -> None:
        self.reviews = reviews
        self.records = records

    def required(self, ctx: CallContext) -> bool:
        """Whether the application `ctx` calls for is overseen in the loop."""
        register = self.reviews.register
        return register.entry(register.application_of(ctx)).oversight == "in_the_loop"

    def hold(
        self,
        ctx: CallContext,
        request: str,
        output: str,
        *,
        citations: Sequence[dict[str, Any]] = (),
    ) -> ReviewItem:
        """Queue `output` (asked for by `request`) for approval; its review item."""
        if self.records is None:
            raise ConfigError("approvals need the record store", hint="build them with one")
        if not output.strip():
            raise InputError("there is nothing to approve (the output is empty)")
        register = self.reviews.register
        app = register.entry(register.application_of(ctx))
        record_id = self.records.save_text(
            "job_inputs",
            app.department,
            ctx.actor,
            output,
            title=request,
            metadata={"capability": ctx.capability, "review": SOURCE},
        )
        job = ctx.session if ctx.channel == JOB_CHANNEL else None
        row = self.reviews.new_row(app, SOURCE, job or record_id, "approval", record_id, citations)
        with self.reviews.database.session(write=True) as session:
            if job:  # a retried job: its earlier, undecided draft gives way to this one
                session.execute(
                    delete(ReviewItemRow).where(
                        ReviewItemRow.source == SOURCE,
                        ReviewItemRow.source_id == job,
                        ReviewItemRow.status == "pending",
                    )
                )
            session.add(row)
        self.reviews.audit.record(
            AuditEvent(
                actor=ctx.actor,
                department=app.department,
                action="governance.hold",
                channel=ctx.channel,
                detail={"item": row.id, "source": SOURCE},
                application_id=app.id,
            )
        )
        return item_of(row)

    def release_job(self, job_id: str) -> str | None:
        """For a job's output: None when nothing holds it (or it was approved as it is), the
        corrected text when a reviewer corrected it; Conflict while it waits for approval or
        when it was rejected. The job service has already checked who is asking."""
        with self.reviews.database.session() as session:
            row = session.scalar(
                select(ReviewItemRow)
                .where(ReviewItemRow.source == SOURCE, ReviewItemRow.source_id == job_id)
                .order_by(ReviewItemRow.created_at.desc())
                .limit(1)
            )
        if row is None or row.status == "approved":
            return None
        self._check_decided(row.id, row.status, row.reviewer, row.note)
        return row.correction

    def released(self, caller: CallContext, item_id: str) -> str:
        """The text an approval released: as approved, or as corrected. Conflict while it
        waits or when it was rejected; NotFound for an item that holds no draft."""
        item = self.reviews.item(caller, item_id)
        if item.reason != "approval":
            raise NotFound(f"review item {item_id!r} holds no draft for approval")
        self._check_decided(item.id, item.status, item.reviewer, item.note)
        if item.status == "corrected":
            return item.correction
        if item.answer is None:
            raise Conflict(
                "the approved draft is no longer kept (its retention period ended)",
                hint="draft it again",
            )
        return item.answer

    @staticmethod
    def _check_decided(item_id: str, status: str, reviewer: str | None, note: str) -> None:
        where = f"review item {item_id}"
        if status == "pending":
            raise Conflict(
                f"this draft is waiting for approval ({where})",
                hint="it is released once a reviewer approves or corrects it",
            )
        if status == "rejected":
            why = f": {note}" if note else ""
            raise Conflict(
                f"this draft was rejected by {reviewer}{why} ({where})",
                hint="draft it again with what the reviewer asked for",
            )
