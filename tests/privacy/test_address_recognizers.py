"""ADDRESS: Hong Kong addresses in English, Traditional and Simplified Chinese, and Cantonese."""

from __future__ import annotations

import pytest

from govpilot.privacy.recognizers.address import (
    ChineseAddressRecognizer,
    EnglishAddressRecognizer,
    address_recognizers,
)

EN = EnglishAddressRecognizer()
ZH = ChineseAddressRecognizer()


def addresses(
    recognizer: EnglishAddressRecognizer | ChineseAddressRecognizer, text: str
) -> list[str]:
    """The reported addresses (score >= 0.5, the detector's threshold), in order."""
    return [text[f.start : f.end] for f in recognizer.find(text) if f.score >= 0.5]


def test_address_recognizers_cover_both_scripts() -> None:
    recognizers = address_recognizers()
    assert {r.name for r in recognizers} == {"en_address", "zh_address"}
    assert all(r.types == ("ADDRESS",) for r in recognizers)


# -- English ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I live at Flat 12, 5/F, Block B, Kwai Chung Estate, Kwai Chung, N.T. since 2019.",
            "Flat 12, 5/F, Block B, Kwai Chung Estate, Kwai Chung, N.T.",
        ),
        (
            "He lives at 123 Nathan Road, Mong Kok, Kowloon.",
            "123 Nathan Road, Mong Kok, Kowloon",
        ),
        (
            "Room 1234, 12/F, Wing On Centre, 111 Connaught Road Central, Sheung Wan, Hong Kong",
            "Room 1234, 12/F, Wing On Centre, 111 Connaught Road Central, Sheung Wan, Hong Kong",
        ),
        (
            "Send it to Flat A, 20/F, Tower 2, Harbour Heights.",
            "Flat A, 20/F, Tower 2, Harbour Heights",
        ),
        (
            "Address:\nUnit 3, 8/F\nBlock C\nChoi Hung Estate\nKowloon\n\nThank you.",
            "Unit 3, 8/F\nBlock C\nChoi Hung Estate\nKowloon",
        ),
        ("Our shop is at 45 Castle Peak Road.", "45 Castle Peak Road"),
        ("Flat 3, 12th Floor, Lek Yuen Estate", "Flat 3, 12th Floor, Lek Yuen Estate"),
    ],
)
def test_english_addresses(text: str, expected: str) -> None:
    assert addresses(EN, text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # New Territories land: a lot in a demarcation district
        (
            "Address: Lot 1520 in D.D. 115, Pat Heung, Yuen Long, New Territories",
            "Lot 1520 in D.D. 115, Pat Heung, Yuen Long, New Territories",
        ),
        ("Lot 456 in DD109, Sheung Shui, N.T.", "Lot 456 in DD109, Sheung Shui, N.T."),
        # a house and a village the lists do not know, then a district
        (
            "She lives at House 23, Tsz Tin Tsuen, Tuen Mun, N.T. with her son.",
            "House 23, Tsz Tin Tsuen, Tuen Mun, N.T.",
        ),
        # an address written in capitals
        (
            "Send to FLAT 5, 8/F, WING FAT MANSION, 88 KING'S ROAD, NORTH POINT, HK.",
            "FLAT 5, 8/F, WING FAT MANSION, 88 KING'S ROAD, NORTH POINT, HK",
        ),
        (
            "I live at LOT 306 IN D.D. 9, LAM TSUEN, TAI PO, NEW TERRITORIES now",
            "LOT 306 IN D.D. 9, LAM TSUEN, TAI PO, NEW TERRITORIES",
        ),
    ],
)
def test_english_village_lot_and_capital_addresses(text: str, expected: str) -> None:
    assert addresses(EN, text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "We bought lot 12 at the auction.",
        "THE HOUSING DEPARTMENT AND THE HONG KONG POLICE",
        "Lot 12 was sold.",
        "Tsz Tin Tsuen, Tuen Mun",
    ],
)
def test_english_lot_and_capital_non_addresses(text: str) -> None:
    assert addresses(EN, text) == []


def test_english_address_strength() -> None:
    [full] = EN.find("Flat 12, 5/F, Block B, Kwai Chung Estate, Kwai Chung, N.T.")
    assert full.score >= 0.9
    [numbered] = EN.find("123 Nathan Road")
    assert 0.85 <= numbered.score < full.score
    [estate] = EN.find("Lek Yuen Estate, Sha Tin")
    assert 0.5 <= estate.score < 0.85


def test_estate_after_live_in_is_weak_address() -> None:
    [finding] = EN.find("I live in Lek Yuen Estate.")
    assert 0.5 <= finding.score < 0.85


