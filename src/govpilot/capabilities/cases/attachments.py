"""What may come with a case: documents (their text is read) and photos (checked).

Documents go through the same loaders as the copilot (.txt, .md, .html, .docx, .pdf),
with the same zip-bomb limit; a scanned PDF without a text layer is kept with no text.
A photo (.jpg, .png, .webp, .gif, .bmp, .tif) must open as an image; it is kept as it
came, for the officer, and not read by OCR at intake (that would hold the citizen's form
for seconds). Any other type, or a file whose content does not match its name, is
refused with the types allowed, and nothing of the case is stored.
"""

from __future__ import annotations

import io
from pathlib import PurePath

from govpilot.documents.loaders import SUPPORTED_INPUT_SUFFIXES, load_bytes
from govpilot.errors import CorruptDocument, EmptyDocument, NoTextLayer, UnsupportedFileType

__all__ = ["ATTACHMENT_SUFFIXES", "PHOTO_SUFFIXES", "AttachmentReader"]

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff")
ATTACHMENT_SUFFIXES = (*SUPPORTED_INPUT_SUFFIXES, *PHOTO_SUFFIXES)


class AttachmentReader:
    """Reads an attachment's text (a photo's is ""); refuses what it cannot take."""

    def __init__(self, max_unpacked_bytes: int) -> None:
        self.max_unpacked_bytes = max_unpacked_bytes

    def __call__(self, filename: str, data: bytes) -> str:
        name = PurePath(filename or "attachment").name
        suffix = PurePath(name).suffix.lower()
        if suffix in PHOTO_SUFFIXES:
            _check_photo(data, name)
            return ""
        if suffix not in SUPPORTED_INPUT_SUFFIXES:
            allowed = ", ".join(s for s in ATTACHMENT_SUFFIXES if s not in (".markdown", ".htm"))
            raise UnsupportedFileType(
                f"{name!r} cannot be attached", hint=f"attach one of: {allowed}"
            )
        try:
            return load_bytes(data, name, max_unpacked_bytes=self.max_unpacked_bytes).text
        except (NoTextLayer, EmptyDocument):
            return ""


def _check_photo(data: bytes, name: str) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise CorruptDocument(
            f"{name!r} is not a photo this desk can open", hint="attach it as .jpg or .png"
        ) from exc
