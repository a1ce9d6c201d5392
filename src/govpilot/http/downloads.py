"""Files sent back: the output formats govpilot writes, and attachments whose names
survive non-ASCII characters."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, Literal
from urllib.parse import quote

from fastapi import Response

from govpilot.documents import render_document
from govpilot.documents.model import Document

OutputFormat = Literal["docx", "md", "txt"]
OUTPUT_FORMATS: tuple[str, ...] = ("docx", "md", "txt")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}
#: The OpenAPI `responses` entry of a route answering with a file.
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, as an attachment",
        "content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()},
    }
}
_FORMAT_BY_SUFFIX: dict[str, OutputFormat] = {
    ".docx": "docx",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
}


def default_output_format(filename: str) -> OutputFormat:
    """The input's own format when govpilot can write it, else Word."""
    return _FORMAT_BY_SUFFIX.get(PurePosixPath(filename).suffix.lower(), "docx")


def document_download(
    document: Document, filename: str, fmt: str, *, headers: dict[str, str] | None = None
) -> Response:
    """The document rendered in `fmt` as a file download."""
    return file_response(render_document(document, fmt), filename, fmt, headers or {})


def file_response(data: bytes, filename: str, fmt: str, headers: dict[str, str]) -> Response:
    """Bytes as an attachment in one of the output formats."""
    return attachment(data, filename, MEDIA_TYPES[fmt], headers)


def attachment(
    data: bytes, filename: str, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    """Bytes as an attachment, with a filename that survives non-ASCII names."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename
    )
    disposition = f'attachment; filename="{fallback}"'
    if fallback != filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": disposition, **(headers or {})},
    )
