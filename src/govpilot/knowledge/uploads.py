"""Uploaded files: checked one by one, then indexed into a collection, one result each.

The web and the API queue uploads as background jobs (`upload_jobs`); `index_uploads`
indexes them at once, without a job, for callers that hold a few small files in memory
(tests, scripts). Either way `check_uploads` decides first what cannot be used (sent twice,
too large, empty), a file that cannot be read is reported with the reason and the others
go on, as in a folder ingest. An upload's name is its identity in the collection: the same
name with the same bytes is unchanged, with other bytes it is updated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from govpilot.knowledge.collections import Collection
from govpilot.knowledge.ingest import OUTCOMES, IngestItem, Ingestor

#: Files one upload request may carry, from the API or the web (each within the size limit).
MAX_UPLOAD_FILES = 20

__all__ = ["CheckedUpload", "UploadReport", "UploadedFile", "check_uploads", "index_uploads"]


@dataclass(frozen=True)
class UploadedFile:
    """One uploaded file: the name it was sent with, and its bytes (or why they were not read,
    e.g. over the size limit)."""

    name: str
    data: bytes
    error: str | None = None


@dataclass
class UploadReport:
    """What became of each uploaded file."""

    collection: str
    items: list[IngestItem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Files by outcome; every outcome is present."""
        found = Counter(i.outcome for i in self.items)
        return {name: found.get(name, 0) for name in OUTCOMES}

    @property
    def problems(self) -> list[IngestItem]:
        """Files skipped or failed, each with its reason."""
        return [i for i in self.items if i.outcome in ("skipped", "failed")]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `POST /api/v1/collections/{name}/documents`."""
        return {
            "collection": self.collection,
            "counts": self.counts,
            "items": [item.as_dict() for item in self.items],
        }


def upload_source(name: str) -> str:
    """The file's own name, without any folders a client sent along."""
    return PurePosixPath(name.replace("\\", "/")).name.strip() or "upload"


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file by its own name: its bytes to index, or what became of it already."""

    source: str
    data: bytes | None
    outcome: str | None = None
    reason: str | None = None


def check_uploads(files: Sequence[UploadedFile]) -> list[CheckedUpload]:
    """Each file, in the order sent: to index, or skipped (sent twice) / failed with why."""
    checked = []
    seen: set[str] = set()
    for upload in files:
        source = upload_source(upload.name)
        if source in seen:
            reason = f"'{source}' was sent twice; the first one was used."
            checked.append(CheckedUpload(source, None, "skipped", reason))
            continue
        seen.add(source)
        if upload.error is not None:
            checked.append(CheckedUpload(source, None, "failed", upload.error))
        elif not upload.data:
            checked.append(CheckedUpload(source, None, "failed", f"'{source}' is empty."))
        else:
            checked.append(CheckedUpload(source, upload.data))
    return checked


def index_uploads(
    ingestor: Ingestor, collection: Collection, files: Sequence[UploadedFile]
) -> UploadReport:
    """Index each file into `collection` now; one IngestItem per file, in the order sent."""
    report = UploadReport(collection.name)
    for upload in check_uploads(files):
        if upload.data is None:
            report.items.append(_item(upload.source, upload.outcome or "failed", upload.reason))
            continue
        outcome, reason, document_id, chunks = ingestor.index_bytes(
            collection, upload.data, origin=upload.source, source=upload.source
        )
        report.items.append(_item(upload.source, outcome, reason, document_id, chunks))
    return report


def _item(
    source: str,
    outcome: str,
    reason: str | None,
    document_id: str | None = None,
    chunks: int = 0,
) -> IngestItem:
    return IngestItem(source, source, "index", "done", outcome, reason, document_id, chunks)
