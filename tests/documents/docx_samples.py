"""Government-style Word files built in the test, with everything a real one has: heading
and body styles, bulleted and numbered lists, a table with merged cells, a header and a
footer with a page field, a hyperlink, an inline picture and a footnote."""

from __future__ import annotations

import io
import struct
import zlib

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches
from docx.text.paragraph import Paragraph

LINK = "https://www.housingauthority.gov.hk/en/index.html"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def tiny_png() -> bytes:
    """A 2x2 red PNG."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def add_hyperlink(paragraph: Paragraph, text: str, url: str) -> None:
    """An external hyperlink run, as Word writes one."""
    rel_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    props.append(style)
    run.append(props)
    node = OxmlElement("w:t")
    node.text = text
    run.append(node)
    link.append(run)
    paragraph._p.append(link)


def add_footnote(word: docx.document.Document, paragraph: Paragraph, text: str) -> None:
    """A footnote (python-docx has no API for them): the part by hand, and its reference."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{_W}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        "</w:footnote>"
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>"
        '<w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
        '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
        f'<w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote></w:footnotes>'
    ).encode()
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml, word.part.package)
    word.part.relate_to(part, RT.FOOTNOTES)
    run = OxmlElement("w:r")
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), "1")
    run.append(reference)
    paragraph._p.append(run)


def add_page_field(paragraph: Paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    node = OxmlElement("w:t")
    node.text = "1"
    run.append(node)
    field.append(run)
    paragraph._p.append(field)


def government_report() -> bytes:
    """A Housing Department report: every kind of structure a round trip must keep."""
    word = docx.Document()
    word.core_properties.title = "Public Housing Annual Report"
    word.core_properties.author = "Chan Tai Man"
    section = word.sections[0]
    section.header.paragraphs[0].text = "RESTRICTED - Housing Department"
    footer = section.footer.paragraphs[0]
    footer.text = "Page "
    add_page_field(footer)

    word.add_heading("Public Housing Annual Report", level=1)  # first: must not become Title
    intro = word.add_paragraph("The Authority completed ")
    intro.add_run("12,500 flats").bold = True
    intro.add_run(" in the year, an ")
    intro.add_run("increase").italic = True
    intro.add_run(" on the year before.")
    add_footnote(word, intro, "Figures as at 31 March 2024.")
    word.add_heading("Key measures", level=2)
    word.add_paragraph("Speed up the flat production", style="List Bullet")
    word.add_paragraph("Light public housing in Tuen Mun", style="List Bullet 2")
    word.add_paragraph("Review the waiting list", style="List Number")
    word.add_paragraph("Report to the Legislative Council", style="List Number")
    table = word.add_table(rows=3, cols=3)
    table.style = word.styles["Table Grid"]
    table.cell(0, 0).merge(table.cell(0, 1)).text = "District and estate"
    table.cell(0, 2).text = "Flats"
    for row, values in enumerate(
        (("Kwun Tong", "On Tat", "2,000"), ("Sha Tin", "Shek Mun", "900"))
    ):
        for column, value in enumerate(values):
            table.cell(row + 1, column).text = value
    linked = word.add_paragraph("Details are on ")
    add_hyperlink(linked, "the Housing Authority website", LINK)
    linked.add_run(".")
    word.add_paragraph().add_run().add_picture(io.BytesIO(tiny_png()), width=Inches(0.5))
    word.add_paragraph("Enquiries: 2712 2712.", style="Normal")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
