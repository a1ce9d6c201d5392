"""Scanned PDFs and images through OCR (RapidOCR's PP-OCR models, shipped inside its wheel).

The engine gives text lines with boxes. Boxes on one baseline and close together become one
line; lines become paragraphs where the gap to the next line is small and the text size the
same; a short run of clearly larger text is a heading; a line starting with a bullet or
number is a list item. The recogniser reads Chinese as either script, so every line is
converted to Hong Kong Traditional (characters already Traditional are left alone).
Scanned PDF pages are rendered with PDFium (`pypdfium2`) first; pypdf cannot draw pages.
"""

from __future__ import annotations

import io
import re
import statistics
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from govpilot.documents.formats.textflow import is_cjk, join_wrapped, split_list_marker
from govpilot.documents.model import Block, Document
from govpilot.errors import CorruptDocument, EmptyDocument, UnsupportedFileType
from govpilot.language import to_hk_traditional

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "IMAGE_SUFFIXES",
    "OcrEngine",
    "OcrLine",
    "RapidOcrEngine",
    "lines_to_blocks",
    "ocr_image",
    "ocr_pdf",
]

IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
#: Pages are rendered at this resolution: enough for 9-point text, small enough to be quick.
RENDER_DPI = 200
_MIN_SCORE = 0.5
_GOOD_LINE_PX = 40  # line height at which the recogniser keeps English word spaces
_MAX_SIDE = 4000
_HEADING_RATIO = 1.2  # boxes are padded, so 1.5x larger type gives boxes about 1.3x taller
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?$|^第\s*\d{1,4}\s*頁$", re.I)


