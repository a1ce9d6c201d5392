"""FAQ spreadsheets (.csv, .tsv, .xlsx): one entry per row with a question and an answer.

The question and answer columns are found by their headers, in English or Chinese
("Question", "問題", "提問"; "Answer", "答案", "回覆" ...), in the first rows of each sheet
(title rows above the header are allowed). A bilingual sheet with two question and two
answer columns gives two entries per row, paired in column order. Optional "URL" and
"Category" columns become each entry's link and section. A sheet without such headers is
kept as a plain table, so any spreadsheet can still be searched.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from govpilot.documents.formats.text import decode_text
from govpilot.documents.model import Block, Document
from govpilot.documents.packages import check_package
from govpilot.errors import CorruptDocument, EmptyDocument, UnsupportedFileType

__all__ = ["SPREADSHEET_SUFFIXES", "FaqColumns", "FaqEntry", "Spreadsheet", "find_faq_columns"]

SPREADSHEET_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".xlsx", ".xlsm")
_HEADER_ROWS = 10  # how far down a sheet its header row may be

_QUESTION = re.compile(
    r"\b(?:questions?|q|query|queries|enquiry)\b|問題|问题|提問|提问|查詢|^問$|^问$"
)
_ANSWER = re.compile(
    r"\b(?:answers?|a|reply|replies|response)\b|答案|回覆|回复|回答|答覆|答复|^答$"
)
_URL = re.compile(r"\b(?:url|link|source|web ?page|website)\b|網址|网址|連結|链接|網頁|网页")
_CATEGORY = re.compile(
    r"\b(?:category|topic|section|subject|theme)\b|類別|类别|分類|分类|主題|主题"
)


@dataclass(frozen=True)
class FaqEntry:
    """One question and its answer, with where it sits in the spreadsheet."""

    question: str
    answer: str
    url: str | None = None
    category: str = ""
    sheet: str = ""
    row: int = 0  # 1-based row number in the sheet


@dataclass(frozen=True)
class FaqColumns:
    """Indexes of a sheet's question/answer column pairs and optional url/category columns."""

    pairs: tuple[tuple[int, int], ...]
    url: int | None = None
    category: int | None = None


@dataclass
class Spreadsheet:
    """What a spreadsheet holds: FAQ entries, and the sheets that are plain tables."""

    entries: list[FaqEntry] = field(default_factory=list)
    tables: Document = field(default_factory=Document)


def _normal_header(cell: str) -> str:
    return re.sub(r"[_\-/()（）:：]+", " ", cell).strip().lower()


def find_faq_columns(header: list[str]) -> FaqColumns | None:
    """The FAQ columns of a header row, or None when it has no question and answer column."""
    names = [_normal_header(cell) for cell in header]
    questions = [i for i, name in enumerate(names) if name and _QUESTION.search(name)]
    answers = [i for i, name in enumerate(names) if name and _ANSWER.search(name)]
    answers = [i for i in answers if i not in questions]
    if not questions or not answers:
        return None
    pairs = tuple(zip(questions, answers, strict=False))
    taken = set(questions) | set(answers)
    url = next((i for i, n in enumerate(names) if i not in taken and _URL.search(n)), None)
    category = next(
        (i for i, n in enumerate(names) if i not in taken and _CATEGORY.search(n)), None
    )
    return FaqColumns(pairs, url, category)


def load_spreadsheet(
    data: bytes, name: str, *, max_unpacked_bytes: int | None = None
) -> Spreadsheet:
    """Read a .csv/.tsv/.xlsx file into FAQ entries and plain tables.

    An .xlsx is measured unpacked first (`documents.packages`): a zip bomb is refused.
    """
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheets = _xlsx_sheets(data, name, max_unpacked_bytes)
    elif suffix in (".csv", ".tsv"):
        sheets = [(Path(name).stem, _csv_rows(data, name, suffix))]
    else:
        raise UnsupportedFileType(
            f"'{name}' is not a spreadsheet govpilot reads.",
            hint="Save it as .xlsx or .csv (UTF-8).",
        )
    result = Spreadsheet()
    several = len(sheets) > 1
    for sheet, rows in sheets:
        rows = [row for row in rows if any(cell.strip() for cell in row)]
        if not rows:
            continue
        found = _header(rows)
        if found is None:
            if several:
                result.tables.blocks.append(Block("heading", sheet, level=2))
            result.tables.blocks.append(Block("table", rows=tuple(tuple(r) for r in rows)))
            continue
        header_index, columns = found
        result.entries.extend(_entries(rows, header_index, columns, sheet if several else ""))
    if not result.entries and result.tables.is_empty:
        raise EmptyDocument(f"'{name}' has no rows.", hint="Check that you picked the right file.")
    return result


def _header(rows: list[list[str]]) -> tuple[int, FaqColumns] | None:
    for index, row in enumerate(rows[:_HEADER_ROWS]):
        columns = find_faq_columns(row)
        if columns is not None:
            return index, columns
    return None


def _entries(
    rows: list[list[str]], header_index: int, columns: FaqColumns, sheet: str
) -> list[FaqEntry]:
    entries = []
    for offset, row in enumerate(rows[header_index + 1 :], header_index + 2):

        def cell(index: int | None, row: list[str] = row) -> str:
            return row[index].strip() if index is not None and index < len(row) else ""

        for question_col, answer_col in columns.pairs:
            question, answer = cell(question_col), cell(answer_col)
            if question and answer:
                url = cell(columns.url) or None
                entries.append(
                    FaqEntry(question, answer, url, cell(columns.category), sheet, offset)
                )
    return entries


def _csv_rows(data: bytes, name: str, suffix: str) -> list[list[str]]:
    text = decode_text(data, name)
    delimiter = "\t" if suffix == ".tsv" else ","
    if suffix == ".csv":
        with contextlib.suppress(csv.Error):
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise CorruptDocument(
            f"'{name}' is not a readable CSV file: {exc}.",
            hint="Open it in Excel and save it again as CSV UTF-8 or .xlsx.",
        ) from exc


def _xlsx_sheets(
    data: bytes, name: str, max_unpacked_bytes: int | None
) -> list[tuple[str, list[list[str]]]]:
    try:
        import openpyxl
    except ImportError as exc:  # an optional dependency in slim installs
        raise UnsupportedFileType(
            f"'{name}': reading .xlsx needs the 'openpyxl' package.",
            hint="pip install openpyxl, or save the sheet as CSV.",
        ) from exc
    if not data.startswith(b"PK\x03\x04"):
        raise CorruptDocument(
            f"'{name}' is named .xlsx but is not an Excel workbook.",
            hint="Open it in Excel and save it as .xlsx, or give it its real extension.",
        )
    check_package(data, name, max_unpacked_bytes)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # damaged workbooks fail in many ways inside openpyxl
        raise CorruptDocument(
            f"'{name}' is damaged and could not be read as an Excel workbook.",
            hint="Open it in Excel, save a new copy and ingest that.",
        ) from exc
    try:
        sheets = []
        for sheet in workbook.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            sheets.append((str(sheet.title), rows))
        return sheets
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and not (value.hour or value.minute or value.second):
        return value.date().isoformat()
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)
