"""Background jobs: submit one, follow it, cancel it, fetch its output.

Every kind of background job is a row of one jobs table and runs on one task queue; the
kinds are the service's handlers (`jobs.work`). `submit` queues a document job (translate,
summarise, draft, redact): its input is checked at once (file type, damage, size,
parameters), so a job that is queued can only fail on the model or on its content, and its
files are stored records (see `jobs.files`). `queue` is the way in for other kinds (an
upload into a collection, see `knowledge.upload_jobs`), which check their own input.
Every kind counts against its department's limit of jobs queued or running.

Who sees a job: its owner, its department's administrators and platform administrators.
Anyone else is told it does not exist (NotFound, not PermissionDenied), so job ids reveal
nothing. Auditors start no jobs and see none.

Jobs run on the task queue (`jobs.queue`, ADR 0011): `govpilot worker` processes anywhere
that reach the database and the broker, or the worker `govpilot serve` runs inside itself.
A job's row is committed before its message is sent, so an accepted job is never lost.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from govpilot.access import CallContext, Permission, Role, authorize
from govpilot.accounts.service import AccountService
from govpilot.audit.events import AuditEvent, AuditSink, utc_now
from govpilot.config import Settings
from govpilot.documents.model import Document
from govpilot.documents.writers import render_document
from govpilot.errors import (
    Conflict,
    GovpilotError,
    InputError,
    NotFound,
    RateLimited,
)
from govpilot.jobs.document_work import DocumentHandler
from govpilot.jobs.files import JobFiles, check_input, safe_name
from govpilot.jobs.models import ACTIVE_STATUSES, JOB_KINDS, MEDIA_TYPES, Job, JobResult
from govpilot.jobs.queue import JobQueue, build_celery
from govpilot.jobs.runner import JobRunner
from govpilot.jobs.store import JobStore
from govpilot.jobs.work import JobHandler, JobWork
from govpilot.jobs.worker import EmbeddedWorker, Sweeper, run_worker
from govpilot.storage.records import RecordStore

logger = logging.getLogger("govpilot.jobs")

#: Seconds a caller refused for the department's job limit is asked to wait.
RETRY_AFTER_S = 30
#: Whether a job's output may leave (see `JobService.result`): None, or the corrected text
#: that replaces it; raises Conflict while it is held for approval.
Release = Callable[[str], str | None]
MAX_LIST = 200


class JobService:
    """Queues jobs within each department's limit and shows them to those allowed."""

    def __init__(
        self,
        records: RecordStore,
        audit: AuditSink,
        accounts: AccountService,
        work: JobWork,
        settings: Settings,
        *,
        handlers: Mapping[str, JobHandler] | None = None,
        workers: int = 2,
        clock: Callable[[], datetime] = utc_now,
        release: Release | None = None,
    ) -> None:
        self.store = JobStore(records.database)
        self.records = records
        self.audit = audit
        self.accounts = accounts
        self.work = work
        self.settings = settings
        self.clock = clock
        self.workers = workers
        self.release = release
        self.files = JobFiles(records)
        jobs = settings.jobs
        documents = DocumentHandler(self.files, work)
        self.handlers: dict[str, JobHandler] = {kind: documents for kind in JOB_KINDS}
        self.handlers.update(handlers or {})
        self.runner = JobRunner(self.store, self.files, self.handlers, audit, jobs)
        self.celery = build_celery(jobs, jobs.resolved_broker_url(settings.home), self.runner.run)
        self.queue = JobQueue(self.celery, self.store)
        self.sweeper = Sweeper(self.store, self.queue, jobs, self.handlers)
        self.worker = EmbeddedWorker(self.celery, self.runner, self.sweeper, concurrency=workers)

    def start(self) -> JobService:
        """Run a queue worker inside this process (with its sweeper); returns when ready."""
        self.worker.start()
        return self

    def shutdown(self) -> None:
        """Stop this process's worker; unfinished jobs go back to the queue for any worker."""
        self.worker.stop()

    def run_worker(self, *, concurrency: int | None = None, pool: str = "threads") -> None:
        """Run a worker in the foreground (`govpilot worker`) until SIGTERM or Ctrl-C."""
        run_worker(self.celery, self.sweeper, concurrency=concurrency or self.workers, pool=pool)

    def submit(
        self,
        ctx: CallContext,
        kind: str,
        *,
        filename: str,
        data: bytes | None = None,
        text: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Job:
        """Check the input and queue a document job; RateLimited when the department is at
        its limit."""
        authorize(ctx, Permission.USE_COPILOT)
        if (data is None) == (text is None):
            raise InputError("give either a file or a text", hint="send one of them, not both")
        name = safe_name(filename, "text.txt" if text is not None else "upload")
        checked = self.work.check(ctx, kind, params, has_file=data is not None)
        source = check_input(self.settings, name, data, text)
        limit = self._job_limit(ctx.department)
        if self.store.active_count(ctx.department) >= limit:
            raise _limit_reached(limit)
        job_id = uuid.uuid4().hex
        raw = data if data is not None else (text or "").encode("utf-8")
        origin = "file" if data is not None else "text"
        keep = partial(self.files.keep, ctx.department, ctx.actor, job_id, kind)
        stored = [keep("input", name, raw, source.text, origin=origin)]
        try:
            # Instructions are content: kept as a record (erasable), not in the job's params.
            instructions = checked.pop("instructions", None)
            if instructions:
                raw = instructions.encode("utf-8")
                stored.append(keep("instructions", "instructions.txt", raw, instructions))
                checked["instructions_record_id"] = stored[-1]
            return self.queue_job(
                ctx,
                kind,
                job_id=job_id,
                params=checked,
                input_name=name,
                input_record_id=stored[0],
            )
        except BaseException:
            self.files.discard(stored)
            raise

    def queue_job(
        self,
        ctx: CallContext,
        kind: str,
        *,
        job_id: str,
        params: dict[str, Any],
        input_name: str,
        department: str | None = None,
        input_record_id: str | None = None,
        collection_id: str | None = None,
        also: Callable[[Any], None] | None = None,
    ) -> Job:
        """Store a job of `kind` (its input already checked and kept) and send it to the
        queue; RateLimited when the department is at its limit (nothing is stored then).

        `also(session)` adds the job's own rows in the same transaction as the job.
        """
        if kind not in self.handlers:
            raise InputError(f"there is no kind of job {kind!r}", hint="check the job kind")
        department = department or ctx.department
        limit = self._job_limit(department)
        job = self.store.insert(
            {
                "id": job_id,
                "department": department,
                "owner_id": ctx.user_id,
                "actor": ctx.actor,
                "kind": kind,
                "params": params,
                "input_name": input_name,
                "input_record_id": input_record_id,
                "collection_id": collection_id,
                "created_at": self.clock(),
                # Marked as sent before it is: a sweep between the commit and the send
                # must not send it twice. A failed send clears it for the sweep.
                "enqueued_at": self.clock(),
            },
            limit=limit,
            also=also,
        )
        if job is None:  # another submission took the last place meanwhile
            raise _limit_reached(limit)
        self._audit(ctx, job, "job.submit")
        # After the commit: a broker that is down delays the job (the sweep sends it later).
        if not self.queue.enqueue([job.id], record=False):
            self._quietly_unsent(job.id)
        return job

    def _quietly_unsent(self, job_id: str) -> None:
        try:
            self.store.mark_enqueued([job_id], None)
        except GovpilotError:  # the sweep re-sends it after requeue_after_s instead
            logger.warning("job %s: cannot mark it unsent", job_id)

    def cancel(self, ctx: CallContext, job_id: str) -> Job:
        """Cancel a queued or running job the caller may see (audited); Conflict if finished."""
        job = self.get(ctx, job_id)
        if job.status not in ACTIVE_STATUSES:
            raise Conflict(f"job {job.id} is {job.status} already", hint="there is nothing to stop")
        cancelled = self.store.cancel(job.id, self.clock())
        if cancelled is None or cancelled.status != "cancelled":
            raise Conflict(f"job {job.id} finished meanwhile", hint="there is nothing to stop")
        self._audit(ctx, job, "job.cancel", was=job.status)
        if job.status == "queued":  # no worker has it to let go of its work: done here
            self.runner.abandon(cancelled, "the job was cancelled", cancelled=True)
        return cancelled

    def get(self, ctx: CallContext, job_id: str) -> Job:
        """One job the caller may see; NotFound otherwise."""
        job = self.store.get(job_id)
        if job is None or not _visible(ctx, job):
            raise NotFound(f"no job {job_id!r}", hint="list your jobs to find its id")
        return job

    def list(self, ctx: CallContext, *, limit: int = 50) -> list[Job]:
        """The caller's own jobs, newest first."""
        return self.store.owned(ctx.user_id, ctx.actor, max(1, min(limit, MAX_LIST)))

    def result(self, ctx: CallContext, job_id: str) -> JobResult:
        """A finished job's output file and texts; Conflict while it is not done."""
        job = self.get(ctx, job_id)
        if job.status != "done" or not job.output_record_id or not job.output_name:
            hint = (
                f"it failed: {job.error}"
                if job.status == "failed"
                else "wait until its status is done"
            )
            raise Conflict(f"job {job.id} is {job.status}, not done", hint=hint)
        # A draft held for approval: refused until approved; a corrected one is the correction.
        corrected = self.release(job.id) if self.release is not None else None
        if job.owner_id is None or job.owner_id != ctx.user_id:
            # An administrator reading someone else's document leaves a trace.
            self._audit(ctx, job, "job.read", owner_id=job.owner_id)
        fmt = PurePosixPath(job.output_name).suffix.lstrip(".")
        data = (
            self.files.read(job.output_record_id)
            if corrected is None
            else render_document(Document.from_text(corrected), fmt)
        )
        return JobResult(
            filename=job.output_name,
            media_type=MEDIA_TYPES.get(fmt, "application/octet-stream"),
            data=data,
            text=self.files.text_of(data, job.output_name),
            source_text=self.files.input_document(job).text,
        )

    def wait(self, job_id: str, timeout: float = 30.0) -> Job:
        """The job once finished, or as it stands after `timeout` seconds (tests, the CLI)."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.store.get(job_id)
            if job is None:
                raise NotFound(f"no job {job_id!r}")
            if job.finished or time.monotonic() >= deadline:
                return job
            time.sleep(0.05)

    def _audit(self, ctx: CallContext, job: Job, action: str, **detail: Any) -> None:
        """One event about `job` by `ctx`, in the job's department: its id and kind, never
        its content."""
        self.audit.record(
            AuditEvent(
                actor=ctx.actor,
                department=job.department,
                action=action,
                channel=ctx.channel,
                detail={"job": job.id, "kind": job.kind, **detail},
            )
        )

    def _job_limit(self, department: str) -> int:
        found = self.accounts.find_department(department)
        return found.max_concurrent_jobs if found else self.accounts.settings.max_concurrent_jobs


def _visible(ctx: CallContext, job: Job) -> bool:
    if ctx.role == Role.PLATFORM_ADMIN:
        return True
    if ctx.role == Role.DEPARTMENT_ADMIN and ctx.department == job.department:
        return True
    if ctx.role in (Role.AUDITOR, Role.PUBLIC):
        return False
    if ctx.user_id is not None:
        return job.owner_id == ctx.user_id
    return job.owner_id is None and job.actor == ctx.actor and job.department == ctx.department


def _limit_reached(limit: int) -> RateLimited:
    return RateLimited(
        f"your department already has {limit} jobs queued or running",
        retry_after=RETRY_AFTER_S,
        hint="wait for one to finish, then submit again",
    )
