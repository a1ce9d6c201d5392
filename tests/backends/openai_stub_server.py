"""A scripted OpenAI-compatible server for tests, run by uvicorn on 127.0.0.1 in a thread.

`server.script` says how it behaves (fail with given statuses first, demand a key, hang,
send malformed JSON, reject `stream_options`); `server.script.requests` records every
chat request body it received, retries included.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from support.served_app import ServedApp

PROMPT_TOKENS = 21
COMPLETION_TOKENS = 9


@dataclass
class StubScript:
    """How the stub answers; tests change fields, the fixture resets them."""

    models: list[str] = field(default_factory=lambda: ["stub-model-7b"])
    answered_by: str | None = None  # the `model` field sent back; default: the one asked for
    reply: str = "Hello from the stub server. 你好，這是測試回覆。"
    api_key: str | None = None  # when set, requests must carry `Bearer <api_key>`
    fail_statuses: list[int] = field(default_factory=list)  # sent in order before answering
    retry_after: str | None = None
    malformed: bool = False
    hang_s: float = 0.0
    reject_stream_options: bool = False
    send_usage: bool = True
    requests: list[dict[str, Any]] = field(default_factory=list)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message}}, status_code=status, headers=headers)


def create_app(server: StubServer) -> FastAPI:
    """The FastAPI app; it reads `server.script` on every request."""
    app = FastAPI()

    def refused(request: Request) -> JSONResponse | None:
        key = server.script.api_key
        given = request.headers.get("authorization", "")
        if key and given != f"Bearer {key}":
            # Echo the key like some hosted APIs do, so tests can check it is masked.
            return _error(401, f"Incorrect API key provided: {given.removeprefix('Bearer ')}")
        return None

    @app.get("/v1/models")
    async def models(request: Request) -> Response:
        if (denied := refused(request)) is not None:
            return denied
        data = [{"id": m, "object": "model", "owned_by": "stub"} for m in server.script.models]
        return JSONResponse({"object": "list", "data": data})

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        script = server.script
        body = await request.json()
        script.requests.append(body)
        if (denied := refused(request)) is not None:
            return denied
        if script.fail_statuses:
            headers = {"Retry-After": script.retry_after} if script.retry_after else None
            return _error(script.fail_statuses.pop(0), "server overloaded", headers)
        if script.hang_s:
            await asyncio.sleep(script.hang_s)
        if script.malformed:
            return Response('{"choices": [{"message": ', media_type="application/json")
        if body.get("model") not in script.models:
            return _error(404, f"The model `{body.get('model')}` does not exist.")
        model = script.answered_by or body["model"]
        if not body.get("stream"):
            return JSONResponse(
                {
                    "id": "chatcmpl-stub",
                    "object": "chat.completion",
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": script.reply},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": PROMPT_TOKENS,
                        "completion_tokens": COMPLETION_TOKENS,
                    }
                    if script.send_usage
                    else None,
                }
            )
        if "stream_options" in body and script.reject_stream_options:
            return _error(400, "Unrecognized request argument supplied: stream_options")
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return StreamingResponse(_sse(script, model, include_usage), media_type="text/event-stream")

    return app


def _sse(script: StubScript, model: str, include_usage: bool) -> Iterator[str]:
    def event(choices: list[dict[str, Any]], **extra: Any) -> str:
        chunk = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "model": model}
        payload = chunk | {"choices": choices} | extra
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    yield ": keep-alive\n\n"
    yield event([{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}])
    for start in range(0, len(script.reply), 6):
        piece = script.reply[start : start + 6]
        yield event([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
    yield event([{"index": 0, "delta": {}, "finish_reason": "stop"}])
    if include_usage and script.send_usage:
        usage = {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS}
        yield event([], usage=usage)
    yield "data: [DONE]\n\n"


class StubServer:
    """The stub app served on a free 127.0.0.1 port until `stop()`."""

    def __init__(self) -> None:
        self.script = StubScript()
        self._served = ServedApp(create_app(self))

    @property
    def url(self) -> str:
        return self._served.url

    @property
    def port(self) -> int:
        return self._served.port

    def start(self) -> StubServer:
        self._served.start()
        return self

    def stop(self) -> None:
        self._served.stop()
