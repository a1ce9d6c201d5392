"""PDF text layer: lines with their positions, grouped into paragraphs per page.

PDFs have no paragraphs, only positioned lines. A paragraph ends at a blank line, a
larger vertical gap than the page's usual line spacing, a change of font size, a jump
back up the page (a new column) or a list marker. Larger-than-body text becomes a
heading. Running headers, footers and page numbers are dropped.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from pypdf import PageObject, PdfReader
from pypdf.errors import DependencyError

from govpilot.documents.formats.textflow import (
    SENTENCE_ENDS,
    display_width,
    join_wrapped,
    split_list_marker,
)
from govpilot.documents.model import Block, Document
from govpilot.errors import CorruptDocument, EmptyDocument, GovpilotError, NoTextLayer

_HEADING_RATIO = 1.15  # this much larger than body text reads as a heading
_MARGIN_SHARE = 0.1  # running headers and footers sit in the top and bottom tenth of a page
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$|^第\s*\d{1,4}\s*頁.{0,8}$",
    re.IGNORECASE,
)
# Two-byte CID fonts (e.g. a CJK .ttc embedded by fpdf2) can come out of text extraction
# with a NUL before every character; control characters are never text.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PLACEHOLDER_TITLE = re.compile(r"(?:untitled|document|slide|title)\s*\d*", re.IGNORECASE)


@dataclass
class _Line:
    text: str = ""
    x: float | None = None
    y: float | None = None
    size: float = 0.0


@dataclass
class _Paragraph:
    lines: list[_Line] = field(default_factory=list)
    page: int = 1

    @property
    def first(self) -> _Line:
        return self.lines[0]


def load_pdf(data: bytes, name: str) -> Document:
    """Read the text layer of a PDF into a Document, one block per paragraph."""
    try:
        reader = _open(data, name)
        pages = [_page_lines(page) for page in reader.pages]
        margins = [_margins(page) for page in reader.pages]
        metadata_title = _metadata_title(reader)
    except GovpilotError:
        raise
    except DependencyError as exc:
        raise _needs_crypto(name) from exc
    except Exception as exc:  # damaged PDFs fail in many ways inside pypdf
        raise CorruptDocument(
            f"'{name}' is damaged and could not be read as a PDF.",
            hint="Open it in a PDF viewer, save or print a new copy to PDF and upload that.",
        ) from exc
    if not pages:
        raise EmptyDocument(f"'{name}' has no pages.", hint="Check that you picked the right file.")
    if not any(line.text.strip() for lines in pages for line in lines):
        raise NoTextLayer(
            f"'{name}' has no text layer; it looks like a scanned or image-only PDF.",
            hint="Run it through OCR first, or upload the original Word file instead.",
        )
    _drop_running_lines(pages, margins)
    paragraphs = [p for number, lines in enumerate(pages, 1) for p in _paragraphs(lines, number)]
    blocks = _blocks(paragraphs)
    headings = [b.text for b in blocks if b.kind == "heading"]
    title = metadata_title or (headings[0] if headings else None)
    return Document(blocks, title=title, source_format="pdf")


def _open(data: bytes, name: str) -> PdfReader:
    reader = PdfReader(io.BytesIO(data))
    # Many official PDFs are "encrypted" only to restrict printing or copying; those
    # open with an empty password and read normally.
    if reader.is_encrypted and not reader.decrypt(""):
        raise CorruptDocument(
            f"'{name}' is password-protected.",
            hint="Open it with its password, save an unprotected copy and upload that.",
        )
    return reader


def _needs_crypto(name: str) -> CorruptDocument:
    return CorruptDocument(
        f"'{name}' uses AES encryption, which this installation cannot decrypt.",
        hint="Save an unprotected copy of the PDF, or ask an administrator to install "
        "the 'cryptography' package.",
    )


def _page_lines(page: PageObject) -> list[_Line]:
    """The page's text lines with the position and font size where each starts."""
    lines = [_Line()]

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        for i, piece in enumerate(text.split("\n")):
            if i:
                lines.append(_Line())
            line = lines[-1]
            if piece.strip() and line.x is None:
                line.x, line.y, scale = _placement(tm, cm)
                line.size = round(abs(size * scale), 1)
            line.text += piece

    page.extract_text(visitor_text=visit)
    for line in lines:
        line.text = _CONTROL_CHARACTERS.sub("", line.text)
    return lines


def _placement(tm: list[float], cm: list[float]) -> tuple[float, float, float]:
    """Page x, y and vertical scale of text drawn with text matrix `tm` under `cm`."""
    _, _, c, d, e, f = (float(v) for v in tm)
    p, q, r, s, t, u = (float(v) for v in cm)
    # Row vector [e f 1] times cm gives the origin; the text's "up" vector (c, d) times cm
    # gives how much the font size is scaled.
    up_x, up_y = c * p + d * r, c * q + d * s
    return e * p + f * r + t, e * q + f * s + u, (up_x * up_x + up_y * up_y) ** 0.5


def _margins(page: PageObject) -> tuple[float, float]:
    """Heights below and above which a line sits in the bottom or top margin."""
    bottom, top = float(page.mediabox.bottom), float(page.mediabox.top)
    zone = (top - bottom) * _MARGIN_SHARE
    return bottom + zone, top - zone