@dataclass(frozen=True)
class OcrLine:
    """One recognised piece of text and its box in pixels (top-left origin)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    score: float = 1.0

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


class OcrEngine(Protocol):
    """Reads the text lines of one page image."""

    def read_lines(self, image: Image) -> list[OcrLine]:
        """The text lines found in `image`, in any order."""
        ...


class RapidOcrEngine:
    """RapidOCR on ONNX Runtime: models load on first use, once per process; thread-safe."""

    def __init__(self, *, min_score: float = _MIN_SCORE) -> None:
        self.min_score = min_score
        self._engine: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise UnsupportedFileType(
                    "Reading scanned documents and images needs OCR, which is not installed.",
                    hint="pip install rapidocr-onnxruntime pypdfium2",
                ) from exc
            # Upscaled images must not be shrunk back to RapidOCR's default 2000 px.
            self._engine = RapidOCR(max_side_len=_MAX_SIDE)
        return self._engine

    def read_lines(self, image: Image) -> list[OcrLine]:
        """The text lines RapidOCR finds in `image` with at least `min_score` confidence.

        The recogniser drops the spaces between English words in small print (lines under
        about 30 px), so an image whose text came out that small is read again enlarged.
        """
        image = image.convert("RGB")
        lines = self._read(image, 1.0)
        if not lines:
            return lines
        height = statistics.median(line.height for line in lines)
        factor = min(_GOOD_LINE_PX / height, _MAX_SIDE / max(image.size), 3.0)
        if factor < 1.2:
            return lines
        size = (round(image.width * factor), round(image.height * factor))
        return self._read(image.resize(size, _lanczos()), factor)

    def _read(self, image: Image, factor: float) -> list[OcrLine]:
        with self._lock:  # one ONNX session set; it already uses every core
            result, _ = self._load()(image)
        lines = []
        for box, text, score in result or []:
            xs = [float(point[0]) / factor for point in box]
            ys = [float(point[1]) / factor for point in box]
            if str(text).strip() and float(score) >= self.min_score:
                lines.append(OcrLine(str(text), min(xs), min(ys), max(xs), max(ys), float(score)))
        return lines


def _lanczos() -> Any:
    from PIL import Image as PILImage

    return PILImage.Resampling.LANCZOS


def ocr_image(data: bytes, name: str, engine: OcrEngine) -> Document:
    """The text of an image file (every frame of a multi-page TIFF) as a Document."""
    try:
        from PIL import Image as PILImage
        from PIL import ImageSequence, UnidentifiedImageError
    except ImportError as exc:
        raise UnsupportedFileType(
            f"'{name}': reading images needs the 'pillow' package.", hint="pip install pillow"
        ) from exc
    try:
        picture = PILImage.open(io.BytesIO(data))
        frames = [frame.copy() for frame in ImageSequence.Iterator(picture)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise CorruptDocument(
            f"'{name}' is not an image govpilot can read.",
            hint="Save it as PNG or JPEG and try again.",
        ) from exc
    several = len(frames) > 1
    return _document(
        ((number if several else None, frame) for number, frame in enumerate(frames, 1)),
        name,
        engine,
        "image",
    )


def ocr_pdf(data: bytes, name: str, engine: OcrEngine, *, dpi: int = RENDER_DPI) -> Document:
    """The text of a scanned (image-only) PDF, page by page, as a Document."""
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:
        raise UnsupportedFileType(
            f"'{name}' is a scanned PDF; reading it needs the 'pypdfium2' package.",
            hint="pip install pypdfium2, or upload the original Word file instead.",
        ) from exc
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise CorruptDocument(
            f"'{name}' could not be opened to read its scanned pages.",
            hint="Remove any password, or print it to a new PDF and upload that.",
        ) from exc

    def pages() -> Iterator[tuple[int | None, Image]]:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                yield index + 1, page.render(scale=dpi / 72).to_pil()
            finally:
                page.close()

    try:
        return _document(pages(), name, engine, "pdf-ocr")
    finally:
        pdf.close()


def _document(
    pages: Iterable[tuple[int | None, Image]], name: str, engine: OcrEngine, source_format: str
) -> Document:
    blocks: list[Block] = []
    for number, image in pages:
        blocks.extend(lines_to_blocks(engine.read_lines(image), page=number, height=image.height))
    if not blocks:
        raise EmptyDocument(
            f"No text was found in '{name}'.",
            hint="Check the scan is the right way up and readable; 200 dpi or more works best.",
        )
    headings = [b.text for b in blocks if b.kind == "heading"]
    return Document(blocks, title=headings[0] if headings else None, source_format=source_format)


def lines_to_blocks(
    lines: Iterable[OcrLine], *, page: int | None = None, height: float | None = None
) -> list[Block]:
    """Paragraphs, headings and list items from OCR lines, in reading order."""
    rows = _rows(lines)
    if height:
        rows = [row for row in rows if not _is_page_furniture(row, height)]
    if not rows:
        return []
    # Most of a page's characters are body text: weight by length so headings don't count.
    body = statistics.median_low([row.height for row in rows for _ in row.text])
    paragraphs: list[list[OcrLine]] = []
    for row in rows:
        if paragraphs and _continues(paragraphs[-1], row, body):
            paragraphs[-1].append(row)
        else:
            paragraphs.append([row])
    blocks = []
    for paragraph in paragraphs:
        text = to_hk_traditional(join_wrapped(row.text for row in paragraph))
        size = statistics.median(row.height for row in paragraph)
        marker = split_list_marker(text)
        if size >= body * _HEADING_RATIO and len(paragraph) <= 2 and len(text) <= 150:
            level = 1 if size >= body * 1.5 else 2
            blocks.append(Block("heading", text, level=level, page=page))
        elif marker is not None:
            blocks.append(Block("list_item", marker.text, ordered=marker.ordered, page=page))
        else:
            blocks.append(Block("paragraph", text, page=page))
    return blocks


def _rows(lines: Iterable[OcrLine]) -> list[OcrLine]:
    """Boxes on the same baseline and close together merged into one line, top to bottom."""
    ordered = sorted((line for line in lines if line.text.strip()), key=lambda x: (x.top, x.left))
    rows: list[OcrLine] = []
    for line in ordered:
        for index, row in enumerate(rows):
            same_line = abs(row.middle - line.middle) < 0.5 * min(row.height, line.height)
            near = -row.height < line.left - row.right < 2.5 * max(row.height, line.height)
            if same_line and near:
                rows[index] = _merge(row, line)
                break
        else:
            rows.append(line)
    return sorted(rows, key=lambda row: (row.top, row.left))


def _merge(a: OcrLine, b: OcrLine) -> OcrLine:
    left, right = (a, b) if a.left <= b.left else (b, a)
    cjk = bool(left.text and right.text) and is_cjk(left.text[-1]) and is_cjk(right.text[0])
    joiner = "" if cjk else " "
    return OcrLine(
        left.text.rstrip() + joiner + right.text.lstrip(),
        min(a.left, b.left),
        min(a.top, b.top),
        max(a.right, b.right),
        max(a.bottom, b.bottom),
        min(a.score, b.score),
    )


def _continues(paragraph: list[OcrLine], row: OcrLine, body: float) -> bool:
    """Does `row` carry on the paragraph above it (close below it, same size, aligned)?"""
    previous = paragraph[-1]
    size = max(previous.height, row.height)
    if abs(previous.height - row.height) > 0.25 * size:
        return False
    if split_list_marker(row.text) is not None:
        return False
    gap = row.top - previous.bottom
    if gap < -0.5 * size or gap > 0.8 * min(previous.height, row.height, body * 1.5):
        return False
    return abs(row.left - paragraph[0].left) < 3 * size or row.left > paragraph[0].left


def _is_page_furniture(row: OcrLine, page_height: float) -> bool:
    """A bare page number in the top or bottom margin."""
    in_margin = row.bottom < page_height * 0.08 or row.top > page_height * 0.92
    return in_margin and bool(_PAGE_NUMBER.match(row.text.strip()))
