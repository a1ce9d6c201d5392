"""Read one file for a knowledge collection: pick the loader by type, then cut it into chunks.

Documents go through the foundation's loaders (txt, md, html, docx, pdf); a PDF without a
text layer and image files go through OCR; spreadsheets are FAQ lists (or plain tables).
A saved web page keeps its canonical URL (`<link rel=canonical>` or `og:url`) for citations.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from govpilot.documents import SUPPORTED_INPUT_SUFFIXES, Document, load_bytes
from govpilot.errors import NoTextLayer, UnsupportedFileType
from govpilot.knowledge.chunking import ChunkDraft, chunk_document, chunk_faq
from govpilot.knowledge.faq import SPREADSHEET_SUFFIXES, load_spreadsheet
from govpilot.knowledge.ocr import IMAGE_SUFFIXES, OcrEngine, ocr_image, ocr_pdf

__all__ = ["KNOWLEDGE_SUFFIXES", "ParsedSource", "canonical_url", "parse_source"]

#: Every file type a collection accepts.
KNOWLEDGE_SUFFIXES: tuple[str, ...] = (
    *SUPPORTED_INPUT_SUFFIXES,
    *IMAGE_SUFFIXES,
    *SPREADSHEET_SUFFIXES,
)
_HTML = (".html", ".htm")


@dataclass
class ParsedSource:
    """A file read for indexing: its kind, title, URL and chunk drafts."""

    kind: str
    title: str
    url: str | None = None
    drafts: list[ChunkDraft] = field(default_factory=list)


def parse_source(
    data: bytes,
    name: str,
    *,
    ocr: OcrEngine | None,
    max_chars: int = 800,
    max_unpacked_bytes: int | None = None,
) -> ParsedSource:
    """Load `data` (named `name`, which gives its type) and chunk it.

    Raises the foundation's InputErrors (unsupported, corrupt, empty) for files that cannot
    be indexed; callers report them per file.
    """
    suffix = Path(name).suffix.lower()
    stem = Path(name).stem
    if suffix in SPREADSHEET_SUFFIXES:
        sheet = load_spreadsheet(data, name, max_unpacked_bytes=max_unpacked_bytes)
        drafts = chunk_faq(sheet.entries, max_chars) + chunk_document(sheet.tables, max_chars)
        kind = "faq" if sheet.entries else "table"
        return ParsedSource(kind, stem, None, drafts)
    if suffix in IMAGE_SUFFIXES:
        document = ocr_image(data, name, _need(ocr, name))
        return _parsed("image", document, stem, None, max_chars)
    if suffix not in SUPPORTED_INPUT_SUFFIXES and suffix:
        raise UnsupportedFileType(
            f"'{name}': files of type {suffix} are not supported in a collection.",
            hint=f"Use one of: {', '.join(KNOWLEDGE_SUFFIXES)}.",
        )
    try:
        document = load_bytes(data, name, max_unpacked_bytes=max_unpacked_bytes)
    except NoTextLayer:
        document = ocr_pdf(data, name, _need(ocr, name))
        return _parsed("pdf-ocr", document, stem, None, max_chars)
    url = canonical_url(data) if suffix in _HTML or document.source_format == "html" else None
    return _parsed(document.source_format or suffix.lstrip("."), document, stem, url, max_chars)


def _parsed(
    kind: str, document: Document, stem: str, url: str | None, max_chars: int
) -> ParsedSource:
    title = (document.title or "").strip() or stem
    return ParsedSource(kind, title, url, chunk_document(document, max_chars))


def _need(ocr: OcrEngine | None, name: str) -> OcrEngine:
    if ocr is None:
        raise UnsupportedFileType(
            f"'{name}' needs OCR (a scan or an image), which is turned off here.",
            hint="Install rapidocr-onnxruntime and pypdfium2, or ingest the original document.",
        )
    return ocr


def canonical_url(data: bytes) -> str | None:
    """The page's own address: `<link rel="canonical">`, else `<meta property="og:url">`."""
    head = data[:200_000]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(head, "lxml")
    for link in soup.find_all("link", href=True):
        rel: Any = link.get("rel") or []
        rels = rel if isinstance(rel, list) else str(rel).split()
        if "canonical" in [str(r).lower() for r in rels]:
            href = str(link["href"]).strip()
            if href.startswith(("http://", "https://")):
                return href
    for meta in soup.find_all("meta", content=True):
        if str(meta.get("property") or meta.get("name") or "").lower() == "og:url":
            content = str(meta["content"]).strip()
            if content.startswith(("http://", "https://")):
                return content
    return None
