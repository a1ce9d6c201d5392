"""The /api/v1/jobs routes, in-process over httpx with API keys."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence

import httpx
import pytest
from jobs_support import ZH_HK, docx_text, make_docx, respond

from govpilot.access import Role
from govpilot.api.routers.jobs import POLL_S
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.jobs import JobService
from govpilot.platform import Platform
from govpilot.server import create_app
from govpilot.testing import SETUP_CONTEXT, add_api_key, add_user

pytestmark = pytest.mark.anyio

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def client_for(
    platform: Platform, email: str, department: str = "HAD", role: Role = Role.OFFICER
) -> httpx.AsyncClient:
    """The app in-process, as a new user of `department` with an API key."""
    user = add_user(platform, email, department=department, role=role)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(platform)),
        base_url="http://govpilot.test",
        headers={"Authorization": f"Bearer {add_api_key(platform, user)}"},
    )


def events_of(body: str) -> list[tuple[str, dict[str, object]]]:
    """(event, JSON data) of each server-sent event; comments skipped."""
    found = []
    for block in body.split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln and not ln.startswith(":")]
        if lines:
            event = next(ln[7:] for ln in lines if ln.startswith("event: "))
            data = "\n".join(ln[6:] for ln in lines if ln.startswith("data: "))
            found.append((event, json.loads(data)))
    return found


async def test_submit_a_file_follow_it_and_download_the_result(
    platform: Platform, jobs: JobService
) -> None:
    async with client_for(platform, "chan@had.gov.hk") as client:
        response = await client.post(
            "/api/v1/jobs",
            data={"kind": "translate", "target": "zh-Hant"},
            files={"file": ("C:\\Users\\chan\\報告.docx", make_docx(), DOCX_TYPE)},
        )
        assert response.status_code == 202, response.text
        job = response.json()
        assert (job["status"], job["kind"], job["input_name"]) == (
            "queued",
            "translate",
            "報告.docx",
        )
        jobs.wait(job["id"])

        events = events_of((await client.get(f"/api/v1/jobs/{job['id']}/events")).text)
        shown = await client.get(f"/api/v1/jobs/{job['id']}")
        download = await client.get(f"/api/v1/jobs/{job['id']}/download")
        result = await client.get(f"/api/v1/jobs/{job['id']}/result")
        listed = await client.get("/api/v1/jobs")

    assert shown.json()["status"] == "done"
    assert shown.json()["progress_done"] == shown.json()["progress_total"] == 3
    assert events[-1][0] == "result" and events[-1][1]["status"] == "done"
    assert events[0] == ("progress", {"status": "done", "done": 3, "total": 3})
    assert download.status_code == 200
    assert download.headers["content-type"] == DOCX_TYPE
    disposition = download.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="__.zh-Hant.docx"')
    assert "filename*=UTF-8''%E5%A0%B1%E5%91%8A.zh-Hant.docx" in disposition
    assert ZH_HK in docx_text(download.content)
    assert ZH_HK in result.json()["text"] and "opening hours" in result.json()["source_text"]
    assert [j["id"] for j in listed.json()["jobs"]] == [job["id"]]


async def test_submit_text_with_form_parameters(platform: Platform, jobs: JobService) -> None:
    async with client_for(platform, "chan@had.gov.hk") as client:
        response = await client.post(
            "/api/v1/jobs",
            data={
                "kind": "summarise",
                "text": "The library will open longer.\n\nA consultation runs to March.",
                "length": "80",
                "format": "txt",
            },
        )
        assert response.status_code == 202, response.text
        jobs.wait(response.json()["id"])
        download = await client.get(f"/api/v1/jobs/{response.json()['id']}/download")

    assert response.json()["params"] == {"format": "txt", "words": 80}
    assert download.headers["content-type"].startswith("text/plain")
    assert 'filename="text.summary.txt"' in download.headers["content-disposition"]


async def test_another_departments_job_is_not_found_but_its_admin_sees_it(
    platform: Platform, idle_jobs: JobService
) -> None:
    async with client_for(platform, "owner@hd.gov.hk", "HD") as owner:
        job = (await owner.post("/api/v1/jobs", data={"kind": "redact", "text": "Hi."})).json()
    async with client_for(platform, "officer@had.gov.hk", "HAD") as outsider:
        paths = ["", "/download", "/events", "/result"]
        answers = [await outsider.get(f"/api/v1/jobs/{job['id']}{p}") for p in paths]
        listed = await outsider.get("/api/v1/jobs")
    async with client_for(platform, "admin@hd.gov.hk", "HD", Role.DEPARTMENT_ADMIN) as admin:
        seen = await admin.get(f"/api/v1/jobs/{job['id']}")

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert answers[0].json()["error"]["type"] == "NotFound"
    assert listed.json() == {"jobs": []}
    assert seen.status_code == 200 and seen.json()["id"] == job["id"]


async def test_download_before_the_job_is_done_is_a_conflict(
    platform: Platform, idle_jobs: JobService
) -> None:
    async with client_for(platform, "chan@had.gov.hk") as client:
        job = (await client.post("/api/v1/jobs", data={"kind": "redact", "text": "Hi."})).json()
        response = await client.get(f"/api/v1/jobs/{job['id']}/download")

    assert response.status_code == 409
    assert response.json()["error"]["type"] == "Conflict"


async def test_auditor_is_refused(platform: Platform, idle_jobs: JobService) -> None:
    async with client_for(platform, "aud@audit.gov.hk", "AUD", Role.AUDITOR) as client:
        response = await client.post("/api/v1/jobs", data={"kind": "redact", "text": "Hi."})

    assert response.status_code == 403
    assert response.json()["error"]["type"] == "PermissionDenied"


async def test_department_limit_answers_429_with_retry_after(
    platform: Platform, idle_jobs: JobService
) -> None:
    platform.accounts.create_department(SETUP_CONTEXT, "LIM", max_concurrent_jobs=1)
    async with client_for(platform, "one@lim.gov.hk", "LIM") as client:
        first = await client.post("/api/v1/jobs", data={"kind": "redact", "text": "Hi."})
        second = await client.post("/api/v1/jobs", data={"kind": "redact", "text": "Hi."})

    assert first.status_code == 202
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) > 0
    assert second.json()["error"]["type"] == "RateLimited"


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("notes.docx", b"PK\x03\x04 not really Word", 422),
        ("sheet.xlsx", b"PK\x03\x04 a spreadsheet", 415),
        ("big.txt", b"x" * 60_000, 413),
    ],
)
async def test_unusable_uploads_get_a_clear_error_and_queue_nothing(
    platform: Platform, idle_jobs: JobService, name: str, data: bytes, status: int
) -> None:
    async with client_for(platform, "chan@had.gov.hk") as client:
        response = await client.post(
            "/api/v1/jobs", data={"kind": "redact"}, files={"file": (name, data)}
        )
        listed = await client.get("/api/v1/jobs")

    assert response.status_code == status
    assert response.json()["error"]["hint"]
    assert listed.json() == {"jobs": []}


async def test_a_job_needs_a_signed_in_caller(platform: Platform, idle_jobs: JobService) -> None:
    transport = httpx.ASGITransport(app=create_app(platform))
    async with httpx.AsyncClient(transport=transport, base_url="http://govpilot.test") as client:
        response = await client.post("/api/v1/jobs", data={"kind": "redact", "text": "Hi."})

    assert response.status_code == 401


async def test_events_report_progress_while_the_job_runs(
    platform: Platform, jobs: JobService
) -> None:
    gate = threading.Event()
    model = platform.gateway.model("fake")
    assert isinstance(model, ScriptedModel)

    def slow(messages: Sequence[ChatMessage]) -> str:
        if len(model.calls) > 1:  # the first paragraph passes; the second waits
            gate.wait(10)
        return respond(messages)

    model.respond_with(slow)
    async with client_for(platform, "chan@had.gov.hk") as client:
        job = (
            await client.post(
                "/api/v1/jobs",
                data={"kind": "translate", "target": "zh-Hant"},
                files={"file": ("notes.docx", make_docx(), DOCX_TYPE)},
            )
        ).json()

        def open_gate() -> None:  # once the stream has had time to see the first paragraph
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                found = jobs.store.get(job["id"])
                if found is not None and found.progress_done >= 1:
                    break
                time.sleep(0.05)
            time.sleep(4 * POLL_S)
            gate.set()

        threading.Thread(target=open_gate, daemon=True).start()
        body = (await client.get(f"/api/v1/jobs/{job['id']}/events")).text

    events = events_of(body)
    progress = [data for event, data in events if event == "progress"]
    assert {"status": "running", "done": 1, "total": 3} in progress
    assert progress[-1] == {"status": "done", "done": 3, "total": 3}
    assert events[-1][0] == "result" and events[-1][1]["status"] == "done"


async def test_openapi_documents_the_job_routes(platform: Platform, idle_jobs: JobService) -> None:
    async with client_for(platform, "chan@had.gov.hk") as client:
        paths = (await client.get("/openapi.json")).json()["paths"]

    assert {"/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/download"} <= set(paths)
    assert "202" in paths["/api/v1/jobs"]["post"]["responses"]
    form = paths["/api/v1/jobs"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in form


async def test_a_file_and_a_text_together_are_refused(
    platform: Platform, idle_jobs: JobService
) -> None:
    async with client_for(platform, "chan@had.gov.hk") as client:
        response = await client.post(
            "/api/v1/jobs",
            data={"kind": "redact", "text": "Hi."},
            files={"file": ("a.txt", b"Hello.")},
        )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "InputError"


async def test_cancel_a_queued_job_then_a_second_cancel_is_a_conflict(
    platform: Platform, idle_jobs: JobService
) -> None:
    async with client_for(platform, "chan@had.gov.hk") as client:
        submitted = await client.post("/api/v1/jobs", data={"kind": "redact", "text": "Hi."})
        job_id = submitted.json()["id"]
        cancelled = await client.post(f"/api/v1/jobs/{job_id}/cancel")
        again = await client.post(f"/api/v1/jobs/{job_id}/cancel")

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["finished"]
    assert again.status_code == 409
