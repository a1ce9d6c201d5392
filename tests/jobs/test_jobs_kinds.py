"""Each kind of job end to end through JobService: stored input, progress, output, audit."""

from __future__ import annotations

from jobs_support import PARAGRAPHS, ZH_HK, docx_text, make_docx, person

from govpilot.jobs import JobService
from govpilot.platform import Platform
from govpilot.privacy.testing import SAMPLE_HKID, SAMPLE_PHONE

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_translate_job_writes_a_word_file_and_reports_progress_to_the_total(
    platform: Platform, jobs: JobService
) -> None:
    ctx = person(platform, "chan@had.gov.hk")
    job = jobs.submit(
        ctx, "translate", filename="notes.docx", data=make_docx(), params={"target": "zh-Hant"}
    )
    assert (job.status, job.kind, job.department, job.owner_id) == (
        "queued",
        "translate",
        "HAD",
        ctx.user_id,
    )

    done = jobs.wait(job.id)

    assert done.status == "done", done.error
    # The heading and two paragraphs: the capability reported each, and the last is the total.
    assert (done.progress_done, done.progress_total) == (3, 3)
    assert done.output_name == "notes.zh-Hant.docx"
    result = jobs.result(ctx, job.id)
    assert (result.filename, result.media_type) == ("notes.zh-Hant.docx", DOCX_TYPE)
    assert ZH_HK in docx_text(result.data)
    assert ZH_HK in result.text
    assert PARAGRAPHS[0] in result.source_text


def test_input_and_output_are_stored_records_of_class_uploads(
    platform: Platform, jobs: JobService
) -> None:
    ctx = person(platform, "chan@had.gov.hk")
    job = jobs.wait(
        jobs.submit(
            ctx, "translate", filename="a.txt", text="Hello.", params={"target": "zh-Hant"}
        ).id
    )

    assert job.input_record_id and job.output_record_id
    for record_id in (job.input_record_id, job.output_record_id):
        record = platform.records.get(record_id)
        assert (record.data_class, record.department, record.owner) == (
            "uploads",
            "HAD",
            "chan@had.gov.hk",
        )
        assert record.metadata["job"] == job.id
        assert platform.records.blob_file(record) is not None


def test_submit_is_audited_with_the_job_id_and_kind_but_no_content(
    platform: Platform, jobs: JobService
) -> None:
    ctx = person(platform, "chan@had.gov.hk")
    job = jobs.wait(
        jobs.submit(ctx, "summarise", filename="a.txt", text="Secret plans for April.").id
    )

    events = {e.action: e for e in platform.audit.events()}
    submitted = events["job.submit"]
    assert (submitted.actor, submitted.department, submitted.channel) == (
        "chan@had.gov.hk",
        "HAD",
        "api",
    )
    assert submitted.detail == {"job": job.id, "kind": "summarise"}
    assert events["job.finish"].detail == {
        "job": job.id,
        "kind": "summarise",
        "status": "done",
        "attempt": 1,
    }
    assert events["summarise"].channel == "job"  # the model call itself
    assert not any("Secret" in str(e.as_dict()) for e in platform.audit.events())


def test_summarise_job_on_text_writes_markdown_when_asked(
    platform: Platform, jobs: JobService
) -> None:
    ctx = person(platform, "chan@had.gov.hk")
    job = jobs.submit(
        ctx,
        "summarise",
        filename="paper.txt",
        text="\n\n".join(PARAGRAPHS),
        params={"length": 60, "format": "md", "language": "en"},
    )

    done = jobs.wait(job.id)

    assert done.status == "done", done.error
    assert done.params == {"format": "md", "lang": "en", "words": 60}
    assert done.progress_done == done.progress_total >= 1
    result = jobs.result(ctx, job.id)
    assert result.filename == "paper.summary.md"
    assert "library opening hours" in result.data.decode("utf-8")


def test_draft_job_from_a_file_keeps_the_instructions_as_a_record_not_a_parameter(
    platform: Platform, jobs: JobService
) -> None:
    ctx = person(platform, "chan@had.gov.hk")
    job = jobs.submit(
        ctx,
        "draft",
        filename="background.docx",
        data=make_docx(),
        params={"template": "memo", "instructions": "Tell staff about the new hours."},
    )

    done = jobs.wait(job.id)

    assert done.status == "done", done.error
    assert "instructions" not in done.params
    kept = platform.records.get(done.params["instructions_record_id"])
    assert kept.metadata["part"] == "instructions"
    result = jobs.result(ctx, job.id)
    assert result.filename == "background.draft.docx"
    assert "To extend library opening hours." in docx_text(result.data)


def test_draft_job_from_text_uses_the_text_as_instructions(
    platform: Platform, jobs: JobService
) -> None:
    ctx = person(platform, "chan@had.gov.hk")
    job = jobs.submit(
        ctx,
        "draft",
        filename="ask.txt",
        text="A memo on the new library hours.",
        params={"template": "memo", "format": "txt"},
    )

    done = jobs.wait(job.id)

    assert done.status == "done", done.error
    assert (done.progress_done, done.progress_total) == (1, 1)
    assert "To extend library opening hours." in jobs.result(ctx, job.id).text


def test_redact_job_replaces_personal_data_and_audits_the_counts(
    platform: Platform, jobs: JobService
) -> None:
    ctx = person(platform, "chan@had.gov.hk")
    job = jobs.submit(ctx, "redact", filename="letter.docx", data=make_docx())

    done = jobs.wait(job.id)

    assert done.status == "done", done.error
    assert done.progress_done == done.progress_total == 3
    result = jobs.result(ctx, job.id)
    assert result.filename == "letter.redacted.docx"
    text = docx_text(result.data)
    assert SAMPLE_HKID not in text and SAMPLE_PHONE not in text
    assert "[HKID]" in text
    assert SAMPLE_HKID in result.source_text  # the owner sees the original beside it
    (finish,) = [e for e in platform.audit.events() if e.action == "job.finish"]
    assert finish.redactions.get("HKID") == 1


def test_the_package_exports_what_it_names() -> None:
    import govpilot.jobs

    assert sorted(govpilot.jobs.__all__) == [
        "JOB_KINDS",
        "Job",
        "JobOutput",
        "JobResult",
        "JobService",
        "JobWork",
    ]
    assert all(hasattr(govpilot.jobs, name) for name in govpilot.jobs.__all__)


def test_the_platform_builds_one_job_service_and_starts_its_workers(platform: Platform) -> None:
    service = platform.job_service()

    assert platform.job_service() is service
    assert service.worker.running
    ctx = person(platform, "chan@had.gov.hk")
    job = service.submit(ctx, "redact", filename="a.txt", text="Call 9123 4567.")
    assert service.wait(job.id).status == "done"
