"""Redacting whole texts and documents, with a report of what was found where.

`redact_document` redacts every string of a Document (headings, paragraphs, list items,
table cells, the title) and keeps its structure and page numbers. One PseudonymVault serves
the whole document, so a person gets the same placeholder everywhere in it.

The report never holds the personal data itself: only types, scores and places. A place is
a block (its index in `Document.blocks`, its kind, page, and row and column for a table
cell) plus offsets within that block's or cell's text. Each finding also knows its offsets
in `Document.text` of the input (blocks joined by blank lines, table cells by tabs and rows
by newlines), which `govpilot redact --json` reports as `start` and `end`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from govpilot.documents.model import Block, Document
from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.entities import PII_TYPES, Finding
from govpilot.privacy.operators import OperatorName, PseudonymVault, Redaction, apply_operator

#: How each type is named in reports, in English and Traditional Chinese.
TYPE_LABELS: dict[str, tuple[str, str]] = {
    "HKID": ("HK Identity Card number", "香港身份證號碼"),
    "PHONE": ("Phone number", "電話號碼"),
    "EMAIL": ("Email address", "電郵地址"),
    "PASSPORT": ("Passport number", "護照號碼"),
    "ID_CN": ("Mainland resident ID number", "內地居民身份證號碼"),
    "BR_NUMBER": ("Business registration number", "商業登記號碼"),
    "BANK_ACCOUNT": ("Bank account number", "銀行戶口號碼"),
    "CREDIT_CARD": ("Credit card number", "信用卡號碼"),
    "IP_ADDRESS": ("IP address", "IP 位址"),
    "DATE_OF_BIRTH": ("Date of birth", "出生日期"),
    "ADDRESS": ("Address", "地址"),
    "PERSON": ("Person's name", "人名"),
}
# (English, Chinese, Chinese measure word for "the nth ...")
_KIND_LABELS = {
    "heading": ("heading", "標題", "個"),
    "paragraph": ("paragraph", "段", ""),
    "list_item": ("list item", "列表項目", "個"),
    "table": ("table", "表格", "個"),
    "title": ("document title", "文件標題", ""),
    "text": ("text", "文字", ""),
}


def redact_text(
    text: str,
    detector: PiiDetector,
    operator: OperatorName = "placeholder",
    *,
    vault: PseudonymVault | None = None,
    salt: bytes | None = None,
    types: Collection[str] | None = None,
) -> Redaction:
    """Detect personal data in `text` and replace it; findings keep offsets into `text`."""
    if operator == "pseudonymise" and vault is None:
        vault = PseudonymVault()
    if operator == "hash" and not salt:
        raise ValueError("the hash operator needs a salt (see load_or_create_salt)")
    findings = detector.detect(text, types)
    return apply_operator(text, findings, operator, vault=vault, salt=salt)


@dataclass(frozen=True)
class Location:
    """Where a finding is: a block (or the title), a table cell, offsets within its text.

    `block`, `row` and `col` count from 0 as in the Document; `describe()` numbers blocks of
    each kind, rows and columns from 1, as a reader would.
    """

    block: int | None
    kind: str
    start: int
    end: int
    page: int | None = None
    row: int | None = None
    col: int | None = None
    line: int | None = None  # for plain text: the line the finding starts on (from 1)
    number: int | None = None  # the block's number among blocks of its kind (from 1)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"block": self.block, "kind": self.kind, "number": self.number}
        data.update(page=self.page)
        if self.row is not None:
            data.update(row=self.row, col=self.col)
        if self.line is not None:
            data.update(line=self.line)
        data.update(start=self.start, end=self.end)
        return data

    def describe(self) -> str:
        """The place in words, English then Chinese, e.g. 'table 1, row 2, column 2, page 3'."""
        en_kind, zh_kind, measure = _KIND_LABELS.get(self.kind, (self.kind, self.kind, "個"))
        en = [f"{en_kind} {self.number}" if self.number is not None else en_kind]
        zh = [f"第 {self.number} {measure}{zh_kind}" if self.number is not None else zh_kind]
        if self.row is not None and self.col is not None:
            en.append(f"row {self.row + 1}, column {self.col + 1}")
            zh.append(f"第 {self.row + 1} 行第 {self.col + 1} 欄")
        if self.page is not None:
            en.append(f"page {self.page}")
            zh.insert(0, f"第 {self.page} 頁")
        if self.line is not None:
            en.append(f"line {self.line}")
            zh.append(f"第 {self.line} 行")
        return f"{', '.join(en)} / {'，'.join(zh)}"


@dataclass(frozen=True)
class ReportedFinding:
    """One finding in a report: its type, score and place; never the value."""

    type: str
    score: float
    location: Location
    #: Offsets in the input's `Document.text`; None for a title that is not in the text.
    text_span: tuple[int, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "score": self.score, "location": self.location.as_dict()}


@dataclass
class RedactionReport:
    """What a redaction replaced, counted by type, and where each item was."""

    operator: str
    findings: list[ReportedFinding] = field(default_factory=list)

    @classmethod
    def for_text(cls, text: str, redaction: Redaction, operator: str) -> RedactionReport:
        """The report of a plain-text redaction: offsets into `text`, with line numbers."""
        findings = [
            ReportedFinding(
                f.type,
                f.score,
                Location(None, "text", f.start, f.end, line=text.count("\n", 0, f.start) + 1),
                (f.start, f.end),
            )
            for f in redaction.findings
        ]
        return cls(operator, findings)

    @property
    def counts(self) -> dict[str, int]:
        """Items per type, in the order of PII_TYPES, e.g. {"HKID": 1, "PERSON": 3}."""
        found = {f.type for f in self.findings}
        return {t: sum(f.type == t for f in self.findings) for t in PII_TYPES if t in found}

    @property
    def total(self) -> int:
        return len(self.findings)

    def entities(self) -> list[dict[str, Any]]:
        """`{"type", "start", "end", "score"}` per finding, offsets into the input's text."""
        return [
            {"type": f.type, "start": f.text_span[0], "end": f.text_span[1], "score": f.score}
            for f in self.findings
            if f.text_span is not None
        ]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "operator": self.operator,
            "total": self.total,
            "counts": self.counts,
            "findings": [f.as_dict() for f in self.findings],
        }

    def summary(self) -> str:
        """One line, e.g. 'Redacted 3 items: HKID 1, PERSON 2'."""
        if not self.findings:
            return "No personal data found."
        parts = ", ".join(f"{name} {count}" for name, count in self.counts.items())
        return f"Redacted {self.total} item{'s' if self.total != 1 else ''}: {parts}"

    def as_markdown(self) -> str:
        """The report for people, with headings in English and Traditional Chinese."""
        lines = [
            "# Redaction report / 遮蓋報告",
            "",
            f"- Operator / 遮蓋方式: `{self.operator}`",
            f"- Items redacted / 已遮蓋項目: {self.total}",
            "",
            "No personal data appears in this report: only types and places. "
            "/ 本報告只列出類別及位置，不載有任何個人資料。",
            "",
            "## By type / 按類別",
            "",
        ]
        if self.findings:
            lines += ["| Type / 類別 | Count / 數量 |", "| --- | ---: |"]
            lines += [f"| {_type_label(t)} | {n} |" for t, n in self.counts.items()]
        else:
            lines.append("No personal data found. / 未有發現個人資料。")
        if self.findings:
            lines += [
                "",
                "## Where / 位置",
                "",
                "| # | Type / 類別 | Where / 位置 | Characters / 字元 | Score / 可信度 |",
                "| ---: | --- | --- | --- | ---: |",
            ]
            for number, f in enumerate(self.findings, 1):
                loc = f.location
                lines.append(
                    f"| {number} | {f.type} | {loc.describe()} | {loc.start}–{loc.end} "
                    f"| {f.score:.2f} |"
                )
        lines += [
            "",
            "## Check before release / 發放前請核對",
            "",
            "- Detection is automatic and can miss or over-mark items; read the redacted copy "
            "before you release it. / 自動偵測或有遺漏或誤判，發放前請細閱遮蓋後的文件。",
            "- The redacted copy is rebuilt from the document's text: images, headers and "
            "footers, comments and tracked changes are not carried over. "
            "/ 遮蓋後的文件按原文文字重新製作，不會保留圖片、頁首頁尾、註解及修訂記錄。",
            "",
        ]
        return "\n".join(lines)


