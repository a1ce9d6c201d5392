"""PERSON in English, romanised Cantonese, Traditional and Simplified Chinese, and Cantonese."""

from __future__ import annotations

import pytest

from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.recognizers.address import address_recognizers
from govpilot.privacy.recognizers.person import (
    ChinesePersonRecognizer,
    EnglishPersonRecognizer,
    person_recognizers,
)

EN = EnglishPersonRecognizer()
ZH = ChinesePersonRecognizer()


def names(recognizer: EnglishPersonRecognizer | ChinesePersonRecognizer, text: str) -> list[str]:
    """The reported names (score >= 0.5, the detector's threshold), in order."""
    return [text[f.start : f.end] for f in recognizer.find(text) if f.score >= 0.5]


def test_person_recognizers_cover_both_scripts() -> None:
    recognizers = person_recognizers()
    assert {r.name for r in recognizers} == {"en_person", "zh_person"}
    assert all(r.types == ("PERSON",) for r in recognizers)


# -- English ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dear Mr Chan Tai-man,", ["Chan Tai-man"]),
        ("The form was signed by CHAN Tai Man yesterday.", ["CHAN Tai Man"]),
        ("I spoke to Wong Siu Ming at the counter.", ["Wong Siu Ming"]),
        ("Peter Chan Tai-man called the hotline.", ["Peter Chan Tai-man"]),
        ("Please ask Mr. Lee or Ms Cheung.", ["Lee", "Cheung"]),
        ("Mdm Wong Mei Ling complained again.", ["Wong Mei Ling"]),
        ("The applicant is Tai Man CHAN.", ["Tai Man CHAN"]),
        ("Contact Dr. Au-Yeung Ka-wing at the clinic.", ["Au-Yeung Ka-wing"]),
        ("Mary Lee and Peter Wong also live there.", ["Mary Lee", "Peter Wong"]),
        ("Yesterday John Smith of the office told me.", ["John Smith"]),
        ("My name is Kelvin Ho.", ["Kelvin Ho"]),
        ("hi, my name is chan tai man", ["chan tai man"]),
        ("Yours faithfully,\nWong Siu Ming", ["Wong Siu Ming"]),
        ("Officer Okafor took a statement.", ["Okafor"]),
        ("The window was broken by Mr. Chan's son.", ["Chan"]),
    ],
)
def test_english_names(text: str, expected: list[str]) -> None:
    assert names(EN, text) == expected


def test_english_name_without_rule_goes_to_ner() -> None:
    text = "Yesterday Ahmed Khan shouted at the cleaner for an hour."
    found = [f for f in EN.find(text) if f.score >= 0.5]
    assert [text[f.start : f.end] for f in found] == ["Ahmed Khan"]
    assert found[0].recognizer == "en_person_ner"


def test_title_is_not_part_of_the_name() -> None:
    text = "Mr. Chan Tai-man"
    [finding] = EN.find(text)
    assert text[finding.start : finding.end] == "Chan Tai-man"
    assert finding.score >= 0.85


@pytest.mark.parametrize(
    "text",
    [
        "The Housing Department and the Lands Department replied.",
        "The Hospital Authority said the clinic is closed.",
        "I went to Kwai Chung and Sha Tin on Monday.",
        "I live in Wong Tai Sin.",
        "Dear Sir/Madam,",
        "Mr. and Mrs.",
        "Thank You For Your Help",
        "Re: Noise Complaint at Flat 12",
        "The MTR and the HKSAR Government",
        "Ho Man Tin Estate Block 5",
        "We met at Lee Garden and then Yan Oi Tong.",
        "Please reply by Friday, 3 March.",
        "the noise from the neighbour is unbearable",
    ],
)
def test_english_non_names(text: str) -> None:
    assert names(EN, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a role before a name is a cue, not part of the name
        ("Client Grace Tsang Wing-yan was upset today.", ["Grace Tsang Wing-yan"]),
        ("Helper Maricel Dela Paz 嘅 passport", ["Maricel Dela Paz"]),
        ("Please call the contact person Farid Rahman, 9123 4567", ["Farid Rahman"]),
        ("Her husband LEUNG Kwok-keung was present.", ["LEUNG Kwok-keung"]),
        # form labels
        ("Surname: Kwok   Other names: Siu Fong", ["Kwok", "Siu Fong"]),
        # compound romanised surnames and more given-name syllables, Cantonese and Pinyin
        ("姓名：王小明 (Sze-To Ka-him)", ["Sze-To Ka-him"]),
        ("Visitor: Ho Yuet-ngor", ["Ho Yuet-ngor"]),
        ("The shop is owned by Zhang Xiaoling. Send the form.", ["Zhang Xiaoling"]),
    ],
)
def test_english_names_after_roles_and_labels(text: str, expected: list[str]) -> None:
    assert names(EN, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Client Services Department",
        "The helper said no.",
        "Surname: please fill in",
        "HOUSE 12, SAN TIN, YUEN LONG, N.T.",
        "Our company, Wing Fat Logistics, and Kin Shing Renovation replied.",
        "Card number: 4111 1111\nExpiry: 11/26\nPassword reset done",
    ],
)
def test_english_roles_labels_and_companies_are_not_names(text: str) -> None:
    assert names(EN, text) == []


