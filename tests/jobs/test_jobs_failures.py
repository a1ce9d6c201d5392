"""Bad input refused at once, failed models stored as plain messages, restarts requeued."""

from __future__ import annotations

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
    NotFound,
    UnsupportedFileType,
)
from govpilot.jobs import JobService
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


def test_jobs_left_running_by_a_dead_process_are_requeued_and_finish(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    first = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")
    second = idle_jobs.submit(ctx, "redact", filename="b.txt", text="More text.")
    # A worker of the dead process had claimed the first job and reported some progress.
    claimed = idle_jobs.store.claim_next()
    assert claimed is not None and claimed.id == first.id
    idle_jobs.store.set_progress(first.id, 1, 3)

    assert idle_jobs.store.requeue_interrupted() == 1
    assert idle_jobs.store.requeue_interrupted() == 0  # idempotent
    requeued = idle_jobs.get(ctx, first.id)
    assert (requeued.status, requeued.started_at, requeued.progress_done) == ("queued", None, 0)

    idle_jobs.store.claim_next()  # running again when the next process starts
    restarted = platform.new_job_service(workers=1).start()
    try:
        assert restarted.wait(first.id).status == "done"
        assert restarted.wait(second.id).status == "done"
    finally:
        restarted.shutdown()


def test_a_disabled_owners_queued_job_fails_instead_of_running(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    job = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")
    platform.accounts.update_user(SETUP_CONTEXT, "me@had.gov.hk", disabled=True)

    idle_jobs.start()

    failed = idle_jobs.wait(job.id)
    assert failed.status == "failed" and "disabled" in (failed.error or "")


def test_a_second_process_leaves_live_jobs_alone_and_takes_over_when_the_first_stops(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    job = idle_jobs.submit(ctx, "summarise", filename="a.txt", text="Some text.")
    assert idle_jobs.lock.acquire()  # the first process runs workers ...
    idle_jobs.store.claim_next()  # ... and is working on the job

    second = platform.new_job_service(workers=1)
    second.standby_s = 0.05
    second.start()
    try:
        assert idle_jobs.get(ctx, job.id).status == "running"  # not taken from a live process
        idle_jobs.lock.release()  # the first process exits without finishing the job
        assert second.wait(job.id, timeout=10).status == "done"
    finally:
        second.shutdown()


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
    earlier.store.claim_next()
    finished: list[str] = []

    def run(app: object, **kwargs: object) -> None:
        # While serving and before any request, the new server's workers finish it.
        assert platform.jobs is not None
        finished.append(platform.jobs.wait(job.id, timeout=30).status)

    monkeypatch.setattr(uvicorn, "run", run)
    serve(platform)
    assert finished == ["done"]
