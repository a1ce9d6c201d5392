"""Cutting passages to their relevant sentences, and checking quotes against a passage."""

from __future__ import annotations

from govpilot.capabilities.chat import grounding


def test_condense_keeps_the_relevant_sentences_in_order() -> None:
    filler = "這是一段與問題無關的背景資料，內容很長。" * 6
    text = filler + "都江堰在2000年列入世界遺產。" + filler + "都江堰位於四川。"
    short = grounding.condense(text, grounding.terms("都江堰在哪一年列入世界遺產？"), limit=60)
    assert "都江堰在2000年列入世界遺產。" in short and len(short) < len(text)
    assert short.index("2000") < short.index("四川")
    assert short.startswith("…")


def test_condense_leaves_short_passages_alone() -> None:
    text = "Offices open at 9 am. They close at 5 pm."
    assert grounding.condense(text, grounding.terms("When do offices open?"), 400) == text


def test_quoted_from_ignores_punctuation_case_and_script() -> None:
    passage = "申請人必須年滿18歲，並且不得擁有住宅物業。"
    assert grounding.quoted_from("年满18岁", passage)  # Simplified still matches
    assert grounding.quoted_from("Must be 18", "Applicants must be 18, or over.")
    assert not grounding.quoted_from("年滿21歲", passage)
    assert not grounding.quoted_from("年", passage)


def test_a_when_question_keeps_the_sentence_with_the_number() -> None:
    from govpilot.capabilities.chat.grounding import asks_for_number, condense, terms

    text = (
        "The museum tells the story of the harbour and its people. "
        "The museum opened in 1962 beside the pier and the harbour. "
        "The museum and the harbour trail are free to visit on Wednesdays."
    )
    question = "When did the museum by the harbour open?"
    assert asks_for_number(question) and asks_for_number("港鐵幾時通車？")
    assert not asks_for_number("Who runs the museum?")
    kept = condense(text, terms("museum harbour"), limit=70, prefer_numbers=True)
    assert "1962" in kept
    assert "1962" not in condense(text, terms("museum harbour"), limit=70)


def test_no_shared_term_keeps_the_passage_opening_in_order() -> None:
    from govpilot.capabilities.chat.grounding import condense, terms

    text = "First sentence here. Second sentence here. Third one is longer than the others."
    kept = condense(text, terms("申請公屋"), limit=45)
    assert kept.startswith("First sentence here. Second sentence here.")
