"""One attempt at one job, as a queue worker runs it: claim, work, store the outcome.

The broker's message says only which job; the row decides (see `jobs.store`). The work
itself is the handler of the job's kind (`jobs.work`). While it runs, a heartbeat renews
the attempt's lease, so a worker killed mid-job leaves a lease that runs out and the job
goes to another worker; the heartbeat also notices a cancelled job and stops the work at
its next progress report.

A transient failure (a model server down, a database hiccup) puts the job back in the queue
with a growing delay; a job that has been tried `max_attempts` times fails with the reason,
so a poison job never blocks the queue. A job's failure is stored as a plain message (a
govpilot error's message and hint; for an unexpected error only its type, the traceback
going to the log) and its input is kept.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govpilot.access import CallContext, Role
from govpilot.audit.events import AuditEvent, AuditSink, Outcome
from govpilot.config import JobSettings
from govpilot.errors import GovpilotError, ModelUnavailable, PermissionDenied, StorageError
from govpilot.jobs.files import JobFiles
from govpilot.jobs.models import Job
from govpilot.jobs.store import JobStore
from govpilot.jobs.work import Finished, JobHandler, JobInterrupted, Progress

logger = logging.getLogger("govpilot.jobs")

CHANNEL = "job"


@dataclass(frozen=True)
class Attempt:
    """What became of one attempt: finished (or nothing to do), or to be retried later."""

    job_id: str
    outcome: str  # "done", "failed", "skipped", "cancelled", "retry", "released"
    retry_in: float | None = None


class JobRunner:
    """Runs one attempt at a job; `stop()` makes attempts in progress hand their jobs back."""

    def __init__(
        self,
        store: JobStore,
        files: JobFiles,
        handlers: Mapping[str, JobHandler],
        audit: AuditSink,
        settings: JobSettings,
    ) -> None:
        self.store = store
        self.files = files
        self.handlers = dict(handlers)
        self.audit = audit
        self.settings = settings
        self._stopping = threading.Event()
        self._active = 0
        self._active_lock = threading.Lock()

    @property
    def busy(self) -> bool:
        """True while an attempt is running in this process."""
        return self._active > 0

    def stop(self) -> None:
        """Make running attempts hand their jobs back to the queue at their next report."""
        self._stopping.set()

    def resume(self) -> None:
        self._stopping.clear()

    def run(self, job_id: str) -> Attempt:
        """Claim the job and run it to the end, storing its output or its error."""
        with self._active_lock:
            self._active += 1
        try:
            return self._attempt(job_id)
        finally:
            with self._active_lock:
                self._active -= 1

    def _attempt(self, job_id: str) -> Attempt:
        lease = self.settings.lease_s
        try:
            job = self.store.claim(job_id, lease)
        except StorageError as exc:
            logger.warning("job %s: cannot claim it (%s); trying again", job_id, exc)
            return Attempt(job_id, "retry", self._delay(1))
        if job is None:
            return Attempt(job_id, "skipped")  # done, cancelled, or another worker has it
        if job.attempts > self.settings.max_attempts:
            message = (
                f"the job was started {job.attempts - 1} times and never finished (its worker "
                "stopped each time); submit it again, and tell your administrator if it recurs"
            )
            self._fail(job, message)
            return Attempt(job_id, "failed")
        handler = self.handlers.get(job.kind)
        if handler is None:
            self._fail(job, f"this worker cannot run jobs of kind {job.kind!r}")
            return Attempt(job_id, "failed")
        heartbeat = _Heartbeat(self.store, job, lease, self._stopping)
        try:
            with heartbeat:
                finished = handler.perform(self._context(job), job, heartbeat.report)
                self._check_kept(heartbeat, finished)
        except JobInterrupted as stop:
            return self._interrupted(job, stop.reason)
        except GovpilotError as exc:
            if _transient(exc) and job.attempts < self.settings.max_attempts:
                delay = self._delay(job.attempts)
                logger.info("job %s: %s; retrying in %.0f s", job.id, exc, delay)
                self._quietly(self.store.release, job.id, job.attempts, enqueued=True)
                return Attempt(job_id, "retry", delay)
            self._fail(job, str(exc))
            return Attempt(job_id, "failed")
        except Exception as exc:
            logger.exception("job %s failed unexpectedly", job.id)
            self._fail(
                job,
                f"the job stopped on an unexpected error ({type(exc).__name__}) "
                "(submit it again; if it fails again, tell your administrator)",
            )
            return Attempt(job_id, "failed")
        # Audited first, while the attempt still holds the job (renewing its lease), so that
        # whoever sees the job finished also finds its event.
        if self._holds(job):
            self._audit(job, "ok", "done", finished.redactions)
            if self.store.finish(
                job.id,
                job.attempts,
                output_record_id=finished.output_record_id,
                output_name=finished.output_name,
            ):
                return Attempt(job_id, "done")
        # Cancelled or taken over meanwhile: this attempt's output is not the job's.
        self._discard(finished)
        return Attempt(job_id, "skipped")

    def _check_kept(self, heartbeat: _Heartbeat, finished: Finished) -> None:
        """A last check before finishing; an interrupted attempt's output is thrown away."""
        try:
            heartbeat.check()
        except JobInterrupted:
            self._discard(finished)
            raise

    def _discard(self, finished: Finished) -> None:
        if finished.output_record_id is not None:
            self._quietly(self.files.discard, [finished.output_record_id])

    def _interrupted(self, job: Job, reason: str) -> Attempt:
        if reason == "stopping":
            logger.info("stopping: job %s goes back to the queue", job.id)
            self._quietly(self.store.release, job.id, job.attempts, enqueued=False)
            return Attempt(job.id, "released")
        if reason == "cancelled":
            self.abandon(job, "the job was cancelled", cancelled=True)
            self._audit(job, "ok", "cancelled", {})
            return Attempt(job.id, "cancelled")
        return Attempt(job.id, "skipped")

    def _context(self, job: Job) -> CallContext:
        # The owner's role now, not at submission: a disabled account's jobs do not run.
        role = Role.OFFICER.value
        if job.owner_id is not None:
            found = self.store.owner_role(job.owner_id)
            if found is None or found[1]:
                raise PermissionDenied(
                    "the account that submitted this job is disabled or gone",
                    hint="ask your department administrator to enable it, then submit again",
                )
            role = found[0]
        return CallContext(
            actor=job.actor,
            department=job.department,
            capability=job.kind,
            channel=CHANNEL,
            session=job.id,  # one pseudonym vault for the whole job
            role=role,
            user_id=job.owner_id,
        )

    def _delay(self, attempt: int) -> float:
        return float(self.settings.retry_backoff_s * 2 ** max(0, attempt - 1))

    def _fail(self, job: Job, message: str) -> None:
        if self._holds(job):  # audited first, as for a job done
            self.abandon(job, message)
            self._audit(job, "error", "failed", {})
            self.store.finish(job.id, job.attempts, error=message)

    def abandon(self, job: Job, reason: str, *, cancelled: bool = False) -> None:
        """Have the job's handler let go of its work (the job failed or was cancelled)."""
        handler = self.handlers.get(job.kind)
        if handler is None:
            return
        try:
            handler.abandon(job, reason, cancelled=cancelled)
        except Exception:  # its job is finished all the same
            logger.exception("job %s: cannot let go of its work", job.id)

    def _holds(self, job: Job) -> bool:
        """True while this attempt still holds the job; its lease is renewed on the way."""
        try:
            return self.store.renew(job.id, job.attempts, self.settings.lease_s) == "running"
        except GovpilotError:
            logger.exception("job %s: cannot read it to finish it; it runs again later", job.id)
            return False

    def _audit(self, job: Job, outcome: Outcome, status: str, redactions: dict[str, int]) -> None:
        event = AuditEvent(
            actor=job.actor,
            department=job.department,
            action="job.finish",
            outcome=outcome,
            channel=CHANNEL,
            redactions=dict(redactions),
            detail={"job": job.id, "kind": job.kind, "status": status, "attempt": job.attempts},
        )
        self._quietly(self.audit.record, event)

    @staticmethod
    def _quietly(action: Any, *args: Any, **kwargs: Any) -> None:
        # A worker must outlive a database hiccup; a job left running is taken over later.
        try:
            action(*args, **kwargs)
        except GovpilotError:
            logger.exception("job bookkeeping failed")


