"""The copilot and redaction façades: options checked and callers authorised before any work,
the capability named on every model call's audit event, one "redact" event per request."""

from __future__ import annotations

from dataclasses import replace

import pytest

from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.fake import ScriptedModel
from govpilot.capabilities.copilot import Copilot
from govpilot.capabilities.draft import TemplateLibrary
from govpilot.capabilities.redaction import RedactionService
from govpilot.documents.model import Document
from govpilot.errors import InputError, NotFound, PermissionDenied
from govpilot.gateway import ModelGateway
from govpilot.language import Glossary
from govpilot.privacy.detector import PiiDetector

TEXT = "Please call Chan Tai Man on 9123 4567 about flat 12."


@pytest.fixture
def copilot(gateway: ModelGateway, glossary: Glossary) -> Copilot:
    return Copilot(gateway, glossary, TemplateLibrary.load())


@pytest.fixture
def redaction(scripted_detector: PiiDetector, audit_sink: MemoryAuditSink) -> RedactionService:
    return RedactionService(scripted_detector, audit_sink, salt=lambda: b"s" * 32)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c, ctx: c.translate(ctx, Document.from_text("Hi"), "fr"), "target cannot be"),
        (lambda c, ctx: c.summarise(ctx, [Document.from_text("Hi")], words=5), "20 to 2000"),
        (lambda c, ctx: c.summarise(ctx, [Document.from_text("Hi")], lang="ja"), "lang cannot"),
        (lambda c, ctx: c.draft(ctx, " ", "a memo"), "needs a template"),
    ],
)
def test_wrong_options_are_refused_before_any_model_call(
    copilot: Copilot, fake_model: ScriptedModel, ctx: CallContext, call, message
) -> None:
    with pytest.raises(InputError, match=message):
        call(copilot, ctx)
    assert fake_model.calls == []


def test_unknown_template_and_model_are_not_found(copilot: Copilot, ctx: CallContext) -> None:
    with pytest.raises(NotFound):
        copilot.draft(ctx, "no-such-template", "a memo")
    with pytest.raises(NotFound):
        copilot.translate(ctx, Document.from_text("Hi"), "zh-Hant", model="no-such-model")


def test_a_role_without_the_copilot_is_refused(
    copilot: Copilot, fake_model: ScriptedModel, ctx: CallContext
) -> None:
    auditor = replace(ctx, role="auditor")
    with pytest.raises(PermissionDenied):
        copilot.translate(auditor, Document.from_text("Hello"), "zh-Hant")
    assert fake_model.calls == []


def test_each_model_call_is_audited_under_the_capability(
    copilot: Copilot, fake_model: ScriptedModel, audit_sink: MemoryAuditSink, ctx: CallContext
) -> None:
    fake_model.respond_with(lambda messages: "你好")
    text, _ = copilot.translate_text(ctx, "Hello", "zh-Hant")
    assert text
    assert audit_sink.events and {e.action for e in audit_sink.events} == {"translate"}


def test_text_redaction_records_one_event_with_counts_and_no_values(
    redaction: RedactionService, audit_sink: MemoryAuditSink, ctx: CallContext
) -> None:
    result = redaction.redact_text(ctx, TEXT, "placeholder", ["PHONE"])
    assert "9123 4567" not in result.text and "Chan Tai Man" in result.text
    (event,) = audit_sink.events
    assert (event.action, event.redactions) == ("redact", {"PHONE": 1})
    assert event.detail == {"operator": "placeholder", "input": "text", "items": 1}
    assert "9123" not in repr(event)


def test_an_unaudited_document_redaction_leaves_the_counts_to_the_caller(
    redaction: RedactionService, audit_sink: MemoryAuditSink, ctx: CallContext
) -> None:
    _, report = redaction.redact_document(ctx, Document.from_text(TEXT), audited=False)
    assert report.counts.get("PHONE") == 1
    assert audit_sink.events == []


def test_a_batch_is_one_event_even_when_items_fail(
    redaction: RedactionService, audit_sink: MemoryAuditSink, ctx: CallContext
) -> None:
    with redaction.batch(ctx, "mask") as batch:
        batch.redact(TEXT)
        batch.redact("nothing personal here")
        batch.fail()
    (event,) = audit_sink.events
    assert event.detail == {"operator": "mask", "input": "jsonl", "items": 2, "failed": 1}
    assert event.redactions.get("PHONE") == 1


def test_redaction_needs_the_copilot_permission(
    redaction: RedactionService, audit_sink: MemoryAuditSink, ctx: CallContext
) -> None:
    with pytest.raises(PermissionDenied):
        redaction.redact_text(replace(ctx, role="auditor"), TEXT)
    assert audit_sink.events == []
