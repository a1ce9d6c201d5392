"""ProgressStream: a blocking job in a worker thread, streamed as server-sent events."""

from __future__ import annotations

import threading
import time

import pytest
from api_support import sse_events

from govpilot.api.streaming import Progress, ProgressStream, sse
from govpilot.documents.writers import output_filename
from govpilot.errors import NotFound
from govpilot.http.downloads import default_output_format

pytestmark = pytest.mark.anyio


def test_sse_encodes_json_and_splits_lines() -> None:
    assert sse({"done": 1, "total": 2}, "progress") == (
        'event: progress\ndata: {"done": 1, "total": 2}\n\n'
    )
    assert sse("a\nb") == "data: a\ndata: b\n\n"
    assert sse({"text": "你好"}) == 'data: {"text": "你好"}\n\n'


async def test_the_job_runs_off_the_event_loop_thread() -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []

    def job(progress: Progress) -> dict[str, int]:
        seen.append(threading.get_ident())
        progress(1, 1)
        return {"answer": 42}

    body = "".join([chunk async for chunk in ProgressStream(job).events()])
    assert [name for name, _ in sse_events(body)] == ["progress", "result"]
    assert seen and seen[0] != loop_thread


async def test_errors_become_an_error_event() -> None:
    def job(progress: Progress) -> None:
        raise NotFound("no model named 'x'", hint="known models: fake")

    body = "".join([chunk async for chunk in ProgressStream(job).events()])
    ((name, data),) = sse_events(body)
    assert name == "error" and '"NotFound"' in data


async def test_quiet_jobs_send_keep_alive_comments() -> None:
    def job(progress: Progress) -> str:
        time.sleep(0.2)
        return "done"

    chunks = [chunk async for chunk in ProgressStream(job, keepalive_s=0.05).events()]
    assert ": keep-alive\n\n" in chunks
    assert chunks[-1] == "event: result\ndata: done\n\n"


async def test_a_client_that_leaves_stops_the_job_at_its_next_step() -> None:
    steps: list[int] = []
    finished = threading.Event()

    def job(progress: Progress) -> None:
        try:
            for step in range(1, 101):
                steps.append(step)
                progress(step, 100)
                time.sleep(0.01)
        finally:
            finished.set()

    events = ProgressStream(job).events()
    first = await events.__anext__()
    assert first.startswith("event: progress")
    await events.aclose()  # what the server does when the client disconnects
    assert finished.wait(5)
    assert len(steps) < 100


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        ("a.docx", "docx"),
        ("a.MD", "md"),
        ("a.markdown", "md"),
        ("a.txt", "txt"),
        ("a.pdf", "docx"),
        ("a.html", "docx"),
        ("noext", "docx"),
    ],
)
def test_output_defaults_to_the_input_format_when_writable(upload: str, expected: str) -> None:
    assert default_output_format(upload) == expected


def test_output_filename_tags_the_language() -> None:
    assert output_filename("Paper (final).pdf", "zh-Hant", "docx") == "Paper (final).zh-Hant.docx"
