"""Hong Kong script conversion and the Simplified-only character rule."""

import time

import pytest

from govpilot.language import (
    fold_script,
    has_simplified,
    script,
    simplified_only_chars,
    to_hk_traditional,
    traditional_only_chars,
)


@pytest.mark.parametrize(
    ("simplified", "hk"),
    [
        ("这个政府办公室的资讯", "這個政府辦公室的資訊"),
        ("这里看着", "這裏看着"),  # HK forms 裏 and 着, as s2hk gives them
        ("卫生署", "衞生署"),
        ("数字政策办公室", "數字政策辦公室"),
        ("干预", "干預"),  # phrase context keeps 干 in 干預
        ("后来", "後來"),
    ],
)
def test_simplified_becomes_hk_traditional(simplified: str, hk: str) -> None:
    assert to_hk_traditional(simplified) == hk


def test_traditional_text_is_left_intact() -> None:
    text = "後來 皇后 麵條 裏面 鄰里 干預 公里 衞生署 衛生署 著作 乾淨 餘額 秘書 稅務"
    assert to_hk_traditional(text) == text  # plain s2hk would write 鄰裏 and 幹預


def test_hong_kong_government_forms_of_dui_characters() -> None:
    # OpenCC's HK variants give 説/税; government text (稅務局) writes 說/稅.
    assert to_hk_traditional("税务局说") == "稅務局說"
    assert to_hk_traditional("税務局") == "稅務局"


def test_mostly_traditional_line_only_fixes_the_slips() -> None:
    assert to_hk_traditional("這個政府辦公室的资讯，鄰里干預") == "這個政府辦公室的資訊，鄰里干預"


def test_each_line_is_judged_on_its_own_and_non_han_is_untouched() -> None:
    text = "他说着话，里面很干\n鄰里干預 OK, 3.5%\r\n"
    assert to_hk_traditional(text) == "他說着話，裏面很乾\n鄰里干預 OK, 3.5%\r\n"
    assert to_hk_traditional("") == ""
    assert to_hk_traditional("English only.") == "English only."


def test_simplified_only_flags_simplified_forms() -> None:
    assert simplified_only_chars("这个 国际 说话") == ["这", "个", "国", "际", "说", "话"]
    assert has_simplified("香港政府这")


@pytest.mark.parametrize(
    "text", ["後來", "皇后", "麵條", "香港", "里", "干", "面", "后", "着", "秘書", "税", "群"]
)
def test_characters_valid_in_hk_traditional_are_not_flagged(text: str) -> None:
    assert simplified_only_chars(text) == []
    assert not has_simplified(text)


def test_traditional_only_is_the_mirror_rule() -> None:
    assert traditional_only_chars("這個後來") == ["這", "個", "後", "來"]
    assert traditional_only_chars("这个后来里面") == []


def test_tables_have_the_expected_size_and_build_fast() -> None:
    script._simplified_only.cache_clear()
    started = time.perf_counter()
    size = len(script._simplified_only())
    # A bound that catches a table built the slow way, not a timing (a busy CI machine
    # took 1.3 s once against about 0.3 s usually).
    assert time.perf_counter() - started < 5.0
    assert 3000 < size < 4500  # 3,775 with OpenCC 1.4.2


def test_ocd2_reader_matches_the_converter() -> None:
    conv = script._converter("s2t")
    items = script._ocd2_candidates(conv.config.replace("s2t.json", "STCharacters.ocd2"))
    assert items is not None
    assert ["幹", "乾", "干", "榦"] in items  # 干's entry lists itself: valid Traditional
    assert script._ocd2_candidates("/nonexistent.ocd2") is None


def test_fold_script_is_length_preserving_and_script_blind() -> None:
    assert fold_script("數字政策辦公室") == fold_script("数字政策办公室")
    assert fold_script("衞生署") == fold_script("衛生署") == fold_script("卫生署")
    text = "房屋局 Housing Bureau 2024"
    assert len(fold_script(text)) == len(text)
