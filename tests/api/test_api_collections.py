"""The collections API: create, list, upload documents (per-file results, at once or as a
job to follow), search, delete; roles and departments, as the service layer decides them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from api_support import UPLOAD_LIMIT_MB, api_events, app_client, public_client

from govpilot.access import Role
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.knowledge.ocr import OcrLine
from govpilot.platform import Platform
from govpilot.retrieval.memory import InMemoryRetriever

pytestmark = pytest.mark.anyio

ADMIN = "admin@had.gov.hk"
HOURS = "# Opening hours\n\nThe Central Library opens from 10 am to 9 pm, closed on Wednesdays.\n"
RATES = "Rates are paid quarterly. 差餉每季繳交一次。"
MD = "text/markdown"


class NoOcr:
    """OCR that finds one fixed line."""

    def read_lines(self, image: object) -> list[OcrLine]:
        return [OcrLine("Scanned notice text", 10, 10, 200, 40)]


@pytest.fixture
def knowledge(platform: Platform) -> KnowledgeBase:
    """The platform's knowledge services over an in-memory retriever."""
    services = KnowledgeBase.build(platform.database, InMemoryRetriever(), ocr=NoOcr())
    platform.knowledge = services
    return services


@pytest.fixture
async def admin(platform: Platform, knowledge: KnowledgeBase) -> AsyncIterator[httpx.AsyncClient]:
    """A department administrator of HAD (the platform's department)."""
    async with app_client(platform, ADMIN, role=Role.DEPARTMENT_ADMIN) as c:
        yield c


async def _library(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/api/v1/collections", json={"name": "library", "description": "Library notices"}
    )
    assert created.status_code == 201, created.text
    uploaded = await client.post(
        "/api/v1/collections/library/documents",
        files=[
            ("files", ("hours.md", HOURS.encode(), MD)),
            ("files", ("rates.txt", RATES.encode(), "text/plain")),
        ],
    )
    assert uploaded.status_code == 200, uploaded.text


async def test_create_upload_list_search_and_delete(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    created = await admin.post(
        "/api/v1/collections", json={"name": "library", "description": "Library notices"}
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["department"], body["created_by"]) == ("library", "HAD", ADMIN)
    assert (body["documents"], body["chunks"]) == (0, 0)
    again = await admin.post("/api/v1/collections", json={"name": "library"})
    assert again.status_code == 400

    uploaded = await admin.post(
        "/api/v1/collections/library/documents",
        files=[
            ("files", ("hours.md", HOURS.encode(), MD)),
            ("files", ("rates.txt", RATES.encode(), "text/plain")),
            ("files", ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64, "application/octet-stream")),
            ("files", ("empty.txt", b"   \n", "text/plain")),
        ],
    )
    assert uploaded.status_code == 200, uploaded.text
    report = uploaded.json()
    assert report["collection"] == "library"
    # By default the request waits until the files are indexed, as before.
    assert report["status"] == "completed" and report["job_id"]
    outcomes = {item["source"]: item["outcome"] for item in report["items"]}
    assert outcomes == {
        "hours.md": "added",
        "rates.txt": "added",
        "setup.exe": "skipped",
        "empty.txt": "failed",
    }
    reasons = {item["source"]: item["reason"] for item in report["items"]}
    assert ".exe" in reasons["setup.exe"] and reasons["empty.txt"]
    assert report["counts"]["added"] == 2 and report["counts"]["failed"] == 1

    # The same bytes again are unchanged; new bytes under the same name update it.
    again_up = await admin.post(
        "/api/v1/collections/library/documents",
        files=[
            ("files", ("hours.md", HOURS.encode(), MD)),
            ("files", ("rates.txt", (RATES + " Pay online.").encode(), "text/plain")),
        ],
    )
    assert [i["outcome"] for i in again_up.json()["items"]] == ["unchanged", "updated"]

    listed = (await admin.get("/api/v1/collections")).json()
    assert [(c["name"], c["documents"]) for c in listed] == [("library", 2)]
    assert (await admin.get("/api/v1/collections/library")).json()["chunks"] >= 2
    documents = (await admin.get("/api/v1/collections/library/documents")).json()
    assert sorted(d["source"] for d in documents) == ["hours.md", "rates.txt"]
    assert {d["status"] for d in documents} == {"ready"}

    found = await admin.get("/api/v1/collections/library/search", params={"q": "library opens"})
    assert found.status_code == 200
    hits = found.json()
    assert hits[0]["document"] == "hours.md" and "10 am to 9 pm" in hits[0]["text"]
    assert set(hits[0]) == {"document", "text", "score", "citation"}
    assert "Opening hours" in hits[0]["citation"]["label"]
    chinese = await admin.get("/api/v1/collections/library/search", params={"q": "差餉", "k": 1})
    assert [h["document"] for h in chinese.json()] == ["rates.txt"]

    hours = next(d for d in documents if d["source"] == "hours.md")
    deleted = await admin.delete(f"/api/v1/collections/library/documents/{hours['id']}")
    assert deleted.status_code == 204
    after = await admin.get("/api/v1/collections/library/search", params={"q": "library opens"})
    assert all(h["document"] != "hours.md" for h in after.json())
    missing = await admin.delete(f"/api/v1/collections/library/documents/{hours['id']}")
    assert missing.status_code == 404

    assert (await admin.delete("/api/v1/collections/library")).status_code == 204
    assert (await admin.get("/api/v1/collections")).json() == []
    assert (await admin.get("/api/v1/collections/library/documents")).status_code == 404

    actions = [e.action for e in reversed(api_events(platform)) if e.action.startswith("know")]
    assert actions == [
        "knowledge.collection.create",
        "knowledge.ingest",
        "knowledge.ingest",
        "knowledge.search",
        "knowledge.search",
        "knowledge.document.delete",
        "knowledge.search",
        "knowledge.collection.delete",
    ]
    # Every event is the admin's; the queue worker's own say so ("job").
    events = api_events(platform)
    assert {(e.actor, e.department) for e in events} == {(ADMIN, "HAD")}
    assert {e.channel for e in events if e.action != "job.finish"} == {"api"}
    assert {e.channel for e in events if e.action == "job.finish"} == {"job"}


