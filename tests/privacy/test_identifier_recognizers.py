"""Identifier recognizers: HKID, phone, e-mail, passport, mainland ID, BR, bank account,
payment card, IP address and date of birth, in English, Chinese and mixed text."""

from __future__ import annotations

import itertools

import pytest

from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.entities import PII_TYPES, Finding
from govpilot.privacy.recognizers.checksums import (
    card_scheme,
    hkid_check_character,
    is_plausible_birth_date,
    is_valid_cn_resident_id,
    is_valid_hkid,
    luhn_valid,
)
from govpilot.privacy.recognizers.context import PHONE_LABELS, keywords
from govpilot.privacy.recognizers.identifiers import identifier_recognizers
from govpilot.privacy.recognizers.width import fold_width

DETECTOR = PiiDetector(identifier_recognizers())


def detected(text: str) -> list[tuple[str, str]]:
    """(type, text) of what the detector reports, in order."""
    return [(f.type, text[f.start : f.end]) for f in DETECTOR.detect(text)]


def raw_findings(text: str, pii_type: str) -> list[Finding]:
    """Everything the recognizers return for one type, scores below 0.5 included."""
    return [f for r in identifier_recognizers() for f in r.find(text) if f.type == pii_type]


def score_of(text: str, value: str, pii_type: str) -> float | None:
    """The best score the recognizers give `value` (found in `text`) as `pii_type`."""
    start = text.index(value)
    scores = [
        f.score
        for f in raw_findings(text, pii_type)
        if (f.start, f.end) == (start, start + len(value))
    ]
    return max(scores, default=None)


# --- the recognizer set ---------------------------------------------------------------


def test_every_recognizer_has_a_name_and_known_types() -> None:
    recognizers = identifier_recognizers()
    names = [r.name for r in recognizers]
    assert len(names) == len(set(names))
    assert {t for r in recognizers for t in r.types} == set(PII_TYPES) - {"ADDRESS", "PERSON"}


def test_findings_carry_the_recognizer_name_and_valid_offsets() -> None:
    text = "電話9123 4567"
    (finding,) = DETECTOR.detect(text)
    assert finding.recognizer == "phone"
    assert text[finding.start : finding.end] == "9123 4567"


def test_empty_and_plain_texts_give_nothing() -> None:
    assert detected("") == []
    assert detected("The committee will meet next week to discuss the proposal.") == []
    assert detected("本署會於下星期召開會議，討論有關建議。") == []


# --- check digits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "digits", "check"),
    [("A", "123456", "3"), ("C", "123456", "9"), ("G", "123456", "A"), ("AB", "987654", "3")],
)
def test_hkid_check_character_matches_hand_computed_values(
    prefix: str, digits: str, check: str
) -> None:
    assert hkid_check_character(prefix, digits) == check
    assert is_valid_hkid(prefix.lower(), digits, check.lower())


def test_hkid_check_rejects_wrong_digits_and_bad_input() -> None:
    assert not is_valid_hkid("A", "123456", "4")
    assert not is_valid_hkid("ABC", "123456", "3")
    assert not is_valid_hkid("A", "12345", "3")
    with pytest.raises(ValueError, match="prefix"):
        hkid_check_character("1", "123456")


def test_cn_resident_id_check_uses_iso_7064_and_the_birth_date() -> None:
    assert is_valid_cn_resident_id("11010519491231002X")  # the example in GB 11643
    assert is_valid_cn_resident_id("11010519491231002x")
    assert is_valid_cn_resident_id("440301199003071230")
    assert not is_valid_cn_resident_id("110105194912310021")  # wrong check character
    assert not is_valid_cn_resident_id("440301199002301230")  # 30 February
    assert not is_valid_cn_resident_id("4403011990030712")


@pytest.mark.parametrize(
    ("number", "scheme"),
    [
        ("4111111111111111", "visa"),
        ("4012888888881881", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223000048400011", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3530111333300000", "jcb"),
        ("6200000000000005", "unionpay"),
    ],
)
def test_luhn_and_scheme_of_test_card_numbers(number: str, scheme: str) -> None:
    assert luhn_valid(number)
    assert card_scheme(number) == scheme