@pytest.mark.parametrize(
    "text",
    [
        "I went to Sha Tin yesterday.",
        "Sha Tin, New Territories",
        "Nathan Road is busy at night.",
        "Please meet in Room 1234.",
        "the 5/F canteen is closed",
        "Dear Dr. Ho,",
        "Kwai Chung Estate is big.",
        "The Housing Department in Kowloon",
    ],
)
def test_english_non_addresses(text: str) -> None:
    assert addresses(EN, text) == []


# -- Chinese ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("九龍觀塘協和街123號協和大廈5樓B室", "九龍觀塘協和街123號協和大廈5樓B室"),
        ("本人住在新界沙田禾輋邨豐和樓1234室。", "新界沙田禾輋邨豐和樓1234室"),
        ("請寄往香港灣仔告士打道5號", "香港灣仔告士打道5號"),
        ("辦事處在觀塘道 410 號", "觀塘道 410 號"),
        ("九龙观塘协和街123号协和大厦5楼B室", "九龙观塘协和街123号协和大厦5楼B室"),
        ("新界沙田禾辇邨丰和楼1234室", "新界沙田禾辇邨丰和楼1234室"),
        ("我住喺沙田第一城12座20樓C，得閒嚟坐", "沙田第一城12座20樓C"),
        ("地址：香港中環皇后大道中99號中環中心50樓", "香港中環皇后大道中99號中環中心50樓"),
        ("屯門大興邨興昌樓15樓1520室", "屯門大興邨興昌樓15樓1520室"),
        ("佢搬咗去第三座二樓", "第三座二樓"),
    ],
)
def test_chinese_addresses(text: str, expected: str) -> None:
    assert addresses(ZH, text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # mainland: province, city, district, road and number, estate, building (棟), room
        (
            "现住广东省东莞市南城区鸿福路88号金色华庭3栋1502室。",
            "广东省东莞市南城区鸿福路88号金色华庭3栋1502室",
        ),
        ("地址：上海市浦东新区世纪大道100号", "上海市浦东新区世纪大道100号"),
        ("聯絡地址：四川省成都市武侯區人民南路12號", "四川省成都市武侯區人民南路12號"),
        # a New Territories village house: 新界 + district + village + number
        ("香港聯絡地址：新界西貢北潭涌23號", "新界西貢北潭涌23號"),
        ("營業地址：新界上水古洞16號", "新界上水古洞16號"),
        # an estate named without a building word, before its block and floor
        ("我是香港鴨脷洲南灣名苑3座12樓A室的住戶", "香港鴨脷洲南灣名苑3座12樓A室"),
        ("佢住喺將軍澳維景灣畔5座20樓", "將軍澳維景灣畔5座20樓"),
        # a section of a long road
        ("現居屯門青山公路青山灣段320號", "屯門青山公路青山灣段320號"),
        # after 嚟 / 為
        ("聽日嚟石硤尾邨美映樓攞返啲嘢", "石硤尾邨美映樓"),
        ("通訊地址改為廣東道1001號地下", "廣東道1001號地下"),
    ],
)
def test_chinese_mainland_village_and_estate_addresses(text: str, expected: str) -> None:
    assert addresses(ZH, text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "陳先生係浙江省青田縣高市鄉人",
        "上海中心大廈係全國最高",
        "他在北京市朝陽區工作",
        "我哋喺元朗10號見",
        "新界元朗今日10號開會",
        "新界鄉議局第12號通告",
        "天文台發出8號風球",
        "港口現有25座碼頭，包括貨櫃碼頭4座",
        "原本計畫興建5棟建築",
    ],
)
def test_chinese_mainland_village_and_estate_non_addresses(text: str) -> None:
    assert addresses(ZH, text) == []


def test_chinese_address_strength() -> None:
    [full] = ZH.find("九龍觀塘協和街123號協和大廈5樓B室")
    assert full.score >= 0.9
    [estate] = ZH.find("新界沙田禾輋邨豐和樓")
    assert 0.5 <= estate.score < full.score


@pytest.mark.parametrize(
    "text",
    [
        "去咗沙田",
        "我哋喺沙田見",
        "會議室1234",
        "請於5樓會議室開會",
        "我哋喺3樓等",
        "觀塘道好塞車",
        "灣仔税務大樓",
        "萬里長城",
        "佢知道答案",
        "長期病患者",
    ],
)
def test_chinese_non_addresses(text: str) -> None:
    assert addresses(ZH, text) == []


def test_chinese_recognizer_ignores_latin_text() -> None:
    assert list(ZH.find("Flat 12, 5/F, Block B")) == []


def test_mixed_text_finds_both_addresses() -> None:
    text = (
        "Please send to Flat 8, 3/F, Block A, Choi Hung Estate, Kowloon "
        "或 新界沙田禾輋邨豐和樓1234室"
    )
    found = [text[f.start : f.end] for r in address_recognizers() for f in r.find(text)]
    assert found == [
        "Flat 8, 3/F, Block A, Choi Hung Estate, Kowloon",
        "新界沙田禾輋邨豐和樓1234室",
    ]
