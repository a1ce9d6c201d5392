"""Fixture builders for document tests: every file is made in the test, none is checked in."""

from __future__ import annotations

from collections.abc import Callable

import pytest

# (x, y, font size, text) in PDF points, y measured up from the bottom of an A4 page.
PdfLine = tuple[float, float, float, str]


def build_positioned_pdf(pages: list[list[PdfLine]]) -> bytes:
    """A PDF with text (Chinese included) at exact positions, without a CJK font file.

    Text is shown through a Type0 font with Identity-H encoding where each 2-byte code is
    the character's own code point, plus a ToUnicode map saying so. Extraction only needs
    the map, so no glyphs have to be embedded (viewers would show boxes; pypdf reads text).
    """
    chars = sorted({c for page in pages for *_, text in page for c in text})
    bfchar = "\n".join(f"<{ord(c):04X}> <{ord(c):04X}>" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(chars)} beginbfchar\n{bfchar}\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
    objects: dict[int, bytes] = {}
    page_ids = [10 + 2 * i for i in range(len(pages))]
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode()
    objects[3] = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /PMingLiU /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>"
    )
    objects[4] = (
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /PMingLiU /DW 1000 "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>"
    )
    objects[5] = _stream(cmap.encode())
    for pid, lines in zip(page_ids, pages, strict=True):
        ops = []
        for x, y, size, text in lines:
            hexed = "".join(f"{ord(c):04X}" for c in text)
            ops.append(f"BT /F1 {size} Tf 1 0 0 1 {x} {y} Tm <{hexed}> Tj ET")
        objects[pid + 1] = _stream("\n".join(ops).encode())
        objects[pid] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {pid + 1} 0 R >>"
        ).encode()
    return _assemble(objects)


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _assemble(objects: dict[int, bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        if number in offsets:
            out += b"%010d 00000 n \n" % offsets[number]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


@pytest.fixture
def positioned_pdf() -> Callable[[list[list[PdfLine]]], bytes]:
    """Builds a PDF from lines placed at given positions and sizes, one list per page."""
    return build_positioned_pdf
