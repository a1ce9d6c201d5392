"""Where uploads wait to be indexed: their bytes in a spool folder, their jobs in ingest_jobs.

    GOVPILOT_HOME/ingest-uploads/JOB_ID/0, 1, ...   one file per item, named by its ordinal

A file is written and flushed to disk before its job is stored, and deleted once its item
is done (`Ingestor._process`); the job's folder goes when the job finishes. What a crash
leaves behind (a folder whose job was never stored, or finished) is swept when the upload
worker next starts. The file names uploaders chose live only in the database.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Collection as Ids
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from govpilot.errors import StorageError
from govpilot.knowledge.collections import Collection
from govpilot.storage.db import Database
from govpilot.storage.knowledge_tables import IngestJobRow

__all__ = ["UPLOAD", "QueuedJob", "UploadSpool", "latest_upload", "next_queued", "unfinished"]

log = logging.getLogger(__name__)

#: The `kind` of an ingest job made of uploads.
UPLOAD = "upload"
_UNFINISHED = ("queued", "running")
#: A folder without a job is left alone this long: its request may still be storing the job.
_ORPHAN_AGE_S = 3600.0


@dataclass(frozen=True)
class QueuedJob:
    """An upload job to run, with who queued it and how (for its audit event)."""

    id: str
    department: str
    collection_id: str
    actor: str
    channel: str


class UploadSpool:
    """Uploaded bytes waiting in a folder until their item is indexed."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().absolute()  # items keep absolute paths

    def save(self, job_id: str, ordinal: int, data: bytes) -> Path:
        """Write one file of a job and flush it to disk; where it is."""
        folder = self.root / job_id
        path = folder / str(ordinal)
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            with open(path, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise StorageError(
                f"cannot store the upload in {folder}: {exc.strerror or exc}",
                hint="check that GOVPILOT_HOME is writable and has free space",
            ) from exc
        return path

    def sync(self, job_id: str) -> None:
        """Flush the job's folder entry itself, so its files survive a power cut."""
        if not hasattr(os, "O_DIRECTORY"):  # pragma: no cover - Windows
            return
        for folder in (self.root / job_id, self.root):
            with contextlib.suppress(OSError):
                handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    os.fsync(handle)
                finally:
                    os.close(handle)

    def remove(self, job_id: str) -> None:
        """Delete whatever is left of a job's files."""
        shutil.rmtree(self.root / job_id, ignore_errors=True)

    def sweep(self, keep: Ids[str], *, min_age_s: float = _ORPHAN_AGE_S) -> int:
        """Delete the folders of jobs not in `keep` (older than `min_age_s`); how many."""
        if not self.root.is_dir():
            return 0
        removed = 0
        for folder in self.root.iterdir():
            if folder.name in keep or not folder.is_dir():
                continue
            try:
                if time.time() - folder.stat().st_mtime < min_age_s:
                    continue
            except OSError:
                continue
            self.remove(folder.name)
            removed += 1
        if removed:
            log.info("removed the stored files of %d finished or abandoned upload(s)", removed)
        return removed


def next_queued(database: Database) -> QueuedJob | None:
    """The oldest unfinished upload job; None if there is none.

    'running' counts too: only the upload worker runs these jobs, one at a time, so a job
    found running was interrupted (the worker stopped, or its process died).
    """
    with database.session() as session:
        row = session.scalars(
            select(IngestJobRow)
            .where(IngestJobRow.kind == UPLOAD, IngestJobRow.status.in_(_UNFINISHED))
            .order_by(IngestJobRow.created_at, IngestJobRow.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        return QueuedJob(
            row.id, row.department, row.collection_id, row.created_by, row.channel or "web"
        )


def unfinished(database: Database) -> set[str]:
    """The ids of upload jobs queued or running."""
    with database.session() as session:
        return set(
            session.scalars(
                select(IngestJobRow.id).where(
                    IngestJobRow.kind == UPLOAD, IngestJobRow.status.in_(_UNFINISHED)
                )
            )
        )


def latest_upload(database: Database, collection: Collection) -> str | None:
    """The id of the collection's newest upload job, or None."""
    with database.session() as session:
        found: str | None = session.scalar(
            select(IngestJobRow.id)
            .where(
                IngestJobRow.collection_id == collection.id,
                IngestJobRow.department == collection.department,
                IngestJobRow.kind == UPLOAD,
            )
            .order_by(IngestJobRow.created_at.desc(), IngestJobRow.id)
            .limit(1)
        )
    return found
