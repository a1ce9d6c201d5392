"""A question in the other script than its passages: translated once, searched, checked."""

from __future__ import annotations

import pytest

from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.fake import ScriptedModel
from govpilot.capabilities.chat import AnswerOptions, BotResponder, new_bot
from govpilot.capabilities.chat.bridge import Bridged, merged, passages_language
from govpilot.capabilities.chat.testing import ScriptedRetriever
from govpilot.capabilities.chat.testing import make_chunk as chunk
from govpilot.gateway import ModelGateway
from govpilot.retrieval.types import SearchHit

FEES = "Learner licence fees. A learner driver licence for a private car costs HK$548."
HOURS = "Licensing offices open from 8:45 am to 5:00 pm on weekdays."
ZH_FEES = "私家車學習駕駛執照的費用為548元，可於網上繳付。"
QUESTION = "私家車學習駕駛執照要幾多錢？"


class TwoListRetriever(ScriptedRetriever):
    """Returns the fees passage only to the English question (as e5 would rank it)."""

    def search(self, query, scope, k=5):  # type: ignore[no-untyped-def]
        hits = super().search(query, scope, k)
        if "learner" in query.lower():
            return sorted(hits, key=lambda h: h.chunk.id != "c-housing-1")
        return hits


@pytest.fixture
def bot():  # type: ignore[no-untyped-def]
    return new_bot("td", "HD", ["c-housing"], languages=["en", "zh-Hant", "yue"])


def _responder(model: ScriptedModel, retriever: ScriptedRetriever, **options: object):
    gateway = ModelGateway([model], MemoryAuditSink())
    return BotResponder(gateway, retriever, AnswerOptions(**options))  # type: ignore[arg-type]


def _hit(n: int, text: str) -> SearchHit:
    return SearchHit(chunk(n, text), 1.0 / n)


def test_the_passages_language_is_the_majority_script() -> None:
    assert passages_language(QUESTION, [_hit(1, FEES), _hit(2, HOURS)]) == "English"
    assert passages_language("How much is it?", [_hit(1, ZH_FEES)]) == "Traditional Chinese"
    assert passages_language(QUESTION, [_hit(1, ZH_FEES), _hit(2, FEES)]) is None  # a tie
    assert passages_language(QUESTION, [_hit(1, ZH_FEES)]) is None
    assert passages_language(QUESTION, []) is None


def test_merged_interleaves_without_repeats() -> None:
    a, b, c = _hit(1, FEES), _hit(2, HOURS), _hit(3, ZH_FEES)
    assert [h.chunk.id for h in merged([a, b], [b, c], 5)] == [a.chunk.id, b.chunk.id, c.chunk.id]
    assert len(merged([a, b], [c], 2)) == 2


def test_bridged_terms_follow_the_passage_script() -> None:
    bridged = Bridged(QUESTION, "How much is a learner licence for a private car?")
    assert "learner" in bridged.terms_for(FEES)
    assert "学习" in bridged.terms_for(ZH_FEES)  # terms are script-folded
    assert Bridged(QUESTION).terms_for(FEES) == set()


def test_a_chinese_question_over_an_english_guide_is_searched_in_english(bot) -> None:  # type: ignore[no-untyped-def]
    retriever = TwoListRetriever([chunk(2, HOURS), chunk(1, FEES)])
    model = ScriptedModel(["How much is a learner licence for a private car?", "HK$548 [1]"])
    result = _responder(model, retriever).answer(bot, QUESTION, _ctx())
    assert not result.handed_over and "HK$548" in result.text
    searched = [query for query, _, _ in retriever.searches]
    assert searched == [QUESTION, "How much is a learner licence for a private car?"]
    translate, answer = model.calls
    assert "into English" in translate.messages[0].content and translate.prompt == QUESTION
    # The fees passage the English search ranked first comes first, and the model sees both
    # the question and its translation.
    assert answer.prompt.index("HK$548") < answer.prompt.index("8:45")
    assert "（英文：How much is a learner licence for a private car?）" in answer.prompt


def test_an_english_question_over_chinese_passages_is_put_into_chinese(bot) -> None:  # type: ignore[no-untyped-def]
    retriever = ScriptedRetriever([chunk(1, ZH_FEES)])
    model = ScriptedModel(["私家車學習駕駛執照的費用是多少？", "The fee is 548 dollars [1]"])
    result = _responder(model, retriever).answer(bot, "How much is a learner licence?", _ctx())
    assert not result.handed_over
    assert "into Traditional Chinese" in model.calls[0].messages[0].content
    assert "(in Chinese: 私家車學習駕駛執照的費用是多少？)" in model.calls[1].prompt


def test_an_unusable_translation_is_dropped(bot) -> None:  # type: ignore[no-untyped-def]
    retriever = ScriptedRetriever([chunk(1, FEES)])
    # The model answered in Chinese instead of translating: not used, one search only.
    model = ScriptedModel(["費用是548元。", "HK$548 [1]"])
    result = _responder(model, retriever).answer(bot, QUESTION, _ctx())
    assert not result.handed_over and len(retriever.searches) == 1
    assert "英文" not in model.calls[1].prompt


def test_no_translation_for_passages_in_the_question_script(bot) -> None:  # type: ignore[no-untyped-def]
    retriever = ScriptedRetriever([chunk(1, ZH_FEES)])
    model = ScriptedModel(["私家車學習駕駛執照的費用為548元 [1]"])
    result = _responder(model, retriever).answer(bot, QUESTION, _ctx())
    assert not result.handed_over and len(model.calls) == 1


def test_the_bridge_can_be_turned_off(bot) -> None:  # type: ignore[no-untyped-def]
    retriever = ScriptedRetriever([chunk(1, FEES)])
    model = ScriptedModel(["HK$548 [1]"])
    result = _responder(model, retriever, bridge_languages=False).answer(bot, QUESTION, _ctx())
    assert not result.handed_over and len(model.calls) == 1


def _ctx() -> CallContext:
    return CallContext("o@td.gov.hk", "HD", "bot", channel="test")


def test_the_quote_retry_asks_an_english_passage_the_translated_question(bot) -> None:  # type: ignore[no-untyped-def]
    retriever = ScriptedRetriever([chunk(1, FEES)])
    translated = "How much is a learner driver licence for a private car?"
    model = ScriptedModel([translated, "NO_ANSWER", "HK$548"])
    result = _responder(model, retriever).answer(bot, QUESTION, _ctx())
    assert not result.handed_over and result.text == "HK$548 [1]"
    retry = model.calls[2]
    assert retry.options.aside and translated in retry.prompt
    assert "You copy" in retry.messages[0].content  # the English instructions
