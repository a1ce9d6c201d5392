"""FAQ spreadsheets: question/answer columns found by English or Chinese headers."""

from __future__ import annotations

import io

import openpyxl
import pytest

from govpilot.errors import CorruptDocument, EmptyDocument
from govpilot.knowledge.faq import find_faq_columns, load_spreadsheet
from govpilot.knowledge.sources import parse_source


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("header", "pairs"),
    [
        (["Question", "Answer"], ((0, 1),)),
        (["No.", "問題", "答案"], ((1, 2),)),
        (["提問", "回覆", "網址"], ((0, 1),)),
        (["FAQ Question", "Answer text", "Link"], ((0, 1),)),
        (
            ["Question (English)", "Answer (English)", "問題（中文）", "答案（中文）"],
            ((0, 1), (2, 3)),
        ),
        (["Name", "Phone"], None),
    ],
)
def test_columns_are_found_by_header(header: list[str], pairs: tuple | None) -> None:
    columns = find_faq_columns(header)
    assert (columns.pairs if columns else None) == pairs


def test_csv_with_url_and_category_columns() -> None:
    data = (
        b"Category,Question,Answer,URL\n"
        b'Apply,How do I apply?,"Apply online, or by post.",https://example.gov.hk/apply\n'
        b"Fees,Is there a fee?,No.,\n"
        b",,,\n"
        b"Fees,Missing answer,,\n"
    )
    sheet = load_spreadsheet(data, "faq.csv")
    assert [(e.question, e.answer, e.url, e.category, e.row) for e in sheet.entries] == [
        (
            "How do I apply?",
            "Apply online, or by post.",
            "https://example.gov.hk/apply",
            "Apply",
            2,
        ),
        ("Is there a fee?", "No.", None, "Fees", 3),
    ]


def test_big5_csv_with_chinese_headers_and_title_rows() -> None:
    data = "房屋署常見問題\n\n問題,答案\n如何申請？,網上申請。\n".encode("big5")
    sheet = load_spreadsheet(data, "faq.csv")
    assert [(e.question, e.answer) for e in sheet.entries] == [("如何申請？", "網上申請。")]


def test_xlsx_bilingual_sheet_gives_two_entries_per_row() -> None:
    data = xlsx(
        {
            "FAQ": [
                ["Question", "Answer", "問題", "答案"],
                ["When?", "Monday.", "何時？", "星期一。"],
                [None, None, None, None],
                ["Cost?", 100, "費用？", "一百元。"],
            ]
        }
    )
    entries = load_spreadsheet(data, "faq.xlsx").entries
    assert [(e.question, e.answer) for e in entries] == [
        ("When?", "Monday."),
        ("何時？", "星期一。"),
        ("Cost?", "100"),
        ("費用？", "一百元。"),
    ]


def test_sheet_without_faq_headers_is_kept_as_a_table() -> None:
    data = xlsx(
        {
            "FAQ": [["Q", "A"], ["Opening hours?", "9 to 5."]],
            "Offices": [["District", "Address"], ["Sha Tin", "1 Road"]],
        }
    )
    sheet = load_spreadsheet(data, "book.xlsx")
    assert [(e.question, e.sheet) for e in sheet.entries] == [("Opening hours?", "FAQ")]
    assert [b.kind for b in sheet.tables.blocks] == ["heading", "table"]
    parsed = parse_source(data, "book.xlsx", ocr=None)
    assert parsed.kind == "faq"
    assert [d.kind for d in parsed.drafts] == ["faq", "table"]
    assert parsed.drafts[1].text == "Offices\nDistrict: Sha Tin; Address: 1 Road"
    assert parsed.drafts[1].section == "Offices"


def test_broken_and_empty_spreadsheets_say_so() -> None:
    with pytest.raises(CorruptDocument):
        load_spreadsheet(b"not a zip at all", "faq.xlsx")
    with pytest.raises(CorruptDocument):
        load_spreadsheet(b"PK\x03\x04 broken zip", "faq.xlsx")
    with pytest.raises(EmptyDocument):
        load_spreadsheet(xlsx({"Sheet": []}), "faq.xlsx")
