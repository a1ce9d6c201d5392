"""A .docx read, its text changed (as translation and redaction change it), and written:
the file comes back as it was but for the words. Every paragraph keeps its style (a first
Heading 1 is not promoted to Title), lists their numbering, the table its cells and
merges, the header and footer, the footnote, the hyperlink its target, the picture its
bytes, and runs their bold and italic."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import replace

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx_samples import LINK, government_report, tiny_png

from govpilot.documents import Block, Document, load_bytes, render_document

Transform = Callable[[str], str]


def upper(text: str) -> str:
    return text.upper()


def prefixed(text: str) -> str:
    return f"[譯] {text}"


def round_trip(data: bytes, transform: Transform) -> tuple[Document, docx.document.Document]:
    document = load_bytes(data, "report.docx").map_texts(transform)
    output = render_document(document, "docx")
    return document, docx.Document(io.BytesIO(output))


def numbering(word: docx.document.Document) -> list[tuple[str, str] | None]:
    found: list[tuple[str, str] | None] = []
    for paragraph in word.paragraphs:
        num_pr = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is None:
            found.append(None)
            continue
        ids = [num_pr.find(qn(tag)) for tag in ("w:numId", "w:ilvl")]
        found.append(tuple(e.get(qn("w:val")) if e is not None else "" for e in ids))  # type: ignore[arg-type]
    return found


@pytest.fixture(scope="module")
def original() -> bytes:
    return government_report()


@pytest.mark.parametrize("transform", [upper, prefixed], ids=["upper", "prefix"])
def test_every_paragraph_keeps_its_style_and_list(original: bytes, transform: Transform) -> None:
    before = docx.Document(io.BytesIO(original))
    _, after = round_trip(original, transform)
    styles = [p.style.name for p in after.paragraphs]
    assert styles == [p.style.name for p in before.paragraphs]
    assert styles[0] == "Heading 1"  # the known bug: it came back as Title
    assert "Title" not in styles
    assert numbering(after) == numbering(before)
    texts = [p.text for p in after.paragraphs if p.text.strip()]
    assert texts[0] == transform("Public Housing Annual Report")
    assert transform("Review the waiting list") in texts


def test_runs_keep_bold_and_italic(original: bytes) -> None:
    _, after = round_trip(original, upper)
    runs = [r for r in after.paragraphs[1].runs if r.text]  # not the footnote's mark
    assert [(r.text, bool(r.bold), bool(r.italic)) for r in runs] == [
        ("THE AUTHORITY COMPLETED ", False, False),
        ("12,500 FLATS", True, False),
        (" IN THE YEAR, AN ", False, False),
        ("INCREASE", False, True),
        (" ON THE YEAR BEFORE.", False, False),
    ]


def test_a_prefix_stays_in_the_first_run(original: bytes) -> None:
    _, after = round_trip(original, prefixed)
    runs = after.paragraphs[1].runs
    assert runs[0].text == "[譯] The Authority completed "
    assert (runs[1].text, runs[1].bold) == ("12,500 flats", True)


def test_the_table_keeps_its_cells_and_merges(original: bytes) -> None:
    before = docx.Document(io.BytesIO(original)).tables[0]
    _, after = round_trip(original, upper)
    (table,) = after.tables
    assert table.style.name == "Table Grid"
    assert [[c.text for c in row.cells] for row in table.rows] == [
        [c.text.upper() for c in row.cells] for row in before.rows
    ]
    spans = table._tbl.findall(f".//{qn('w:gridSpan')}")
    assert [s.get(qn("w:val")) for s in spans] == ["2"]


def test_header_and_footer_are_translated_and_the_page_field_kept(original: bytes) -> None:
    _, after = round_trip(original, upper)
    section = after.sections[0]
    assert section.header.paragraphs[0].text == "RESTRICTED - HOUSING DEPARTMENT"
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("PAGE ")
    (field,) = footer._p.findall(qn("w:fldSimple"))
    assert field.get(qn("w:instr")) == "PAGE"


def test_the_footnote_and_its_reference_are_kept(original: bytes) -> None:
    _, after = round_trip(original, upper)
    body = after.element.body
    assert len(body.findall(f".//{qn('w:footnoteReference')}")) == 1
    (part,) = [r.target_part for r in after.part.rels.values() if r.reltype == RT.FOOTNOTES]
    xml = part.blob.decode("utf-8")
    assert "FIGURES AS AT 31 MARCH 2024." in xml
    assert 'w:type="separator"' in xml and "<w:footnoteRef/>" in xml


def test_the_hyperlink_keeps_its_target(original: bytes) -> None:
    _, after = round_trip(original, upper)
    (link,) = after.element.body.findall(f".//{qn('w:hyperlink')}")
    target = after.part.rels[link.get(qn("r:id"))].target_ref
    assert target == LINK
    text = "".join(t.text or "" for t in link.iter(qn("w:t")))
    assert text == "THE HOUSING AUTHORITY WEBSITE"


def test_the_picture_is_kept(original: bytes) -> None:
    _, after = round_trip(original, upper)
    assert len(after.inline_shapes) == 1
    images = [r.target_part.blob for r in after.part.rels.values() if r.reltype == RT.IMAGE]
    assert images == [tiny_png()]


def test_title_follows_and_no_author_is_left(original: bytes) -> None:
    document, after = round_trip(original, upper)
    assert document.title == "PUBLIC HOUSING ANNUAL REPORT"
    assert after.core_properties.title == "PUBLIC HOUSING ANNUAL REPORT"
    assert after.core_properties.author == ""


def test_reading_the_output_gives_the_same_blocks(original: bytes) -> None:
    document, after = round_trip(original, upper)
    buffer = io.BytesIO()
    after.save(buffer)
    again = load_bytes(buffer.getvalue(), "again.docx")
    assert again.blocks == document.blocks


def test_unchanged_text_leaves_the_parts_as_they_were(original: bytes) -> None:
    output = render_document(load_bytes(original, "report.docx"), "docx")
    with zipfile.ZipFile(io.BytesIO(original)) as a, zipfile.ZipFile(io.BytesIO(output)) as b:
        for name in ("word/document.xml", "word/footnotes.xml", "word/styles.xml"):
            assert docx.oxml.parse_xml(a.read(name)).xpath("string(.)") == docx.oxml.parse_xml(
                b.read(name)
            ).xpath("string(.)")


def test_chinese_text_gets_the_traditional_chinese_font(original: bytes) -> None:
    _, after = round_trip(original, prefixed)
    fonts = after.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Microsoft JhengHei"


def test_a_block_added_or_dropped_builds_a_new_file(original: bytes) -> None:
    """The blocks no longer match the file: nothing of it can be trusted to be changed."""
    document = load_bytes(original, "report.docx")
    fewer = Document(document.blocks[1:], document.title, source_format="docx")
    rebuilt = docx.Document(io.BytesIO(render_document(fewer, "docx")))
    assert rebuilt.sections[0].header.is_linked_to_previous  # not the original's header
    more = Document([*document.blocks, Block("paragraph", "Added.")], document.title)
    assert docx.Document(io.BytesIO(render_document(more, "docx"))).paragraphs[-1].text == "Added."
    moved = [replace(b, origin=None) if i == 0 else b for i, b in enumerate(document.blocks)]
    assert render_document(Document(moved, document.title), "docx")  # still a file
