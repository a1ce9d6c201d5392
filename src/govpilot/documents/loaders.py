"""Turn uploaded files (txt, md, html, docx, pdf) into Documents, checking what they really are.

The extension says what the user thinks the file is; the first bytes say what it is.
When the two disagree the user gets a CorruptDocument that names both, rather than a
parser error from deep inside a library. A .docx is measured unpacked before it is parsed
(`packages.check_package`): a zip bomb is refused as "too large when unpacked" at once.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from govpilot.documents.formats.docx import load_docx
from govpilot.documents.formats.html import load_html
from govpilot.documents.formats.markdown import load_markdown
from govpilot.documents.formats.pdf import load_pdf
from govpilot.documents.formats.text import load_text, utf16_without_bom
from govpilot.documents.model import Document
from govpilot.documents.packages import check_package
from govpilot.errors import (
    CorruptDocument,
    EmptyDocument,
    InputError,
    InputTooLarge,
    UnsupportedFileType,
)

SUPPORTED_INPUT_SUFFIXES: tuple[str, ...] = (
    ".txt",
    ".md",
    ".markdown",
    ".html",
    ".htm",
    ".docx",
    ".pdf",
)

_FORMAT_BY_SUFFIX = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}
_LOADERS: dict[str, Callable[[bytes, str], Document]] = {
    "txt": load_text,
    "md": load_markdown,
    "html": load_html,
    "docx": load_docx,
    "pdf": load_pdf,
}
_SUPPORTED_LIST = ", ".join(s for s in SUPPORTED_INPUT_SUFFIXES if s not in (".markdown", ".htm"))
# Formats people often try, with the way to get them into a supported one.
_CONVERT_HINTS = {
    ".doc": "Open it in Word and save it as .docx, then upload that.",
    ".rtf": "Open it in Word and save it as .docx, then upload that.",
    ".odt": "Save it as .docx (File > Save As), then upload that.",
    ".xls": "Spreadsheets are not supported yet; save the sheet as PDF or copy it into Word.",
    ".xlsx": "Spreadsheets are not supported yet; save the sheet as PDF or copy it into Word.",
    ".csv": "Spreadsheets are not supported yet; save the sheet as PDF or copy it into Word.",
    ".ppt": "Save the presentation as PDF, then upload that.",
    ".pptx": "Save the presentation as PDF, then upload that.",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.doc, .xls, .ppt)


def load_document(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    filename: str | None = None,
    max_bytes: int | None = None,
    max_unpacked_bytes: int | None = None,
) -> Document:
    """Load a file (a path, or its bytes plus `filename`) into a Document.

    `max_bytes` limits the file, `max_unpacked_bytes` what a .docx unpacks to (default
    `packages.DEFAULT_MAX_UNPACKED_BYTES`).
    """
    if isinstance(path_or_bytes, bytes | bytearray):
        data = bytes(path_or_bytes)
        name = filename or "upload"
        _check_size(len(data), max_bytes, name)
        source = filename
    else:
        path = Path(path_or_bytes)
        name = filename or path.name
        data = _read(path, max_bytes, name)
        source = filename or str(path)
    document = _load(data, name, max_unpacked_bytes)
    document.source = source
    return document


def load_bytes(data: bytes, filename: str, *, max_unpacked_bytes: int | None = None) -> Document:
    """Load an uploaded file's bytes; `filename` gives its declared type."""
    return load_document(data, filename=filename, max_unpacked_bytes=max_unpacked_bytes)


def _read(path: Path, max_bytes: int | None, name: str) -> bytes:
    try:
        _check_size(path.stat().st_size, max_bytes, name)
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise InputError(f"File not found: {path}", hint="Check the path and try again.") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path} is a folder.", hint="Give the path of one file.") from exc
    except PermissionError as exc:
        raise InputError(
            f"Cannot read {path}: permission denied.", hint="Check the file's permissions."
        ) from exc


def _load(data: bytes, name: str, max_unpacked_bytes: int | None) -> Document:
    suffix = Path(name).suffix.lower()
    if suffix:
        fmt = _FORMAT_BY_SUFFIX.get(suffix)
        if fmt is None:
            raise UnsupportedFileType(
                f"'{name}': files of type {suffix} are not supported.",
                hint=_CONVERT_HINTS.get(suffix, f"Upload one of: {_SUPPORTED_LIST}."),
            )
    else:
        fmt = _sniff(data)
        if fmt is None:
            raise UnsupportedFileType(
                f"Cannot tell what kind of file '{name}' is.",
                hint=f"Give it one of these extensions: {_SUPPORTED_LIST}.",
            )
    if not data.strip():
        raise EmptyDocument(f"'{name}' is empty.", hint="Check that you picked the right file.")
    _check_content_matches(data, name, fmt)
    if fmt == "docx":
        check_package(data, name, max_unpacked_bytes)
    document = _LOADERS[fmt](data, name)
    if document.is_empty:
        raise EmptyDocument(
            f"'{name}' contains no text.", hint="Check that you picked the right file."
        )
    return document


def _check_content_matches(data: bytes, name: str, fmt: str) -> None:
    actual = _describe(data)
    if fmt == "pdf" and actual == "a PDF":
        return
    if fmt == "docx" and actual in ("a Word document", "a damaged zip archive"):
        return  # a damaged package gets the Word loader's own message
    if fmt in ("txt", "md", "html") and actual in ("plain text", "an HTML page"):
        return
    extension = Path(name).suffix or f"a {fmt} file"
    if actual == "an older Office file (.doc, .xls or .ppt)" and fmt == "docx":
        raise CorruptDocument(
            f"'{name}' is an older Word .doc file renamed to .docx.",
            hint="Open it in Word and save it as .docx, then upload that.",
        )
    raise CorruptDocument(
        f"'{name}' is named {extension} but is {actual}.",
        hint="Check that you picked the right file, or give it its real extension.",
    )


def _describe(data: bytes) -> str:
    """What the bytes are, in words a user understands."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "a PDF"
    if data.startswith(b"PK\x03\x04"):
        return _describe_zip(data)
    if data.startswith(_OLE):
        return "an older Office file (.doc, .xls or .ppt)"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "an image"
    if data.startswith((b"MZ", b"\x7fELF")):
        return "a program"
    if _looks_like_html(head):
        return "an HTML page"
    if _looks_binary(head):
        return "binary data"
    return "plain text"


def _describe_zip(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError):
        return "a damaged zip archive"
    if "word/document.xml" in names:
        return "a Word document"
    if "xl/workbook.xml" in names:
        return "an Excel workbook"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    return "a zip archive"


def _looks_binary(head: bytes) -> bool:
    if b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return utf16_without_bom(head) is None


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        start.startswith(b"<") and b"<html" in start
    )


def _sniff(data: bytes) -> str | None:
    """The format of a file that has no extension, from its content."""
    described = _describe(data)
    return {
        "a PDF": "pdf",
        "a Word document": "docx",
        "an HTML page": "html",
        "plain text": "txt",
    }.get(described)


def _check_size(size: int, max_bytes: int | None, name: str) -> None:
    if max_bytes is not None and size > max_bytes:
        raise InputTooLarge(
            f"'{name}' is {_megabytes(size)} MB, over the {_megabytes(max_bytes)} MB limit.",
            hint="Split it into smaller files, or ask an administrator to raise the limit.",
        )


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    text = f"{value:.1f}" if value >= 0.1 else f"{value:.6f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
