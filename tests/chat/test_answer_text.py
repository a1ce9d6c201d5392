"""Reading a bot's answer: NO_ANSWER probability, empty shells, the source's own wording."""

from __future__ import annotations

import math

import pytest

from govpilot.backends.llm import TokenChoice
from govpilot.capabilities.chat.answer_text import (
    drop_citations,
    in_source_words,
    is_shell,
    no_answer_probability,
)


def _place(*pairs: tuple[str, float]) -> tuple[tuple[TokenChoice, ...], ...]:
    return (tuple(TokenChoice(t, math.log(p)) for t, p in pairs),)


def test_no_answer_probability_sums_the_markers_first_tokens() -> None:
    assert no_answer_probability(_place(("The", 0.6), ("NO", 0.3), ("NO_", 0.05))) == (
        pytest.approx(0.35)
    )
    assert no_answer_probability(_place(("1", 0.9), ("No", 0.1))) == pytest.approx(0.0)
    assert no_answer_probability(()) is None  # the backend gave no alternatives


@pytest.mark.parametrize(
    ("answer", "question"),
    [
        ("[1]", "When was the MTR founded?"),
        ("Passage [1] [2]", "When was the MTR founded?"),
        ("[n] [1]", "When was the MTR founded?"),
        ("段落 [2]", "港鐵何時成立？"),
        ("The MTR was founded [1].", "When was the MTR founded?"),
    ],
)
def test_shells_say_nothing_of_their_own(answer: str, question: str) -> None:
    assert is_shell(answer, question)


@pytest.mark.parametrize(
    ("answer", "question"),
    [
        ("1975 [1]", "When was the MTR founded?"),
        ("The Mass Transit Railway Corporation [1]", "Who runs the MTR?"),
        ("一九七五年成立 [1]", "港鐵何時成立？"),
    ],
)
def test_real_answers_are_not_shells(answer: str, question: str) -> None:
    assert not is_shell(answer, question)


@pytest.mark.parametrize(
    ("answer", "passage", "expected"),
    [
        ("1.264 [1]", "住宅用戶每度電1.264元，明年起生效。", "每度電1.264元 [1]"),
        ("5800 [2]", "計劃至今已招募超過5800名義工。", "超過5800名 [2]"),
        ("10 [1]", "Fares will rise by nearly 10% next year.", "nearly 10% [1]"),
        ("1884", "The hospital opened in 1884年 after a long campaign.", "1884年"),
        ("HK$500", "The fee is HK$500 a month.", "HK$500"),
    ],
)
def test_numbers_come_back_in_the_source_wording(answer: str, passage: str, expected: str) -> None:
    assert in_source_words(answer, [passage]) == expected


def test_long_or_absent_answers_are_left_alone() -> None:
    passage = "The fee is HK$500 a month."
    long = "The monthly fee that applicants must pay is HK$500 [1]."
    assert in_source_words(long, [passage]) == long
    assert in_source_words("600 [1]", [passage]) == "600 [1]"
    assert in_source_words("no digits [1]", [passage]) == "no digits [1]"


def test_drop_citations_takes_every_form() -> None:
    assert drop_citations("Yes [1], and [2, 3] or 【4】.") == "Yes, and or."


def test_leading_citations_move_to_the_end() -> None:
    from govpilot.capabilities.chat.answer_text import citations_last

    assert citations_last("[1] 產品出現了剩餘。") == "產品出現了剩餘。 [1]"
    assert citations_last("[1][2] Yes.") == "Yes. [1][2]"
    assert citations_last("Yes [1].") == "Yes [1]."
    assert citations_last("[1]") == "[1]"


@pytest.mark.parametrize("answer", ["Yes [1].", "No, you cannot [2].", "可以。[1]", "唔得 [1]"])
def test_yes_and_no_are_answers(answer: str) -> None:
    assert not is_shell(answer, "Can I apply if I am 17?")