def _type_label(pii_type: str) -> str:
    en, zh = TYPE_LABELS.get(pii_type, (pii_type, pii_type))
    return f"{pii_type} ({en} / {zh})"


def redact_document(
    document: Document,
    detector: PiiDetector,
    operator: OperatorName = "placeholder",
    *,
    vault: PseudonymVault | None = None,
    salt: bytes | None = None,
    types: Collection[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Document, RedactionReport]:
    """A copy of `document` with personal data replaced in every string, and the report.

    A table is searched as a whole (cells joined as in `Block.plain_text`), so a label in
    one cell ("Date of birth", "電話") counts as context for the value in the next; each
    finding is then replaced within its cell, split at the cell's edge if it runs over.
    """
    vault = vault if vault is not None else PseudonymVault()
    if operator == "hash" and not salt:
        raise ValueError("the hash operator needs a salt (see load_or_create_salt)")
    report = RedactionReport(operator)

    def redact(text: str) -> Redaction:
        return redact_text(text, detector, operator, vault=vault, salt=salt, types=types)

    blocks: list[Block] = []
    total = len(document.blocks)
    for index, number, block, pieces in _pieces(document):
        found = detector.detect(block.plain_text, types)
        new_texts = []
        for piece in pieces:
            own = piece.clip(found)
            redaction = apply_operator(piece.text, own, operator, vault=vault, salt=salt)
            new_texts.append(redaction.text)
            report.findings.extend(piece.report(own, index, number, block))
        blocks.append(block.with_texts(new_texts))
        if progress is not None:
            progress(index + 1, total)
    title = document.title
    if title:
        redacted_title = redact(title)
        # A title taken from a heading or first line is reported once, at that block.
        if not any(b.text == title for b in document.blocks):
            report.findings.extend(
                ReportedFinding(f.type, f.score, Location(None, "title", f.start, f.end))
                for f in redacted_title.findings
            )
        title = redacted_title.text
    redacted = Document(blocks, title, document.source, document.source_format)
    return redacted, report


@dataclass(frozen=True)
class _Piece:
    """One string of a block (its text, or one table cell) and where it sits in the text."""

    text: str
    local: int  # in the block's plain text
    offset: int | None  # in Document.text; None where the block is not part of it
    row: int | None = None
    col: int | None = None

    def clip(self, findings: list[Finding]) -> list[Finding]:
        """The block's findings that fall in this piece, as offsets into the piece."""
        end = self.local + len(self.text)
        clipped = []
        for f in findings:
            start, stop = max(f.start, self.local), min(f.end, end)
            if start < stop and self.text[start - self.local : stop - self.local].strip():
                shifted = (start - self.local, stop - self.local)
                clipped.append(Finding(*shifted, f.type, f.score, f.recognizer))
        return clipped

    def report(
        self, findings: list[Finding], index: int, number: int, block: Block
    ) -> Iterator[ReportedFinding]:
        for f in findings:
            where = Location(
                index, block.kind, f.start, f.end, block.page, self.row, self.col, number=number
            )
            span = None if self.offset is None else (self.offset + f.start, self.offset + f.end)
            yield ReportedFinding(f.type, f.score, where, span)


def _pieces(document: Document) -> Iterator[tuple[int, int, Block, list[_Piece]]]:
    """Each block's index, number among its kind, itself, and its strings with offsets.

    Mirrors `Document.text` and `Block.plain_text`: blank blocks are left out of the text,
    blocks are joined by two newlines, cells by a tab and rows by a newline.
    """
    cursor = 0
    first = True
    numbers: Counter[str] = Counter()
    for index, block in enumerate(document.blocks):
        in_text = bool(block.plain_text.strip())
        numbers[block.kind] += in_text  # as a reader counts them: blank blocks do not show
        if in_text and not first:
            cursor += 2
        start = cursor if in_text else None
        if block.kind == "table":
            pieces, position = [], 0
            for r, row in enumerate(block.rows):
                for c, cell in enumerate(row):
                    offset = None if start is None else start + position
                    pieces.append(_Piece(cell, position, offset, r, c))
                    position += len(cell) + 1  # the tab, or the newline after the row
            yield index, numbers[block.kind], block, pieces
        else:
            yield index, numbers[block.kind], block, [_Piece(block.text, 0, start)]
        if in_text:
            cursor += len(block.plain_text)
            first = False


__all__ = [
    "TYPE_LABELS",
    "Location",
    "RedactionReport",
    "ReportedFinding",
    "redact_document",
    "redact_text",
]
