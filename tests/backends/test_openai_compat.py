"""OpenAICompatibleModel against a real local stub server, and httpx.MockTransport for retries.

Timeouts are mapped to ModelUnavailable (the server is there but not answering in time:
the caller should try later or raise timeout_s), never to ModelResponseError.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from openai_stub_server import COMPLETION_TOKENS, PROMPT_TOKENS, StubServer
from pydantic import SecretStr

from govpilot.backends.llm import ChatMessage, ChatModel, GenerationOptions, Usage
from govpilot.backends.openai_compat import OpenAICompatibleModel, normalise_base_url
from govpilot.config import ModelConfig
from govpilot.errors import ConfigError, ModelResponseError, ModelUnavailable

HELLO = [ChatMessage("system", "Be brief."), ChatMessage("user", "Say hello.")]
OPTS = GenerationOptions(max_tokens=32, stop=("\n\n",), seed=7)
SECRET = "sk-test-SECRET-1234567890"


@pytest.fixture(scope="module")
def server() -> Iterator[StubServer]:
    stub = StubServer().start()
    yield stub
    stub.stop()


@pytest.fixture
def stub(server: StubServer) -> StubServer:
    server.script = type(server.script)()  # a fresh script per test
    return server


_opened: list[OpenAICompatibleModel] = []


@pytest.fixture(autouse=True)
def close_models() -> Iterator[None]:
    yield
    while _opened:
        _opened.pop().close()


def make(url: str, **kwargs: object) -> OpenAICompatibleModel:
    kwargs = {"retries": 0, "backoff_s": 0.01, "timeout_s": 5.0} | kwargs
    model = OpenAICompatibleModel("test", url, **kwargs)  # type: ignore[arg-type]
    _opened.append(model)
    return model


def drain(gen: Iterator[str]) -> tuple[list[str], object]:
    pieces = []
    while True:
        try:
            pieces.append(next(gen))
        except StopIteration as stop:
            return pieces, stop.value


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- against the stub server --------------------------------------------------------------


def test_is_a_chat_model(stub: StubServer) -> None:
    model = make(stub.url, remote_model="stub-model-7b", context_tokens=32768, external=True)
    assert isinstance(model, ChatModel)
    assert model.backend == "openai"
    assert model.capabilities.context_tokens == 32768 and model.capabilities.external


def test_complete_returns_text_real_model_id_and_server_usage(stub: StubServer) -> None:
    stub.script.answered_by = "stub-model-7b-awq-rev2"
    model = make(stub.url)  # no remote_model: discovered from /v1/models
    answer = model.complete(HELLO, OPTS)
    assert answer.text == stub.script.reply
    assert answer.model_id == "stub-model-7b-awq-rev2"
    assert answer.usage == Usage(PROMPT_TOKENS, COMPLETION_TOKENS)
    assert answer.finish_reason == "stop"
    assert model.remote_model == "stub-model-7b"
    sent = stub.script.requests[0]
    assert sent["model"] == "stub-model-7b"
    assert sent["messages"][1] == {"role": "user", "content": "Say hello."}
    assert (sent["max_tokens"], sent["stop"], sent["seed"]) == (32, ["\n\n"], 7)


def test_complete_estimates_usage_when_server_sends_none(stub: StubServer) -> None:
    stub.script.send_usage = False
    answer = make(stub.url).complete(HELLO, OPTS)
    assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
    assert answer.usage != Usage(PROMPT_TOKENS, COMPLETION_TOKENS)


def test_stream_yields_pieces_and_returns_completion(stub: StubServer) -> None:
    pieces, answer = drain(make(stub.url).stream(HELLO, OPTS))
    assert len(pieces) > 1
    assert "".join(pieces) == stub.script.reply == answer.text  # type: ignore[attr-defined]
    assert answer.model_id == "stub-model-7b"  # type: ignore[attr-defined]
    assert answer.usage == Usage(PROMPT_TOKENS, COMPLETION_TOKENS)  # type: ignore[attr-defined]
    assert stub.script.requests[0]["stream_options"] == {"include_usage": True}


def test_stream_drops_stream_options_when_server_rejects_them(stub: StubServer) -> None:
    stub.script.reject_stream_options = True
    model = make(stub.url)
    pieces, answer = drain(model.stream(HELLO, OPTS))
    assert "".join(pieces) == stub.script.reply
    assert answer.usage.completion_tokens > 0  # type: ignore[attr-defined]
    assert ["stream_options" in r for r in stub.script.requests] == [True, False]
    drain(model.stream(HELLO, OPTS))  # remembered: no second rejected request
    assert len(stub.script.requests) == 3 and "stream_options" not in stub.script.requests[2]


def test_retries_503_then_succeeds(stub: StubServer) -> None:
    stub.script.fail_statuses = [503, 503]
    answer = make(stub.url, remote_model="stub-model-7b", retries=3).complete(HELLO, OPTS)
    assert answer.text == stub.script.reply
    assert len(stub.script.requests) == 3


def test_gives_up_after_retries_with_status_and_excerpt(stub: StubServer) -> None:
    stub.script.fail_statuses = [502] * 5
    model = make(stub.url, remote_model="stub-model-7b", retries=2)
    with pytest.raises(ModelResponseError, match=r"HTTP 502: .*server overloaded"):
        model.complete(HELLO, OPTS)
    assert len(stub.script.requests) == 3


def test_stream_retries_before_first_byte(stub: StubServer) -> None:
    stub.script.fail_statuses = [429]
    stub.script.retry_after = "0"
    pieces, _ = drain(make(stub.url, remote_model="stub-model-7b", retries=1).stream(HELLO, OPTS))
    assert "".join(pieces) == stub.script.reply
    assert len(stub.script.requests) == 2


def test_401_hints_at_api_key_and_never_shows_it(
    stub: StubServer, caplog: pytest.LogCaptureFixture
) -> None:
    stub.script.api_key = "the-right-key"
    model = make(stub.url, api_key=SECRET, remote_model="stub-model-7b", retries=1)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ModelUnavailable) as caught:
        model.complete(HELLO, OPTS)
    assert "401" in caught.value.message
    assert "api_key" in (caught.value.hint or "")
    assert "Incorrect API key provided: ***" in str(caught.value)  # the server echoed it
    assert SECRET not in str(caught.value) + repr(caught.value) + caplog.text
    assert len(stub.script.requests) == 1  # 401 is not retried


def test_right_api_key_is_sent(stub: StubServer) -> None:
    stub.script.api_key = SECRET
    assert make(stub.url, api_key=SECRET).complete(HELLO, OPTS).text == stub.script.reply


def test_malformed_json_is_a_response_error(stub: StubServer) -> None:
    stub.script.malformed = True
    with pytest.raises(ModelResponseError, match="malformed JSON"):
        make(stub.url, remote_model="stub-model-7b").complete(HELLO, OPTS)


def test_timeout_is_model_unavailable(stub: StubServer) -> None:
    stub.script.hang_s = 1.0
    model = make(stub.url, remote_model="stub-model-7b", timeout_s=0.2)
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match=r"did not answer within 0\.2 s") as caught:
        model.complete(HELLO, OPTS)
    assert time.monotonic() - started < 0.9
    assert "timeout_s" in (caught.value.hint or "")


def test_unknown_model_names_it_and_lists_offered(stub: StubServer) -> None:
    with pytest.raises(ModelUnavailable, match="no model 'gpt-4o'") as caught:
        make(stub.url, remote_model="gpt-4o").complete(HELLO, OPTS)
    assert "stub-model-7b" in (caught.value.hint or "")


def test_list_remote_models_and_health_check(stub: StubServer) -> None:
    stub.script.models = ["qwen2.5-7b", "llama3-8b"]
    model = make(stub.url)
    assert model.list_remote_models() == ["qwen2.5-7b", "llama3-8b"]
    ok, detail = model.health_check()
    assert ok and detail.startswith("qwen2.5-7b answered in ")
    assert stub.script.requests[-1]["max_tokens"] == 4


def test_connection_refused_fails_fast_with_hint() -> None:
    url = f"http://127.0.0.1:{unused_port()}/v1"
    model = make(url, remote_model="m", retries=2)
    started = time.monotonic()
    with pytest.raises(
        ModelUnavailable, match=r"cannot reach model server at http://127\.0\.0\.1"
    ) as caught:
        model.complete(HELLO, OPTS)
    assert time.monotonic() - started < 2
    assert "running" in (caught.value.hint or "") and "base_url" in (caught.value.hint or "")
    ok, detail = model.health_check()
    assert not ok and "cannot reach" in detail


# -- fine-grained behaviour through httpx.MockTransport ----------------------------------

Handler = Callable[[httpx.Request], httpx.Response]


def chat_ok(request: httpx.Request) -> httpx.Response:
    body = {"model": "m", "choices": [{"message": {"content": "ok"}, "finish_reason": "length"}]}
    return httpx.Response(200, json=body)


def scripted(*steps: httpx.Response | Exception | Handler) -> tuple[list[httpx.Request], Handler]:
    """A handler answering each request with the next step; the last step repeats."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = steps[min(len(seen), len(steps)) - 1]
        if isinstance(step, Exception):
            raise step
        return step(request) if callable(step) else step

    return seen, handler


