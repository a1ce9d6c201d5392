"""Write Documents as .docx, .md or .txt, to bytes (for downloads) or atomically to disk."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from govpilot.documents.formats.docx_writer import render_docx
from govpilot.documents.formats.markdown import render_markdown
from govpilot.documents.formats.text import render_text
from govpilot.documents.model import Document
from govpilot.errors import InputError, UnsupportedFileType

SUPPORTED_OUTPUT_SUFFIXES: tuple[str, ...] = (".docx", ".md", ".txt")

_RENDERERS: dict[str, Callable[[Document], bytes]] = {
    "docx": render_docx,
    "md": lambda doc: render_markdown(doc).encode("utf-8"),
    "txt": lambda doc: render_text(doc).encode("utf-8"),
}
_ALIASES = {"markdown": "md", "text": "txt", "word": "docx"}


def output_filename(filename: str, tag: str, fmt: str) -> str:
    """The name of a file made from `filename`: `report.docx` translated to Chinese as
    Markdown -> `report.zh-Hant.md`."""
    stem = PurePosixPath(filename).stem or "document"
    return f"{stem}.{tag}.{fmt}"


def render_document(doc: Document, fmt: str) -> bytes:
    """The document as the bytes of a file in `fmt` ('docx', 'md' or 'txt')."""
    return _RENDERERS[_normalise_format(fmt)](doc)


def write_document(doc: Document, path: Path, *, fmt: str | None = None) -> None:
    """Write the document to `path` in `fmt` (default: from the extension), atomically."""
    path = Path(path)
    data = render_document(doc, fmt if fmt is not None else path.suffix)
    _write_atomically(path, data)


def check_output_path(path: Path) -> None:
    """Fail before any work is done when `path` cannot be written (format or folder)."""
    path = Path(path)
    _normalise_format(path.suffix)
    if not path.parent.is_dir():
        raise InputError(
            f"Cannot write {path}: the folder {path.parent} does not exist.",
            hint="Create the folder first or choose another output path.",
        )


def _normalise_format(fmt: str) -> str:
    key = fmt.lower().lstrip(".")
    key = _ALIASES.get(key, key)
    if key not in _RENDERERS:
        shown = f"'{fmt}'" if fmt else "files without an extension"
        raise UnsupportedFileType(
            f"Cannot write {shown}.",
            hint=f"Use one of: {', '.join(SUPPORTED_OUTPUT_SUFFIXES)}.",
        )
    return key


def _write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target, then rename over it, so readers never see half a file."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open with 0o666 lets the umask decide permissions, as a plain open() would.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise InputError(
            f"Folder not found: {path.parent}", hint="Create the folder or choose another path."
        ) from exc
    except PermissionError as exc:
        raise InputError(
            f"Cannot write to {path.parent}: permission denied.",
            hint="Choose a folder you can write to.",
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, IsADirectoryError):
            raise InputError(f"{path} is a folder.", hint="Give a file name to write.") from exc
        raise
