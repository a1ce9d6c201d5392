from __future__ import annotations

import pytest

from govpilot.access import CallContext
from govpilot.backends.fake import ScriptedModel
from govpilot.capabilities.translate import translate_text
from govpilot.capabilities.written_chinese import cantonese_left, to_written_chinese
from govpilot.gateway import ModelGateway
from govpilot.language import Glossary


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("佢喺度睇緊嘢", "他在度看緊東西"),
        ("我哋琴日冇去", "我們昨天沒有去"),
        ("點解而家先講？", "為甚麼現在先講？"),
        ("邊度有得賣？", "哪裏有得賣？"),
        ("畀啲錢佢", "給些錢他"),
        ("你今日食咗飯未呀？", "你今天吃了飯未？"),
        ("呢個係乜嘢嚟㗎？", "這個是甚麼來？"),
        ("唔得呀！", "不行！"),
        ("兩包腸粉六蚊", "兩包腸粉六元"),
        ("我睇唔倒呀。", "我看不到。"),
        ("嗱，誒……我想問問。", "我想問問。"),
    ],
)
def test_common_cantonese_words_become_written_chinese(spoken: str, written: str) -> None:
    assert to_written_chinese(spoken) == written


def test_written_words_that_share_a_character_are_kept() -> None:
    text = "兩地關係良好，仲裁機構的食物安全報告已經發表。"
    assert to_written_chinese(text) == text
    assert cantonese_left(text) == []


def test_cantonese_is_rewritten_by_rule_without_a_model_call(
    gateway: ModelGateway, fake_model: ScriptedModel, ctx: CallContext, glossary: Glossary
) -> None:
    text, report = translate_text(
        gateway, ctx, "噉呢，就其他嘢呢，我就冇辦法去處理嘅。", "zh-Hant", glossary=glossary
    )
    assert text == "就其他事情，我就沒有辦法去處理的。"
    assert fake_model.calls == [] and report.model_calls == 0 and report.cantonese_left == []


def test_colloquial_words_the_rules_miss_are_reported(
    gateway: ModelGateway, ctx: CallContext, glossary: Glossary
) -> None:
    text, report = translate_text(gateway, ctx, "佢哋今日食咗嘞嘢。", "zh-Hant", glossary=glossary)
    assert text == "他們今天吃了嘞東西。" and report.cantonese_left == ["嘞"]


def test_rules_leave_written_compounds_alone() -> None:
    text = "不同人士在美食展喝食水，吓到了。"
    assert to_written_chinese(text) == text


def test_mostly_written_text_with_colloquial_words_is_rewritten_too(
    gateway: ModelGateway, ctx: CallContext, glossary: Glossary
) -> None:
    # Too short for the detector to call it Cantonese, yet 喇 is colloquial-only.
    text, report = translate_text(gateway, ctx, "爺爺，我行得喇！", "zh-Hant", glossary=glossary)
    assert text == "爺爺，我行得了！" and report.model_calls == 0