def mocked(handler: Handler, **kwargs: object) -> tuple[OpenAICompatibleModel, list[float]]:
    kwargs = {"remote_model": "m", "retries": 3, "backoff_s": 0.1} | kwargs
    model = make("http://llm.internal:8000", transport=httpx.MockTransport(handler), **kwargs)
    sleeps: list[float] = []
    model._sleep = sleeps.append  # record the waits instead of sleeping
    return model, sleeps


def test_request_goes_to_normalised_chat_url() -> None:
    seen, handler = scripted(chat_ok)
    model, _ = mocked(handler, api_key=SECRET)
    answer = model.complete(HELLO, OPTS)
    assert str(seen[0].url) == "http://llm.internal:8000/v1/chat/completions"
    assert seen[0].headers["authorization"] == f"Bearer {SECRET}"
    assert (answer.text, answer.model_id, answer.finish_reason) == ("ok", "m", "length")


def test_backoff_is_exponential_with_small_jitter() -> None:
    seen, handler = scripted(httpx.Response(503), httpx.Response(504), httpx.Response(502), chat_ok)
    model, sleeps = mocked(handler)
    model.complete(HELLO, OPTS)
    assert len(seen) == 4
    for wait, base in zip(sleeps, (0.1, 0.2, 0.4), strict=True):
        assert base <= wait <= base * 1.1


