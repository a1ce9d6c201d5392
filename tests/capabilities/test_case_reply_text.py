"""A drafted reply's text: the model's own framing dropped, citations checked, uncited
statements attributed to the passage that holds them, numbers found in no passage flagged."""

from __future__ import annotations

from govpilot.capabilities.cases.reply_text import citation_support, clean_body, prepare_body

PASSAGES = [
    "Officers inspect dripping air-conditioners in the evening, when the units are in use.",
    "A Nuisance Notice may be served on the owner of a dripping air-conditioner.",
]


def test_the_models_framing_lines_are_dropped() -> None:
    text = "Dear [Citizen's Name],\n\nOfficers will inspect [1].\n\nBest regards,\n[Your Name]"
    assert clean_body(text, 2) == "Officers will inspect [1]."
    zh = "尊敬的市民，\n本署會派員巡查 [1]。\n此致\n敬禮\n香港特區政府食物環境衞生署"
    assert clean_body(zh, 1) == "本署會派員巡查 [1]。"
    assert clean_body("Call us [7].", 2) == "Call us ."


def test_citations_hold_only_when_the_sentence_is_in_the_passage() -> None:
    body = (
        "Officers inspect dripping air-conditioners in the evening [1]. Refunds come tomorrow [2]."
    )
    checks = citation_support(body, PASSAGES)
    assert [(c["n"], c["supported"]) for c in checks] == [(1, True), (2, False)]
    assert citation_support("Something [3].", PASSAGES)[0]["supported"] is False


def test_uncited_statements_from_a_passage_are_attributed_and_numbers_checked() -> None:
    text = (
        "A Nuisance Notice may be served on the owner of the air-conditioner. "
        "We will reply within 14 days. Thank you for writing [1]."
    )
    draft = prepare_body(text, PASSAGES)
    assert "air-conditioner [2]." in draft.body and draft.attributed == 1
    assert draft.model_cited == frozenset({1})
    assert draft.unsupported == ["We will reply within 14 days."]
    zh = prepare_body("食環署會在晚間巡查冷氣機滴水。", ["食環署主要在晚間巡查冷氣機滴水個案。"])
    assert zh.body == "食環署會在晚間巡查冷氣機滴水 [1]。" and zh.attributed == 1
