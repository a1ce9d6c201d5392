"""What an external model receives: no personal data, on real recognizers and the HK set.

These tests run the real detector (no model download) behind a real gateway and inspect
exactly what a scripted external backend was sent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.config import PrivacySettings
from govpilot.gateway import ModelGateway
from govpilot.privacy.detector import default_detector
from govpilot.privacy.entities import PII_TYPES
from govpilot.privacy.guard import PrivacyGuard
from govpilot.privacy.policy import PrivacyPolicy

HK_SET = Path(__file__).resolve().parents[2] / "bench" / "data" / "hk_pii.jsonl"
# Types the detector must never miss on the set (checksums or fixed formats); names and
# addresses are measured by bench/bench_privacy.py, where recall is below 1.
IDENTIFIER_TYPES = set(PII_TYPES) - {"PERSON", "ADDRESS"}

LETTERS = [
    (
        "Dear Sir, I am Chan Tai-man (HKID K538261(0)), living at Flat 12B, 8/F, Tower 3, "
        "Harbour View Garden, 28 Lok Shan Road, Kowloon. Call me on +852 9123 4567 or "
        "e-mail chan.taiman@example.com.",
        ["Chan Tai-man", "K538261(0)", "9123 4567", "chan.taiman@example.com", "Lok Shan Road"],
    ),
    (
        "本人陳大文，身份證號碼K538261(0)，住在九龍樂山道28號海景花園3座8樓12B室，"
        "電話91234567，出生日期1980年5月12日。",
        ["陳大文", "K538261(0)", "樂山道28號", "91234567", "1980年5月12日"],
    ),
    (
        "我叫黃美玲，個電話係6123 4567，住喺新界沙田禾輋邨豐和樓1234室，有咩事搵我啦。"
        "My Visa is 4111 1111 1111 1111.",
        ["黃美玲", "6123 4567", "禾輋邨豐和樓1234室", "4111 1111 1111 1111"],
    ),
]


@pytest.fixture(scope="module")
def external_gateway() -> tuple[ModelGateway, ScriptedModel]:
    remote = ScriptedModel(name="remote", external=True)
    remote.respond_with(lambda messages: "ok")
    guard = PrivacyGuard(default_detector(), PrivacyPolicy(PrivacySettings()))
    return ModelGateway([remote], MemoryAuditSink(), guard=guard), remote


def received(model: ScriptedModel) -> str:
    return model.calls[-1].messages[-1].content


@pytest.mark.parametrize(("letter", "values"), LETTERS)
def test_letters_reach_the_external_model_without_personal_data(
    external_gateway: tuple[ModelGateway, ScriptedModel], letter: str, values: list[str]
) -> None:
    gateway, remote = external_gateway
    ctx = CallContext("officer", "HD", "test")
    gateway.complete(ctx, [ChatMessage("user", letter)])
    sent = received(remote)
    for value in values:
        assert value not in sent, f"{value!r} reached the external model: {sent}"


@pytest.mark.skipif(not HK_SET.exists(), reason="bench/data/hk_pii.jsonl is missing")
def test_no_identifier_from_the_hk_set_reaches_an_external_model(
    external_gateway: tuple[ModelGateway, ScriptedModel],
) -> None:
    gateway, remote = external_gateway
    leaks = []
    for line in HK_SET.read_text("utf-8").splitlines():
        record = json.loads(line)
        text = record["text"]
        gateway.complete(CallContext("officer", "HD", "test"), [ChatMessage("user", text)])
        sent = received(remote)
        for entity in record["entities"]:
            value = text[entity["start"] : entity["end"]]
            if entity["type"] in IDENTIFIER_TYPES and value in sent:
                leaks.append((record["id"], entity["type"], value))
    assert leaks == []
