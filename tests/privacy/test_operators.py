"""Redaction operators: spans, consistency of pseudonyms, restoring answers, salted hashes."""

from __future__ import annotations

import pytest

from govpilot.privacy.entities import Finding, count_by_type, resolve_overlaps
from govpilot.privacy.operators import (
    PseudonymVault,
    apply_operator,
    normalise_value,
    salted_hash,
)

TEXT = "陳大文 HKID A123456(3)，電話 9123 4567。陳大文再致電。"


def spans(text: str, *values: tuple[str, str]) -> list[Finding]:
    """Findings for each (type, value), at every place the value occurs."""
    found = []
    for pii_type, value in values:
        start = text.find(value)
        while start >= 0:
            found.append(Finding(start, start + len(value), pii_type))
            start = text.find(value, start + 1)
    return sorted(found)


FINDINGS = spans(TEXT, ("PERSON", "陳大文"), ("HKID", "A123456(3)"), ("PHONE", "9123 4567"))


def test_placeholder_names_the_type() -> None:
    out = apply_operator(TEXT, FINDINGS, "placeholder")
    assert out.text == "[PERSON] HKID [HKID]，電話 [PHONE]。[PERSON]再致電。"


def test_output_spans_point_at_the_replacements() -> None:
    out = apply_operator(TEXT, FINDINGS, "placeholder")
    for r in out.replacements:
        assert out.text[r.out_start : r.out_end] == r.replacement
        assert r.finding in FINDINGS


def test_mask_keeps_length_and_spaces() -> None:
    out = apply_operator(TEXT, FINDINGS, "mask")
    assert len(out.text) == len(TEXT)
    assert "9123" not in out.text and "**** ****" in out.text


def test_pseudonyms_are_consistent_within_a_vault_and_restored() -> None:
    vault = PseudonymVault()
    out = apply_operator(TEXT, FINDINGS, "pseudonymise", vault=vault)
    assert out.text.count("[PERSON_1]") == 2
    assert "[HKID_1]" in out.text and "[PHONE_1]" in out.text
    # The same HKID written another way is the same person in the same vault.
    assert vault.token_for("HKID", "a1234563") == "[HKID_1]"
    assert vault.token_for("PERSON", "李小明") == "[PERSON_2]"
    assert vault.restore(out.text) == TEXT


@pytest.mark.parametrize(
    "answer",
    ["Dear [PERSON_1],", "Dear PERSON_1,", "Dear 【PERSON_1】,", "Dear ［PERSON_1］,"],
)
def test_restore_accepts_the_forms_models_write(answer: str) -> None:
    vault = PseudonymVault()
    vault.token_for("PERSON", "Chan Tai-man")
    assert vault.restore(answer) == "Dear Chan Tai-man,"


def test_restore_next_to_chinese_text_and_leaves_unknown_tokens() -> None:
    vault = PseudonymVault()
    vault.token_for("PERSON", "陳大文")
    assert vault.restore("致[PERSON_1]先生及[PERSON_9]") == "致陳大文先生及[PERSON_9]"
    assert vault.restore("PERSON_1先生") == "陳大文先生"


def test_salted_hash_matches_across_forms_and_depends_on_the_salt() -> None:
    assert salted_hash("HKID", "A123456(3)", b"s") == salted_hash("HKID", "a1234563", b"s")
    assert salted_hash("PHONE", "+852 9123-4567", b"s") == salted_hash("PHONE", "91234567", b"s")
    assert salted_hash("HKID", "A123456(3)", b"s") != salted_hash("HKID", "A123456(3)", b"t")
    out = apply_operator(TEXT, FINDINGS, "hash", salt=b"s")
    assert "A123456" not in out.text and "[HKID:" in out.text


def test_hash_and_pseudonymise_need_their_inputs() -> None:
    with pytest.raises(ValueError, match="salt"):
        apply_operator(TEXT, FINDINGS, "hash")
    with pytest.raises(ValueError, match="Vault"):
        apply_operator(TEXT, FINDINGS, "pseudonymise")


def test_overlapping_findings_are_rejected_until_resolved() -> None:
    overlapping = [Finding(0, 5, "PERSON"), Finding(3, 8, "ADDRESS", score=0.9)]
    with pytest.raises(ValueError, match="overlap"):
        apply_operator("0123456789", overlapping, "placeholder")
    kept = resolve_overlaps(overlapping)
    assert kept == [Finding(0, 5, "PERSON")]


def test_resolve_prefers_score_then_length_then_the_specific_type() -> None:
    a = Finding(0, 10, "ADDRESS", score=0.6)
    b = Finding(2, 6, "PHONE", score=0.9)
    assert resolve_overlaps([a, b]) == [b]
    c = Finding(0, 10, "PERSON", score=0.9)
    d = Finding(0, 10, "HKID", score=0.9)
    assert resolve_overlaps([c, d]) == [d]


def test_findings_validate_type_and_span() -> None:
    with pytest.raises(ValueError, match="unknown"):
        Finding(0, 1, "SSN")
    with pytest.raises(ValueError, match="span"):
        Finding(3, 3, "PHONE")
    assert count_by_type(FINDINGS) == {"HKID": 1, "PHONE": 1, "PERSON": 2}


@pytest.mark.parametrize(
    ("pii_type", "a", "b"),
    [
        ("HKID", "AB987654(2)", "ab9876542"),
        ("PHONE", "(852) 2123-4567", "21234567"),
        ("EMAIL", "Chan.TM@Example.com", "chan.tm@example.com"),
        ("PERSON", "Chan  Tai-man", "chan tai-man"),
        ("CREDIT_CARD", "4111 1111 1111 1111", "4111-1111-1111-1111"),
    ],
)
def test_normalise_value(pii_type: str, a: str, b: str) -> None:
    assert normalise_value(pii_type, a) == normalise_value(pii_type, b)
