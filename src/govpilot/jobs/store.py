"""The job table: adding jobs within a department's limit, claiming, progress, finishing.

The broker only says "run job X"; the row says whether that is still to do. Claiming is one
write transaction (`BEGIN IMMEDIATE` on SQLite, `FOR UPDATE` on PostgreSQL) that takes a
queued job, or a running one whose worker's lease ran out, and counts the attempt; finishing
is conditional on that attempt still holding the job. So two workers never both complete
a job, and a worker that died mid-job leaves it to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from govpilot.audit.events import utc_now
from govpilot.jobs.models import ACTIVE_STATUSES, Job
from govpilot.storage.account_tables import DepartmentRow, UserRow
from govpilot.storage.db import Database
from govpilot.storage.job_tables import JobRow


class JobStore:
    """Reads and writes job rows; knows nothing of who may see them."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def _session(self, *, write: bool = False) -> AbstractContextManager[Session]:
        return self.database.session(write=write, what="jobs")

    def active_count(self, department: str) -> int:
        """How many of the department's jobs are queued or running."""
        with self._session() as session:
            return _active_count(session, department)

    def insert(
        self,
        values: dict[str, Any],
        *,
        limit: int | None,
        also: Callable[[Session], None] | None = None,
    ) -> Job | None:
        """Add a job (queued unless `values` say otherwise) unless its department already
        has `limit` active (None: no limit); None if so. `also` adds the job's own rows
        (an ingest job's files) in the same transaction."""
        department = values["department"]
        with self._session(write=True) as session:
            if limit is not None:
                # Locks the department's row on PostgreSQL so two submissions cannot both pass.
                session.get(DepartmentRow, department, with_for_update=True)
                if _active_count(session, department) >= limit:
                    return None
            defaults: dict[str, Any] = {
                "status": "queued",
                "progress_done": 0,
                "progress_total": 0,
                "output_record_id": None,
                "output_name": None,
                "error": None,
                "started_at": None,
                "finished_at": None,
            }
            row = JobRow(**(defaults | values))
            session.add(row)
            session.flush()
            if also is not None:
                also(session)
                session.flush()
            return Job.from_row(row)

    def get(self, job_id: str) -> Job | None:
        with self._session() as session:
            row = session.get(JobRow, job_id)
            return Job.from_row(row) if row else None

    def owned(self, owner_id: str | None, actor: str, limit: int) -> list[Job]:
        """Jobs of one owner (by account; by actor for callers without one), newest first."""
        query = select(JobRow).order_by(JobRow.created_at.desc(), JobRow.id).limit(limit)
        if owner_id is not None:
            query = query.where(JobRow.owner_id == owner_id)
        else:
            query = query.where(JobRow.owner_id.is_(None), JobRow.actor == actor)
        with self._session() as session:
            return [Job.from_row(row) for row in session.scalars(query)]

    def claim(self, job_id: str, lease_s: float, now: datetime | None = None) -> Job | None:
        """Start an attempt at the job: queued, or running with its lease run out; else None."""
        now = now or utc_now()
        with self._session(write=True) as session:
            row = session.get(JobRow, job_id, with_for_update=True)
            if row is None:
                return None
            lapsed = row.status == "running" and (row.lease_until is None or row.lease_until < now)
            if row.status != "queued" and not lapsed:
                return None
            row.status = "running"
            row.attempts = (row.attempts or 0) + 1
            row.lease_until = now + timedelta(seconds=lease_s)
            row.started_at = now
            row.progress_done = 0
            session.flush()
            return Job.from_row(row)

    def renew(
        self,
        job_id: str,
        attempt: int,
        lease_s: float,
        *,
        progress: tuple[int, int] | None = None,
        now: datetime | None = None,
    ) -> str | None:
        """Extend the attempt's lease (and record progress); the job's status, None if gone.

        A status other than "running" (cancelled), or another attempt holding the job, tells
        the worker to stop.
        """
        now = now or utc_now()
        with self._session(write=True) as session:
            row = session.get(JobRow, job_id)
            if row is None:
                return None
            if row.status != "running" or row.attempts != attempt:
                return row.status if row.status != "running" else "taken"
            row.lease_until = now + timedelta(seconds=lease_s)
            if progress is not None:
                row.progress_done, row.progress_total = progress
            return row.status

    def finish(
        self,
        job_id: str,
        attempt: int,
        *,
        output_record_id: str | None = None,
        output_name: str | None = None,
        error: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Mark the attempt's job done (with its output) or failed (with `error`).

        False, changing nothing, when the attempt no longer holds the job (it was cancelled,
        or its lease ran out and another worker took it over).
        """
        with self._session(write=True) as session:
            row = session.get(JobRow, job_id, with_for_update=True)
            if row is None or row.status != "running" or row.attempts != attempt:
                return False
            row.status = "failed" if error is not None else "done"
            row.error = error
            row.output_record_id = output_record_id
            row.output_name = output_name
            row.finished_at = now or utc_now()
            row.lease_until = None
            if error is None:
                row.progress_total = max(row.progress_total, 1)
                row.progress_done = row.progress_total
            return True

    def release(self, job_id: str, attempt: int, *, enqueued: bool) -> None:
        """Put the attempt's job back in the queue (a retry, or its worker stopping)."""
        with self._session(write=True) as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == "running", JobRow.attempts == attempt)
                .values(
                    status="queued",
                    started_at=None,
                    progress_done=0,
                    lease_until=None,
                    enqueued_at=utc_now() if enqueued else None,
                )
            )

    def mark_enqueued(self, job_ids: list[str], when: datetime | None) -> None:
        """Record that the jobs' messages went to the broker (None: they must go again)."""
        if not job_ids:
            return
        with self._session(write=True) as session:
            session.execute(update(JobRow).where(JobRow.id.in_(job_ids)).values(enqueued_at=when))

    def to_enqueue(
        self, requeue_after_s: float, kinds: Collection[str], now: datetime | None = None
    ) -> list[str]:
        """Jobs of `kinds` (those the queue runs) that need a message: queued and never (or
        long ago) enqueued, or running with their worker's lease run out (the worker died).
        Oldest first."""
        now = now or utc_now()
        stale = now - timedelta(seconds=requeue_after_s)
        waiting = (JobRow.status == "queued") & (
            JobRow.enqueued_at.is_(None) | (JobRow.enqueued_at < stale)
        )
        lapsed = (JobRow.status == "running") & (
            JobRow.lease_until.is_(None) | (JobRow.lease_until < now)
        )
        query = (
            select(JobRow.id)
            .where(JobRow.kind.in_(list(kinds)), waiting | lapsed)
            .order_by(JobRow.created_at)
            .limit(500)
        )
        with self._session() as session:
            return list(session.scalars(query))

    def cancel(self, job_id: str, now: datetime | None = None) -> Job | None:
        """Cancel a queued or running job (its worker stops at its next lease renewal)."""
        with self._session(write=True) as session:
            row = session.get(JobRow, job_id, with_for_update=True)
            if row is None:
                return None
            if row.status in ACTIVE_STATUSES:
                row.status = "cancelled"
                row.finished_at = now or utc_now()
                row.lease_until = None
            session.flush()
            return Job.from_row(row)

    def owner_role(self, owner_id: str) -> tuple[str, bool] | None:
        """The owner's role now and whether the account is disabled; None if it is gone."""
        with self._session() as session:
            row = session.get(UserRow, owner_id)
            return (row.role, row.disabled) if row else None


def _active_count(session: Session, department: str) -> int:
    query = select(func.count()).where(
        JobRow.department == department, JobRow.status.in_(ACTIVE_STATUSES)
    )
    return int(session.scalar(query) or 0)
