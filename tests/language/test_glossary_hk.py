"""The Hong Kong Government glossary."""

import csv
from importlib import resources
from pathlib import Path

import pytest

import govpilot.language as language
from govpilot.errors import InputError, NotFound
from govpilot.language import KINDS, Glossary, Term, simplified_only_chars


def _rows() -> list[dict[str, str]]:
    data = resources.files("govpilot").joinpath("data", "glossary_hk_gov.csv")
    return list(csv.DictReader(data.read_text(encoding="utf-8").splitlines()))


def test_starter_glossary_rows_are_clean() -> None:
    rows = _rows()
    assert len(rows) >= 180
    assert list(rows[0]) == ["en", "zh_hant", "kind", "note"]
    ens = [r["en"].casefold() for r in rows]
    assert len(ens) == len(set(ens))
    for r in rows:
        assert r["kind"] in KINDS, r
        assert r["en"] == r["en"].strip() and r["zh_hant"] == r["zh_hant"].strip(), r
        assert simplified_only_chars(r["zh_hant"]) == [], r
    # Chinese duplicates only where one side is a short form (LegCo = 立法會).
    by_zh: dict[str, list[str]] = {}
    for r in rows:
        by_zh.setdefault(r["zh_hant"], []).append(r["kind"])
    assert all(kinds.count("abbreviation") >= len(kinds) - 1 for kinds in by_zh.values())


def test_starter_glossary_has_current_names() -> None:
    g = Glossary.load_default()
    assert len(g) >= 180
    expected = {
        "Digital Policy Office": "數字政策辦公室",
        "Culture, Sports and Tourism Bureau": "文化體育及旅遊局",
        "Food and Environmental Hygiene Department": "食物環境衞生署",
        "Department of Health": "衞生署",
        "Deputy Chief Secretary for Administration": "副政務司司長",
        "Secretary for Housing": "房屋局局長",
    }
    for en, zh in expected.items():
        term = g.lookup(en)
        assert term is not None and term.zh_hant == zh
    assert g.lookup("立法會").en == "Legislative Council"  # the full name beats LegCo


def test_english_matching_is_longest_first_case_insensitive_whole_words() -> None:
    g = Glossary.load_default()
    text = "THE SECRETARY FOR HOUSING visited the housing\nbureau and the District Councils."
    found = [(m.text, m.target) for m in g.find_terms(text, "en")]
    assert found == [
        ("THE SECRETARY FOR HOUSING", "房屋局局長"),
        ("the housing\nbureau", "房屋局"),
        ("the District Councils", "區議會"),
    ]
    assert g.find_terms("Rehousing Bureaucracy", "en") == []


def test_chinese_matching_is_longest_first_and_script_blind() -> None:
    g = Glossary.load_default()
    found = [
        (m.text, m.target) for m in g.find_terms("房屋局局長與房屋局及数字政策办公室", "zh-Hans")
    ]
    assert found == [
        ("房屋局局長", "Secretary for Housing"),
        ("房屋局", "Housing Bureau"),
        ("数字政策办公室", "Digital Policy Office"),
    ]


def test_check_output_hits_and_misses_per_occurrence() -> None:
    g = Glossary.load_default()
    source = "The Housing Bureau, the Secretary for Housing and the Housing Bureau again."
    report = g.check_output(source, "房屋局局長與房屋局", "en")
    assert [(c.expected, c.found) for c in report.checks] == [
        ("房屋局", True),
        ("房屋局局長", True),
        ("房屋局", False),  # the output names the bureau only once
    ]
    assert len(report.hits) == 2 and len(report.misses) == 1
    assert report.recall == pytest.approx(2 / 3)
    # The Hong Kong form is required: 衛生署 is not 衞生署.
    assert g.check_output("Department of Health", "衛生署", "en").recall == 0.0
    assert g.check_output("衞生署", "the department of health", "zh-Hant").recall == 1.0
    assert g.check_output("nothing here", "", "en").recall == 1.0


def test_apply_to_source_both_directions() -> None:
    g = Glossary.load_default()
    text, matches = g.apply_to_source("Ask the Digital Policy Office.", "en")
    assert text == "Ask 數字政策辦公室."
    assert matches[0].text == "the Digital Policy Office"
    text, _ = g.apply_to_source("請聯絡房屋署。", "zh-Hant")
    assert text == "請聯絡Housing Department。"


def test_merge_later_glossaries_override() -> None:
    base = Glossary([Term("Housing Bureau", "房屋局", "bureau"), Term("Widget", "小工具")])
    user = Glossary([Term("housing bureau", "房屋局（測試）", "bureau"), Term("Gadget", "小工具")])
    merged = base.merge(user)
    assert len(merged) == 3
    assert merged.lookup("Housing Bureau").zh_hant == "房屋局（測試）"
    assert merged.lookup("小工具").en == "Gadget"
    assert base.lookup("Housing Bureau").zh_hant == "房屋局"  # merge does not change its inputs


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "glossary.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_from_csv_reads_a_user_glossary(tmp_path: Path) -> None:
    path = _write(
        tmp_path, 'en,zh_hant,kind,note\n"Widgets, Ltd",小工具公司,organisation,\n# c\n\n'
    )
    g = Glossary.from_csv(path)
    assert [t.en for t in g] == ["Widgets, Ltd"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("en,zh\nA,甲\n", 1, "header"),
        ("en,zh_hant,kind,note\nA,甲,term,\nB,,term,\n", 3, "must be filled"),
        ("en,zh_hant,kind,note\nA,甲,colour,\n", 2, "unknown kind"),
        ("en,zh_hant,kind,note\nA,甲,term,\nB,乙,term,\na,丙,term,\n", 4, "line 2"),
        ("en,zh_hant,kind,note\nA,这个,term,\n", 2, "Simplified"),
        ("en,zh_hant,kind,note\nA,甲,term,,extra\n", 2, "fields"),
        ('en,zh_hant,kind,note\nA,甲,term,"unclosed\n', 2, "malformed"),
    ],
)
def test_csv_errors_name_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as info:
        Glossary.from_csv(_write(tmp_path, text))
    assert f"line {line}:" in str(info.value)
    assert words in str(info.value)


def test_missing_file_and_bad_language(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        Glossary.from_csv(tmp_path / "absent.csv")
    with pytest.raises(InputError):
        Glossary.load_default().find_terms("x", "fr")


def test_public_api_is_exported() -> None:
    for name in language.__all__:
        assert hasattr(language, name), name


def test_report_conveniences() -> None:
    report = Glossary.load_default().check_output("the Housing Bureau", "Housing Bureau", "en")
    assert report.hit_count == 0
    assert report.misses[0].source_text == "the Housing Bureau"


def test_a_term_spelt_the_same_in_both_languages_counts_in_chinese_text():
    from govpilot.language import Glossary

    glossary = Glossary.load_default()
    report = glossary.check_output("Residents may call 1823.", "居民可以撥打1823。", "en")
    assert report.hit_count == 1 and not report.misses


def test_licensing_is_a_glossary_term_not_copyright() -> None:
    # A .docx titled "Licensing reform" came back as 版權改革 (copyright reform).
    found = Glossary.load_default().find_terms("Licensing reform for the licensing authority", "en")
    assert {m.target for m in found} == {"發牌", "發牌當局"}
