"""The upload worker: one thread that indexes queued upload jobs, oldest first, to the end.

Only the process holding `GOVPILOT_HOME/ingest.lock` runs it (as `jobs.worker_lock`
explains for copilot jobs); another process stands by and takes over once the holder is
gone. The holder first sweeps the stored files of jobs that finished or were never stored,
then runs jobs: unfinished ones a stopped process left behind first, as they are the oldest.

A job runs through `Ingestor.run`, so each file is idempotent and a job interrupted
anywhere (a stop, a crash) is continued without duplicates. On `stop` the job in progress
stops before its next file and stays unfinished for the next start. A database or index
failure fails the job's remaining files with the reason, so nobody waits for ever. When the
files are done, `knowledge.ingest` is audited for whoever queued it (outside any write
transaction), and only then is the job marked finished, so whoever sees it finished also
finds its event; a crash between the two records the event again at the next start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from govpilot.audit.events import AuditEvent, Outcome
from govpilot.errors import GovpilotError, NotFound
from govpilot.jobs.worker_lock import WorkerLock
from govpilot.knowledge.ingest_report import IngestReport
from govpilot.knowledge.upload_queue import QueuedJob, UploadSpool, next_queued, unfinished

if TYPE_CHECKING:
    from govpilot.knowledge.knowledge_base import KnowledgeBase

__all__ = ["UploadWorker"]

log = logging.getLogger(__name__)

#: How often an idle worker looks for jobs that another process queued.
POLL_S = 2.0
#: How often a process standing by tries to take the lock.
STANDBY_S = 10.0
#: The longest pause after a failure to read the queue (doubling from POLL_S).
MAX_BACKOFF_S = 60.0


class _Stopping(Exception):
    """Raised inside a job before its next file once the worker is stopping."""


class UploadWorker:
    """Runs queued upload jobs on one thread until `stop()`."""

    def __init__(
        self,
        knowledge: Callable[[], KnowledgeBase],
        spool: UploadSpool,
        *,
        lock_path: Path | None = None,
        poll_s: float = POLL_S,
        standby_s: float = STANDBY_S,
    ) -> None:
        self.knowledge = knowledge
        self.spool = spool
        self.lock = WorkerLock(lock_path) if lock_path is not None else None
        self.poll_s = poll_s
        self.standby_s = standby_s
        self._wakeup = threading.Condition()
        self._pending = False  # a wake-up that came while the worker was busy
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while the thread lives (running jobs, or standing by for the lock)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (a second call does nothing)."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._main, name="govpilot-upload-ingest", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        """Tell the worker that a job was queued."""
        with self._wakeup:
            self._pending = True
            self._wakeup.notify()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread; a job in progress stops before its next file."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        with self._wakeup:
            self._wakeup.notify_all()
        thread.join(timeout)

    def run_next(self) -> bool:
        """Run the oldest unfinished upload job to its end; False if there was none."""
        knowledge = self.knowledge()
        job = next_queued(knowledge.database)
        if job is None:
            return False
        self._run(knowledge, job)
        return True

    # -- the thread ------------------------------------------------------------------------

    def _main(self) -> None:
        while self.lock is not None and not self.lock.acquire():
            if self._stopping.wait(self.standby_s):
                return
        try:
            self._sweep()
            self._loop()
        finally:
            if self.lock is not None:
                self.lock.release()

    def _sweep(self) -> None:
        try:
            self.spool.sweep(unfinished(self.knowledge().database))
        except GovpilotError:
            log.exception("cannot sweep the stored uploads; trying again at the next start")

    def _loop(self) -> None:
        pause = self.poll_s
        while not self._stopping.is_set():
            try:
                ran = self.run_next()
                pause = self.poll_s
            except Exception:  # the thread must live on; the job stays queued
                log.exception("cannot run the upload queue; trying again in %.0f s", pause)
                ran, pause = False, min(pause * 2, MAX_BACKOFF_S)
            if ran:
                continue
            with self._wakeup:
                if not self._pending and not self._stopping.is_set():
                    self._wakeup.wait(pause)
                self._pending = False

    # -- one job ---------------------------------------------------------------------------

    def _run(self, knowledge: KnowledgeBase, job: QueuedJob) -> None:
        ingestor = knowledge.ingestor
        outcome: Outcome = "ok"
        try:
            try:
                report = ingestor.run(
                    job.id, job.department, progress=self._check_stopping, finish=False
                )
            except _Stopping:
                log.info("stopping: upload job %s continues at the next start", job.id)
                return
            except Exception as exc:
                # Not a file's fault (those are reported per file): the database or the index.
                log.exception("upload job %s stopped", job.id)
                report = ingestor.abandon(job.id, job.department, _reason(exc))
                outcome = "error"
        except NotFound:  # its collection was deleted meanwhile, and the job with it
            # A file indexed while the collection went may have left chunks behind.
            knowledge.retriever.remove_collection(job.collection_id)
            self.spool.remove(job.id)
            return
        self._audit(knowledge, job, report, outcome)
        ingestor.finish(job.id, "completed" if outcome == "ok" else "failed")
        self.spool.remove(job.id)

    def _check_stopping(self, done: int, total: int, source: str) -> None:
        if self._stopping.is_set():
            raise _Stopping

    @staticmethod
    def _audit(
        knowledge: KnowledgeBase, job: QueuedJob, report: IngestReport, outcome: Outcome
    ) -> None:
        if knowledge.audit is None:
            return
        event = AuditEvent(
            actor=job.actor,
            department=job.department,
            action="knowledge.ingest",
            outcome=outcome,
            channel=job.channel,
            detail={"collection": job.collection_id, "job": job.id, "counts": report.counts},
        )
        try:
            knowledge.audit.record(event)
        except GovpilotError:
            log.exception("upload job %s: cannot record its audit event", job.id)


def _reason(exc: Exception) -> str:
    if isinstance(exc, GovpilotError):
        return f"Indexing stopped: {exc}. Upload the file again."
    return (
        f"Indexing stopped on an unexpected error ({type(exc).__name__}). Upload the file "
        "again; if it fails again, tell your administrator."
    )