def test_luhn_rejects_changed_digits_and_unknown_prefixes() -> None:
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("4111-1111")
    assert card_scheme("9111111111111111") is None
    assert card_scheme("41111111111111") is None  # 14 digits is not a Visa length


def test_plausible_birth_dates() -> None:
    assert is_plausible_birth_date(1985, 3, 12)
    assert not is_plausible_birth_date(1985, 2, 30)
    assert not is_plausible_birth_date(1850, 1, 1)
    assert not is_plausible_birth_date(2999, 1, 1)


# --- context helpers ------------------------------------------------------------------


def test_fold_width_keeps_offsets() -> None:
    text = "電話：９１２３ ４５６７，身份證Ａ１２３４５６（３）"
    folded = fold_width(text)
    assert len(folded) == len(text)
    assert "9123 4567" in folded and "A123456(3)" in folded
    assert fold_width("plain") == "plain"


def test_keywords_match_english_words_whole_and_in_any_case() -> None:
    pattern = keywords(["tel", "call", "電話"])
    assert pattern.search("TEL: 1") and pattern.search("Call me") and pattern.search("電話")
    assert not pattern.search("hotel recall")
    assert pattern.search("請Call我")  # Latin word next to Chinese characters


def test_nearest_label_decides() -> None:
    text = "個案編號 12345678，電話 91234567"
    assert PHONE_LABELS.before(text, text.index("12345678"), 25) == -1
    assert PHONE_LABELS.before(text, text.index("91234567"), 25) == 1
    assert PHONE_LABELS.before("Tel No. ", 8, 25) == 1  # "No." is part of "Tel No."
    assert PHONE_LABELS.before("something else ", 15, 25) == 0


# --- HKID -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hkid", ["A123456(3)", "A1234563", "A123456 (3)", "AB987654(3)", "a123456(3)", "G123456(A)"]
)
def test_hkid_formats(hkid: str) -> None:
    assert detected(f"HKID: {hkid}.") == [("HKID", hkid)]
    assert detected(f"The number {hkid} was given.") == [("HKID", hkid)]


@pytest.mark.parametrize(
    "text",
    [
        "身份證號碼A123456(3)",
        "身份證號碼：A123456(3)。",
        "我個身份證係A123456(3)啊",
        "身份證A1234563",
    ],
)
def test_hkid_next_to_chinese_characters(text: str) -> None:
    assert [t for t, _ in detected(text)] == ["HKID"]


def test_hkid_full_width_brackets() -> None:
    assert detected("身份證A123456（3）") == [("HKID", "A123456（3）")]


def test_hkid_scores() -> None:
    text = "身份證號碼 A123456(3)"
    assert score_of(text, "A123456(3)", "HKID") == 1.0
    assert score_of("Number A123456(3)", "A123456(3)", "HKID") == 0.9
    assert score_of("Number A1234563", "A1234563", "HKID") == 0.85


def test_hkid_with_wrong_check_digit_only_next_to_an_id_label() -> None:
    assert detected("Code A123456(4) in the form") == []
    assert detected("Product AB1234567 shipped") == []
    assert score_of("身份證號碼 A123456(4)", "A123456(4)", "HKID") == 0.6


def test_hkid_shaped_product_codes() -> None:
    # an invalid check digit far from the ID label it does not belong to
    assert detected("HKID XA3826225。 model no. B354606(6) 嗰部機壞咗") == [("HKID", "XA3826225")]
    # a valid check digit, but the nearest label says it is a model number
    assert detected("model no. B354606(9) 嗰部機壞咗") == []


def test_hkid_not_inside_longer_codes() -> None:
    assert detected("ABC123456(3)") == []
    assert detected("A1234563B") == []
    assert detected("9A1234563") == []