def test_retry_after_is_honoured_and_capped() -> None:
    slow = httpx.Response(429, headers={"Retry-After": "2"})
    very_slow = httpx.Response(503, headers={"Retry-After": "3600"})
    _, handler = scripted(slow, very_slow, chat_ok)
    model, sleeps = mocked(handler)
    model.complete(HELLO, OPTS)
    assert sleeps == [2.0, 30.0]


@pytest.mark.parametrize("status", [400, 413, 422])
def test_other_4xx_not_retried_and_excerpt_is_short(status: int) -> None:
    body = f"context length exceeded for key {SECRET} " + "x" * 500
    seen, handler = scripted(httpx.Response(status, text=body))
    model, _ = mocked(handler, api_key=SECRET)
    with pytest.raises(ModelResponseError) as caught:
        model.complete(HELLO, OPTS)
    assert len(seen) == 1
    message = caught.value.message
    assert f"HTTP {status}: context length exceeded" in message and SECRET not in message
    assert len(message.split(": ", 1)[1]) <= 200


def test_timeouts_and_dropped_connections_are_retried() -> None:
    seen, handler = scripted(httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof"), chat_ok)
    model, sleeps = mocked(handler)
    assert model.complete(HELLO, OPTS).text == "ok"
    assert len(seen) == 3 and len(sleeps) == 2


def test_dns_failure_is_model_unavailable() -> None:
    _, handler = scripted(httpx.ConnectError("[Errno -2] Name or service not known"))
    model, sleeps = mocked(handler, retries=1)
    with pytest.raises(ModelUnavailable, match=r"cannot reach .*Name or service not known"):
        model.complete(HELLO, OPTS)
    assert len(sleeps) == 1


class BrokenStream(httpx.SyncByteStream):
    """An SSE body that sends one chunk and then loses the connection."""

    def __iter__(self) -> Iterator[bytes]:
        chunk = {"model": "m", "choices": [{"delta": {"content": "Part"}}]}
        yield f"data: {json.dumps(chunk)}\n\n".encode()
        raise httpx.ReadError("connection reset")


def test_stream_is_not_retried_after_first_piece() -> None:
    seen, handler = scripted(httpx.Response(200, stream=BrokenStream()), chat_ok)
    model, _ = mocked(handler)
    gen = model.stream(HELLO, OPTS)
    assert next(gen) == "Part"
    with pytest.raises(ModelUnavailable):
        next(gen)
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ('data: {"error": {"message": "CUDA out of memory"}}\n\n', "failed mid-answer.*CUDA"),
        ("data: {not json\n\n", "malformed stream event"),
    ],
)
def test_stream_errors_are_response_errors(body: str, match: str) -> None:
    _, handler = scripted(httpx.Response(200, text=body))
    model, _ = mocked(handler)
    with pytest.raises(ModelResponseError, match=match):
        drain(model.stream(HELLO, OPTS))


