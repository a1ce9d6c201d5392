"""The district a case is about, from the places it names (the 18 District Council areas).

A gazetteer, not the model: each district with its English and Chinese names and the
places people name in it (estates, towns, main roads). The first place named wins; a
case naming none has no district ("" is shown as "not known").
"""

from __future__ import annotations

import re

__all__ = ["DISTRICTS", "district_of"]

#: District (English) -> (Chinese name, places in English and Chinese).
DISTRICTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Central and Western": (
        "中西區",
        (
            "Central",
            "Sheung Wan",
            "Sai Ying Pun",
            "Kennedy Town",
            "Mid-Levels",
            "Po Shan Road",
            "中環",
            "上環",
            "西營盤",
            "堅尼地城",
            "半山",
            "寶珊道",
        ),
    ),
    "Wan Chai": (
        "灣仔區",
        (
            "Wan Chai",
            "Causeway Bay",
            "Happy Valley",
            "Tai Hang",
            "灣仔",
            "銅鑼灣",
            "跑馬地",
            "大坑",
        ),
    ),
    "Eastern": (
        "東區",
        (
            "North Point",
            "Quarry Bay",
            "Shau Kei Wan",
            "Chai Wan",
            "Siu Sai Wan",
            "Tai Koo",
            "北角",
            "鰂魚涌",
            "筲箕灣",
            "柴灣",
            "小西灣",
            "太古",
        ),
    ),
    "Southern": (
        "南區",
        (
            "Aberdeen",
            "Ap Lei Chau",
            "Stanley",
            "Repulse Bay",
            "Pok Fu Lam",
            "Wong Chuk Hang",
            "香港仔",
            "鴨脷洲",
            "赤柱",
            "淺水灣",
            "薄扶林",
            "黃竹坑",
        ),
    ),
    "Yau Tsim Mong": (
        "油尖旺區",
        (
            "Mong Kok",
            "Yau Ma Tei",
            "Tsim Sha Tsui",
            "Jordan",
            "Tai Kok Tsui",
            "Boundary St",
            "Nathan Road",
            "Temple Street",
            "Fa Yuen Street",
            "Tung Choi Street",
            "Kowloon Park",
            "旺角",
            "油麻地",
            "尖沙咀",
            "佐敦",
            "大角咀",
            "彌敦道",
            "廟街",
            "花園街",
            "通菜街",
            "界限街",
        ),
    ),
    "Sham Shui Po": (
        "深水埗區",
        (
            "Sham Shui Po",
            "Cheung Sha Wan",
            "Lai Chi Kok",
            "Shek Kip Mei",
            "深水埗",
            "長沙灣",
            "荔枝角",
            "石硤尾",
        ),
    ),
    "Kowloon City": (
        "九龍城區",
        (
            "Kowloon City",
            "Hung Hom",
            "To Kwa Wan",
            "Ho Man Tin",
            "Kowloon Tong",
            "Kai Tak",
            "九龍城",
            "紅磡",
            "土瓜灣",
            "何文田",
            "九龍塘",
            "啟德",
        ),
    ),
    "Wong Tai Sin": (
        "黃大仙區",
        (
            "Wong Tai Sin",
            "Diamond Hill",
            "Tsz Wan Shan",
            "San Po Kong",
            "Lok Fu",
            "黃大仙",
            "鑽石山",
            "慈雲山",
            "新蒲崗",
            "樂富",
        ),
    ),
    "Kwun Tong": (
        "觀塘區",
        (
            "Kwun Tong",
            "Ngau Tau Kok",
            "Lam Tin",
            "Yau Tong",
            "Kowloon Bay",
            "Sau Mau Ping",
            "Prince Edward Road",
            "觀塘",
            "牛頭角",
            "藍田",
            "油塘",
            "九龍灣",
            "秀茂坪",
            "巧明街",
            "協和街",
        ),
    ),
    "Tsuen Wan": (
        "荃灣區",
        ("Tsuen Wan", "Sha Tsui Road", "Tai Ho Road", "Ma Wan", "荃灣", "沙咀道", "大河道", "馬灣"),
    ),
    "Tuen Mun": ("屯門區", ("Tuen Mun", "So Kwun Wat", "屯門", "掃管笏", "鄉事會路")),
    "Yuen Long": (
        "元朗區",
        (
            "Yuen Long",
            "Tin Shui Wai",
            "Kam Tin",
            "Pat Heung",
            "Hung Shui Kiu",
            "Kam Tin Road",
            "元朗",
            "天水圍",
            "錦田",
            "八鄉",
            "洪水橋",
            "橫洲",
        ),
    ),
    "North": (
        "北區",
        (
            "Sheung Shui",
            "Fanling",
            "Sha Tau Kok",
            "Ta Kwu Ling",
            "上水",
            "粉嶺",
            "沙頭角",
            "打鼓嶺",
        ),
    ),
    "Tai Po": (
        "大埔區",
        ("Tai Po", "Tai Wo", "Lam Tsuen", "Tai Mei Tuk", "大埔", "太和", "林村", "大美督"),
    ),
    "Sai Kung": (
        "西貢區",
        (
            "Sai Kung",
            "Tseung Kwan O",
            "TKO",
            "Hang Hau",
            "Po Lam",
            "Pak Tam",
            "Sai Sha Road",
            "西貢",
            "將軍澳",
            "坑口",
            "寶琳",
            "北港",
            "北潭",
        ),
    ),
    "Sha Tin": (
        "沙田區",
        (
            "Sha Tin",
            "Tai Wai",
            "Ma On Shan",
            "Fo Tan",
            "Hung Mui Kuk",
            "沙田",
            "大圍",
            "馬鞍山",
            "火炭",
            "紅梅谷",
            "禾輋",
        ),
    ),
    "Kwai Tsing": (
        "葵青區",
        ("Kwai Chung", "Tsing Yi", "Kwai Fong", "Lai King", "葵涌", "青衣", "葵芳", "荔景"),
    ),
    "Islands": (
        "離島區",
        (
            "Tung Chung",
            "Lantau",
            "Cheung Chau",
            "Lamma",
            "Discovery Bay",
            "Mui Wo",
            "Tai O",
            "東涌",
            "大嶼山",
            "長洲",
            "南丫島",
            "愉景灣",
            "梅窩",
            "大澳",
        ),
    ),
}


def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    owner: dict[str, str] = {}
    for district, (zh, places) in DISTRICTS.items():
        for place in (district, zh, zh.removesuffix("區"), *places):
            owner.setdefault(place.lower(), district)
    names = sorted(owner, key=len, reverse=True)
    alternatives = "|".join(
        rf"(?<![a-z]){re.escape(n)}(?![a-z])" if n.isascii() else re.escape(n) for n in names
    )
    return re.compile(alternatives, re.IGNORECASE), owner


_PLACES, _OWNER = _pattern()


def district_of(text: str) -> str:
    """The district of the first place `text` names; "" when it names none."""
    match = _PLACES.search(text)
    return _OWNER[match.group(0).lower()] if match else ""
