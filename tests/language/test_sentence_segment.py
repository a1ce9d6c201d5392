"""Sentence splitting and token-budget packing."""

import random

import pytest

from govpilot.language import Batch, pack_segments, reassemble, split_sentences

ENGLISH = (
    "Mr. Lee met Dr. Chan at 3.5 p.m. yesterday. He cited e.g. the Personal Data "
    "(Privacy) Ordinance (Cap. 486) and No. 5 of the list. J. K. Rowling was not there! "
    "Was the U.S. Consulate informed? Yes.  The End."
)
CHINESE = "政府今日公布新措施。市民可於網上申請！有問題嗎？請致電1823；多謝。「這是引述。」他說。"


def test_english_sentences_and_abbreviations() -> None:
    assert split_sentences(ENGLISH) == [
        "Mr. Lee met Dr. Chan at 3.5 p.m. yesterday. ",
        "He cited e.g. the Personal Data (Privacy) Ordinance (Cap. 486) and No. 5 of the list. ",
        "J. K. Rowling was not there! ",
        "Was the U.S. Consulate informed? ",
        "Yes.  ",
        "The End.",
    ]


def test_chinese_sentences_keep_closing_quotes() -> None:
    assert split_sentences(CHINESE) == [
        "政府今日公布新措施。",
        "市民可於網上申請！",
        "有問題嗎？",
        "請致電1823；",
        "多謝。",
        "「這是引述。」",
        "他說。",
    ]


def test_half_width_marks_in_chinese_mode() -> None:
    assert split_sentences("我們會跟進!謝謝?版本2.0已發布") == [
        "我們會跟進!",
        "謝謝?",
        "版本2.0已發布",
    ]
    assert split_sentences("我們會跟進!謝謝", lang="en") == ["我們會跟進!謝謝"]


def test_blank_lines_end_a_sentence_and_leading_space_stays() -> None:
    text = "  Heading without a stop\n\nFirst line\nwrapped line. Next."
    assert split_sentences(text) == [
        "  Heading without a stop\n\n",
        "First line\nwrapped line. ",
        "Next.",
    ]


@pytest.mark.parametrize(
    "text", ["", "   ", "a", ENGLISH, CHINESE, ENGLISH + "\n\n" + CHINESE, "。。。", "...!?"]
)
def test_split_reconstructs_the_text(text: str) -> None:
    pieces = split_sentences(text)
    assert "".join(pieces) == text
    assert all(pieces)


def _tokens(text: str) -> int:
    """A stand-in tokenizer: one token per Han character or per other word."""
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return han + len(text.split())


def test_pack_segments_budget_and_order_property() -> None:
    rng = random.Random(7)
    vocab = [*ENGLISH.split(" "), *CHINESE, "，", "。", "\n\n", ""]
    for _ in range(200):
        units = ["".join(rng.choice(vocab) for _ in range(rng.randint(0, 40))) for _ in range(8)]
        budget = rng.randint(1, 30)
        batches = pack_segments(units, budget, _tokens)
        pieces = [p for b in batches for p in b.pieces]
        # Order: units ascending, parts 0, 1, 2 ... within a unit; every unit present.
        assert [(p.unit, p.part) for p in pieces] == sorted((p.unit, p.part) for p in pieces)
        assert sorted({p.unit for p in pieces}) == list(range(len(units)))
        for b in batches:
            assert b.tokens <= budget or len(b.pieces) == 1
        for p in pieces:
            assert p.tokens == _tokens(p.text)
            assert p.tokens <= budget or len(p.text) == 1
        assert reassemble(batches, [b.texts for b in batches]) == units


def test_oversized_unit_is_split_by_sentence_first() -> None:
    unit = "First sentence here. Second one here. Third here."
    batches = pack_segments([unit], 3, _tokens)
    texts = [p.text for b in batches for p in b.pieces]
    assert texts == ["First sentence here. ", "Second one here. ", "Third here."]


def test_reassemble_joins_parts_and_checks_lengths() -> None:
    batches = pack_segments(["第一句。第二句。", "短"], 4, _tokens)
    outputs = [[p.text.upper() for p in b.pieces] for b in batches]
    assert reassemble(batches, outputs, sep="|") == ["第一句。|第二句。", "短"]
    with pytest.raises(ValueError):
        reassemble(batches, outputs[:-1])


def test_pack_segments_rejects_a_non_positive_budget() -> None:
    with pytest.raises(ValueError):
        pack_segments(["x"], 0, _tokens)
    assert pack_segments([], 10, _tokens) == []
    assert isinstance(pack_segments(["x"], 10, _tokens)[0], Batch)
