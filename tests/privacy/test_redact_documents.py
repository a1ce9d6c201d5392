"""Redacting texts and whole documents: structure kept, no value left, a report of places."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fpdf import FPDF

from govpilot.documents import Block, Document, load_bytes, render_document
from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.documents import RedactionReport, redact_document, redact_text
from govpilot.privacy.entities import Finding
from govpilot.privacy.operators import PseudonymVault
from govpilot.privacy.testing import SAMPLE_EMAIL as EMAIL
from govpilot.privacy.testing import SAMPLE_HKID as HKID
from govpilot.privacy.testing import SAMPLE_PHONE as PHONE
from govpilot.privacy.testing import SAMPLE_VALUES as VALUES
from govpilot.privacy.testing import sample_letter_docx, sample_recognizer


@pytest.fixture
def detector() -> PiiDetector:
    return PiiDetector([sample_recognizer()])


def letter() -> Document:
    return Document(
        [
            Block("heading", "Complaint from 陳大文", level=1),
            Block("paragraph", f"I am 陳大文 (HKID {HKID}). Call me on {PHONE}.", page=1),
            Block("paragraph", "   "),  # blank: kept, but not part of Document.text
            Block("list_item", f"Email: {EMAIL}", page=1),
            Block("table", rows=(("Name", "Phone"), ("Chan Tai Man", PHONE)), page=2),
            Block("paragraph", "多謝。", page=2),
        ],
        title="Complaint from 陳大文",
        source_format="docx",
    )


def assert_no_values(text: str) -> None:
    for value in VALUES:
        assert value not in text


def test_redact_text_offsets_point_into_the_input(detector):
    text = f"陳大文的身份證是{HKID}，電話{PHONE}。"
    redaction = redact_text(text, detector)
    assert redaction.text == "[PERSON]的身份證是[HKID]，電話[PHONE]。"
    assert [(f.type, text[f.start : f.end]) for f in redaction.findings] == [
        ("PERSON", "陳大文"),
        ("HKID", HKID),
        ("PHONE", PHONE),
    ]


def test_redact_text_types_and_operators(detector):
    text = f"陳大文 {HKID}"
    assert redact_text(text, detector, types={"HKID"}).text == "陳大文 [HKID]"
    assert redact_text(text, detector, "mask").text == "*** **********"
    hashed = redact_text(text, detector, "hash", salt=b"s").text
    assert re.fullmatch(r"\[PERSON:[0-9a-f]{12}\] \[HKID:[0-9a-f]{12}\]", hashed)
    with pytest.raises(ValueError, match="salt"):
        redact_text(text, detector, "hash")


def test_document_structure_is_kept_and_no_value_is_left(detector):
    original = letter()
    redacted, report = redact_document(original, detector)
    assert [(b.kind, b.level, b.page, len(b.rows)) for b in redacted.blocks] == [
        (b.kind, b.level, b.page, len(b.rows)) for b in original.blocks
    ]
    assert_no_values(redacted.text)
    assert_no_values(redacted.title or "")
    assert redacted.blocks[4].rows == (("Name", "Phone"), ("[PERSON]", "[PHONE]"))
    assert redacted.title == redacted.blocks[0].text == "Complaint from [PERSON]"
    assert report.counts == {"HKID": 1, "PHONE": 2, "EMAIL": 1, "PERSON": 3}


def test_one_vault_gives_a_person_one_pseudonym_across_the_document(detector):
    doc = Document(
        [
            Block("heading", "陳大文"),
            Block("paragraph", "Chan Tai Man and 陳大文 wrote."),
            Block("table", rows=(("陳大文",),)),
        ]
    )
    vault = PseudonymVault()
    redacted, _ = redact_document(doc, detector, "pseudonymise", vault=vault)
    assert redacted.blocks[0].text == "[PERSON_1]"
    assert redacted.blocks[1].text == "[PERSON_2] and [PERSON_1] wrote."
    assert redacted.blocks[2].rows == (("[PERSON_1]",),)
    assert vault.restore(redacted.blocks[1].text) == "Chan Tai Man and 陳大文 wrote."


def test_report_locations_blocks_cells_and_pages(detector):
    _, report = redact_document(letter(), detector)
    places = [(f.type, f.location.as_dict()) for f in report.findings]
    heading = {"block": 0, "kind": "heading", "number": 1, "page": None, "start": 15, "end": 18}
    cell = {"block": 4, "kind": "table", "number": 1, "page": 2, "row": 1, "col": 1}
    item = {"block": 3, "kind": "list_item", "number": 1, "page": 1, "start": 7, "end": 30}
    assert ("PERSON", heading) in places
    assert ("PHONE", {**cell, "start": 0, "end": 9}) in places
    assert ("EMAIL", item) in places
    numbers = [(f.location.block, f.location.number) for f in report.findings]
    assert numbers[1:4] == [(1, 1), (1, 1), (1, 1)]


def test_blank_blocks_are_not_counted_in_block_numbers(detector):
    doc = Document([Block("paragraph", " "), Block("paragraph", "陳大文")])
    _, report = redact_document(doc, detector)
    assert report.findings[0].location.describe() == "paragraph 1 / 第 1 段"


def test_report_entities_are_offsets_into_document_text(detector):
    original = letter()
    _, report = redact_document(original, detector)
    text = original.text
    found = [(e["type"], text[e["start"] : e["end"]]) for e in report.entities()]
    assert found == [
        ("PERSON", "陳大文"),
        ("PERSON", "陳大文"),
        ("HKID", HKID),
        ("PHONE", PHONE),
        ("EMAIL", EMAIL),
        ("PERSON", "Chan Tai Man"),
        ("PHONE", PHONE),
    ]


def test_report_renders_without_values(detector):
    _, report = redact_document(letter(), detector)
    as_json = json.dumps(report.as_dict(), ensure_ascii=False)
    markdown = report.as_markdown()
    for rendered in (as_json, markdown):
        assert_no_values(rendered)
    assert report.as_dict()["counts"] == {"HKID": 1, "PHONE": 2, "EMAIL": 1, "PERSON": 3}
    assert markdown.startswith("# Redaction report / 遮蓋報告")
    assert "## Where / 位置" in markdown
    assert "table 1, row 2, column 2, page 2 / 第 2 頁，第 1 個表格，第 2 行第 2 欄" in markdown
    assert "paragraph 1, page 1 / 第 1 頁，第 1 段" in markdown
    assert "HKID (HK Identity Card number / 香港身份證號碼) | 1" in markdown


def test_empty_report_says_nothing_was_found():
    report = RedactionReport("placeholder")
    assert report.summary() == "No personal data found."
    assert "未有發現個人資料" in report.as_markdown()


class LabelledRecognizer:
    """A date of birth only right after its label, and 'Kowloon Tong' as an address."""

    name = "labelled"
    types = ("DATE_OF_BIRTH", "ADDRESS")

    def find(self, text: str) -> Iterator[Finding]:
        for m in re.finditer(r"(?:Date of birth|出生日期)\s*(\d{1,2} [A-Z][a-z]+ \d{4})", text):
            yield Finding(m.start(1), m.end(1), "DATE_OF_BIRTH", 0.9, self.name)
        for m in re.finditer(r"Kowloon\s+Tong", text):
            yield Finding(m.start(), m.end(), "ADDRESS", 0.8, self.name)


def test_a_label_in_one_cell_is_context_for_the_value_in_the_next():
    detector = PiiDetector([LabelledRecognizer()])
    table = Block("table", rows=(("Date of birth", "12 May 1980"), ("Other date", "1 May 2024")))
    redacted, report = redact_document(Document([table]), detector)
    assert redacted.blocks[0].rows == (
        ("Date of birth", "[DATE_OF_BIRTH]"),
        ("Other date", "1 May 2024"),
    )
    (finding,) = report.findings
    assert (finding.location.row, finding.location.col) == (0, 1)
    assert Document([table]).text[slice(*finding.text_span or (0, 0))] == "12 May 1980"


def test_a_finding_over_two_cells_is_replaced_in_each():
    detector = PiiDetector([LabelledRecognizer()])
    table = Block("table", rows=(("Kowloon", "Tong"),))
    redacted, report = redact_document(Document([table]), detector)
    assert redacted.blocks[0].rows == (("[ADDRESS]", "[ADDRESS]"),)
    assert [(f.location.col, f.location.start, f.location.end) for f in report.findings] == [
        (0, 0, 7),
        (1, 0, 4),
    ]


def test_text_report_has_line_numbers(detector):
    text = f"Dear Sir,\n\nI am 陳大文.\nPhone {PHONE}\n"
    report = RedactionReport.for_text(text, redact_text(text, detector), "placeholder")
    assert [(f.type, f.location.line) for f in report.findings] == [("PERSON", 3), ("PHONE", 4)]
    assert "text, line 4 / 文字，第 4 行" in report.as_markdown()


def test_docx_round_trip_keeps_structure(detector):
    original = load_bytes(sample_letter_docx(), "letter.docx")

    redacted, report = redact_document(original, detector)
    again = load_bytes(render_document(redacted, "docx"), "redacted.docx")
    assert [b.kind for b in again.blocks] == ["heading", "paragraph", "list_item", "table"]
    assert again.blocks[3].rows == (("Name", "Phone"), ("[PERSON]", "[PHONE]"))
    assert_no_values(again.text)
    assert_no_values(again.title or "")
    assert report.counts == {"HKID": 1, "PHONE": 2, "EMAIL": 1, "PERSON": 2}


def test_pdf_findings_carry_page_numbers_and_metadata_title(detector):
    pdf = FPDF()
    pdf.set_title(f"Complaint of Chan Tai Man {HKID}")
    for body in (f"Complainant: Chan Tai Man, HKID {HKID}.", f"Reach him on {PHONE}."):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
    original = load_bytes(bytes(pdf.output()), "complaint.pdf")

    redacted, report = redact_document(original, detector)
    assert_no_values(redacted.text)
    assert redacted.title == "Complaint of [PERSON] [HKID]"
    pages = [(f.type, f.location.kind, f.location.page) for f in report.findings]
    assert pages == [
        ("PERSON", "paragraph", 1),
        ("HKID", "paragraph", 1),
        ("PHONE", "paragraph", 2),
        ("PERSON", "title", None),
        ("HKID", "title", None),
    ]
    assert [e["type"] for e in report.entities()] == ["PERSON", "HKID", "PHONE"]


def test_progress_is_reported_per_block(detector):
    seen: list[tuple[int, int]] = []
    redact_document(letter(), detector, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 6) for n in range(1, 7)]