def test_english_path_reports_latin_only() -> None:
    text = "Dear Mr Chan Tai-man, 你好，本人黃美玲住在新界沙田"
    assert names(EN, text) == ["Chan Tai-man"]
    assert names(EN, "陳大文先生你好") == []


def test_english_without_ner_still_finds_rule_names() -> None:
    rules_only = EnglishPersonRecognizer(use_ner=False)
    assert names(rules_only, "Dear Ms Cheung, Chan Tai-man and Ahmed Khan") == [
        "Cheung",
        "Chan Tai-man",
    ]


def test_english_repeated_name_found_everywhere() -> None:
    # NER reads the first occurrence only; its answer applies to all three.
    text = (
        "Kavadarkov said the queue was long. Later Kavadarkov came back with "
        "Olivera Georgijevska and Kavadarkov left."
    )
    assert names(EN, text).count("Kavadarkov") == 3


# -- Chinese ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("陳大文先生你好", ["陳大文"]),
        ("本人黃美玲住在新界沙田禾輋邨豐和樓1234室", ["黃美玲"]),
        ("我叫陈大文，今年30岁", ["陈大文"]),
        ("申請人：張美玲", ["張美玲"]),
        ("投訴人陳大文稱被人滋擾", ["陳大文"]),
        ("致：陳大文先生", ["陳大文"]),
        ("歐陽大文醫生今日唔得閒", ["歐陽大文"]),
        ("司徒小明同學請到校務處", ["司徒小明"]),
        ("请联系张伟经理", ["张伟"]),
        ("病人李明住院三日", ["李明"]),
        ("市民王偉強烈要求政府跟進", ["王偉"]),
        ("陳大文、李小明及張美美出席會議", ["陳大文", "李小明", "張美美"]),
        ("出席者：陳大文、李小明", ["陳大文", "李小明"]),
        ("聯絡人黃志強先生及李嘉欣女士", ["黃志強", "李嘉欣"]),
        ("今日陳家明嚟咗搵你", ["陳家明"]),
    ],
)
def test_chinese_names(text: str, expected: list[str]) -> None:
    assert names(ZH, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我係陳生", "陳生"),
        ("陳太話佢唔得閒", "陳太"),
        ("李小姐已經收到", "李小姐"),
        ("黃Sir好", "黃Sir"),
        ("感謝李醫生的協助", "李醫生"),
    ],
)
def test_surname_with_title_only_is_weak(text: str, expected: str) -> None:
    [finding] = ZH.find(text)
    assert text[finding.start : finding.end] == expected
    assert 0.5 <= finding.score < 0.85


def test_full_name_with_title_is_strong() -> None:
    [finding] = ZH.find("陳大文先生")
    assert finding.score >= 0.85


