"""Queue workers: `govpilot worker` (a Celery worker process) and the one `govpilot serve`
runs inside itself on a laptop, both with the sweeper beside them.

The sweeper enqueues again what needs a message (of the kinds the queue runs, not the
`govpilot ingest` runs a CLI holds): jobs whose message never reached the
broker (it was down), queued jobs not started after `requeue_after_s`, and running jobs
whose worker's lease ran out (the worker died). Several sweepers at once only send a few
duplicate messages; a duplicate finds nothing to claim.
"""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from collections.abc import Collection
from typing import Any

from celery import Celery
from celery.app.trace import trace_task_ret
from celery.concurrency.thread import TaskPool as ThreadTaskPool
from celery.worker import WorkController

from govpilot.config import JobSettings
from govpilot.errors import GovpilotError
from govpilot.jobs.queue import JobQueue
from govpilot.jobs.runner import JobRunner
from govpilot.jobs.store import JobStore

logger = logging.getLogger("govpilot.jobs")


class Sweeper:
    """Every `sweep_s`, enqueues the jobs that have no live message or worker."""

    def __init__(
        self, store: JobStore, queue: JobQueue, settings: JobSettings, kinds: Collection[str]
    ) -> None:
        self.store = store
        self.queue = queue
        self.settings = settings
        self.kinds = tuple(kinds)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep(self) -> int:
        """One pass; how many jobs were sent again."""
        try:
            job_ids = self.store.to_enqueue(self.settings.requeue_after_s, self.kinds)
        except GovpilotError:
            logger.warning("cannot read the job table; the next sweep tries again")
            return 0
        if job_ids and self.queue.enqueue(job_ids, again=True):
            logger.info("enqueued %d job(s) again", len(job_ids))
            return len(job_ids)
        return 0

    def start(self) -> Sweeper:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="govpilot-sweeper", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        while True:
            self.sweep()
            if self._stop.wait(self.settings.sweep_s):
                return


class AppThreadPool(ThreadTaskPool):
    """Celery's thread pool, running each task in the worker's own app.

    The stock pool finds the task through the process's default app, so two platforms in
    one process (tests) would run each other's tasks; this one hands the trace its app.
    """

    def on_apply(
        self,
        target: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
        **options: Any,
    ) -> Any:
        if target is trace_task_ret:
            kwargs = {**(kwargs or {}), "app": self.app}
        return super().on_apply(target, args, kwargs, **options)


class _Controller(WorkController):
    """A Celery worker that says when it is consuming."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.consuming = threading.Event()
        super().__init__(*args, **kwargs)

    def on_consumer_ready(self, consumer: object) -> None:
        self.consuming.set()


class EmbeddedWorker:
    """A Celery worker on threads inside this process, with its sweeper.

    It is Celery's own worker (consumer, pool, acknowledgements), started on a thread
    rather than as a process; `govpilot worker` runs the same thing in the foreground.
    """

    def __init__(
        self,
        app: Celery,
        runner: JobRunner,
        sweeper: Sweeper,
        *,
        concurrency: int,
        startup_timeout_s: float = 20.0,
    ) -> None:
        self.app = app
        self.runner = runner
        self.sweeper = sweeper
        self.concurrency = concurrency
        self.startup_timeout_s = startup_timeout_s
        self._controller: _Controller | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> EmbeddedWorker:
        """Start consuming (a second call does nothing); returns once the worker is ready."""
        if self._controller is not None:
            return self
        self.runner.resume()
        controller = _Controller(
            app=self.app,
            pool=AppThreadPool,
            concurrency=self.concurrency,
            hostname=f"govpilot-embedded-{uuid.uuid4().hex[:8]}@{socket.gethostname()}",
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
            loglevel="WARNING",
        )
        thread = threading.Thread(target=controller.start, name="govpilot-worker", daemon=True)
        thread.start()
        if not controller.consuming.wait(self.startup_timeout_s):
            logger.warning("the job worker is not consuming yet; jobs wait for the broker")
        self._controller, self._thread = controller, thread
        self.sweeper.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """Stop consuming; a job in progress goes back to the queue at its next report.

        Waits for a running job to hand back; an idle consumer's thread is left to end on
        its own (Celery's loop wakes every 2 s), having taken nothing it will not return.
        """
        if self._controller is None:
            return
        self.sweeper.stop()
        self.runner.stop()
        busy = self.runner.busy
        self._controller.stop(in_sighandler=False)
        if self._thread is not None:
            self._thread.join(timeout if busy else 0.1)
        self._controller, self._thread = None, None


def run_worker(app: Celery, sweeper: Sweeper, *, concurrency: int, pool: str = "threads") -> None:
    """Run a Celery worker in the foreground until it is told to stop (SIGTERM, Ctrl-C)."""
    app.set_current()
    app.set_default()
    sweeper.start()
    try:
        worker = app.Worker(
            pool=AppThreadPool if pool == "threads" else pool,
            concurrency=concurrency,
            hostname=f"govpilot-{uuid.uuid4().hex[:8]}@{socket.gethostname()}",
            loglevel="INFO",
            without_mingle=True,
            without_gossip=True,
            optimization="fair",
        )
        worker.start()
    finally:
        sweeper.stop()
