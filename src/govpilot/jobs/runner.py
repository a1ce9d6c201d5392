"""The background worker: a few threads that claim queued jobs and run them one at a time.

A job's failure is stored as a plain message (a govpilot error's message and hint; for an
unexpected error only its type, the traceback going to the log) and its input is kept.
When the runner stops, a job in progress is put back in the queue at its next progress
report; a job left `running` by a process that died is requeued when the next one starts.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from govpilot.access import CallContext, Role
from govpilot.audit.events import AuditEvent, AuditSink, Outcome
from govpilot.documents import render_document
from govpilot.errors import GovpilotError, PermissionDenied, StorageError
from govpilot.jobs.files import JobFiles
from govpilot.jobs.models import Job
from govpilot.jobs.store import JobStore
from govpilot.jobs.work import JobWork, Progress

logger = logging.getLogger("govpilot.jobs")

#: How often an idle worker looks for jobs that another process queued.
POLL_S = 2.0
CHANNEL = "job"


class _Stopping(Exception):
    """Raised inside a job at its next progress report once the runner is stopping."""


class JobRunner:
    """Runs queued jobs on `workers` threads until `stop()`."""

    def __init__(
        self,
        store: JobStore,
        files: JobFiles,
        work: JobWork,
        audit: AuditSink,
        *,
        workers: int = 2,
        poll_s: float = POLL_S,
    ) -> None:
        self.store = store
        self.files = files
        self.work = work
        self.audit = audit
        self.workers = workers
        self.poll_s = poll_s
        self._wakeup = threading.Condition()
        self._pending = False  # a wake-up that came while no worker was waiting
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the worker threads (a second call does nothing)."""
        if self._threads:
            return
        self._stopping.clear()
        for number in range(self.workers):
            thread = threading.Thread(
                target=self._work, name=f"govpilot-job-{number + 1}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """Tell an idle worker that a job was queued."""
        with self._wakeup:
            self._pending = True
            self._wakeup.notify()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the workers; a job in progress goes back to the queue at its next report."""
        if not self._threads:
            return
        self._stopping.set()
        with self._wakeup:
            self._wakeup.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                job = self.store.claim_next()
            except StorageError:
                logger.exception("cannot claim a job; trying again shortly")
                job = None
            if job is None:
                with self._wakeup:
                    if not self._pending:
                        self._wakeup.wait(self.poll_s)
                    self._pending = False
                continue
            try:
                self.run(job)
            except Exception:  # the thread must live on; the job is requeued at next start
                logger.exception("job %s: bookkeeping failed", job.id)

    def run(self, job: Job) -> None:
        """Run one claimed job to the end, storing its output or its error."""
        try:
            output_id, output_name, redactions = self._produce(job)
        except _Stopping:
            logger.info("stopping: job %s goes back to the queue", job.id)
            self._quietly(self.store.requeue, job.id)
            return
        except GovpilotError as exc:
            self._fail(job, str(exc))
            return
        except Exception as exc:
            logger.exception("job %s failed unexpectedly", job.id)
            self._fail(
                job,
                f"the job stopped on an unexpected error ({type(exc).__name__}) "
                "(submit it again; if it fails again, tell your administrator)",
            )
            return
        # Audited first: whoever sees the job finished also finds its event in the log.
        self._audit(job, "ok", "done", redactions)
        self._quietly(
            self.store.finish, job.id, output_record_id=output_id, output_name=output_name
        )

    def _produce(self, job: Job) -> tuple[str, str, dict[str, int]]:
        ctx = self._context(job)
        source = self.files.input_document(job)
        params = dict(job.params)
        instructions_id = params.pop("instructions_record_id", None)
        if instructions_id:
            params["instructions"] = self.files.read(str(instructions_id)).decode("utf-8")
        output = self.work.run(ctx, job.kind, source, params, job.input_name, self._reporter(job))
        data = render_document(output.document, output.fmt)
        record_id = self.files.keep(
            job.department,
            job.actor,
            job.id,
            job.kind,
            "output",
            output.filename,
            data,
            output.document.text,
        )
        return record_id, output.filename, output.redactions

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

    def _reporter(self, job: Job) -> Progress:
        last: tuple[int, int] | None = None

        def report(done: int, total: int) -> None:
            nonlocal last
            if self._stopping.is_set():
                raise _Stopping
            if (done, total) != last:
                last = (done, total)
                # Progress is advice to the user: a failed write must not fail the job.
                self._quietly(self.store.set_progress, job.id, done, total)

        return report

    def _fail(self, job: Job, message: str) -> None:
        self._audit(job, "error", "failed", {})
        self._quietly(self.store.finish, job.id, error=message)

    def _audit(self, job: Job, outcome: Outcome, status: str, redactions: dict[str, int]) -> None:
        event = AuditEvent(
            actor=job.actor,
            department=job.department,
            action="job.finish",
            outcome=outcome,
            channel=CHANNEL,
            redactions=dict(redactions),
            detail={"job": job.id, "kind": job.kind, "status": status},
        )
        self._quietly(self.audit.record, event)

    @staticmethod
    def _quietly(action: Any, *args: Any, **kwargs: Any) -> None:
        # A worker thread must outlive a database hiccup; a job left running is requeued.
        try:
            action(*args, **kwargs)
        except GovpilotError:
            logger.exception("job bookkeeping failed")
