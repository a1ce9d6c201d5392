"""A model over several servers: replicas in turn, a failing server cooled down (no call
waits on it again until the cooldown ends), fallbacks in order, the answering server named
in the audit event; and the same over real HTTP servers, one of them stopped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage, GenerationOptions
from govpilot.backends.registry import build_models
from govpilot.backends.router import RoutedModel
from govpilot.config import ModelConfig, Settings
from govpilot.errors import ConfigError, ModelResponseError, ModelUnavailable
from govpilot.gateway import ModelGateway
from support.served_app import ServedApp

HELLO = [ChatMessage("user", "Hello")]
OPTIONS = GenerationOptions(max_tokens=8)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def server(name: str, reply: str = "ok") -> ScriptedModel:
    model = ScriptedModel(name=name, responder=lambda _: f"{reply} from {name}")
    model.server_label = f"http://{name}"  # type: ignore[attr-defined]
    return model


def test_replicas_take_calls_in_turn() -> None:
    a, b = server("a"), server("b")
    routed = RoutedModel("m", [a, b])
    answers = [routed.complete(HELLO, OPTIONS) for _ in range(4)]
    assert [c.server for c in answers] == ["http://a", "http://b", "http://a", "http://b"]


def test_a_failing_server_is_skipped_for_its_cooldown_then_tried_again() -> None:
    clock = Clock()
    a, b = server("a"), server("b")
    routed = RoutedModel("m", [a, b], cooldown_s=30, clock=clock)
    a.fail_with(ModelUnavailable("connection refused"))

    first = routed.complete(HELLO, OPTIONS)  # a fails, b answers the same call
    assert first.server == "http://b" and routed.cooling_down() == ["http://a"]
    calls_to_a = len(a.calls)
    for _ in range(5):
        assert routed.complete(HELLO, OPTIONS).server == "http://b"
    assert len(a.calls) == calls_to_a  # nobody waited on the dead one meanwhile

    clock.now += 31
    assert {routed.complete(HELLO, OPTIONS).server for _ in range(2)} == {"http://a", "http://b"}
    assert routed.cooling_down() == []


def test_fallbacks_answer_in_order_when_every_replica_is_down() -> None:
    a, b = server("a"), server("b")
    spare, last = server("spare"), server("last")
    routed = RoutedModel("m", [a, b], [spare, last])
    a.fail_with(ModelUnavailable("down"))
    b.fail_with(ModelUnavailable("down"))
    assert routed.complete(HELLO, OPTIONS).server == "http://spare"


def test_when_all_are_down_the_error_names_each_server() -> None:
    a, spare = server("a"), server("spare")
    a.fail_with(ModelUnavailable("connection refused"))
    spare.fail_with(ModelUnavailable("timed out"))
    with pytest.raises(ModelUnavailable) as error:
        RoutedModel("m", [a], [spare]).complete(HELLO, OPTIONS)
    assert "http://a: connection refused" in error.value.message
    assert "http://spare: timed out" in error.value.message


def test_an_unusable_answer_is_not_retried_elsewhere() -> None:
    a, b = server("a"), server("b")
    a.fail_with(ModelResponseError("no choices in the answer"))
    with pytest.raises(ModelResponseError):
        RoutedModel("m", [a, b]).complete(HELLO, OPTIONS)
    assert b.calls == []


def test_a_stream_moves_on_only_before_its_first_fragment() -> None:
    a, b = server("a"), server("b")
    a.fail_with(ModelUnavailable("down"))
    routed = RoutedModel("m", [a, b])
    stream = routed.stream(HELLO, OPTIONS)
    text = ""
    try:
        while True:
            text += next(stream)
    except StopIteration as done:
        assert done.value.server == "http://b"
    assert text == "ok from b"


def test_the_audit_event_names_the_server_that_answered(ctx: CallContext) -> None:
    a, b = server("a"), server("b")
    a.fail_with(ModelUnavailable("down"))
    audit = MemoryAuditSink()
    gateway = ModelGateway([RoutedModel("m", [a, b])], audit)
    answer = gateway.complete(ctx, HELLO, OPTIONS)
    assert answer.server == "http://b"  # the caller learns it too (`govpilot models`)
    (event,) = audit.events
    assert event.model_name == "m" and event.detail["server"] == "http://b"
    assert event.backend == "router"


def test_settings_build_a_routed_model_and_refuse_an_unknown_fallback(tmp_path) -> None:
    models = [
        ModelConfig(
            name="big",
            backend="openai",
            base_url="http://10.0.0.5:8000/v1",
            servers=["http://10.0.0.6:8000/v1"],
            fallback=["small"],
        ),
        ModelConfig(name="small", backend="embedded"),  # built, not loaded
    ]
    built = {m.name: m for m in build_models(Settings(home=tmp_path, models=models))}
    big = built["big"]
    assert isinstance(big, RoutedModel)
    assert [r.server_label for r in big.replicas] == [  # type: ignore[attr-defined]
        "http://10.0.0.5:8000/v1",
        "http://10.0.0.6:8000/v1",
    ]
    assert [f.name for f in big.fallbacks] == ["small"]
    wrong = [ModelConfig(name="big", backend="embedded", fallback=["nowhere"])]
    with pytest.raises(ConfigError, match="nowhere"):
        build_models(Settings(home=tmp_path, models=wrong))


# -- over real HTTP servers -----------------------------------------------------------------


def answering_app(label: str) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        return JSONResponse(
            {
                "id": "x",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": label}}],
            }
        )

    return app


@pytest.fixture
def two_servers() -> Iterator[tuple[ServedApp, ServedApp]]:
    first, second = ServedApp(answering_app("one")), ServedApp(answering_app("two"))
    first.start()
    second.start()
    yield first, second
    first.stop()
    second.stop()


def test_a_stopped_http_replica_is_left_for_the_live_one(
    tmp_path, two_servers: tuple[ServedApp, ServedApp]
) -> None:
    first, second = two_servers
    config = ModelConfig(
        name="m",
        backend="openai",
        base_url=f"{first.url}/v1",
        servers=[f"{second.url}/v1"],
        remote_model="m",
        retries=0,
        timeout_s=5,
    )
    (routed,) = build_models(Settings(home=tmp_path, models=[config]))
    assert {routed.complete(HELLO, OPTIONS).text for _ in range(2)} == {"one", "two"}
    first.stop()
    answers = [routed.complete(HELLO, OPTIONS).text for _ in range(4)]
    assert answers == ["two"] * 4
    assert isinstance(routed, RoutedModel) and routed.cooling_down() == [f"{first.url}/v1"]
