"""The application as a whole: health, OpenAPI, error shapes, the audit trail of API calls."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
import uvicorn
from api_support import OFFICER, api_events, app_client

from govpilot import __version__
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.knowledge.uploads import UploadedFile
from govpilot.platform import Platform
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.server import create_app, serve
from govpilot.testing import SETUP_CONTEXT, add_api_key, add_user

pytestmark = pytest.mark.anyio


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.json() == {"status": "ok", "version": __version__}


async def test_openapi_lists_every_route(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert schema["info"]["title"] == "govpilot"
    assert schema["info"]["version"] == __version__
    assert set(schema["paths"]) >= {
        "/health",
        "/api/v1/translate",
        "/api/v1/translate/file",
        "/api/v1/summarise",
        "/api/v1/summarise/files",
        "/api/v1/draft",
        "/api/v1/draft/files",
        "/api/v1/templates",
        "/v1/models",
        "/v1/chat/completions",
    }
    upload = schema["paths"]["/api/v1/translate/file"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    security = schema["paths"]["/api/v1/translate"]["post"]["security"]
    assert {name for item in security for name in item} == {"HTTPBearer", "APIKeyCookie"}
    assert (await client.get("/docs")).status_code == 200


async def test_unknown_routes_answer_in_each_family_s_shape(client: httpx.AsyncClient) -> None:
    ours = await client.get("/api/v1/nothing")
    assert ours.status_code == 404
    assert ours.json()["error"]["type"] == "NotFound"
    theirs = await client.get("/v1/nothing")
    assert theirs.status_code == 404
    assert theirs.json()["error"]["type"] == "invalid_request_error"
    wrong_method = await client.get("/api/v1/translate")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"


async def test_unexpected_errors_are_500_without_details(platform: Platform) -> None:
    add_user(platform, OFFICER)
    transport = httpx.ASGITransport(app=create_app(platform), raise_app_exceptions=False)
    headers = {"Authorization": f"Bearer {add_api_key(platform, OFFICER)}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://govpilot.test", headers=headers
    ) as c:
        ours = await c.post(
            "/api/v1/translate", json={"text": "Hello.", "target": "zh-Hant", "model": "buggy"}
        )
        theirs = await c.post(
            "/v1/chat/completions",
            json={"model": "buggy", "messages": [{"role": "user", "content": "Hi"}]},
        )
    assert ours.status_code == theirs.status_code == 500
    assert ours.json()["error"]["type"] == "InternalServerError"
    assert theirs.json()["error"]["code"] == "internal_error"
    for response in (ours, theirs):
        assert "secret internal detail" not in response.text
        assert "Traceback" not in response.text


async def test_every_model_call_is_audited_with_the_api_channel(
    client: httpx.AsyncClient, platform: Platform
) -> None:
    await client.post("/api/v1/translate", json={"text": "Hi.", "target": "zh-Hant"})
    await client.post("/api/v1/summarise", json={"texts": ["The library opens at nine."]})
    await client.post("/api/v1/draft", json={"template": "memo", "instructions": "Say hi."})
    # A second account, whose name is not ASCII: the key, not a header, says who called.
    async with app_client(platform, "陳大文@had.gov.hk") as other:
        await other.post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": "Hi"}]}
        )
    events = api_events(platform)
    assert sorted(e.action for e in events) == ["chat", "draft", "summarise", "translate"]
    assert {e.channel for e in events} == {"api"}
    assert {e.actor for e in events} == {"chan.tm@had.gov.hk", "陳大文@had.gov.hk"}
    assert platform.audit.verify().ok


def test_serve_runs_uvicorn_on_the_configured_address(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs | {"app": app}))
    serve(platform)
    serve(platform, "0.0.0.0", 9000)
    assert [(c["host"], c["port"]) for c in calls] == [("127.0.0.1", 8000), ("0.0.0.0", 9000)]
    assert calls[0]["app"].state.platform is platform


def test_serve_continues_the_uploads_a_stopped_server_left(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = KnowledgeBase.build(platform.database, InMemoryRetriever())
    platform.knowledge = knowledge
    admin = SETUP_CONTEXT
    knowledge.create_collection(admin, "library", department="HAD")
    # Queued by an earlier server whose worker never got to it (nor its message: the
    # memory broker went with it).
    platform.jobs = platform.new_job_service()
    notice = UploadedFile("notice.txt", b"The library opens at ten.")
    uploads = platform.upload_job_service()
    job_id = uploads.submit(admin, "library", [notice], department="HAD").job_id
    platform.jobs.store.mark_enqueued([job_id], None)
    platform.jobs, platform.upload_jobs = None, None
    seen: list[str] = []

    def run(app: object, **kwargs: object) -> None:
        # While serving, before any request: the new server's worker finishes the job.
        deadline = time.monotonic() + 30
        while not knowledge.ingestor.report(job_id, "HAD").finished:
            assert time.monotonic() < deadline, "the upload was not continued"
            time.sleep(0.05)
        seen.append(knowledge.ingestor.report(job_id, "HAD").status)

    monkeypatch.setattr(uvicorn, "run", run)
    serve(platform)
    assert seen == ["completed"]
    assert [
        d.source for d in knowledge.documents.list(knowledge.collections.get("HAD", "library"))
    ] == ["notice.txt"]
    assert platform.jobs is not None and not platform.jobs.worker.running


#: The only API routes a caller without an account may use: talking to a department's bot,
#: and the public transparency records and impact assessment questionnaire.
PUBLIC_ROUTES = {
    ("GET", "/api/v1/transparency"),
    ("GET", "/api/v1/assessment-questions"),
    ("POST", "/api/v1/bots/{bot}/conversations"),
    ("POST", "/api/v1/bots/{bot}/ask"),
    ("POST", "/api/v1/bots/{bot}/ask/stream"),
    ("POST", "/api/v1/bots/{bot}/feedback"),
}


async def test_every_other_api_route_needs_a_key_or_a_session(platform: Platform) -> None:
    app = create_app(platform)
    routes = [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(("/api/", "/v1/"))
        for method in operations
    ]
    assert set(routes) >= PUBLIC_ROUTES
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://govpilot.test") as c:
        for method, path in routes:
            if (method, path) in PUBLIC_ROUTES:
                continue
            url = re.sub(r"\{[^}]+\}", "x", path)
            # The department header names nobody: it is for the public's bot routes only.
            response = await c.request(method, url, headers={"X-Govpilot-Department": "HAD"})
            assert response.status_code == 401, (method, path, response.status_code)
