"""The OpenAI-compatible routes: /v1/models and /v1/chat/completions."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from api_support import CHAT_ANSWER, api_events, sse_events

from govpilot.backends.fake import ScriptedModel
from govpilot.platform import Platform

pytestmark = pytest.mark.anyio

HELLO = [
    {"role": "system", "content": "You answer questions about a public library."},
    {"role": "user", "content": "When does the library open?"},
]


def chunks_of(body: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The JSON chunks and the raw data lines of an OpenAI stream."""
    data = [d for event, d in sse_events(body) if event == "message"]
    return [json.loads(d) for d in data if d != "[DONE]"], data


async def test_models_lists_each_gateway_model(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/models")
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    fake = next(m for m in body["data"] if m["id"] == "fake")
    assert fake["object"] == "model" and fake["owned_by"] == "fake"
    assert {m["id"] for m in body["data"]} == {"fake", "down", "flaky", "buggy"}


async def test_one_model_and_an_unknown_one(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/models/fake")).json()["id"] == "fake"
    missing = await client.get("/v1/models/gpt-9")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "model_not_found"


async def test_chat_completion_names_the_model_that_answered(
    client: httpx.AsyncClient, platform: Platform, fake_model: ScriptedModel
) -> None:
    response = await client.post(
        "/v1/chat/completions",
        json={
            "model": "fake",
            "messages": HELLO,
            "max_tokens": 50,
            "temperature": 0.2,
            "top_p": 0.9,
            "stop": "\n\n",
            "user": "ignored",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
    assert body["model"] == "fake:fake"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": CHAT_ANSWER}
    assert body["choices"][0]["finish_reason"] == "stop"
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    options = fake_model.calls[0].options
    assert (options.max_tokens, options.temperature, options.top_p, options.stop) == (
        50,
        0.2,
        0.9,
        ("\n\n",),
    )
    (event,) = api_events(platform)
    assert (event.action, event.channel, event.model_id) == ("chat", "api", "fake:fake")
    assert event.actor == "chan.tm@had.gov.hk"


async def test_text_content_parts_are_joined(
    client: httpx.AsyncClient, fake_model: ScriptedModel
) -> None:
    messages = [
        {
            "role": "user",
            "content": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}],
        }
    ]
    response = await client.post("/v1/chat/completions", json={"messages": messages})
    assert response.status_code == 200, response.text
    assert fake_model.calls[0].prompt == "Hello there"


async def test_image_content_is_refused_in_openai_shape(client: httpx.AsyncClient) -> None:
    messages = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]
    response = await client.post("/v1/chat/completions", json={"messages": messages})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and "image_url" in error["message"]


async def test_stream_chunks_join_to_the_answer_and_end_with_done(
    client: httpx.AsyncClient, platform: Platform
) -> None:
    response = await client.post(
        "/v1/chat/completions",
        json={
            "model": "fake",
            "messages": HELLO,
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    chunks, data = chunks_of(response.text)
    assert data[-1] == "[DONE]"
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    with_choices = [c for c in chunks if c["choices"]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in with_choices)
    assert text == CHAT_ANSWER
    assert with_choices[0]["choices"][0]["delta"]["role"] == "assistant"
    last = with_choices[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["model"] == "fake:fake"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    (event,) = api_events(platform)
    assert (event.action, event.channel, event.outcome) == ("chat", "api", "ok")


async def test_unknown_model_is_404_in_openai_shape(client: httpx.AsyncClient) -> None:
    for stream in (False, True):
        response = await client.post(
            "/v1/chat/completions", json={"model": "gpt-9", "messages": HELLO, "stream": stream}
        )
        assert response.status_code == 404
        error = response.json()["error"]
        assert error["code"] == "model_not_found" and error["type"] == "invalid_request_error"
        assert "gpt-9" in error["message"]


async def test_a_model_that_is_down_is_503_before_streaming(
    client: httpx.AsyncClient, platform: Platform
) -> None:
    for stream in (False, True):
        response = await client.post(
            "/v1/chat/completions", json={"model": "down", "messages": HELLO, "stream": stream}
        )
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/json"
        error = response.json()["error"]
        assert error["type"] == "server_error" and error["code"] == "model_unavailable"
        assert error["hint"]
    assert [e.outcome for e in api_events(platform)] == ["error", "error"]


async def test_a_failure_mid_stream_is_an_error_event(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/chat/completions", json={"model": "flaky", "messages": HELLO, "stream": True}
    )
    assert response.status_code == 200
    events = sse_events(response.text)
    assert json.loads(events[0][1])["choices"][0]["delta"]["content"] == "Good "
    name, data = events[-1]
    assert name == "error"
    assert json.loads(data)["error"]["code"] == "model_unavailable"
    assert "[DONE]" not in response.text


async def test_invalid_request_is_422_in_openai_shape(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat/completions", json={"messages": HELLO, "temperature": 5})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == "temperature"
