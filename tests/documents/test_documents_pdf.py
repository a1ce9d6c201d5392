"""PDF text-layer loading: pages, paragraphs, encryption, scans and damage."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from govpilot.documents import load_bytes
from govpilot.errors import CorruptDocument, NoTextLayer

LONG = (
    "This is the first paragraph of the report. It is long enough to wrap across several "
    "lines in the PDF, so the loader has to join the hard-wrapped lines back together."
)


def new_pdf() -> FPDF:
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=20)
    return pdf


def write(pdf: FPDF, text: str, size: float = 11, gap: float = 0) -> None:
    pdf.set_font("Helvetica", size=size)
    pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
    if gap:
        pdf.ln(gap)


def two_page_pdf() -> bytes:
    pdf = new_pdf()
    pdf.add_page()
    write(pdf, "Annual Report 2024", size=20, gap=4)
    write(pdf, LONG, gap=6)
    write(pdf, "Second paragraph, also on the first page.", gap=6)
    write(pdf, "- first item")
    write(pdf, "- second item")
    pdf.add_page()
    write(pdf, "Next Steps", size=16, gap=4)
    write(pdf, "Text on page two.")
    return bytes(pdf.output())


def test_pdf_paragraphs_with_page_numbers():
    doc = load_bytes(two_page_pdf(), "report.pdf")
    assert doc.source_format == "pdf"
    assert [(b.kind, b.level, b.page) for b in doc.blocks] == [
        ("heading", 1, 1),
        ("paragraph", 0, 1),
        ("paragraph", 0, 1),
        ("list_item", 0, 1),
        ("list_item", 0, 1),
        ("heading", 2, 2),
        ("paragraph", 0, 2),
    ]
    assert doc.blocks[1].text == LONG  # wrapped lines joined with single spaces
    assert [b.text for b in doc.blocks[3:5]] == ["first item", "second item"]
    assert doc.title == "Annual Report 2024"


def test_pdf_metadata_title_wins_unless_placeholder():
    pdf = new_pdf()
    pdf.set_title("Microsoft Word - Budget Speech.docx")
    pdf.add_page()
    write(pdf, "Body only.")
    assert load_bytes(bytes(pdf.output()), "b.pdf").title == "Budget Speech"


def test_pdf_running_headers_and_page_numbers_are_dropped():
    pdf = new_pdf()
    pdf.set_auto_page_break(False)
    for number in range(1, 5):
        pdf.add_page()
        write(pdf, "RESTRICTED - Housing Department", size=9)
        pdf.set_y(40)
        write(pdf, f"Content of page {number} which is the real text.")
        pdf.set_y(-15)
        write(pdf, f"- {number} -", size=9)
    doc = load_bytes(bytes(pdf.output()), "running.pdf")
    assert [b.text for b in doc.blocks] == [
        f"Content of page {n} which is the real text." for n in range(1, 5)
    ]


def test_chinese_pdf_lines_join_without_spaces(positioned_pdf):
    data = positioned_pdf(
        [
            [
                (72, 760, 20, "年度報告"),
                (72, 720, 12, "香港特別行政區政府致力"),
                (72, 704, 12, "推動數碼政策，並與 AI"),
                (72, 688, 12, "Lab 合作。"),
                (72, 650, 12, "一、第一項"),
                (72, 634, 12, "二、第二項"),
            ],
            [(72, 760, 12, "第二頁內容。")],
        ]
    )
    doc = load_bytes(data, "zh.pdf")
    assert [(b.kind, b.text, b.page) for b in doc.blocks] == [
        ("heading", "年度報告", 1),
        ("paragraph", "香港特別行政區政府致力推動數碼政策，並與 AI Lab 合作。", 1),
        ("list_item", "第一項", 1),
        ("list_item", "第二項", 1),
        ("paragraph", "第二頁內容。", 2),
    ]


def test_pdf_paragraphs_without_extra_spacing(positioned_pdf):
    wide = "x" * 60
    data = positioned_pdf(
        [
            [
                (72, 760, 18, "1. Introduction"),
                (72, 730, 12, f"First paragraph {wide}"),
                (72, 716, 12, "ends short."),
                (72, 702, 12, f"Second paragraph {wide}"),
                (72, 688, 12, f"still the second {wide}"),
                (72, 674, 12, f"and it ends here. {wide}."),
                (96, 660, 12, f"Indented third paragraph {wide}"),
                (72, 646, 12, "with its end."),
                (300, 760, 12, "Second column starts higher up."),
            ]
        ]
    )
    doc = load_bytes(data, "flat.pdf")
    assert [(b.kind, b.text.replace(wide, "~")) for b in doc.blocks] == [
        ("heading", "1. Introduction"),
        ("paragraph", "First paragraph ~ ends short."),
        ("paragraph", "Second paragraph ~ still the second ~ and it ends here. ~."),
        ("paragraph", "Indented third paragraph ~ with its end."),
        ("paragraph", "Second column starts higher up."),
    ]


def test_chinese_pdf_with_real_font():
    fonts = [
        p
        for pattern in ("*CJK*", "*wqy*", "*ming*", "*Hei*", "*Han*")
        for p in Path("/usr/share/fonts").rglob(pattern)
        if p.suffix.lower() in (".ttf", ".otf", ".ttc")
    ]
    if not fonts:
        pytest.skip(
            "no CJK font installed; test_chinese_pdf_lines_join_without_spaces covers the logic"
        )
    pdf = new_pdf()
    pdf.add_font("cjk", fname=str(fonts[0]))
    pdf.add_page()
    pdf.set_font("cjk", size=12)
    pdf.multi_cell(0, 7, "香港特別行政區政府" * 8)
    assert load_bytes(bytes(pdf.output()), "zh.pdf").text == "香港特別行政區政府" * 8


def encrypted(data: bytes, user: str, algorithm: str = "RC4-128") -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password=user, owner_password="owner-secret", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_password_protected_pdf():
    with pytest.raises(CorruptDocument, match="password-protected") as caught:
        load_bytes(encrypted(two_page_pdf(), "secret"), "locked.pdf")
    assert "unprotected copy" in (caught.value.hint or "")


def test_pdf_restricted_with_empty_user_password_opens():
    doc = load_bytes(encrypted(two_page_pdf(), ""), "restricted.pdf")
    assert doc.blocks[0].text == "Annual Report 2024"


def test_aes_pdf_with_empty_user_password_opens():
    pytest.importorskip("cryptography")
    doc = load_bytes(encrypted(two_page_pdf(), "", "AES-128"), "aes.pdf")
    assert doc.blocks[0].text == "Annual Report 2024"


def test_truncated_pdf_is_corrupt():
    data = two_page_pdf()
    with pytest.raises(CorruptDocument, match="damaged"):
        load_bytes(data[: len(data) // 3], "cut.pdf")


def test_text_file_named_pdf():
    with pytest.raises(CorruptDocument, match=r"named \.pdf but is plain text"):
        load_bytes(b"Meeting notes\n\nNothing PDF about this.", "notes.pdf")


def test_blank_pdf_has_no_text_layer():
    pdf = new_pdf()
    pdf.add_page()
    pdf.add_page()
    with pytest.raises(NoTextLayer, match="scanned") as caught:
        load_bytes(bytes(pdf.output()), "blank.pdf")
    assert "OCR" in (caught.value.hint or "")


def test_image_only_pdf_has_no_text_layer():
    image = pytest.importorskip("PIL.Image")
    pdf = new_pdf()
    pdf.add_page()
    pdf.image(image.new("RGB", (200, 100), "white"), x=10, y=10, w=100)
    with pytest.raises(NoTextLayer):
        load_bytes(bytes(pdf.output()), "scan.pdf")


def test_pdf_reads_same_as_pypdf_text():
    # Nothing the text layer holds is lost, only regrouped (the running-line rule needs
    # three pages, so a two-page file keeps everything).
    data = two_page_pdf()
    raw = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    loaded = " ".join(b.text for b in load_bytes(data, "r.pdf").blocks)
    assert raw.replace("- ", "").split() == loaded.split()