def _transient(error: GovpilotError) -> bool:
    return isinstance(error, ModelUnavailable) or bool(getattr(error, "transient", False))


class _Heartbeat:
    """Renews an attempt's lease every third of it, and relays why the work should stop."""

    def __init__(self, store: JobStore, job: Job, lease_s: float, stopping: threading.Event):
        self.store = store
        self.job = job
        self.lease_s = lease_s
        self.stopping = stopping
        self._done = threading.Event()
        self._reason: str | None = None
        self._last: tuple[int, int] | None = None
        self._thread = threading.Thread(
            target=self._beat, name=f"govpilot-lease-{job.id[:8]}", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(5)

    @property
    def report(self) -> Progress:
        return self._report

    def _report(self, done: int, total: int) -> None:
        self.check()
        if (done, total) != self._last:
            self._last = (done, total)
            self._renew((done, total))
            self.check()

    def check(self) -> None:
        """Raise JobInterrupted if the job was cancelled, taken over, or the worker is stopping."""
        if self.stopping.is_set():
            raise JobInterrupted("stopping")
        if self._reason is not None:
            raise JobInterrupted(self._reason)

    def _beat(self) -> None:
        while not self._done.wait(self.lease_s / 3):
            self._renew(None)

    def _renew(self, progress: tuple[int, int] | None) -> None:
        # Progress is advice to the user, the lease a promise: a failed write is retried
        # at the next beat rather than failing the job.
        try:
            status = self.store.renew(
                self.job.id, self.job.attempts, self.lease_s, progress=progress
            )
        except GovpilotError:
            logger.warning("job %s: cannot renew its lease; trying again", self.job.id)
            return
        if status == "cancelled":
            self._reason = "cancelled"
        elif status != "running":
            self._reason = "taken"  # gone, finished or held by another attempt
