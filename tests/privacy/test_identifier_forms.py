"""Identifiers in the forms people write them: split by spaces, hyphens or line breaks, with
or without brackets, full-width, lower case, after English or Chinese labels; and the
look-alikes (case references, amounts, dates, order numbers) that must stay unreported."""

from __future__ import annotations

import pytest

from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.recognizers.checksums import hkid_check_character
from govpilot.privacy.recognizers.identifiers import identifier_recognizers
from govpilot.privacy.recognizers.width import fold_width

DETECTOR = PiiDetector(identifier_recognizers())


def detected(text: str) -> list[tuple[str, str]]:
    """(type, text) of what the detector reports, in order."""
    return [(f.type, text[f.start : f.end]) for f in DETECTOR.detect(text)]


def hkid(prefix: str, digits: str, form: str = "{p}{d}({c})") -> str:
    """An HKID with a valid check character, written in `form`."""
    return form.format(p=prefix, d=digits, c=hkid_check_character(prefix, digits))


def wrong_check(prefix: str, digits: str) -> str:
    """A check character that is not the right one for prefix + digits."""
    right = hkid_check_character(prefix, digits)
    return "1" if right != "1" else "2"


def cn_id_check(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(w * int(d) for w, d in zip(weights, first17, strict=True)) % 11]


# --- width folding --------------------------------------------------------------------


def test_fold_width_follows_nfkc_one_for_one_and_keeps_chinese_punctuation() -> None:
    text = (
        "Ａ１２３４５６（３）ｃｈａｎ＠ｍａｉｌ．ｃｏｍ＄１\u00a0９１２３\u2013４５６７\u3000，：；"
    )
    folded = fold_width(text)
    assert len(folded) == len(text)
    assert folded == "A123456(3)chan@mail.com$1 9123-4567 ，：；"


# --- HKID -----------------------------------------------------------------------------

HKID_FORMS = [
    "{p}{d}({c})",
    "{p} {d} ({c})",
    "{p}{d} ({c})",
    "{p} {d}({c})",
    "{p} {d} {c}",
    "{p}{d} {c}",
    "{p} {d}{c}",
    "{p}{d}-{c}",
    "{p}-{d}-{c}",
    "{p}{d}[{c}]",
    "{p}{d}\n({c})",
    "{p}\n{d}({c})",
]


@pytest.mark.parametrize("form", HKID_FORMS)
@pytest.mark.parametrize("prefix", ["A", "C", "AB", "XA"])
def test_hkid_split_forms_without_a_label(form: str, prefix: str) -> None:
    value = hkid(prefix, "987654", form)
    if "\n" in form and "(" not in form:
        pytest.skip("a line break with no brackets needs a label")
    assert detected(f"The number {value} was given.") == [("HKID", value)]


@pytest.mark.parametrize("form", [*HKID_FORMS, "{p}\n{d} {c}"])
@pytest.mark.parametrize(
    "label",
    [
        "身份證",
        "身分證",
        "身份證編號",
        "HKID",
        "ID no.",
        "香港身份證號碼：",
        "HK Identity Card No.:",
    ],
)
def test_hkid_split_forms_after_a_label(form: str, label: str) -> None:
    value = hkid("A", "123456", form)
    assert detected(f"{label} {value}，多謝") == [("HKID", value)]


@pytest.mark.parametrize(
    "value",
    [
        "Ａ１２３４５６（３）",
        "Ａ １２３４５６ （３）",
        "Ａ１２３４５６３",
        "a 123456 (3)",
        "a123456-3",
        "A 123 456 (3)",
        "A 12 34 56 (3)",
        "A123456\u00a0(3)",
        "A\u2013123456\u2013(3)",
    ],
)
def test_hkid_full_width_lower_case_and_grouped_digits(value: str) -> None:
    assert detected(f"佢個身份證係{value}啊") == [("HKID", value)]
    assert detected(f"Number {value} given") == [("HKID", value)]


def test_hkid_wrong_check_character_only_right_after_a_label() -> None:
    bad = f"A 123456 ({wrong_check('A', '123456')})"
    assert detected(f"身份證號碼：{bad}") == [("HKID", bad)]
    assert detected(f"HKID:\n{bad}") == [("HKID", bad)]  # the value on the next form line
    assert detected(f"Code {bad} in the form") == []
    assert detected(f"身份證號碼。\n{bad}") == []  # a new sentence, not the label's value


@pytest.mark.parametrize(
    "text",
    [
        hkid("CR", "123456", "CR {d}({c})/2024"),
        hkid("CR", "123456", "{p} {d} ({c}) / 2024"),
        hkid("KT", "654321", "Case No. {p} {d}({c})"),
        hkid("PO", "246810", "Order no. {p} {d} {c}"),
        hkid("AB", "135790", "Ref: {p} {d} {c}"),
        hkid("AB", "135790", "訂單編號 {p}-{d}-{c}"),
        hkid("YA", "330975", "參考編號 {p} {d} {c}"),
        hkid("HX", "112233", "model no. {p} {d} ({c})"),
        hkid("IS", "123456", "it {p} {d} {c}").replace("IS", "is"),
        hkid("A", "123456", "Block {p}\n{d} {c} people"),
        "HCA 1234/2023",
        "DCCJ 12345/2024",
        "CACV 123/2024 and HCMP 2345/2023",
        "HK$123,456 and HK$ 123 456",
        "Amount: HKD 1,234,567.00",
        "Meeting on 12 03 2024 at 2 pm",
        "Invoice INV-2024-123456-7",
        "Room A 123456",
    ],
)
def test_hkid_look_alikes(text: str) -> None:
    assert [t for t, _ in detected(text) if t == "HKID"] == []