# --- PHONE ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "9123 4567",
        "9123-4567",
        "91234567",
        "+852 9123 4567",
        "+852-9123-4567",
        "+85291234567",
        "(852) 2123-4567",
        "(+852) 6123 4567",
        "852-9123 4567",
        "85291234567",
        "00852 3123 4567",
    ],
)
def test_hong_kong_phone_formats(phone: str) -> None:
    assert detected(f"Tel: {phone}") == [("PHONE", phone)]
    assert detected(f"聯絡電話{phone}。") == [("PHONE", phone)]


@pytest.mark.parametrize("label", ["電話", "手提", "聯絡", "Tel", "phone", "Mobile", "WhatsApp"])
def test_phone_labels_raise_the_score(label: str) -> None:
    text = f"{label} 51234567"
    assert score_of(text, "51234567", "PHONE") == 0.95


@pytest.mark.parametrize(
    ("number", "score"),
    [
        ("91234567", 0.6),
        ("61234567", 0.6),
        ("51234567", 0.6),
        ("21234567", 0.6),
        ("31234567", 0.6),
        ("81234567", 0.5),
        ("11234567", 0.3),
        ("41234567", 0.3),
        ("01234567", 0.3),
    ],
)
def test_bare_phone_scores_by_first_digit(number: str, score: float) -> None:
    assert score_of(f"Reply to {number} today", number, "PHONE") == score


def test_mainland_mobile_with_country_code() -> None:
    assert detected("內地手機 +86 138 0013 8000") == [("PHONE", "+86 138 0013 8000")]
    assert detected("call +8613800138000") == [("PHONE", "+8613800138000")]


@pytest.mark.parametrize("mobile", ["13141896947", "135 4663 5914", "175-0593-0030"])
def test_mainland_mobile_without_country_code_needs_a_label(mobile: str) -> None:
    assert detected(f"手机{mobile}。") == [("PHONE", mobile)]
    assert detected(f"phone {mobile}") == [("PHONE", mobile)]
    assert detected(f"Serial {mobile}") == []
    assert detected(f"The code {mobile} expired") == []


def test_bracketed_international_prefix() -> None:
    text = "My daughter (+852 5281 1755) will help"
    assert detected(text) == [("PHONE", "+852 5281 1755")]
    assert detected("(+852) 5281 1755") == [("PHONE", "(+852) 5281 1755")]


def test_phone_lists_with_a_slash() -> None:
    text = "電話 2123 4567/9123 4567"
    assert detected(text) == [("PHONE", "2123 4567"), ("PHONE", "9123 4567")]


def test_cantonese_sentence() -> None:
    text = "我個身份證係A123456(3)，電話9123 4567，有咩事打俾我"
    assert detected(text) == [("HKID", "A123456(3)"), ("PHONE", "9123 4567")]


def test_full_width_phone() -> None:
    assert detected("手提：９１２３４５６７") == [("PHONE", "９１２３４５６７")]


@pytest.mark.parametrize(
    "text",
    [
        "Ref: HAD/2024/12345678",
        "個案編號 12345678",
        "個案編號：91234567",
        "Case No. 91234567",
        "File ref 61234567",
        "收據編號 91234567",
        "Invoice 91234567",
        "Account 91234567 was closed",
        "HK$91234567",
        "$91234567",
        "HK$ 91234567",
        "港幣91234567元",
        "91234567元",
        "total 91234567 dollars",
        "HK$12,345,678.00",
        "1823",
        "999",
        "Room 1234",
        "1234室",
        "2024/25",
        "2023-2024",
        "20240312",
        "123456789012",
        "9123456789",
        "ID 91234567-8",
        "version 2.91234567",
        "第91234567號",
        "商業登記號碼 91234567",
    ],
)
def test_not_phone_numbers(text: str) -> None:
    assert [t for t, _ in detected(text) if t == "PHONE"] == []


def test_phone_then_case_reference_each_get_their_own_label() -> None:
    text = "個案編號 12345678，電話 91234567"
    assert detected(text) == [("PHONE", "91234567")]


