"""The privacy guard on the gateway: per model and department policy, audited by counts."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.config import DepartmentPrivacy, PrivacySettings
from govpilot.errors import PersonalDataRefused
from govpilot.gateway import ModelGateway
from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.entities import Finding
from govpilot.privacy.guard import PrivacyGuard, VaultStore
from govpilot.privacy.policy import PrivacyPolicy


class ListedValues:
    """A scripted recognizer: finds exactly the values it was given."""

    name = "listed"
    types = ("PERSON", "HKID", "PHONE")

    def __init__(self, **values: list[str]) -> None:
        self.values = values

    def find(self, text: str) -> Iterator[Finding]:
        for pii_type, listed in self.values.items():
            for value in listed:
                for m in re.finditer(re.escape(value), text):
                    yield Finding(m.start(), m.end(), pii_type)


DETECTOR = PiiDetector(
    [ListedValues(PERSON=["陳大文", "Chan Tai-man"], HKID=["A123456(3)"], PHONE=["9123 4567"])]
)
PROMPT = "請回覆陳大文（HKID A123456(3)，電話 9123 4567）關於噪音投訴。"


def build(
    settings: PrivacySettings | None = None,
) -> tuple[ModelGateway, ScriptedModel, ScriptedModel, MemoryAuditSink]:
    local = ScriptedModel(name="local")
    remote = ScriptedModel(name="remote", external=True)
    audit = MemoryAuditSink()
    guard = PrivacyGuard(DETECTOR, PrivacyPolicy(settings or PrivacySettings()))
    return ModelGateway([local, remote], audit, guard=guard), local, remote, audit


def ctx(department: str = "HD", session: str | None = None) -> CallContext:
    return CallContext("officer", department, "chat", session=session)


def sent(model: ScriptedModel) -> str:
    return "\n".join(m.content for call in model.calls for m in call.messages)


def test_external_model_never_sees_personal_data_and_answer_is_restored() -> None:
    gateway, _, remote, audit = build()
    remote.respond_with(lambda msgs: "Dear [PERSON_1], we called [PHONE_1].")
    answer = gateway.complete(ctx(), [ChatMessage("user", PROMPT)], model="remote")
    received = sent(remote)
    for value in ("陳大文", "A123456(3)", "9123 4567"):
        assert value not in received
    assert "[PERSON_1]" in received and "[HKID_1]" in received
    assert answer.text == "Dear 陳大文, we called 9123 4567."
    event = audit.events[-1]
    assert event.redactions == {"HKID": 1, "PHONE": 1, "PERSON": 1}
    assert event.detail["privacy"] == "pseudonymise"
    assert "陳大文" not in repr(event) and "9123" not in repr(event)


def test_local_model_sees_the_text_and_the_audit_counts_what_it_saw() -> None:
    gateway, local, _, audit = build()
    local.enqueue("好的")
    gateway.complete(ctx(), [ChatMessage("user", PROMPT)], model="local")
    assert "陳大文" in sent(local)
    event = audit.events[-1]
    assert event.redactions == {}
    assert event.detail["privacy"] == "allow"
    assert event.detail["pii_detected"] == {"HKID": 1, "PHONE": 1, "PERSON": 1}


def test_block_policy_refuses_and_audits_the_refusal() -> None:
    settings = PrivacySettings(departments={"SWD": DepartmentPrivacy(external="block")})
    gateway, _, remote, audit = build(settings)
    with pytest.raises(PersonalDataRefused, match="personal data"):
        gateway.complete(ctx("SWD"), [ChatMessage("user", PROMPT)], model="remote")
    assert remote.calls == []
    event = audit.events[-1]
    assert event.outcome == "refused"
    assert event.detail["privacy"] == "block"
    assert event.detail["pii_detected"] == {"HKID": 1, "PHONE": 1, "PERSON": 1}


def test_block_lets_text_without_personal_data_through() -> None:
    settings = PrivacySettings(external="block")
    gateway, _, remote, _ = build(settings)
    remote.enqueue("ok")
    assert gateway.complete(ctx(), [ChatMessage("user", "天氣如何？")], model="remote").text == "ok"


def test_redact_policy_does_not_restore() -> None:
    settings = PrivacySettings(external="redact")
    gateway, _, remote, _ = build(settings)
    remote.enqueue("Dear [PERSON_1]")
    answer = gateway.complete(ctx(), [ChatMessage("user", PROMPT)], model="remote")
    assert answer.text == "Dear [PERSON_1]"


def test_department_can_pseudonymise_even_for_local_models() -> None:
    settings = PrivacySettings(departments={"ICAC": DepartmentPrivacy(local="pseudonymise")})
    gateway, local, _, _ = build(settings)
    local.enqueue("ok")
    gateway.complete(ctx("ICAC"), [ChatMessage("user", PROMPT)], model="local")
    assert "陳大文" not in sent(local)


def test_pseudonyms_stay_the_same_across_calls_of_one_session() -> None:
    gateway, _, remote, _ = build()
    remote.respond_with(lambda msgs: "ok")
    gateway.complete(
        ctx(session="c1"), [ChatMessage("user", "Chan Tai-man 9123 4567")], model="remote"
    )
    gateway.complete(
        ctx(session="c1"), [ChatMessage("user", "再問 9123 4567 同 陳大文")], model="remote"
    )
    second = remote.calls[1].messages[0].content
    assert second == "再問 [PHONE_1] 同 [PERSON_2]"


def test_streaming_holds_back_pseudonymised_answers_and_restores_them() -> None:
    gateway, _, remote, _ = build()
    remote.enqueue("Dear [PERSON_1]")
    pieces = list(gateway.stream(ctx(), [ChatMessage("user", PROMPT)], model="remote"))
    assert "".join(pieces) == "Dear 陳大文"
    assert "陳大文" not in sent(remote)


def test_every_message_role_is_guarded() -> None:
    gateway, _, remote, _ = build()
    remote.enqueue("ok")
    messages = [
        ChatMessage("system", "Context: 陳大文 lives here"),
        ChatMessage("assistant", "Noted 9123 4567"),
        ChatMessage("user", "HKID A123456(3)?"),
    ]
    gateway.complete(ctx(), messages, model="remote")
    assert not any(v in sent(remote) for v in ("陳大文", "9123 4567", "A123456(3)"))


def test_vault_store_is_bounded_and_keyed_by_department() -> None:
    store = VaultStore(capacity=2)
    a = store.vault_for(ctx("A", "s"))
    assert store.vault_for(ctx("A", "s")) is a
    assert store.vault_for(ctx("B", "s")) is not a
    store.vault_for(ctx("C", "s"))
    assert store.vault_for(ctx("A", "s")) is not a  # evicted
    assert store.vault_for(ctx("A")) is not store.vault_for(ctx("A"))
