"""Size limits on requests and uploads, and reading uploads into bytes and Documents.

Limits are enforced in three places, cheapest first: a declared Content-Length over the
limit is refused before the body is read; a body without one is counted as it arrives and
cut off at the limit; each uploaded file is read at most `max_upload_bytes + 1` bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import PurePosixPath
from typing import Any

from fastapi import Request, Response, UploadFile
from fastapi.routing import APIRoute
from starlette.types import Message, Receive

from govpilot.config import Settings
from govpilot.documents import load_bytes
from govpilot.documents.model import Document
from govpilot.errors import InputError, InputTooLarge
from govpilot.http.dependencies import platform_of
from govpilot.http.errors import ErrorAsHTTPException

FORM_OVERHEAD = 256 * 1024  # multipart boundaries and form fields around the files
_LIMIT_HINT = "Split it into smaller parts, or ask an administrator to raise the limit."


def size_limited_route(max_files: int = 1) -> type[APIRoute]:
    """A route class refusing bodies over `max_files` uploads' worth, before reading them."""

    class SizeLimitedRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                settings = platform_of(request).settings
                multipart = request.headers.get("content-type", "").startswith("multipart/")
                files = max_files if multipart else 1
                limit = files * settings.max_upload_bytes + FORM_OVERHEAD
                declared = request.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise request_too_large(settings, files)
                counted = _counting(request.receive, limit, settings, files)
                return await handler(Request(request.scope, counted))

            return limited

    return SizeLimitedRoute


def request_too_large(settings: Settings, files: int) -> InputTooLarge:
    """The error for a request body over the limit."""
    each = f"{settings.max_upload_mb:g} MB"
    what = f"the {each} limit" if files == 1 else f"the limit of {files} files of {each} each"
    return InputTooLarge(f"the request is over {what}", hint=_LIMIT_HINT)


def _counting(receive: Receive, limit: int, settings: Settings, files: int) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise ErrorAsHTTPException(request_too_large(settings, files))
        return message

    return counted


def upload_name(upload: UploadFile) -> str:
    """The uploaded file's own name, without any folders a browser sent along."""
    name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
    return name or "upload"


def read_upload(upload: UploadFile, settings: Settings) -> bytes:
    """The uploaded bytes, refusing a file over `settings.max_upload_bytes`."""
    limit = settings.max_upload_bytes
    if upload.size is None or upload.size <= limit:
        data = upload.file.read(limit + 1)
        if len(data) <= limit:
            return data
    raise InputTooLarge(
        f"'{upload_name(upload)}' is over the {settings.max_upload_mb:g} MB upload limit",
        hint=_LIMIT_HINT,
    )


def read_recording(request: Request, upload: UploadFile, settings: Settings) -> bytes:
    """A recording's bytes within `speech.max_upload_mb` (recordings are not held to the
    document limit); a body declared larger is refused before it is read."""
    limit_mb = settings.speech.max_upload_mb
    limit = int(limit_mb * 1024 * 1024)
    too_large = InputTooLarge(
        f"the recording is over the {limit_mb:g} MB limit",
        hint="split it, or ask your administrator to raise speech.max_upload_mb",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise too_large
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise too_large
    return data


def load_upload(upload: UploadFile, settings: Settings) -> Document:
    """Read and parse one uploaded file; unsupported or damaged files raise InputError."""
    document = load_bytes(
        read_upload(upload, settings),
        upload_name(upload),
        max_unpacked_bytes=settings.max_unpacked_bytes,
    )
    check_text_size(settings, document.text, what=f"'{upload_name(upload)}'")
    return document


def load_uploads(
    uploads: list[UploadFile], settings: Settings, *, max_files: int
) -> list[Document]:
    """Several uploads; their text together must fit `max_text_chars`."""
    if len(uploads) > max_files:
        raise InputError(
            f"{len(uploads)} files were uploaded; at most {max_files} are accepted at once",
            hint="Send fewer files, or combine them first.",
        )
    documents = [load_upload(upload, settings) for upload in uploads]
    check_text_size(settings, *(d.text for d in documents), what="the files")
    return documents


def check_text_size(settings: Settings, *texts: str, what: str = "the text") -> None:
    """Refuse text longer, in all, than `settings.max_text_chars`."""
    total = sum(len(text) for text in texts)
    if total > settings.max_text_chars:
        raise InputTooLarge(
            f"{what} has {total:,} characters, over the {settings.max_text_chars:,} limit",
            hint=_LIMIT_HINT,
        )
