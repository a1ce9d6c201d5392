"""The queue's handler of upload jobs: a queue worker indexes a job's stored files.

A job runs through `Ingestor.run`, so each file is idempotent and a job interrupted
anywhere (a worker stopped or killed, a retry after a database hiccup) is continued by the
next attempt without duplicates. When its files are done, `knowledge.ingest` is audited for
whoever queued it, before the runtime marks the job finished (so whoever sees it finished
also finds its event). A job that fails (its attempts used up, or an error that is not
transient) or is cancelled has its remaining files failed with the reason, and its stored
bytes go. Now and then a worker sweeps the spool of files no unfinished job needs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from govpilot.access import CallContext
from govpilot.audit.events import AuditEvent, Outcome
from govpilot.errors import GovpilotError, NotFound
from govpilot.jobs.models import Job
from govpilot.jobs.work import Finished, JobInterrupted, Progress
from govpilot.knowledge.ingest_report import IngestReport
from govpilot.knowledge.upload_spool import UploadSpool, unfinished

if TYPE_CHECKING:
    from govpilot.knowledge.knowledge_base import KnowledgeBase

__all__ = ["UploadIngest"]

log = logging.getLogger(__name__)

#: How often one worker process sweeps the spool of what no unfinished job needs.
SWEEP_EVERY_S = 600.0


class UploadIngest:
    """Runs upload jobs (kind 'upload') for the job runtime."""

    def __init__(self, knowledge: Callable[[], KnowledgeBase], spool: UploadSpool) -> None:
        self.knowledge = knowledge
        self.spool = spool
        self._swept_at: float | None = None
        self._sweep_lock = threading.Lock()

    def perform(self, ctx: CallContext, job: Job, progress: Progress) -> Finished:
        knowledge = self.knowledge()
        self._sweep_now_and_then(knowledge)
        try:
            report = knowledge.ingestor.run(
                job.id,
                job.department,
                progress=lambda done, total, _source: progress(done, total),
                finish=False,
            )
        except (NotFound, JobInterrupted):
            self._clear_if_gone(knowledge, job)
            raise
        self._audit(knowledge, job, report, "ok")
        self.spool.remove(job.id)
        return Finished()

    def abandon(self, job: Job, reason: str, *, cancelled: bool = False) -> None:
        knowledge = self.knowledge()
        message = (
            "The upload was cancelled before this file was indexed."
            if cancelled
            else f"Indexing stopped: {reason.rstrip('.')}. Upload the file again."
        )
        try:
            report = knowledge.ingestor.abandon(job.id, job.department, message)
        except NotFound:  # its collection was deleted, and the job with it
            self._clear_if_gone(knowledge, job)
            return
        finally:
            self.spool.remove(job.id)
        if not cancelled:
            self._audit(knowledge, job, report, "error")

    def _clear_if_gone(self, knowledge: KnowledgeBase, job: Job) -> None:
        """Its collection was deleted meanwhile: what a file in progress may have left
        behind in the index goes too."""
        if job.collection_id is None or knowledge.collections.exists(job.collection_id):
            return
        knowledge.retriever.remove_collection(job.collection_id)
        self.spool.remove(job.id)

    def _sweep_now_and_then(self, knowledge: KnowledgeBase) -> None:
        with self._sweep_lock:
            now = time.monotonic()
            if self._swept_at is not None and now - self._swept_at < SWEEP_EVERY_S:
                return
            self._swept_at = now
        try:
            self.spool.sweep(unfinished(knowledge.database))
        except GovpilotError:
            log.exception("cannot sweep the stored uploads; trying again later")

    @staticmethod
    def _audit(knowledge: KnowledgeBase, job: Job, report: IngestReport, outcome: Outcome) -> None:
        if knowledge.audit is None:
            return
        event = AuditEvent(
            actor=job.actor,
            department=job.department,
            action="knowledge.ingest",
            outcome=outcome,
            channel=str(job.params.get("channel") or "web"),
            detail={"collection": job.collection_id, "job": job.id, "counts": report.counts},
        )
        try:
            knowledge.audit.record(event)
        except GovpilotError:
            log.exception("upload job %s: cannot record its audit event", job.id)