def test_phone_not_taken_from_card_numbers() -> None:
    assert raw_findings("5555 5555 5555 4445", "PHONE") == []


# --- EMAIL ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("電郵chan.taiman@gmail.com。", "chan.taiman@gmail.com"),
        ("Email: tm_chan+hk@had.gov.hk, thanks", "tm_chan+hk@had.gov.hk"),
        ("請寄往peter-wong@example.com.hk查詢", "peter-wong@example.com.hk"),
        ("<a.b@c.io>", "a.b@c.io"),
    ],
)
def test_emails(text: str, email: str) -> None:
    assert detected(text) == [("EMAIL", email)]


@pytest.mark.parametrize("text", ["@everyone", "foo@bar", "user@localhost", "a @ b.com"])
def test_not_emails(text: str) -> None:
    assert detected(text) == []


# --- PASSPORT -------------------------------------------------------------------------


def test_hksar_passport() -> None:
    assert detected("護照號碼K12345678") == [("PASSPORT", "K12345678")]
    assert score_of("Passport No.: H12345678", "H12345678", "PASSPORT") == 0.95
    assert score_of("holder H12345678 today", "H12345678", "PASSPORT") == 0.6


def test_mainland_passports_only_after_a_passport_label() -> None:
    assert detected("中國護照號碼：E12345678") == [("PASSPORT", "E12345678")]
    assert detected("passport EA1234567") == [("PASSPORT", "EA1234567")]
    # ED6599541 is also a valid HKID shape (ED659954(1)); after 护照 it is a passport
    assert detected("护照号码ED6599541，于2024年") == [("PASSPORT", "ED6599541")]
    assert detected("Form E12345678 submitted") == []
    assert detected("EA1234567") == []


@pytest.mark.parametrize("number", ["P9980519X", "P1234567A", "XX1234567"])
def test_other_passports_after_a_passport_label(number: str) -> None:
    assert detected(f"helper (Passport No. {number}) came") == [("PASSPORT", number)]
    assert detected(f"Helper 嘅 passport {number} 喺僱主度") == [("PASSPORT", number)]
    assert detected(f"Order {number} shipped") == []


def test_not_passports() -> None:
    assert detected("H123456789") == []
    assert detected("XK12345678") == []


# --- ID_CN ----------------------------------------------------------------------------


def test_mainland_resident_id() -> None:
    assert detected("身份证号码11010519491231002X。") == [("ID_CN", "11010519491231002X")]
    assert score_of("身份證 440301199003071230", "440301199003071230", "ID_CN") == 1.0
    assert score_of("號碼 440301199003071230", "440301199003071230", "ID_CN") == 0.9


def test_mainland_resident_id_rejects_bad_check_digits_and_dates() -> None:
    assert detected("Serial 110105194912310021") == []
    assert detected("Serial 440301199013071230") == []  # month 13
    assert score_of("身份證 110105194912310021", "110105194912310021", "ID_CN") == 0.6


# --- BR_NUMBER ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "br"),
    [
        ("商業登記號碼：12345678", "12345678"),
        ("商業登記證 12345678-000-08-24-1", "12345678-000-08-24-1"),
        ("BR No. 87654321", "87654321"),
        ("BRN: 87654321", "87654321"),
        ("Business Registration Number 31234567", "31234567"),
        ("公司（商業登記 61234567）", "61234567"),
        ("你老細個公司BR號碼係咪79645005-000-03-19-A？", "79645005-000-03-19-A"),
        ("我哋 BR 係 61941012", "61941012"),
        ("a sole proprietorship (BR 53438112) from", "53438112"),
    ],
)
def test_br_numbers_in_context(text: str, br: str) -> None:
    assert detected(text) == [("BR_NUMBER", br)]


def test_br_numbers_need_context_nearby() -> None:
    assert raw_findings("Number 12345678", "BR_NUMBER") == []
    far = "商業登記" + "，" * 30 + "12345678"
    assert raw_findings(far, "BR_NUMBER") == []