async def _follow(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    """The job once finished, polling its status route."""
    deadline = time.monotonic() + 30
    while True:
        response = await client.get(f"/api/v1/collections/library/ingest-jobs/{job_id}")
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        if job["status"] in ("completed", "failed"):
            return job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.05)


async def test_an_upload_without_waiting_is_a_job_to_follow(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    await admin.post("/api/v1/collections", json={"name": "library"})
    queued = await admin.post(
        "/api/v1/collections/library/documents",
        params={"wait": "false"},
        files=[
            ("files", ("/tmp/uploads/hours.md", HOURS.encode(), MD)),
            ("files", ("rates.txt", RATES.encode(), "text/plain")),
            ("files", ("rates.txt", b"A second copy.", "text/plain")),
        ],
    )
    assert queued.status_code == 202, queued.text
    body = queued.json()
    assert body["collection"] == "library" and body["total"] == 3
    assert body["status"] in ("queued", "running", "completed")
    assert [i["source"] for i in body["items"]] == ["hours.md", "rates.txt", "rates.txt"]
    assert body["items"][2]["outcome"] == "skipped"  # known at once: sent twice

    job = await _follow(admin, body["job_id"])
    assert job["status"] == "completed" and (job["done"], job["total"]) == (3, 3)
    assert [(i["source"], i["path"], i["outcome"]) for i in job["items"]] == [
        ("hours.md", "hours.md", "added"),
        ("rates.txt", "rates.txt", "added"),
        ("rates.txt", "rates.txt", "skipped"),
    ]
    assert job["counts"]["added"] == 2 and "pending" not in job["counts"]
    documents = (await admin.get("/api/v1/collections/library/documents")).json()
    assert sorted(d["source"] for d in documents) == ["hours.md", "rates.txt"]
    hits = (await admin.get("/api/v1/collections/library/search", params={"q": "library"})).json()
    assert hits[0]["document"] == "hours.md"
    ingests = [e for e in api_events(platform) if e.action == "knowledge.ingest"]
    assert [(e.actor, e.channel, e.detail["job"]) for e in ingests] == [
        (ADMIN, "api", body["job_id"])
    ]
    missing = await admin.get("/api/v1/collections/library/ingest-jobs/0123456789abcdef")
    assert missing.status_code == 404


async def test_an_upload_job_is_seen_only_by_its_departments_managers(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    await admin.post("/api/v1/collections", json={"name": "library"})
    queued = await admin.post(
        "/api/v1/collections/library/documents?wait=false",
        files=[("files", ("hours.md", HOURS.encode(), MD))],
    )
    path = f"/api/v1/collections/library/ingest-jobs/{queued.json()['job_id']}"
    await _follow(admin, queued.json()["job_id"])
    async with app_client(platform, "officer@had.gov.hk", role=Role.OFFICER) as officer:
        assert (await officer.get(path)).status_code == 403
    async with app_client(
        platform, "admin@lcsd.gov.hk", role=Role.DEPARTMENT_ADMIN, department="LCSD"
    ) as other:
        assert (await other.get(path)).status_code == 404
        await other.post("/api/v1/collections", json={"name": "library"})  # its own namesake
        response = await other.get(path)
        assert response.status_code == 404 and "hours.md" not in response.text


async def test_search_and_upload_validate_their_input(admin: httpx.AsyncClient) -> None:
    await _library(admin)
    no_query = await admin.get("/api/v1/collections/library/search")
    assert no_query.status_code == 422
    too_many = await admin.get("/api/v1/collections/library/search", params={"q": "x", "k": 500})
    assert too_many.status_code == 422
    blank = await admin.get("/api/v1/collections/library/search", params={"q": "  "})
    assert blank.status_code == 400
    no_files = await admin.post("/api/v1/collections/library/documents")
    assert no_files.status_code == 422
    unknown = await admin.post(
        "/api/v1/collections/nothing/documents", files=[("files", ("a.txt", b"hi", "text/plain"))]
    )
    assert unknown.status_code == 404 and "library" in unknown.json()["error"]["hint"]


async def test_a_file_over_the_limit_fails_alone(admin: httpx.AsyncClient) -> None:
    await admin.post("/api/v1/collections", json={"name": "library"})
    big = b"a " * int(UPLOAD_LIMIT_MB * 1024 * 1024)
    response = await admin.post(
        "/api/v1/collections/library/documents",
        files=[
            ("files", ("big.txt", big, "text/plain")),
            ("files", ("hours.md", HOURS.encode(), MD)),
        ],
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(i["source"], i["outcome"]) for i in items] == [
        ("big.txt", "failed"),
        ("hours.md", "added"),
    ]
    assert "limit" in items[0]["reason"]


async def test_officers_search_but_do_not_change_collections(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    await _library(admin)
    async with app_client(platform, "officer@had.gov.hk", role=Role.OFFICER) as officer:
        assert [c["name"] for c in (await officer.get("/api/v1/collections")).json()] == ["library"]
        assert (await officer.get("/api/v1/collections/library/documents")).status_code == 200
        hits = await officer.get("/api/v1/collections/library/search", params={"q": "library"})
        assert hits.status_code == 200 and hits.json()
        document_id = (await officer.get("/api/v1/collections/library/documents")).json()[0]["id"]
        for method, path, kwargs in [
            ("POST", "/api/v1/collections", {"json": {"name": "mine"}}),
            ("DELETE", "/api/v1/collections/library", {}),
            (
                "POST",
                "/api/v1/collections/library/documents",
                {"files": [("files", ("x.txt", b"Some text.", "text/plain"))]},
            ),
            ("DELETE", f"/api/v1/collections/library/documents/{document_id}", {}),
        ]:
            response = await officer.request(method, path, **kwargs)
            assert response.status_code == 403, (method, path)
            assert response.json()["error"]["type"] == "PermissionDenied"
    assert len((await admin.get("/api/v1/collections/library/documents")).json()) == 2


async def test_auditors_and_the_public_have_no_collections(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    await _library(admin)
    async with app_client(platform, "audit@had.gov.hk", role=Role.AUDITOR) as auditor:
        assert (await auditor.get("/api/v1/collections")).status_code == 403
        searched = await auditor.get("/api/v1/collections/library/search", params={"q": "x"})
        assert searched.status_code == 403
    async with public_client(platform, "HAD") as public:
        assert (await public.get("/api/v1/collections")).status_code == 401
        searched = await public.get("/api/v1/collections/library/search", params={"q": "library"})
        assert searched.status_code == 401
        created = await public.post("/api/v1/collections", json={"name": "mine"})
        assert created.status_code == 401


async def test_another_department_neither_sees_nor_changes_them(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    await _library(admin)
    async with app_client(
        platform, "admin@lcsd.gov.hk", role=Role.DEPARTMENT_ADMIN, department="LCSD"
    ) as other:
        assert (await other.get("/api/v1/collections")).json() == []
        for method, path, kwargs in [
            ("GET", "/api/v1/collections/library", {}),
            ("GET", "/api/v1/collections/library/documents", {}),
            ("GET", "/api/v1/collections/library/search?q=library", {}),
            ("DELETE", "/api/v1/collections/library", {}),
            (
                "POST",
                "/api/v1/collections/library/documents",
                {"files": [("files", ("x.txt", b"Some text.", "text/plain"))]},
            ),
        ]:
            response = await other.request(method, path, **kwargs)
            assert response.status_code == 404, (method, path)
        # Its own collection of the same name is its own.
        created = await other.post("/api/v1/collections", json={"name": "library"})
        assert created.status_code == 201 and created.json()["department"] == "LCSD"
        hits = await other.get("/api/v1/collections/library/search", params={"q": "library"})
        assert hits.json() == []
    assert len((await admin.get("/api/v1/collections/library/documents")).json()) == 2


async def test_openapi_describes_the_collections_api(admin: httpx.AsyncClient) -> None:
    schema = (await admin.get("/openapi.json")).json()
    paths = schema["paths"]
    assert {
        "/api/v1/collections",
        "/api/v1/collections/{name}",
        "/api/v1/collections/{name}/documents",
        "/api/v1/collections/{name}/documents/{document_id}",
        "/api/v1/collections/{name}/search",
        "/api/v1/collections/{name}/ingest-jobs/{job_id}",
    } <= set(paths)
    upload = paths["/api/v1/collections/{name}/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"200", "202"} <= set(upload["responses"])
    assert [p["name"] for p in upload["parameters"] if p["in"] == "query"] == ["wait"]
    security = paths["/api/v1/collections"]["post"]["security"]
    assert {name for item in security for name in item} == {"HTTPBearer", "APIKeyCookie"}
