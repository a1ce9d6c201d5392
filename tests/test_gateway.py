from __future__ import annotations

import pytest

from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage, ChatModel
from govpilot.call_guard import GuardedPrompt
from govpilot.errors import ModelUnavailable, NotFound, PolicyViolation
from govpilot.gateway import ModelGateway

HELLO = [ChatMessage("user", "hello")]


def test_scripted_model_satisfies_the_protocol(fake_model: ScriptedModel) -> None:
    assert isinstance(fake_model, ChatModel)


def test_complete_records_one_audit_event_with_the_answering_model(
    gateway: ModelGateway, fake_model: ScriptedModel, audit_sink: MemoryAuditSink, ctx: CallContext
) -> None:
    fake_model.enqueue("hi there")
    answer = gateway.complete(ctx, HELLO)
    assert answer.text == "hi there"
    (event,) = audit_sink.events
    assert (event.actor, event.department, event.action) == (ctx.actor, "HD", "test")
    assert event.model_id == "fake:fake" and event.backend == "fake"
    assert event.outcome == "ok" and event.tokens_out > 0
    assert fake_model.calls[0].prompt == "hello"


def test_failures_are_audited_and_re_raised(
    gateway: ModelGateway, fake_model: ScriptedModel, audit_sink: MemoryAuditSink, ctx: CallContext
) -> None:
    fake_model.fail_with(ModelUnavailable("server down"))
    with pytest.raises(ModelUnavailable):
        gateway.complete(ctx, HELLO)
    assert audit_sink.events[0].outcome == "error"
    assert audit_sink.events[0].detail == {"error": "ModelUnavailable"}


def test_stream_yields_pieces_and_audits_at_the_end(
    gateway: ModelGateway, fake_model: ScriptedModel, audit_sink: MemoryAuditSink, ctx: CallContext
) -> None:
    fake_model.enqueue("a fairly long streamed answer")
    stream = gateway.stream(ctx, HELLO)
    pieces = []
    while True:
        try:
            pieces.append(next(stream))
        except StopIteration as stop:
            completion = stop.value
            break
    assert len(pieces) > 1 and "".join(pieces) == completion.text
    assert len(audit_sink.events) == 1


def test_unknown_model_is_a_clear_error(gateway: ModelGateway, ctx: CallContext) -> None:
    with pytest.raises(NotFound, match="no model named 'gpt'"):
        gateway.complete(ctx, HELLO, model="gpt")


class RedactingGuard:
    """A guard that pseudonymises one name and restores it: exercises the seam."""

    def before(self, ctx, model, messages):
        if "FORBIDDEN" in messages[-1].content:
            raise PolicyViolation("not allowed")
        swapped = [ChatMessage(m.role, m.content.replace("陳大文", "[PERSON_1]")) for m in messages]
        return GuardedPrompt(swapped, redactions={"PERSON": 1})

    def after(self, ctx, model, prompt, text):
        return text.replace("[PERSON_1]", "陳大文")


def test_guard_rewrites_prompts_restores_answers_and_counts_redactions(ctx: CallContext) -> None:
    model = ScriptedModel(["Dear [PERSON_1]"])
    sink = MemoryAuditSink()
    gateway = ModelGateway([model], sink, guard=RedactingGuard())
    answer = gateway.complete(ctx, [ChatMessage("user", "reply to 陳大文")])
    assert model.calls[0].prompt == "reply to [PERSON_1]"
    assert answer.text == "Dear 陳大文"
    assert sink.events[0].redactions == {"PERSON": 1}
    with pytest.raises(PolicyViolation):
        gateway.complete(ctx, [ChatMessage("user", "FORBIDDEN")])
    assert sink.events[-1].outcome == "refused"
    assert len(model.calls) == 1  # the refused prompt never reached the model


def test_a_stream_abandoned_by_its_consumer_is_still_audited(
    gateway: ModelGateway, fake_model: ScriptedModel, audit_sink: MemoryAuditSink, ctx: CallContext
) -> None:
    fake_model.enqueue("a long answer that the client will not wait for")
    stream = gateway.stream(ctx, HELLO)
    next(stream)
    stream.close()
    (event,) = audit_sink.events
    assert event.outcome == "error" and event.detail == {"error": "cancelled by the caller"}