# --- BANK_ACCOUNT ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("滙豐戶口 012-345678-001", "012-345678-001"),
        ("請存入恒生銀行賬戶123-456789-012", "123-456789-012"),
        ("Bank account: 004-123-456789-001", "004-123-456789-001"),
        ("HSBC a/c 123456789012", "123456789012"),
        ("中銀帳號 012 345 678 901", "012 345 678 901"),
        ("Standard Chartered account no. 447-1-234567-8", "447-1-234567-8"),
    ],
)
def test_bank_accounts_in_context(text: str, account: str) -> None:
    assert detected(text) == [("BANK_ACCOUNT", account)]


@pytest.mark.parametrize(
    "text",
    [
        "Ref: 012-345678-001",
        "個案編號 123-456789-012",
        "銀行參考編號 123456789",
        "Account opened on 2024-03-12",
        "Bank hotline 2233 3000 today",
    ],
)
def test_no_bank_account_without_bank_context(text: str) -> None:
    assert [t for t, _ in detected(text) if t == "BANK_ACCOUNT"] == []


@pytest.mark.parametrize("card", ["3726 293814 43841", "3729-589211-31297"])
def test_card_numbers_after_a_bank_word_are_cards(card: str) -> None:
    assert detected(f"退款已转入您的银行卡{card}，请查收") == [("CREDIT_CARD", card)]


# --- CREDIT_CARD ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "5555 5555 5555 4444",
        "2223 0000 4840 0011",
        "3782 822463 10005",
        "378282246310005",
        "3530 1113 3330 0000",
        "6200 0000 0000 0005",
    ],
)
def test_credit_cards(card: str) -> None:
    assert detected(f"信用卡號碼{card}。") == [("CREDIT_CARD", card)]
    assert detected(f"Paid with {card} yesterday") == [("CREDIT_CARD", card)]


def test_credit_card_scores() -> None:
    assert score_of("Visa card 4111 1111 1111 1111", "4111 1111 1111 1111", "CREDIT_CARD") == 1.0
    assert score_of("number 4111111111111111", "4111111111111111", "CREDIT_CARD") == 0.85


def test_unionpay_failing_luhn_only_with_card_context() -> None:
    assert detected("銀聯卡 6212 3456 7890 1234") == [("CREDIT_CARD", "6212 3456 7890 1234")]
    assert detected("Ref 6212345678901234") == []


@pytest.mark.parametrize(
    "text",
    ["4111 1111 1111 1112", "9111 1111 1111 1111", "1234 5678 9012 3456", "4111 1111 111 1111"],
)
def test_not_credit_cards(text: str) -> None:
    assert [t for t, _ in detected(text) if t == "CREDIT_CARD"] == []


# --- IP_ADDRESS -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Login from 203.198.23.45 failed", "203.198.23.45"),
        ("IP:192.168.1.20", "192.168.1.20"),
        ("伺服器10.0.0.12出錯", "10.0.0.12"),
        ("IPv6 2001:db8::8a2e:370:7334.", "2001:db8::8a2e:370:7334"),
        ("addr fe80::1ff:fe23:4567:890a", "fe80::1ff:fe23:4567:890a"),
        ("from 2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
    ],
)
def test_ip_addresses(text: str, address: str) -> None:
    assert detected(text) == [("IP_ADDRESS", address)]


@pytest.mark.parametrize(
    "text",
    [
        "v1.2.3.4",
        "version 10.2.3.4",
        "see para 3.1.2.4",
        "section 2.3.1.4 applies",
        "2.3.1.4",
        "256.1.1.1",
        "1.2.3.4.5",
        "127.0.0.1",
        "at 10:30:45",
        "MAC 00:1A:2B:3C:4D:5E",
        "std::vector",
        "12.5%",
    ],
)
def test_not_ip_addresses(text: str) -> None:
    assert detected(text) == []


