"""Hong Kong PII benchmark set: deterministic, well-formed, valid identifiers, clean look-alikes.

The check-digit rules are written out again here, independently of bench/make_hk_pii.py, so a
bug in the generator's arithmetic cannot hide itself.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import make_hk_pii  # noqa: E402
from hk_pii.identifiers import cn_id_check_digit, hkid_check_digit, luhn_check_digit  # noqa: E402

TYPES = {
    "HKID", "PHONE", "EMAIL", "PASSPORT", "ID_CN", "BR_NUMBER", "BANK_ACCOUNT", "CREDIT_CARD",
    "IP_ADDRESS", "DATE_OF_BIRTH", "ADDRESS", "PERSON",
}  # fmt: skip


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return make_hk_pii.build_records()


def _hkid_valid(text: str) -> bool:
    compact = re.sub(r"[\s()（）]", "", text).upper()
    match = re.fullmatch(r"([A-Z]{1,2})(\d{6})([0-9A])", compact)
    if not match:
        return False
    letters, digits, check = match.groups()
    values = [36 if len(letters) == 1 else ord(letters[0]) - 55, ord(letters[-1]) - 55]
    total = 9 * values[0] + 8 * values[1] + sum((7 - i) * int(d) for i, d in enumerate(digits))
    expected = (11 - total % 11) % 11
    return check == ("A" if expected == 10 else str(expected))


def _cn_id_valid(text: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return False
    try:
        dt.datetime.strptime(text[6:14], "%Y%m%d")
    except ValueError:
        return False
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(w * int(d) for w, d in zip(weights, text[:17], strict=True))
    return "10X98765432"[total % 11] == text[17]


def _luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def _card_valid(text: str) -> bool:
    number = re.sub(r"[\s-]", "", text)
    brand = re.match(r"4|5[1-5]|2[2-7]|3[47]|62", number)
    return bool(brand) and len(number) in (15, 16, 19) and _luhn_valid(number)


def _phone_valid(text: str) -> bool:
    digits = re.sub(r"[\s()+-]", "", text)
    if len(digits) == 11 and digits.startswith("852"):
        digits = digits[3:]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return bool(re.fullmatch(r"[23569]\d{7}|1[3-9]\d{9}", digits))


def test_generator_is_deterministic_and_the_file_is_up_to_date(records: list[dict]) -> None:
    again = make_hk_pii.build_records()
    assert records == again
    on_disk = make_hk_pii.OUT.read_text("utf-8")
    assert on_disk == make_hk_pii.to_jsonl(records), "rerun bench/make_hk_pii.py"


def test_set_covers_every_type_language_and_genre(records: list[dict]) -> None:
    assert 600 <= len(records) <= 1000
    types = Counter(e["type"] for r in records for e in r["entities"])
    assert set(types) == TYPES
    assert min(types.values()) >= 40
    assert {r["lang"] for r in records} == {"en", "zh-Hant", "zh-Hans", "yue", "mixed"}
    assert {r["genre"] for r in records} == {"complaint", "letter", "case_note", "chat", "form"}
    assert len({r["id"] for r in records}) == len(records)
    assert len({r["text"] for r in records}) > 0.97 * len(records)


def test_gold_spans_are_well_formed(records: list[dict]) -> None:
    for record in records:
        text, previous_end = record["text"], 0
        for entity in record["entities"]:
            assert set(entity) == {"type", "start", "end"}
            assert entity["type"] in TYPES
            assert previous_end <= entity["start"] < entity["end"] <= len(text), record["id"]
            value = text[entity["start"] : entity["end"]]
            assert value == value.strip(), (record["id"], value)
            previous_end = entity["end"]


def test_identifiers_in_gold_have_valid_check_digits(records: list[dict]) -> None:
    validators = {
        "HKID": _hkid_valid,
        "ID_CN": _cn_id_valid,
        "CREDIT_CARD": _card_valid,
        "PHONE": _phone_valid,
        "EMAIL": lambda v: bool(re.fullmatch(r"[\w.+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+", v)),
    }
    checked: Counter[str] = Counter()
    for record in records:
        for entity in record["entities"]:
            value = record["text"][entity["start"] : entity["end"]]
            if entity["type"] in validators:
                assert validators[entity["type"]](value), (record["id"], entity["type"], value)
                checked[entity["type"]] += 1
    assert set(checked) == set(validators)


def test_lookalike_records_have_no_personal_data(records: list[dict]) -> None:
    lookalikes = [r for r in records if r["lookalike"]]
    assert len(lookalikes) >= 100
    assert all(not r["entities"] for r in lookalikes)
    assert all(r["entities"] for r in records if not r["lookalike"])
    for record in lookalikes:
        text = record["text"]
        for shaped in re.findall(r"[A-Za-z]{1,2}\d{6}\s?[(（]?[0-9A][)）]?", text):
            assert not _hkid_valid(shaped), (record["id"], shaped)
        for shaped in re.findall(r"\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}", text):
            assert not _card_valid(shaped), (record["id"], shaped)


def test_check_digit_rules_agree_with_published_examples() -> None:
    assert _hkid_valid("A123456(3)") and not _hkid_valid("A123456(4)")
    assert hkid_check_digit("A", "123456") == "3"
    assert _cn_id_valid("11010519491231002X")
    assert cn_id_check_digit("11010519491231002") == "X"
    assert _luhn_valid("4111111111111111")
    assert luhn_check_digit("411111111111111") == "1"


def test_latency_prompts_are_distinct_and_exactly_2000_characters(records: list[dict]) -> None:
    prompts = make_hk_pii.latency_prompts(records, per_mix=20)
    assert len(prompts) == 60
    assert {p["mix"] for p in prompts} == {"en", "zh", "mixed"}
    assert all(len(p["text"]) == 2000 for p in prompts)
    assert len({p["text"] for p in prompts}) == len(prompts)
