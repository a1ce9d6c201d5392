"""Jobs on a real Redis broker run by real `govpilot worker` processes, one killed with -9
mid-run: nothing is lost and nothing completes twice (the reduced fault test of CI). The
jobs are copilot jobs and an upload into a collection, on the one queue.

Needs Debian's `redis-server` (the `redis_url` fixture: CI installs it, and
GOVPILOT_REQUIRE_REDIS=1 makes a missing one a failure rather than a skip). The model is an
OpenAI-compatible server on 127.0.0.1 that takes about half a second a call, so the
workers are busy when one is killed.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from jobs_support import person

from govpilot.config import AuthSettings, JobSettings, ModelConfig, Settings
from govpilot.knowledge.uploads import UploadedFile
from govpilot.platform import Platform
from govpilot.testing import SETUP_CONTEXT
from support.served_app import ServedApp

CALL_S = 0.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def slow_model_app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        await asyncio.sleep(CALL_S)
        reply = "- The text says hello [1]."
        return JSONResponse(
            {
                "id": "chatcmpl-slow",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5},
            }
        )

    return app


@pytest.fixture
def model_url() -> Iterator[str]:
    served = ServedApp(slow_model_app())
    served.start()
    yield f"{served.url}/v1"
    served.stop()


def worker_process(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "govpilot"), "worker", "--concurrency", "1"]
    return subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def test_a_worker_killed_mid_job_loses_nothing_and_completes_nothing_twice(
    tmp_path: Path, redis_url: str, model_url: str
) -> None:
    model = ModelConfig(name="slow", backend="openai", base_url=model_url, remote_model="slow")
    jobs = JobSettings(
        broker_url=redis_url,
        queue="govpilot-cluster-test",
        embedded_worker=False,
        lease_s=3.0,
        sweep_s=0.5,
        retry_backoff_s=0.2,
    )
    auth = AuthSettings(max_concurrent_jobs=10)  # 4 copilot jobs and an upload at once
    settings = Settings(home=tmp_path, models=[model], default_model="slow", jobs=jobs, auth=auth)
    env = {
        **os.environ,
        "GOVPILOT_HOME": str(tmp_path),
        "GOVPILOT_MODELS": json.dumps([model.model_dump(mode="json")]),
        "GOVPILOT_DEFAULT_MODEL": "slow",
        "GOVPILOT_JOBS": jobs.model_dump_json(),
        "GOVPILOT_AUTH": auth.model_dump_json(),
    }
    env.pop("GOVPILOT_DATABASE_URL", None)
    platform = Platform.from_settings(settings)
    service = platform.job_service()  # submits only: embedded_worker is off
    assert not service.worker.running
    ctx = person(platform, "chan@had.gov.hk")
    platform.knowledge_base().collections.create("HAD", "library", created_by="test")
    uploads = platform.upload_job_service()
    log = tmp_path / "workers.log"
    workers = [worker_process(env, log), worker_process(env, log)]
    try:
        submitted = [
            service.submit(ctx, "summarise", filename=f"n{n}.txt", text=f"Hello number {n}.").id
            for n in range(4)
        ]
        notice = UploadedFile("notice.txt", b"The library opens at ten on Sundays.")
        upload = uploads.submit(SETUP_CONTEXT, "library", [notice], department="HAD").job_id
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill a worker while it holds a job
            running = [j for j in submitted if service.store.get(j).status == "running"]
            if len(running) == 2:
                break
            time.sleep(0.05)
        assert running, log.read_text(errors="replace")[-3000:]
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)
        workers.append(worker_process(env, log))  # a replacement starts later

        finished = [service.wait(j, timeout=90) for j in submitted]
        indexed = service.wait(upload, timeout=90)
    finally:
        for process in workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in workers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        platform.database.dispose()

    tail = log.read_text(errors="replace")[-3000:]
    assert [j.status for j in finished] == ["done"] * len(submitted), tail
    assert max(j.attempts for j in finished) >= 2  # the killed worker's job ran again
    assert (indexed.kind, indexed.status) == ("upload", "done"), tail
    knowledge = platform.knowledge_base()
    documents = knowledge.documents.list(knowledge.collections.get("HAD", "library"))
    assert [(d.source, d.status) for d in documents] == [("notice.txt", "ready")]
    ends = [e.detail["job"] for e in platform.audit.events() if e.action == "job.finish"]
    assert sorted(ends) == sorted([*submitted, upload])  # each job finished exactly once