# --- DATE_OF_BIRTH --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("出生日期：1985年3月12日", "1985年3月12日"),
        ("出生日期1985年3月12日", "1985年3月12日"),
        ("DOB: 12/03/1985", "12/03/1985"),
        ("D.O.B. 1985-03-12", "1985-03-12"),
        ("Date of birth: 12 March 1985", "12 March 1985"),
        ("born on March 12, 1985", "March 12, 1985"),
        ("Birthday 12-3-1985", "12-3-1985"),
        ("佢生日係1990年12月1號", "1990年12月1號"),
        ("出生：一九八五年三月十二日", "一九八五年三月十二日"),
        ("出世日期 3/12/1985", "3/12/1985"),
        ("佢1988年12月15號出世", "1988年12月15號"),
        ("佢一九八五年十二月十九號出世", "一九八五年十二月十九號"),
        ("1985年3月12日出生於香港", "1985年3月12日"),
        ("出生於1985年3月12日", "1985年3月12日"),
        ("阿媽生日係59年12月14號", "59年12月14號"),
        ("佢出世紙寫64年8月16號", "64年8月16號"),
        ("DOB 12/03/85", "12/03/85"),
    ],
)
def test_dates_of_birth_in_context(text: str, date: str) -> None:
    assert detected(text) == [("DATE_OF_BIRTH", date)]


@pytest.mark.parametrize(
    "text",
    [
        "會議日期：2024年3月12日",
        "Meeting on 12 March 2024",
        "Deadline: 12/03/2024",
        "本函日期為1985年3月12日",
        "出生地點：香港。會議日期：2024年3月12日",
        "DOB: 31/02/1985",
        "出生日期：2999年1月1日",
        "Meeting 12/03/2024 DOB: unknown",
    ],
)
def test_dates_without_birth_context_are_not_personal_data(text: str) -> None:
    assert detected(text) == []


def test_only_the_birth_date_near_a_label() -> None:
    text = "佢1950年7月17號出世，請於2025年12月27日或之前交回表格。"
    assert detected(text) == [("DATE_OF_BIRTH", "1950年7月17號")]


# --- look-alikes and mixed text -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "HAD/C/2024/0012345",
        "檔案編號 (3) in L/M No. 12 in HAD/2/45/78",
        "HK$1,234,567.00",
        "$91234567",
        "港幣91234567元",
        "In 2024, the plan was approved.",
        "Room 1234, 1234室",
        "Call 1823 or 999.",
        "The 2024/25 financial year and 2023-24 budget.",
        "Upgrade to v1.2.3.4 or version 2.0.1.",
        "會議於2024年3月12日舉行。",
        "Growth was 12.5% (from 3.4%).",
        "Postal code 999077",
        "CB(2)1234/2024(01)",
        "LC Paper No. CB(4)567/2023(02)",
        "Ref: HAD/2024/12345678",
        "個案編號 12345678",
    ],
)
def test_look_alikes_are_not_reported(text: str) -> None:
    assert detected(text) == []


def test_mixed_english_chinese_record() -> None:
    text = (
        "申請人陳大文（HKID: C123456(9)），出生日期1985年3月12日，"
        "mobile +852 6123 4567，email chan.taiman@gmail.com，"
        "滙豐戶口 012-345678-001，個案編號 HAD/2024/12345678。"
    )
    assert [t for t, _ in detected(text)] == [
        "HKID",
        "DATE_OF_BIRTH",
        "PHONE",
        "EMAIL",
        "BANK_ACCOUNT",
    ]


def test_detector_type_filter() -> None:
    text = "電話 9123 4567，電郵 a.b@c.io"
    assert [f.type for f in DETECTOR.detect(text, types={"EMAIL"})] == ["EMAIL"]


def test_findings_do_not_overlap() -> None:
    text = "Card 4111 1111 1111 1111, 身份證 A123456(3), tel 2123 4567, BR No. 12345678"
    findings = DETECTOR.detect(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))
