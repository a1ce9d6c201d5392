"""Uploads into a collection, indexed in the background: the web's and the API's way in.

`submit` checks the files (count, sent twice, too large, empty), writes the usable ones to
the spool folder (`upload_spool`), and stores a job of kind 'upload' in the one jobs table
with one ingest item per file, in one transaction, then sends it to the task queue - the
request does not wait for the embedder. A queue worker indexes it (`upload_ingest`) like
`govpilot ingest` runs one, so it is resumable after a crash and nothing is indexed twice;
`report` and `wait` follow it, and it can be cancelled like any job (`JobService.cancel`).
An upload counts against its department's limit of jobs queued or running.

Authorisation as for every knowledge change, here, once: MANAGE_KNOWLEDGE in the
collection's department to upload and to follow a job; another department's collection or
job is NotFound, for every role (the collection is looked up first: `KnowledgeBase.reach`).
The `knowledge.ingest` audit event is recorded when the job finishes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from govpilot.access import CallContext, Permission
from govpilot.errors import InputError, NotFound
from govpilot.jobs.service import JobService
from govpilot.knowledge.ingest import UPLOAD, item_rows
from govpilot.knowledge.ingest_plan import Planned
from govpilot.knowledge.ingest_report import IngestReport
from govpilot.knowledge.upload_spool import UploadSpool, latest_upload
from govpilot.knowledge.uploads import MAX_UPLOAD_FILES, UploadedFile, check_uploads

if TYPE_CHECKING:
    from govpilot.knowledge.knowledge_base import KnowledgeBase

__all__ = ["SPOOL_DIR", "UploadJobs"]

#: Where uploads wait to be indexed, in GOVPILOT_HOME.
SPOOL_DIR = "ingest-uploads"
_WAIT_STEP_S = 0.2


class UploadJobs:
    """Queues uploads as jobs and shows them to their department."""

    def __init__(
        self, knowledge: Callable[[], KnowledgeBase], spool: UploadSpool, jobs: JobService
    ) -> None:
        self.knowledge = knowledge
        self.spool = spool
        self.jobs = jobs

    def submit(
        self,
        ctx: CallContext,
        collection: str,
        files: Sequence[UploadedFile],
        department: str | None = None,
    ) -> IngestReport:
        """Store the files and queue them for indexing; the new job (MANAGE_KNOWLEDGE)."""
        knowledge = self.knowledge()
        found = knowledge.reach(ctx, Permission.MANAGE_KNOWLEDGE, collection, department)
        department = found.department
        if not files or len(files) > MAX_UPLOAD_FILES:
            raise InputError(
                f"{len(files)} files were uploaded; 1 to {MAX_UPLOAD_FILES} are accepted at once",
                hint="Send them in several requests, or ingest a folder with `govpilot ingest`.",
            )
        job_id = uuid.uuid4().hex
        planned = []
        try:
            for ordinal, upload in enumerate(check_uploads(files)):
                if upload.data is None:
                    action = "skip" if upload.outcome == "skipped" else "fail"
                    planned.append(Planned(upload.source, upload.source, action, upload.reason))
                else:
                    path = self.spool.save(job_id, ordinal, upload.data)
                    planned.append(Planned(str(path), upload.source, "upload"))
            self.spool.sync(job_id)
            self.jobs.queue_job(
                ctx,
                UPLOAD,
                job_id=job_id,
                params={"channel": ctx.channel},
                input_name=planned[0].source if len(planned) == 1 else f"{len(planned)} files",
                department=department,
                collection_id=found.id,
                also=lambda session: session.add_all(item_rows(job_id, planned)),
            )
        except BaseException:
            self.spool.remove(job_id)
            raise
        return knowledge.ingestor.report(job_id, department)

    def report(
        self, ctx: CallContext, collection: str, job_id: str, department: str | None = None
    ) -> IngestReport:
        """An ingest job of the collection: its state and each file's result (MANAGE_KNOWLEDGE)."""
        knowledge = self.knowledge()
        found = knowledge.reach(ctx, Permission.MANAGE_KNOWLEDGE, collection, department)
        report = knowledge.ingestor.report(job_id, found.department)
        if report.collection != found.name:
            raise NotFound(
                f"Collection {found.name!r} has no ingest job {job_id!r}.",
                hint="Use the job id the upload returned.",
            )
        return report

    def current(
        self, ctx: CallContext, collection: str, department: str | None = None
    ) -> IngestReport | None:
        """The collection's newest upload job while it is unfinished; else None."""
        knowledge = self.knowledge()
        found = knowledge.reach(ctx, Permission.MANAGE_KNOWLEDGE, collection, department)
        job_id = latest_upload(knowledge.database, found)
        if job_id is None:
            return None
        report = knowledge.ingestor.report(job_id, found.department)
        return None if report.finished else report

    def wait(
        self,
        ctx: CallContext,
        collection: str,
        job_id: str,
        *,
        timeout: float | None = None,
        department: str | None = None,
    ) -> IngestReport:
        """The job once finished, or as it stands after `timeout` seconds (None: no limit)."""
        report = self.report(ctx, collection, job_id, department)
        deadline = None if timeout is None else time.monotonic() + timeout
        ingestor = self.knowledge().ingestor
        while not report.finished and (deadline is None or time.monotonic() < deadline):
            time.sleep(_WAIT_STEP_S)
            report = ingestor.report(job_id, department or ctx.department)
        return report
