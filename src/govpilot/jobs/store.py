"""The job table: adding jobs within a department's limit, claiming, progress, finishing.

Claiming a job is one write transaction (`BEGIN IMMEDIATE` on SQLite, `FOR UPDATE SKIP
LOCKED` on PostgreSQL), so two workers never run the same job.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
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

    def insert(self, values: dict[str, Any], *, limit: int) -> Job | None:
        """Add a queued job unless its department already has `limit` active; None if so."""
        department = values["department"]
        with self._session(write=True) as session:
            # Locks the department's row on PostgreSQL so two submissions cannot both pass.
            session.get(DepartmentRow, department, with_for_update=True)
            if _active_count(session, department) >= limit:
                return None
            row = JobRow(
                status="queued",
                progress_done=0,
                progress_total=0,
                output_record_id=None,
                output_name=None,
                error=None,
                started_at=None,
                finished_at=None,
                **values,
            )
            session.add(row)
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

    def claim_next(self, now: datetime | None = None) -> Job | None:
        """Mark the oldest queued job running and return it; None when none is queued."""
        query = (
            select(JobRow)
            .where(JobRow.status == "queued")
            .order_by(JobRow.created_at, JobRow.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        with self._session(write=True) as session:
            row = session.scalars(query).first()
            if row is None:
                return None
            row.status = "running"
            row.started_at = now or utc_now()
            row.progress_done = 0
            session.flush()
            return Job.from_row(row)

    def set_progress(self, job_id: str, done: int, total: int) -> None:
        with self._session(write=True) as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == "running")
                .values(progress_done=done, progress_total=total)
            )

    def finish(
        self,
        job_id: str,
        *,
        output_record_id: str | None = None,
        output_name: str | None = None,
        error: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Mark a running job done (with its output) or failed (with `error`)."""
        with self._session(write=True) as session:
            row = session.get(JobRow, job_id, with_for_update=True)
            if row is None:
                return
            row.status = "failed" if error is not None else "done"
            row.error = error
            row.output_record_id = output_record_id
            row.output_name = output_name
            row.finished_at = now or utc_now()
            if error is None:
                row.progress_total = max(row.progress_total, 1)
                row.progress_done = row.progress_total

    def requeue(self, job_id: str) -> None:
        """Put one running job back in the queue (its worker is stopping)."""
        with self._session(write=True) as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == "running")
                .values(status="queued", started_at=None, progress_done=0)
            )

    def requeue_interrupted(self) -> int:
        """Put every running job back in the queue; how many there were."""
        with self._session(write=True) as session:
            result = session.execute(
                update(JobRow)
                .where(JobRow.status == "running")
                .values(status="queued", started_at=None, progress_done=0)
            )
            return int(getattr(result, "rowcount", 0) or 0)

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
