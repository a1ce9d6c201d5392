"""Shared fixtures: a scripted model behind a real gateway with an in-memory audit sink."""

from __future__ import annotations

import pytest

from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.fake import ScriptedModel
from govpilot.gateway import ModelGateway
from govpilot.guard import CallContext
from govpilot.language import Glossary


@pytest.fixture
def fake_model() -> ScriptedModel:
    return ScriptedModel(name="fake")


@pytest.fixture
def audit_sink() -> MemoryAuditSink:
    return MemoryAuditSink()


@pytest.fixture
def gateway(fake_model: ScriptedModel, audit_sink: MemoryAuditSink) -> ModelGateway:
    return ModelGateway([fake_model], audit_sink)


@pytest.fixture
def ctx() -> CallContext:
    return CallContext(actor="officer@example.gov.hk", department="HD", capability="test")


@pytest.fixture(scope="session")
def glossary() -> Glossary:
    return Glossary.load_default()
