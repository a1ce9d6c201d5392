"""A consultation's responses read from CSV, XLSX or JSONL, with a reason for every row
that cannot be used.

Columns: `id` and `text` (required; `response_id` and `response` are read as them), and
optionally `question`, `respondent_type`, `district`, `date`, `source`. A file without a
required column is refused with the columns it has. Encodings: UTF-8 (with or without a
BOM), else Big5-HKSCS (common in older Hong Kong systems), else GB18030; which one was
used is said. Rows are never dropped silently: an empty text, a text over
`MAX_RESPONSE_CHARS` (kept, cut, and said), a repeated id are reported per row.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from govpilot.errors import CorruptDocument, InputError, UnsupportedFileType
from govpilot.language import detect_language

MAX_RESPONSE_CHARS = 20_000
OPTIONAL = ("question", "respondent_type", "district", "date", "source")
_ALIASES = {"response_id": "id", "response": "text", "comment-body": "text", "comment-id": "id"}
SUFFIXES = (".csv", ".xlsx", ".jsonl")
ENCODINGS = ("utf-8-sig", "big5hkscs", "gb18030")


@dataclass(frozen=True)
class Response:
    """One response as read, with its language."""

    id: str
    text: str
    language: str
    question: str = ""
    respondent_type: str = ""
    district: str = ""
    date: str = ""
    source: str = ""


@dataclass(frozen=True)
class Skipped:
    """A row that was not used or was changed, and why (`row`: its line in a CSV or JSONL
    file, the header being line 1; its row in a spreadsheet)."""

    row: int
    id: str
    reason: str


@dataclass
class ImportResult:
    responses: list[Response]
    problems: list[Skipped] = field(default_factory=list)
    encoding: str = "utf-8"
    columns: list[str] = field(default_factory=list)


def read_responses(data: bytes, filename: str) -> ImportResult:
    """The responses in `data` (a .csv, .xlsx or .jsonl named `filename`)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise UnsupportedFileType(
            f"{filename!r} is not a file of responses govpilot reads",
            hint=f"use one of: {' '.join(SUFFIXES)}",
        )
    if not data.strip():
        raise InputError(f"{filename!r} is empty", hint="export the responses again")
    encoding = "utf-8"
    if suffix == ".xlsx":
        rows = _xlsx_rows(data, filename)
    else:
        text, encoding = decode(data, filename)
        rows = _csv_rows(text) if suffix == ".csv" else _jsonl_rows(text, filename)
    result = check_rows(rows, filename)
    result.encoding = encoding
    return result


def decode(data: bytes, filename: str) -> tuple[str, str]:
    """`data` as text, and the encoding it was in (UTF-8, Big5-HKSCS or GB18030)."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    raise CorruptDocument(
        f"{filename!r} is in no encoding govpilot knows (UTF-8, Big5, GB18030)",
        hint="save it again as UTF-8 (CSV UTF-8 in Excel)",
    )


def _csv_rows(text: str) -> list[dict[str, Any]]:
    # The delimiter is the one the header line uses most; quoting is Excel's. (csv.Sniffer
    # guessed the quoting from the first 4 KB and split quoted texts with line breaks.)
    header = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=header.count)
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def _jsonl_rows(text: str, filename: str) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorruptDocument(
                f"{filename!r} line {number} is not JSON ({exc.msg})",
                hint="one JSON object a line",
            ) from exc
        if not isinstance(row, dict):
            raise CorruptDocument(f"{filename!r} line {number} is not a JSON object")
        rows.append(row)
    return rows


def _xlsx_rows(data: bytes, filename: str) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise CorruptDocument(
            f"{filename!r} cannot be read as a spreadsheet ({type(exc).__name__})",
            hint="open it in Excel and save it again as .xlsx",
        ) from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header = [str(v or "").strip() for v in next(values, ())]
    rows = [
        {key: "" if value is None else value for key, value in zip(header, row, strict=False)}
        for row in values
    ]
    book.close()
    return rows


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    """The file's columns, as its first row has them."""
    return [str(key) for key in rows[0]] if rows else []


def check_rows(rows: list[dict[str, Any]], filename: str) -> ImportResult:
    """The rows (column name -> value) as responses, with the problem of each one not used."""
    found = _columns(rows)
    names = {str(k).strip().lower(): str(k) for k in found}
    canonical = {_ALIASES.get(k, k): original for k, original in names.items()}
    missing = [c for c in ("id", "text") if c not in canonical]
    if missing:
        raise InputError(
            f"{filename!r} has no {' or '.join(repr(c) for c in missing)} column",
            hint=f"its columns are: {', '.join(found) or 'none'}; the file needs id and text",
        )
    result = ImportResult([], columns=found)
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(rows, 2 if not filename.endswith(".jsonl") else 1):

        def cell(name: str, row: dict[str, Any] = row) -> str:
            key = canonical.get(name)
            return " ".join(str(row.get(key, "") or "").split()) if key else ""

        response_id = cell("id") or f"row-{number}"
        text = str(row.get(canonical["text"], "") or "").strip()
        if not text:
            result.problems.append(Skipped(number, response_id, "the text is empty"))
            continue
        # One respondent may answer several questions: an id is unique within a question.
        if (response_id, cell("question")) in seen:
            result.problems.append(Skipped(number, response_id, "this id is used twice"))
            continue
        seen.add((response_id, cell("question")))
        if len(text) > MAX_RESPONSE_CHARS:
            result.problems.append(
                Skipped(
                    number,
                    response_id,
                    f"{len(text):,} characters: the first {MAX_RESPONSE_CHARS:,} are analysed",
                )
            )
            text = text[:MAX_RESPONSE_CHARS]
        result.responses.append(
            Response(
                response_id,
                text,
                detect_language(text),
                **{name: cell(name) for name in OPTIONAL},
            )
        )
    return result