def _drop_running_lines(pages: list[list[_Line]], margins: list[tuple[float, float]]) -> None:
    """Remove page numbers, and headers/footers repeated in the margins of most pages."""
    edges = [_edge_lines(lines, zone) for lines, zone in zip(pages, margins, strict=True)]
    counts = Counter(shape for page in edges for shape in {_shape(line.text) for line in page})
    threshold = max(3, len(pages) * 6 // 10) if len(pages) >= 3 else None
    for lines, page_edges in zip(pages, edges, strict=True):
        for line in page_edges:
            repeated = threshold is not None and counts[_shape(line.text)] >= threshold
            if repeated or _PAGE_NUMBER.match(line.text.strip()):
                lines.remove(line)


def _edge_lines(lines: list[_Line], zone: tuple[float, float]) -> list[_Line]:
    """The first and last two lines of a page, where they sit in its top or bottom margin."""
    texts = [line for line in lines if line.text.strip()]
    edges = {id(line): line for line in texts[:2] + texts[-2:]}.values()
    low, high = zone
    return [line for line in edges if line.y is not None and not low < line.y < high]


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()))


def _paragraphs(lines: list[_Line], page: int) -> list[_Paragraph]:
    gaps = [
        a.y - b.y
        for a, b in itertools.pairwise(lines)
        if a.y is not None and b.y is not None and 0 < a.y - b.y < 3 * max(a.size, 1)
    ]
    # Lines inside a paragraph are the most tightly spaced, so the lower quartile of the
    # gaps is the line spacing even on a page of many short paragraphs.
    spacing = sorted(gaps)[len(gaps) // 4] if gaps else None
    widest = max((display_width(line.text.strip()) for line in lines), default=0)
    paragraphs: list[_Paragraph] = []
    current: _Paragraph | None = None
    for line in lines:
        if not line.text.strip():
            current = None
            continue
        if current is None or _breaks(current, line, spacing, widest):
            current = _Paragraph([line], page)
            paragraphs.append(current)
        else:
            current.lines.append(line)
    return paragraphs


def _breaks(paragraph: _Paragraph, line: _Line, spacing: float | None, widest: int) -> bool:
    """Does `line` start a new paragraph rather than continue `paragraph`?"""
    previous = paragraph.lines[-1]
    if split_list_marker(line.text) is not None:
        return True
    size = max(previous.size, line.size, 1.0)
    if abs(previous.size - line.size) > 0.15 * size:
        return True
    if previous.y is None or line.y is None:
        return False
    gap = previous.y - line.y
    if abs(gap) < 0.5 * size:  # same baseline, give or take a superscript
        return False
    if gap < 0:  # moved back up the page: a new column or text box
        return True
    if gap > (spacing * 1.4 if spacing else size * 1.8):
        return True
    first = paragraph.first
    if split_list_marker(first.text) is not None:
        # A line back at (or left of) the bullet ends the list item.
        return first.x is not None and line.x is not None and line.x <= first.x + 1
    # Without extra spacing, a paragraph still shows its end: a sentence that stops short
    # of the margin, or the next line's first-line indent.
    ended = previous.text.rstrip()[-1:] in SENTENCE_ENDS
    stopped_short = display_width(previous.text.strip()) < 0.75 * widest
    indented = previous.x is not None and line.x is not None and line.x > previous.x + size
    return ended and (indented or (stopped_short and not line.text.lstrip()[:1].islower()))


def _blocks(paragraphs: list[_Paragraph]) -> list[Block]:
    body = _body_size(paragraphs)
    heading_sizes = sorted(
        {round(p.first.size) for p in paragraphs if _is_heading(p, body)}, reverse=True
    )
    blocks: list[Block] = []
    list_xs: list[float] = []  # x positions of the list items in the current run
    for paragraph in paragraphs:
        texts = [line.text for line in paragraph.lines]
        # Headings come first: "1. Introduction" in large type is a numbered heading.
        heading = _is_heading(paragraph, body)
        marker = None if heading else split_list_marker(texts[0])
        if marker is None:
            list_xs = []
            if heading:
                level = min(heading_sizes.index(round(paragraph.first.size)) + 1, 6)
                blocks.append(
                    Block("heading", join_wrapped(texts), level=level, page=paragraph.page)
                )
            else:
                blocks.append(Block("paragraph", join_wrapped(texts), page=paragraph.page))
            continue
        level = _list_level(list_xs, paragraph.first.x)
        text = join_wrapped([marker.text, *texts[1:]])
        blocks.append(
            Block("list_item", text, level=level, ordered=marker.ordered, page=paragraph.page)
        )
    return blocks


def _list_level(list_xs: list[float], x: float | None) -> int:
    """Nesting from indentation: items further right than earlier ones in the run nest."""
    if x is None:
        return 0
    # Forget deeper positions once an item goes back left (that list has ended).
    while list_xs and list_xs[-1] > x + 3:
        list_xs.pop()
    if not list_xs or x > list_xs[-1] + 3:
        list_xs.append(x)
    return len(list_xs) - 1


def _body_size(paragraphs: list[_Paragraph]) -> float:
    chars: Counter[float] = Counter()
    for paragraph in paragraphs:
        for line in paragraph.lines:
            chars[round(line.size)] += len(line.text.strip())
    return chars.most_common(1)[0][0] if chars else 0.0


def _is_heading(paragraph: _Paragraph, body: float) -> bool:
    text_length = sum(len(line.text.strip()) for line in paragraph.lines)
    large = body > 0 and paragraph.first.size >= body * _HEADING_RATIO
    return large and len(paragraph.lines) <= 3 and text_length <= 200


def _metadata_title(reader: PdfReader) -> str | None:
    """The title in the PDF's metadata, unless it is a file name or a placeholder."""
    metadata = reader.metadata
    title = str(metadata.title or "").strip() if metadata else ""
    title = re.sub(r"^microsoft (?:word|powerpoint|excel) - ", "", title, flags=re.IGNORECASE)
    title = re.sub(r"\.(?:docx?|pdf|pptx?|rtf)$", "", title, flags=re.IGNORECASE).strip()
    return title if title and not _PLACEHOLDER_TITLE.fullmatch(title) else None
