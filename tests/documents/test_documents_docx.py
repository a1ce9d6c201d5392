"""Word .docx loading and writing."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from govpilot.documents import Block, Document, load_bytes, render_document
from govpilot.errors import CorruptDocument, EmptyDocument


def word_bytes(word) -> bytes:
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def sample_word() -> bytes:
    """Headings, paragraphs, a nested bullet list, a numbered list and tables interleaved."""
    word = docx.Document()
    word.core_properties.title = "Metadata title"
    word.add_paragraph("Annual Report", style="Title")
    word.add_heading("Introduction", level=1)
    word.add_paragraph("The department served 1,000 people.")
    word.add_paragraph("Housing", style="List Bullet")
    word.add_paragraph("Public rental", style="List Bullet 2")
    word.add_paragraph("Transport", style="List Bullet")
    table = word.add_table(rows=3, cols=2)
    for r, row in enumerate([("District", "Units"), ("Kwun Tong", "1,200"), ("Sha Tin", "900")]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    word.add_paragraph("Text between the tables.")
    word.add_heading("Next steps", level=2)
    word.add_paragraph("Consult", style="List Number")
    word.add_paragraph("Decide", style="List Number")
    word.add_table(rows=1, cols=3).cell(0, 1).text = "middle"
    word.add_paragraph("Closing paragraph.")
    return word_bytes(word)


def shape(doc: Document) -> list[tuple]:
    return [(b.kind, b.level, b.ordered, tuple(len(r) for r in b.rows), b.text) for b in doc.blocks]


def test_docx_blocks_in_body_order():
    doc = load_bytes(sample_word(), "report.docx")
    assert doc.source_format == "docx"
    assert doc.title == "Annual Report"
    assert [(b.kind, b.level, b.ordered) for b in doc.blocks] == [
        ("heading", 1, False),
        ("heading", 1, False),
        ("paragraph", 0, False),
        ("list_item", 0, False),
        ("list_item", 1, False),
        ("list_item", 0, False),
        ("table", 0, False),
        ("paragraph", 0, False),
        ("heading", 2, False),
        ("list_item", 0, True),
        ("list_item", 0, True),
        ("table", 0, False),
        ("paragraph", 0, False),
    ]
    assert doc.blocks[6].rows == (("District", "Units"), ("Kwun Tong", "1,200"), ("Sha Tin", "900"))
    assert doc.blocks[11].rows == (("", "middle", ""),)


def test_docx_title_from_metadata_when_no_heading():
    word = docx.Document()
    word.core_properties.title = "會議記錄"
    word.add_paragraph("內容。")
    assert load_bytes(word_bytes(word), "m.docx").title == "會議記錄"


def test_docx_chinese_heading_style_names_and_numbering_lists():
    word = docx.Document()
    heading = word.styles.add_style("標題 2", 1)  # a localised style name, as WPS writes
    heading.base_style = word.styles["Normal"]
    word.add_paragraph("第二章", style=heading)
    item = word.add_paragraph("以編號格式標示的項目")  # list through numPr, not style name
    num_pr = item._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 1
    num_pr.get_or_add_numId().val = word.styles["List Number"].element.pPr.numPr.numId.val
    doc = load_bytes(word_bytes(word), "zh.docx")
    assert [(b.kind, b.level, b.ordered) for b in doc.blocks] == [
        ("heading", 2, False),
        ("list_item", 1, True),
    ]


def test_docx_merged_cells_and_tracked_insertions():
    word = docx.Document()
    table = word.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "wide"
    table.cell(0, 2).text = "c"
    table.cell(1, 0).text = "a"
    paragraph = word.add_paragraph("Kept ")
    inserted = OxmlElement("w:ins")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "inserted"
    run.append(text)
    inserted.append(run)
    paragraph._p.append(inserted)
    doc = load_bytes(word_bytes(word), "merge.docx")
    assert doc.blocks[0].rows == (("wide", "", "c"), ("a", "", ""))
    assert doc.blocks[1].text == "Kept inserted"


def test_docx_that_is_not_a_zip():
    with pytest.raises(CorruptDocument, match=r"named \.docx but is plain text"):
        load_bytes(b"This is just text pretending to be Word.", "fake.docx")


def test_legacy_doc_renamed_to_docx():
    with pytest.raises(CorruptDocument, match=r"older Word \.doc"):
        load_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old.docx")


def test_zip_without_word_part():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(CorruptDocument, match="Excel"):
        load_bytes(buffer.getvalue(), "sheet.docx")


def test_damaged_docx():
    data = sample_word()
    with pytest.raises(CorruptDocument, match="damaged"):
        load_bytes(data[: len(data) // 2], "cut.docx")


def test_docx_without_text():
    word = docx.Document()
    word.add_paragraph("")
    with pytest.raises(EmptyDocument):
        load_bytes(word_bytes(word), "blank.docx")


# --- writing ----------------------------------------------------------------------------


def test_docx_round_trip_keeps_structure():
    first = load_bytes(sample_word(), "report.docx")
    second = load_bytes(render_document(first, "docx"), "again.docx")
    assert shape(second) == shape(first)
    assert second.title == first.title


def test_docx_writer_uses_real_styles():
    doc = Document(
        [
            Block("heading", "Report", level=1),
            Block("heading", "Section", level=2),
            Block("paragraph", "Body.\nSecond line."),
            Block("list_item", "bullet", level=0),
            Block("list_item", "nested", level=1),
            Block("list_item", "numbered", level=0, ordered=True),
            Block("table", rows=(("a", "b"), ("c",))),
        ],
        title="Report",
    )
    word = docx.Document(io.BytesIO(render_document(doc, "docx")))
    styles = [p.style.name for p in word.paragraphs]
    assert styles == ["Title", "Heading 2", "Normal", "List Bullet", "List Bullet 2", "List Number"]
    assert word.core_properties.title == "Report"
    (table,) = word.tables
    assert table.style.name == "Table Grid"
    assert [[c.text for c in row.cells] for row in table.rows] == [["a", "b"], ["c", ""]]


def test_docx_writer_restarts_numbering_for_each_list():
    doc = Document(
        [
            Block("list_item", "one", ordered=True),
            Block("list_item", "two", ordered=True),
            Block("paragraph", "Between."),
            Block("list_item", "again one", ordered=True),
        ]
    )
    word = docx.Document(io.BytesIO(render_document(doc, "docx")))
    num_ids = [p._p.pPr.numPr.numId.val for p in word.paragraphs if p.style.name == "List Number"]
    assert num_ids[0] == num_ids[1] != num_ids[2]
    num = word.part.numbering_part.element.num_having_numId(num_ids[2])
    assert num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}").get(qn("w:val")) == "1"


def test_docx_writer_sets_east_asian_font_for_chinese():
    doc = Document([Block("heading", "年報", level=1), Block("paragraph", "香港特別行政區政府。")])
    word = docx.Document(io.BytesIO(render_document(doc, "docx")))
    fonts = word.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Microsoft JhengHei"
    heading_fonts = word.styles["Heading 1"].element.rPr.rFonts
    assert heading_fonts.get(qn("w:eastAsia")) == "Microsoft JhengHei"
    assert heading_fonts.get(qn("w:eastAsiaTheme")) is None  # would override the named font


def test_docx_writer_leaves_english_fonts_alone():
    doc = Document([Block("paragraph", "English only.")])
    word = docx.Document(io.BytesIO(render_document(doc, "docx")))
    assert word.styles["Normal"].element.rPr is None
