"""Who may submit and see jobs, and each department's limit on concurrent jobs."""

from __future__ import annotations

import pytest
from jobs_support import person

from govpilot.access import CallContext, Role
from govpilot.errors import Conflict, NotFound, PermissionDenied, RateLimited
from govpilot.jobs import JobService
from govpilot.platform import Platform
from govpilot.testing import SETUP_CONTEXT

TEXT = "The library opens at nine."


def test_only_the_owner_and_administrators_see_a_job(
    platform: Platform, idle_jobs: JobService
) -> None:
    owner = person(platform, "owner@had.gov.hk", "HAD")
    job = idle_jobs.submit(owner, "summarise", filename="a.txt", text=TEXT)

    colleague = person(platform, "colleague@had.gov.hk", "HAD")
    other_officer = person(platform, "officer@hd.gov.hk", "HD")
    other_admin = person(platform, "admin@hd.gov.hk", "HD", Role.DEPARTMENT_ADMIN)
    auditor = person(platform, "auditor@audit.gov.hk", "AUD", Role.AUDITOR)
    for outsider in (colleague, other_officer, other_admin, auditor):
        with pytest.raises(NotFound):
            idle_jobs.get(outsider, job.id)
        with pytest.raises(NotFound):
            idle_jobs.result(outsider, job.id)

    admin = person(platform, "admin@had.gov.hk", "HAD", Role.DEPARTMENT_ADMIN)
    platform_admin = person(platform, "root@ogcio.gov.hk", "OGCIO", Role.PLATFORM_ADMIN)
    for insider in (owner, admin, platform_admin):
        assert idle_jobs.get(insider, job.id).id == job.id


def test_an_unknown_id_and_a_hidden_job_look_the_same(
    platform: Platform, idle_jobs: JobService
) -> None:
    owner = person(platform, "owner@had.gov.hk", "HAD")
    job = idle_jobs.submit(owner, "summarise", filename="a.txt", text=TEXT)
    outsider = person(platform, "officer@hd.gov.hk", "HD")

    with pytest.raises(NotFound) as hidden:
        idle_jobs.get(outsider, job.id)
    with pytest.raises(NotFound) as missing:
        idle_jobs.get(outsider, "0" * 32)

    assert hidden.value.hint == missing.value.hint


def test_list_shows_only_the_callers_own_jobs_newest_first(
    platform: Platform, idle_jobs: JobService
) -> None:
    me = person(platform, "me@had.gov.hk", "HAD")
    admin = person(platform, "admin@had.gov.hk", "HAD", Role.DEPARTMENT_ADMIN)
    first = idle_jobs.submit(me, "summarise", filename="1.txt", text=TEXT)
    second = idle_jobs.submit(me, "redact", filename="2.txt", text=TEXT)
    idle_jobs.submit(admin, "summarise", filename="3.txt", text=TEXT)

    assert [j.id for j in idle_jobs.list(me)] == [second.id, first.id]
    assert [j.id for j in idle_jobs.list(me, limit=1)] == [second.id]
    assert len(idle_jobs.list(admin)) == 1


def test_auditors_and_the_public_cannot_submit_jobs(
    platform: Platform, idle_jobs: JobService
) -> None:
    auditor = person(platform, "auditor@audit.gov.hk", "AUD", Role.AUDITOR)
    public = CallContext("public@10.0.0.1", "HAD", "api", channel="public", role="public")

    for caller in (auditor, public):
        with pytest.raises(PermissionDenied):
            idle_jobs.submit(caller, "redact", filename="a.txt", text=TEXT)

    assert platform.records.list() == []


def test_a_department_at_its_limit_is_refused_with_retry_after(
    platform: Platform, idle_jobs: JobService
) -> None:
    platform.accounts.create_department(SETUP_CONTEXT, "LIM", max_concurrent_jobs=2)
    one = person(platform, "one@lim.gov.hk", "LIM")
    two = person(platform, "two@lim.gov.hk", "LIM")
    idle_jobs.submit(one, "summarise", filename="a.txt", text=TEXT)
    idle_jobs.submit(two, "summarise", filename="b.txt", text=TEXT)
    stored = len(platform.records.list())

    with pytest.raises(RateLimited) as refused:
        idle_jobs.submit(one, "summarise", filename="c.txt", text=TEXT)

    assert refused.value.retry_after > 0
    assert "2 jobs" in refused.value.message
    assert len(platform.records.list()) == stored  # nothing kept for the refused job
    other = person(platform, "other@had.gov.hk", "HAD")  # another department is not held up
    assert idle_jobs.submit(other, "summarise", filename="d.txt", text=TEXT).status == "queued"


def test_finished_jobs_no_longer_count_against_the_limit(
    platform: Platform, jobs: JobService
) -> None:
    platform.accounts.create_department(SETUP_CONTEXT, "LIM", max_concurrent_jobs=1)
    ctx = person(platform, "one@lim.gov.hk", "LIM")
    first = jobs.submit(ctx, "summarise", filename="a.txt", text=TEXT)
    assert jobs.wait(first.id).status == "done"

    assert jobs.wait(jobs.submit(ctx, "summarise", filename="b.txt", text=TEXT).id).finished


def test_result_of_an_unfinished_job_is_a_conflict(
    platform: Platform, idle_jobs: JobService
) -> None:
    ctx = person(platform, "me@had.gov.hk")
    job = idle_jobs.submit(ctx, "summarise", filename="a.txt", text=TEXT)

    with pytest.raises(Conflict) as conflict:
        idle_jobs.result(ctx, job.id)

    assert conflict.value.status_code == 409
    assert "queued" in conflict.value.message


def test_an_administrator_reading_someone_elses_result_is_audited(
    platform: Platform, jobs: JobService
) -> None:
    owner = person(platform, "owner@had.gov.hk", "HAD")
    admin = person(platform, "admin@had.gov.hk", "HAD", Role.DEPARTMENT_ADMIN)
    job = jobs.wait(jobs.submit(owner, "summarise", filename="a.txt", text=TEXT).id)
    assert job.status == "done"

    def reads() -> list[dict[str, object]]:
        return [e.detail for e in platform.audit.events(None, action="job.read")]

    jobs.result(owner, job.id)
    assert reads() == []  # one's own work is not an event
    jobs.result(admin, job.id)
    assert reads() == [{"job": job.id, "owner_id": owner.user_id, "kind": "summarise"}]
