"""Bad input refused at once, failed models stored as plain messages, crashed workers'
jobs taken over, poison jobs failed, transient failures retried, cancellation."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from jobs_support import make_docx, person

from govpilot.backends.fake import ScriptedModel
from govpilot.errors import (
    Conflict,
    CorruptDocument,
    EmptyDocument,
    InputError,
    InputTooLarge,
    ModelUnavailable,
    NotFound,
    UnsupportedFileType,
)
from govpilot.jobs import JobService
from govpilot.jobs.queue import build_celery
from govpilot.platform import Platform
from govpilot.storage.job_tables import JobRow
from govpilot.testing import SETUP_CONTEXT


def job_rows(platform: Platform) -> list[JobRow]:
    with platform.database.session() as session:
        return list(session.query(JobRow).all())


@pytest.mark.parametrize(
    ("filename", "data", "error"),
    [
        ("notes.docx", b"PK\x03\x04 this is not really a Word file", CorruptDocument),
        ("notes.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old Word", UnsupportedFileType),
        ("notes.txt", b"   \n  ", EmptyDocument),
        ("big.txt", b"x" * 60_000, InputTooLarge),
    ],
)
def test_unusable_uploads_are_refused_and_nothing_is_queued_or_kept(
    platform: Platform, idle_jobs: JobService, filename: str, data: bytes, error: type[Exception]
) -> None:
    ctx = person(platform, "me@had.gov.hk")

    with pytest.raises(error) as refused:
        idle_jobs.submit(ctx, "redact", filename=filename, data=data)

    assert isinstance(refused.value, InputError) and refused.value.hint
    assert job_rows(platform) == []
    assert platform.records.list() == []


@pytest.mark.parametrize(
    ("kind", "params", "error"),
    [
        ("translate", {}, InputError),  # no target
        ("translate", {"target": "fr"}, InputError),
        ("translate", {"target": "en", "colour": "red"}, InputError),
        ("summarise", {"length": 5}, InputError),
        ("draft", {"template": "no-such-template"}, NotFound),
        ("redact", {"operator": "shred"}, InputError),
        ("redact", {"types": "HKID,SHOE_SIZE"}, InputError),
        ("summarise", {"model": "no-such-model"}, NotFound),
        ("teleport", {}, InputError),
    ],
)
def test_bad_parameters_are_refused_before_anything_is_stored(
    platform: Platform,
    idle_jobs: JobService,
    kind: str,
    params: dict[str, Any],
    error: type[Exception],
) -> None:
    ctx = person(platform, "me@had.gov.hk")

    with pytest.raises(error):
        idle_jobs.submit(ctx, kind, filename="a.txt", text="Some text.", params=params)

    assert job_rows(platform) == [] and platform.records.list() == []


def test_exactly_one_of_a_file_or_a_text_is_needed(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")

    with pytest.raises(InputError):
        idle_jobs.submit(ctx, "redact", filename="a.txt")
    with pytest.raises(InputError):
        idle_jobs.submit(ctx, "redact", filename="a.txt", text="Hi.", data=b"Hi.")


def test_a_failed_model_fails_the_job_with_a_plain_message_and_keeps_the_input(
    platform: Platform, jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    job = jobs.submit(
        ctx,
        "translate",
        filename="notes.docx",
        data=make_docx(),
        params={"target": "zh-Hant", "model": "down"},
    )

    failed = jobs.wait(job.id)

    assert failed.status == "failed"
    assert failed.finished_at is not None and failed.output_record_id is None
    assert failed.error is not None
    assert "no reply queued" in failed.error  # the model's message, with its hint
    assert "Traceback" not in failed.error and 'File "' not in failed.error
    assert platform.records.get(job.input_record_id or "").data_class == "uploads"
    with pytest.raises(Conflict) as conflict:
        jobs.result(ctx, job.id)
    assert "failed" in str(conflict.value)
    (finish,) = [e for e in platform.audit.events() if e.action == "job.finish"]
    assert (finish.outcome, finish.detail["status"]) == ("error", "failed")


def test_an_unexpected_error_is_stored_without_its_details(
    platform: Platform, jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")

    def explode(*_: Any) -> str:
        raise RuntimeError("secret internal detail")

    model = platform.gateway.model("fake")
    assert isinstance(model, ScriptedModel)
    model.respond_with(explode)
    job = jobs.wait(jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.").id)

    assert job.status == "failed"
    assert job.error is not None
    assert "RuntimeError" in job.error and "secret" not in job.error


def test_a_job_left_running_by_a_dead_worker_is_taken_over_once_its_lease_runs_out(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    first = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")
    second = idle_jobs.submit(ctx, "redact", filename="b.txt", text="More text.")
    # A worker that then died (kill -9) had claimed the first job and reported progress.
    claimed = idle_jobs.store.claim(first.id, lease_s=0.01)
    assert claimed is not None and claimed.attempts == 1
    assert idle_jobs.store.renew(first.id, 1, 0.01, progress=(1, 3)) == "running"

    restarted = platform.new_job_service(workers=1).start()
    try:
        done = restarted.wait(first.id)
        assert done.status == "done" and done.attempts >= 2
        assert restarted.wait(second.id).status == "done"
    finally:
        restarted.shutdown()
    (finish,) = [
        e
        for e in platform.audit.events()
        if e.action == "job.finish" and e.detail.get("job") == first.id
    ]
    assert finish.detail["status"] == "done"  # completed once


def test_a_live_workers_job_is_left_alone_until_its_lease_lapses(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    job = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")
    assert idle_jobs.store.claim(job.id, lease_s=60) is not None  # a live worker has it

    second = platform.new_job_service(workers=1).start()
    try:
        second.sweeper.sweep()
        second.queue.enqueue([job.id])  # even a duplicate message finds nothing to do
        assert not second.wait(job.id, timeout=1).finished
        assert idle_jobs.get(ctx, job.id).status == "running"
        with platform.database.session(write=True) as session:  # the first worker dies
            row = session.get(JobRow, job.id)
            assert row is not None
            row.lease_until = row.started_at
        assert second.wait(job.id, timeout=10).status == "done"
    finally:
        second.shutdown()


def test_a_stale_attempt_cannot_finish_a_job_another_attempt_holds(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    job = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")
    store = idle_jobs.store
    assert store.claim(job.id, lease_s=0.001) is not None
    time.sleep(0.01)
    taken = store.claim(job.id, lease_s=60)  # the lease lapsed: a second worker took it
    assert taken is not None and taken.attempts == 2
    assert store.finish(job.id, 1, error="the first worker's late answer") is False
    assert store.renew(job.id, 1, 60) == "taken"  # the first worker is told to stop
    assert store.finish(job.id, 2, output_record_id=None, output_name="a.summary.docx")
    assert idle_jobs.get(ctx, job.id).status == "done"


def test_a_poison_job_fails_after_its_attempts_with_the_reason(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    job = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")
    after = idle_jobs.submit(ctx, "redact", filename="b.txt", text="More text.")
    for _ in range(platform.settings.jobs.max_attempts):  # each worker died on it
        assert idle_jobs.store.claim(job.id, lease_s=0.001) is not None
        time.sleep(0.005)

    idle_jobs.start()

    failed = idle_jobs.wait(job.id)
    assert failed.status == "failed"
    assert "started 3 times and never finished" in (failed.error or "")
    assert idle_jobs.wait(after.id).status == "done"  # the queue goes on


def test_a_model_that_fails_once_is_retried_and_the_job_finishes(
    platform: Platform, jobs: JobService
) -> None:
    model = platform.gateway.model("fake")
    assert isinstance(model, ScriptedModel)
    model.fail_with(ModelUnavailable("the model server restarted"))
    ctx = person(platform, "me@had.gov.hk")

    job = jobs.wait(jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.").id)

    assert (job.status, job.attempts) == ("done", 2)


def test_cancelling_stops_a_queued_job_and_refuses_a_finished_one(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    job = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")

    cancelled = idle_jobs.cancel(ctx, job.id)
    assert cancelled.status == "cancelled" and cancelled.finished
    idle_jobs.start()
    assert idle_jobs.wait(job.id, timeout=1).status == "cancelled"  # its message is a no-op
    with pytest.raises(Conflict):
        idle_jobs.cancel(ctx, job.id)
    with pytest.raises(NotFound):
        idle_jobs.cancel(person(platform, "other@had.gov.hk"), job.id)
    assert [e.action for e in platform.audit.events() if e.action == "job.cancel"] == ["job.cancel"]


def test_a_running_job_stops_at_its_next_report_once_cancelled(
    platform: Platform, jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    started = threading.Event()
    release = threading.Event()
    model = platform.gateway.model("fake")
    assert isinstance(model, ScriptedModel)

    def slow(messages: Any) -> str:
        started.set()
        release.wait(10)
        return "譯文"

    model.respond_with(slow)
    text = "\n\n".join(f"Paragraph {n}." for n in range(6))
    job = jobs.submit(ctx, "translate", filename="a.txt", text=text, params={"target": "zh-Hant"})
    assert started.wait(10)
    jobs.cancel(ctx, job.id)
    release.set()

    stopped = jobs.wait(job.id)
    assert stopped.status == "cancelled" and stopped.output_record_id is None
    time.sleep(0.3)  # the worker has handed the attempt back, storing nothing
    assert jobs.get(ctx, job.id).status == "cancelled"


def test_a_broker_that_is_down_delays_jobs_and_loses_none(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    down = build_celery(platform.settings.jobs, "redis://127.0.0.1:9/0", idle_jobs.runner.run)
    idle_jobs.queue.app = down  # the broker is unreachable when the job is submitted

    job = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")

    assert job.status == "queued"  # accepted: its row is committed
    assert job.id in idle_jobs.store.to_enqueue(300, idle_jobs.handlers)
    idle_jobs.queue.app = idle_jobs.celery  # the broker is back
    idle_jobs.start()  # the sweep sends it
    assert idle_jobs.wait(job.id).status == "done"


def test_a_disabled_owners_queued_job_fails_instead_of_running(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    job = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")
    platform.accounts.update_user(SETUP_CONTEXT, "me@had.gov.hk", disabled=True)

    idle_jobs.start()

    failed = idle_jobs.wait(job.id)
    assert failed.status == "failed" and "disabled" in (failed.error or "")


def test_a_job_whose_input_was_erased_before_it_ran_fails_with_a_plain_message(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    job = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")
    platform.records.delete(job.input_record_id or "")  # an erasure request

    idle_jobs.start()

    failed = idle_jobs.wait(job.id)
    assert failed.status == "failed"
    assert "no longer stored" in (failed.error or "")


def test_serve_starts_the_workers_so_a_stopped_servers_jobs_finish(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from govpilot.server import serve

    ctx = person(platform, "me@had.gov.hk")
    # Queued and claimed by a server that stopped before finishing it; nobody asks again.
    earlier = platform.new_job_service()
    job = earlier.submit(ctx, "summarise", filename="a.txt", text="Some text.")
    earlier.store.claim(job.id, lease_s=0.01)
    finished: list[str] = []

    def run(app: object, **kwargs: object) -> None:
        # While serving and before any request, the new server's workers finish it.
        assert platform.jobs is not None
        finished.append(platform.jobs.wait(job.id, timeout=30).status)

    monkeypatch.setattr(uvicorn, "run", run)
    serve(platform)
    assert finished == ["done"]


def test_a_submitted_job_is_sent_once_not_again_by_a_sweep(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    job = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")
    assert job.id not in idle_jobs.store.to_enqueue(300, idle_jobs.handlers)
    assert idle_jobs.sweeper.sweep() == 0
