"""The task queue under every background job: Celery, over Redis or a SQLite file (ADR 0011).

A message carries only the job id, sent after the job's row is committed; the worker
acknowledges it after the attempt (`acks_late`), and a message whose worker was killed is
delivered again (`reject_on_worker_lost`). Correctness does not rest on the broker: the
row decides whether there is anything to do (see `jobs.store`), and the sweeper
(`jobs.worker`) enqueues again what a lost message or a dead worker left behind. So a
broker that is down delays jobs and loses none.

`memory://` (tests) and `sqla+sqlite:///FILE` (the laptop default: no server to install)
run the same Celery code path as `redis://` in production.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from celery import Celery, Task

from govpilot.audit.events import utc_now
from govpilot.config import JobSettings
from govpilot.jobs.runner import Attempt
from govpilot.jobs.store import JobStore

logger = logging.getLogger("govpilot.jobs")

RUN_TASK = "govpilot.jobs.run"
#: Message priorities on Redis (0 first): jobs sent again by the sweep (a dead worker's,
#: a lost message's) go before the new ones, which have waited less.
NEW_PRIORITY, AGAIN_PRIORITY = 5, 0
#: How often an idle worker polls a broker that cannot push (SQLite, memory).
POLL_S = {"memory": 0.05}


def build_celery(settings: JobSettings, broker_url: str, run: Callable[[str], Attempt]) -> Celery:
    """A Celery app whose one task runs an attempt at a job by `run(job_id)`."""
    app = Celery("govpilot", broker=broker_url, set_as_current=False)
    scheme = broker_url.split(":", 1)[0]
    transport_options: dict[str, object] = {}
    if scheme in POLL_S:
        transport_options["polling_interval"] = POLL_S[scheme]
    if scheme.startswith("redis"):
        # Unacknowledged messages come back after this; leases take over much sooner.
        transport_options["visibility_timeout"] = 3600
        transport_options.update(
            priority_steps=list(range(10)), sep=":", queue_order_strategy="priority"
        )
    app.conf.update(
        task_default_queue=settings.queue,
        task_default_priority=NEW_PRIORITY,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options=transport_options,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
    )

    @app.task(name=RUN_TASK, bind=True, max_retries=None, shared=False)
    def run_job(task: Task, job_id: str) -> str:
        attempt = run(job_id)
        if attempt.outcome == "retry" and attempt.retry_in is not None:
            # A new message with a delay; the row is already back in the queue.
            raise task.retry(countdown=attempt.retry_in)
        return attempt.outcome

    return app


class JobQueue:
    """Sends "run job X" to the broker, and records in the row that it did."""

    def __init__(self, app: Celery, store: JobStore, *, publish_timeout_s: float = 5.0) -> None:
        self.app = app
        self.store = store
        self.publish_timeout_s = publish_timeout_s

    def enqueue(
        self,
        job_ids: Sequence[str],
        *,
        again: bool = False,
        record: bool = True,
        now: datetime | None = None,
    ) -> bool:
        """Send a message for each job; False (logged, nothing lost) if the broker is down.

        A job whose message could not be sent stays queued with no `enqueued_at`, and the
        next sweep sends it again; `again` (the sweep) sends ahead of new jobs where the
        broker has priorities (Redis). `record=False` when the row already says it was
        sent (a new job's row is written so, before its commit).
        """
        if not job_ids:
            return True
        try:
            with self.app.producer_or_acquire() as producer:
                for job_id in job_ids:
                    self.app.send_task(
                        RUN_TASK,
                        args=[job_id],
                        producer=producer,
                        priority=AGAIN_PRIORITY if again else NEW_PRIORITY,
                        retry=True,
                        retry_policy={"max_retries": 1, "interval_start": 0.2},
                    )
        except Exception as exc:  # kombu raises the transport's own errors
            logger.warning("cannot reach the job broker (%s); the sweep will retry", exc)
            return False
        if record:
            self.store.mark_enqueued(list(job_ids), now or utc_now())
        return True
