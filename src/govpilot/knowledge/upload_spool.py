"""Where uploads wait to be indexed: their bytes in a spool folder, their jobs in `jobs`.

    GOVPILOT_HOME/ingest-uploads/JOB_ID/0, 1, ...   one file per item, named by its ordinal

A file is written and flushed to disk before its job is stored, and deleted once its item
is done (`Ingestor._process`); the job's folder goes when the job finishes. What a crash
leaves behind (a folder whose job was never stored, or finished) is swept by the workers
(`upload_ingest`). The file names uploaders chose live only in the database. With several
machines, GOVPILOT_HOME is shared (docs/deploy.md), so any worker finds the files.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Collection as Ids
from pathlib import Path

from sqlalchemy import select

from govpilot.errors import StorageError
from govpilot.jobs.models import ACTIVE_STATUSES
from govpilot.knowledge.collections import Collection
from govpilot.knowledge.ingest import UPLOAD
from govpilot.storage.db import Database
from govpilot.storage.job_tables import JobRow

__all__ = ["UploadSpool", "latest_upload", "unfinished"]

log = logging.getLogger(__name__)

#: A folder without a job is left alone this long: its request may still be storing the job.
_ORPHAN_AGE_S = 3600.0


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


def unfinished(database: Database) -> set[str]:
    """The ids of upload jobs queued or running."""
    with database.session() as session:
        return set(
            session.scalars(
                select(JobRow.id).where(JobRow.kind == UPLOAD, JobRow.status.in_(ACTIVE_STATUSES))
            )
        )


def latest_upload(database: Database, collection: Collection) -> str | None:
    """The id of the collection's newest upload job, or None."""
    with database.session() as session:
        found: str | None = session.scalar(
            select(JobRow.id)
            .where(
                JobRow.collection_id == collection.id,
                JobRow.department == collection.department,
                JobRow.kind == UPLOAD,
            )
            .order_by(JobRow.created_at.desc(), JobRow.id)
            .limit(1)
        )
    return found
