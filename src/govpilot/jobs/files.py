"""A job's files: the input checked at submission, and every file kept as a stored record.

Input files, draft instructions and outputs are stored through the RecordStore as
`uploads` (the file as given, its text redacted per policy for searching), so retention,
data access requests and erasure cover them like any other upload.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from pathlib import PurePosixPath

from govpilot.config import Settings
from govpilot.documents import load_bytes
from govpilot.documents.model import Document
from govpilot.errors import EmptyDocument, InputError, InputTooLarge, NotFound
from govpilot.jobs.models import Job
from govpilot.storage.records import RecordStore, StoredRecord

logger = logging.getLogger("govpilot.jobs")

DATA_CLASS = "uploads"
_LIMIT_HINT = "Split it into smaller parts, or ask an administrator to raise the limit."
_GONE_HINT = "it may have been erased or expired; submit the file again"


def safe_name(filename: str, default: str) -> str:
    """The file's own name: no folders (browsers send C:\\Users\\...), nothing unprintable."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    name = "".join(c for c in name if c.isprintable())
    return name[:200] or default


def check_input(settings: Settings, name: str, data: bytes | None, text: str | None) -> Document:
    """The input as a Document; InputError subclasses say why it cannot be used."""
    if data is not None and len(data) > settings.max_upload_bytes:
        raise InputTooLarge(
            f"'{name}' is over the {settings.max_upload_mb:g} MB upload limit", hint=_LIMIT_HINT
        )
    if data is not None:
        # The name's extension decides the loader.
        document = load_bytes(data, name, max_unpacked_bytes=settings.max_unpacked_bytes)
    elif not (text or "").strip():
        raise EmptyDocument("the text is empty", hint="give some text or a file")
    else:
        document = Document.from_text(text or "", source=name)
    chars = len(document.text)
    if chars > settings.max_text_chars:
        raise InputTooLarge(
            f"'{name}' has {chars:,} characters, over the {settings.max_text_chars:,} limit",
            hint=_LIMIT_HINT,
        )
    return document


class JobFiles:
    """Keeps and reads back the files of jobs through the RecordStore."""

    def __init__(self, records: RecordStore) -> None:
        self.records = records

    def keep(
        self,
        department: str,
        actor: str,
        job_id: str,
        kind: str,
        part: str,
        name: str,
        data: bytes,
        text: str,
        *,
        origin: str = "file",
    ) -> str:
        """Store one file of a job (`part`: input, instructions or output); its record id."""
        return self.records.save_upload(
            department,
            actor,
            name,
            data,
            text=text,
            data_class=DATA_CLASS,
            metadata={"job": job_id, "kind": kind, "part": part, "input": origin},
        )

    def discard(self, record_ids: Collection[str]) -> None:
        """Delete files kept for a job that was then refused."""
        self.records.delete_many(record_ids)

    def read(self, record_id: str) -> bytes:
        """The bytes of a kept file; NotFound once it is erased or expired."""
        return self._blob(self.records.get(record_id))

    def input_document(self, job: Job) -> Document:
        """The job's input as a Document, read back from its kept file."""
        if job.input_record_id is None:
            raise NotFound("the job's input is no longer stored", hint=_GONE_HINT)
        record = self.records.get(job.input_record_id)
        data = self._blob(record)
        if record.metadata.get("input") == "text":
            return Document.from_text(data.decode("utf-8"), source=job.input_name)
        return load_bytes(data, job.input_name)

    @staticmethod
    def text_of(data: bytes, name: str) -> str:
        """A file's plain text ('' when it has none left, e.g. everything was redacted)."""
        try:
            return load_bytes(data, name).text
        except InputError:
            return ""

    def _blob(self, record: StoredRecord) -> bytes:
        path = self.records.blob_file(record)
        try:
            if path is not None:
                return path.read_bytes()
        except OSError as exc:
            logger.warning("cannot read stored file %s: %s", path, exc)
        raise NotFound("the job's stored file cannot be read", hint=_GONE_HINT)