def test_answer_without_choices_is_a_response_error() -> None:
    _, handler = scripted(httpx.Response(200, json={"object": "error"}))
    model, _ = mocked(handler)
    with pytest.raises(ModelResponseError, match="without choices"):
        model.complete(HELLO, OPTS)


def test_404_without_models_endpoint_points_at_base_url() -> None:
    _, handler = scripted(httpx.Response(404, text="Not Found"))
    model, _ = mocked(handler)
    with pytest.raises(ModelUnavailable, match="404") as caught:
        model.complete(HELLO, OPTS)
    assert "base_url" in (caught.value.hint or "")


# -- construction ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://localhost:8000", "http://localhost:8000/v1"),
        ("http://localhost:8000/", "http://localhost:8000/v1"),
        ("http://localhost:8000/v1", "http://localhost:8000/v1"),
        (" http://localhost:8000/v1/ ", "http://localhost:8000/v1"),
        ("http://localhost:11434/v1/chat/completions", "http://localhost:11434/v1"),
        ("https://gateway.gov.hk/llm", "https://gateway.gov.hk/llm/v1"),
        ("https://api.example.com/v2", "https://api.example.com/v2"),
    ],
)
def test_base_url_is_normalised(given: str, expected: str) -> None:
    assert normalise_base_url(given) == expected


@pytest.mark.parametrize("bad", ["localhost:8000", "ftp://host/v1", ""])
def test_bad_base_url_is_a_config_error(bad: str) -> None:
    with pytest.raises(ConfigError):
        normalise_base_url(bad)


def test_repr_masks_api_key_and_url_credentials() -> None:
    model = make("https://user:pw@llm.example/v1", api_key=SECRET, remote_model="m")
    text = repr(model)
    assert SECRET not in text and "pw" not in text
    assert "api_key='***'" in text and "llm.example" in text


def test_from_config() -> None:
    cfg = ModelConfig(
        name="hkgai",
        backend="openai",
        base_url="https://llm.example",
        api_key=SecretStr(SECRET),
        remote_model="hkgai-v1",
        timeout_s=30,
        retries=1,
        context_tokens=16384,
        external=True,
    )
    model = OpenAICompatibleModel.from_config(cfg)
    _opened.append(model)
    assert (model.name, model.base_url, model.remote_model) == (
        "hkgai",
        "https://llm.example/v1",
        "hkgai-v1",
    )
    assert (model.timeout_s, model.retries) == (30, 1)
    assert model.capabilities.context_tokens == 16384 and model.capabilities.external
    with pytest.raises(ConfigError, match="no base_url"):
        OpenAICompatibleModel.from_config(ModelConfig(name="x", backend="openai"))


def test_first_token_alternatives_are_asked_for_and_read_back() -> None:
    logprobs = {
        "content": [
            {
                "token": "NO",
                "logprob": -0.1,
                "top_logprobs": [
                    {"token": "NO", "logprob": -0.1},
                    {"token": "The", "logprob": -2.4},
                ],
            },
            {"token": "_ANSWER", "logprob": -0.01, "top_logprobs": [{"token": "_ANSWER"}]},
        ]
    }
    body = {"model": "m", "choices": [{"message": {"content": "NO_ANSWER"}, "logprobs": logprobs}]}
    seen, handler = scripted(httpx.Response(200, json=body))
    model, _ = mocked(handler)
    answer = model.complete(HELLO, GenerationOptions(top_logprobs=5))
    sent = json.loads(seen[0].content)
    assert sent["logprobs"] is True and sent["top_logprobs"] == 5
    # The malformed second place (no logprob) is skipped, not fatal.
    assert [[(c.token, c.logprob) for c in place] for place in answer.alternatives] == [
        [("NO", -0.1), ("The", -2.4)]
    ]


def test_no_logprobs_are_asked_for_unless_wanted() -> None:
    seen, handler = scripted(chat_ok)
    model, _ = mocked(handler)
    assert model.complete(HELLO, OPTS).alternatives == ()
    assert "logprobs" not in json.loads(seen[0].content)