def test_hkid_not_inside_words_or_longer_codes() -> None:
    assert detected(hkid("BC", "123456", "ABC {d} ({c})")) == []
    assert detected(hkid("A", "123456", "{p} {d} {c}9")) == []


# --- PHONE ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "9123 4567",
        "9123-4567",
        "91234567",
        "91 23 45 67",
        "91-23-45-67",
        "9123 45 67",
        "9123 - 4567",
        "9123\u20134567",
        "9123\n4567",
        "９１２３ ４５６７",
        "９１ ２３ ４５ ６７",
        "+852 9123 4567",
        "+852 91 23 45 67",
        "+ 852 9123 4567",
        "852-9123-4567",
        "852 9123 4567",
        "(852) 9123 4567",
        "(+852) 9123-4567",
        "( 852 ) 9123 4567",
        "00852 9123 4567",
        "＋８５２ ９１２３ ４５６７",
        "（８５２）９１２３４５６７",
    ],
)
@pytest.mark.parametrize("label", ["Tel:", "電話", "手提：", "call me on", "打俾我"])
def test_phone_forms_after_a_label(phone: str, label: str) -> None:
    assert detected(f"{label} {phone} 唔該") == [("PHONE", phone)]


@pytest.mark.parametrize("phone", ["+852 91 23 45 67", "(852) 9123\n4567", "852-9123-4567"])
def test_prefixed_phone_forms_without_a_label(phone: str) -> None:
    assert detected(f"Mr Chan {phone} today") == [("PHONE", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "Scores 23 45 67 89 in the test",
        "12 34 56 78 90",
        "Ages: 65 72 81 90",
        "Room 1203\n4567 people",
        "Order No. 91 23 45 67",
        "Invoice 9123 45 67",
        "HK$ 9123 4567",
        "2023 - 2024",
        "CR 12345678/2024",
        "個案編號：91 23 45 67",
    ],
)
def test_phone_look_alikes(text: str) -> None:
    assert [t for t, _ in detected(text) if t == "PHONE"] == []


# --- other identifiers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111 - 1111 - 1111 - 1111",
        "4111 1111\n1111 1111",
        "４１１１ １１１１ １１１１ １１１１",
        "3782 822463 10005",
    ],
)
def test_card_forms(card: str) -> None:
    assert detected(f"Visa 卡號 {card} 已取消") == [("CREDIT_CARD", card)]


def test_card_look_alike_failing_luhn() -> None:
    assert detected("Order 4111 1111 1111 1112 shipped") == []


@pytest.mark.parametrize("email", ["CHAN.TM@GMAIL.COM", "ｃｈａｎ＠ｇｍａｉｌ．ｃｏｍ"])
def test_email_forms(email: str) -> None:
    assert detected(f"電郵：{email}。") == [("EMAIL", email)]


@pytest.mark.parametrize("number", ["H 1234 5678", "K12345678", "ｋ１２３４５６７８", "H-12345678"])
def test_hksar_passport_forms(number: str) -> None:
    assert detected(f"護照號碼 {number}") == [("PASSPORT", number)]


def test_split_passport_shape_without_a_label_is_not_a_passport() -> None:
    assert [t for t, _ in detected("Block K 2123 4567")] == ["PHONE"]


@pytest.mark.parametrize("form", ["{r}{b}{s}", "{r} {b} {s}", "{r}-{b}-{s}"])
def test_mainland_resident_id_forms(form: str) -> None:
    first17 = "44030119900307123"
    value = form.format(r=first17[:6], b=first17[6:14], s=first17[14:] + cn_id_check(first17))
    assert detected(f"身份证号码 {value}") == [("ID_CN", value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("滙豐戶口 012 - 345678 - 001", "012 - 345678 - 001"),
        ("戶口號碼：０１２－３４５６７８－００１", "０１２－３４５６７８－００１"),
        ("商業登記號碼 12345678 - 000 - 08 - 24 - 1", "12345678 - 000 - 08 - 24 - 1"),
        ("IP：２０３．１９８．７．２", "２０３．１９８．７．２"),
    ],
)
def test_other_identifier_forms(text: str, value: str) -> None:
    assert [v for _, v in detected(text)] == [value]


def test_hkid_shaped_number_after_a_travel_document_label_is_a_passport() -> None:
    number = hkid("EF", "810492", "{p}{d}{c}")
    assert detected(f"旅行證件號碼 {number}，有效期至二〇三〇年。") == [("PASSPORT", number)]
