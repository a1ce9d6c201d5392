"""Language detection."""

import pytest

from govpilot.language import LANGUAGES, cjk_ratio, detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Digital Policy Office will publish new guidance next week.", "en"),
        ("OK", "en"),
        ("數字政策辦公室今日公布新指引，市民可於網上查閱。", "zh-Hant"),
        ("数字政策办公室今天发布了新的指引，市民可以在网上查阅。", "zh-Hans"),
        ("佢哋今日喺度開會，我唔知幾點完。", "yue"),
        ("點解啲文件仲未寄嚟？", "yue"),
        ("聽日 send 份 report 俾我", "yue"),  # short English borrowings stay Cantonese
        ("政府", "zh-Hant"),  # no script evidence: Hong Kong default
        ("Digital Policy Office 數字政策辦公室 will publish new guidance 將發布新指引", "mixed"),
        ("", "unknown"),
        ("  123 ... 456  ", "unknown"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected
    assert expected in LANGUAGES


def test_one_cantonese_word_in_a_long_formal_text_is_not_cantonese() -> None:
    formal = "政府今日公布新措施，市民可於網上申請，詳情請瀏覽有關網頁或致電查詢。" * 3
    assert detect_language(formal + "「嘢」") == "zh-Hant"


def test_chinese_phrase_in_long_english_text_is_english() -> None:
    text = "The Housing Bureau (房屋局) will consult the public on the new measures next month."
    assert detect_language(text) == "en"


def test_cjk_ratio() -> None:
    assert cjk_ratio("") == 0.0
    assert cjk_ratio("香港") == 1.0
    assert cjk_ratio("ab香港") == 0.5
    assert cjk_ratio("123。") == 0.0
