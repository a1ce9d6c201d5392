"""Server-sent events, and running a blocking capability while streaming its progress.

Capabilities are plain blocking functions that report progress through a callback. A
`ProgressStream` runs one in a worker thread and turns its callbacks into `progress`
events, then one `result` (or `error`) event, without blocking the event loop.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from typing import Any, Final, TypeVar

from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from govpilot.api.errors import error_body
from govpilot.errors import GovpilotError

logger = logging.getLogger("govpilot.api")

Progress = Callable[[int, int], None]
Job = Callable[[Progress], Any]
T = TypeVar("T")
R = TypeVar("R")
KEEPALIVE_S = 15.0  # a comment line this often keeps proxies from closing a quiet stream
_END: Final = object()
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sse(data: Any, event: str | None = None) -> str:
    """One server-sent event; `data` is sent as compact JSON unless it is already a string."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return head + "".join(f"data: {line}\n" for line in payload.split("\n")) + "\n"


def event_stream(events: AsyncIterator[str]) -> StreamingResponse:
    """A `text/event-stream` response that proxies do not buffer."""
    return StreamingResponse(events, media_type="text/event-stream", headers=SSE_HEADERS)


class _ClientGone(Exception):
    """Raised inside the worker at its next progress report once the client has left."""


class ProgressStream:
    """Runs `job(progress)` in a worker thread and streams what happens as SSE.

    Events: `progress` {"done", "total"} per callback, then `result` (what the job
    returned) or `error` (govpilot's error body). When the client disconnects, the job
    stops at its next progress report instead of running on for nobody.
    """

    def __init__(self, job: Job, *, keepalive_s: float = KEEPALIVE_S) -> None:
        self._job = job
        self._keepalive_s = keepalive_s
        self._queue: queue.Queue[object] = queue.Queue()
        self._cancelled = threading.Event()

    async def events(self) -> AsyncIterator[str]:
        """The SSE text, read from the worker's queue in the thread pool."""
        worker = threading.Thread(target=self._work, name="govpilot-progress", daemon=True)
        worker.start()
        try:
            async for chunk in iterate_in_threadpool(self._drain()):
                yield chunk
        finally:
            self._cancelled.set()

    def _progress(self, done: int, total: int) -> None:
        if self._cancelled.is_set():
            raise _ClientGone
        self._queue.put(sse({"done": done, "total": total}, "progress"))

    def _work(self) -> None:
        try:
            result = self._job(self._progress)
            self._queue.put(sse(result, "result"))
        except _ClientGone:
            logger.info("client left; stopped a streamed job early")
        except GovpilotError as exc:
            self._queue.put(sse(error_body(exc), "error"))
        except Exception:
            logger.exception("unexpected error in a streamed job")
            body = {
                "type": "InternalServerError",
                "message": "Internal server error.",
                "hint": "Try again later; if it persists, tell your administrator.",
            }
            self._queue.put(sse({"error": body}, "error"))
        finally:
            self._queue.put(_END)

    def _drain(self) -> Iterator[str]:
        while True:
            try:
                item = self._queue.get(timeout=self._keepalive_s)
            except queue.Empty:
                yield ": keep-alive\n\n"
                continue
            if item is _END:
                return
            yield str(item)


def advance(generator: Generator[T, None, R]) -> tuple[T, None] | tuple[None, R]:
    """The generator's next item, or its return value once it is done.

    `next()` raising StopIteration cannot cross a thread-pool boundary, so this wraps it.
    """
    try:
        return next(generator), None
    except StopIteration as stop:
        return None, stop.value