@pytest.mark.parametrize(
    "text",
    [
        "王國的黃色林業方面陳述周末何時張貼馬上梁柱李子關於葉子石頭朱紅",
        "我好高興見到你",
        "林業主任負責巡查",
        "黃大仙區議員辦事處",
        "社區主任會跟進",
        "由於天氣惡劣，活動取消",
        "我和先生去咗沙田",
        "有問題可以向醫生查詢",
        "祝你陳生日快樂",  # 生日 is a birthday, not 陳生
        "會議室1234",
        "我哋去咗何文田",
        "天氣太熱，今日太多人",
        "雷暴雨、龍捲風都係天災",
        "周末去馬鞍山行山",
        "關於這方面，請張貼告示",
    ],
)
def test_chinese_non_names(text: str) -> None:
    assert names(ZH, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 阿 + a given-name character: a Cantonese nickname
        ("阿欣個新電話係9123 4567", ["阿欣"]),
        ("Hi 阿娟，你個 account 已經開咗", ["阿娟"]),
        ("我個仔阿強成日問我攞錢", ["阿強"]),
        # family, household and case-work words before a name
        ("陳太話佢老公何志強打佢", ["陳太", "何志強"]),
        ("我阿爸關少華今年70歲", ["關少華"]),
        ("我個女歐陽詠詩好少返嚟", ["歐陽詠詩"]),
        ("來訪者程偉，出生日期1970年", ["程偉"]),
        ("佢喺僱主 洪志明 度做嘢", ["洪志明"]),
        ("本人母親王大文在院舍跌倒", ["王大文"]),
        # personal data right after a name
        ("茲證明黃思遠（身份證號碼：A123456(7)）", ["黃思遠"]),
        ("轉介資料：馬家謙，女，出生日期2002年", ["馬家謙"]),
        ("系統顯示陸振邦的網上帳戶曾被登入", ["陸振邦"]),
        ("唔該幫我查下馬樂怡嘅個案", ["馬樂怡"]),
        ("请刘芳确认是否本人操作", ["刘芳"]),
        # sign-offs
        ("梁梓晴謹啟", ["梁梓晴"]),
        ("房屋署署長\n（高慧敏代行）", ["高慧敏"]),
        # a surname on its own after 姓
        ("我電話91234567，姓黎", ["黎"]),
        # given-name characters that are also in dates and counts (月, 少)
        ("司徒月娥女士：", ["司徒月娥"]),
    ],
)
def test_chinese_names_from_wider_context(text: str, expected: list[str]) -> None:
    assert names(ZH, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("司徒婆婆話佢唔舒服", "司徒婆婆"),
        ("歐陽太話佢老公唔喺度", "歐陽太"),
        ("區小姐個電話係", "區小姐"),
        ("陸生話佢出世紙寫錯", "陸生"),
    ],
)
def test_compound_and_word_like_surnames_with_title(text: str, expected: str) -> None:
    assert names(ZH, text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "阿媽話今晚返嚟食飯",
        "沙特阿拉伯同阿富汗",
        "尼日的首都尼阿美。",
        "艾伯特·阿諾·艾爾",
        "阿爺今日生日",
        "我老公話今晚唔返",
        "林業的電話",
        "請各位確認出席",
        "姓名：",
        "百家姓，",
        "區議員話",
        "陸生生物佔大多數",
        "本人應盡快處理",
        "多少錢？3月再講",
        "分屬太原郡、武鄉郡、樂平郡",
        "桑德蘭經理及蘇格蘭議員",
    ],
)
def test_chinese_context_rules_non_names(text: str) -> None:
    assert names(ZH, text) == []


def test_simplified_and_traditional_match_alike() -> None:
    assert names(ZH, "投訴人陳大文先生") == ["陳大文"]
    assert names(ZH, "投诉人陈大文先生") == ["陈大文"]


def test_chinese_path_ignores_latin_text() -> None:
    assert list(ZH.find("Dear Mr Chan Tai-man")) == []


# -- mixed -----------------------------------------------------------------------------------
def test_mixed_letter_finds_both_names() -> None:
    detector = PiiDetector([*person_recognizers(), *address_recognizers()])
    text = "Dear Mr Chan Tai-man, 你好，本人黃美玲住在新界沙田禾輋邨豐和樓1234室"
    found = {(f.type, text[f.start : f.end]) for f in detector.detect(text)}
    assert ("PERSON", "Chan Tai-man") in found
    assert ("PERSON", "黃美玲") in found
    assert ("ADDRESS", "新界沙田禾輋邨豐和樓1234室") in found


def test_findings_are_cached_but_equal() -> None:
    text = "Please ask Mr. Lee, then 陳大文先生."
    assert list(EN.find(text)) == list(EN.find(text))
    assert list(ZH.find(text)) == list(ZH.find(text))


def test_adverb_after_a_cue_is_not_a_surname() -> None:
    text = "上星期本人曾致電貴署，但情況未有改善。"
    assert [f for f in PiiDetector(person_recognizers()).detect(text)] == []


def test_tsang_after_a_cue_is_a_surname_before_a_given_name() -> None:
    text = "來訪者曾芳，出生日期1975年10月31日。"
    found = PiiDetector(person_recognizers()).detect(text)
    assert [text[f.start : f.end] for f in found] == ["曾芳"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please call me back. Regards, Natalie Fung", "Natalie Fung"),
        ("Yours faithfully,\n\n(Kelvin CHOW)\nfor Director of Lands", "Kelvin CHOW"),
        ("Spouse: Gloria Ho\nOccupation: clerk", "Gloria Ho"),
        ("This is to certify that Pierre Dubois has completed the course.", "Pierre Dubois"),
        ("持有護照的旅客黃志強已辦理手續。", "黃志強"),
    ],
)
def test_sign_offs_roles_and_certificates_introduce_names(text: str, name: str) -> None:
    found = PiiDetector(person_recognizers()).detect(text)
    assert name in [text[f.start : f.end] for f in found]


@pytest.mark.parametrize("text", ["Thanks, see you tomorrow.", "Regards, Housing Department"])
def test_sign_off_words_alone_do_not_make_names(text: str) -> None:
    assert PiiDetector(person_recognizers()).detect(text) == []
