"""Ingest files and folders into a collection as a resumable job.

`start` walks the paths once and stores the job with one `ingest_items` row per file (and
per document to prune), so the work to do survives a crash. `run` processes the items still
pending, in order. Each file is idempotent:

1. read it and hash it; a document with the same hash that is 'ready' is unchanged;
2. load and chunk it (the slow part: PDF parsing, OCR), outside any transaction;
3. in one transaction: the document row is written with status 'indexing' and the item
   records what it will be (added or updated);
4. the document's old chunks are removed and the new ones added (chunk ids are stable);
5. in one transaction: the document becomes 'ready' and the item 'done' - the flag set last.

A job killed anywhere redoes at most the file it was on; steps 3 and 4 give the same result
when repeated, so nothing is duplicated and nothing is lost. A file that cannot be read
(unsupported, corrupt, empty) is reported with the reason and the job goes on; a database
or index failure stops the job, which `run` (`govpilot ingest --resume JOB`) continues.

Every ingest is a row of the one jobs table (`jobs`): kind 'ingest' for `govpilot ingest`,
run by the CLI that started it, and 'upload' for files uploaded over the web or the API,
run by the queue's workers (see `upload_jobs`). An upload's items point at the stored
bytes, are indexed under the file's own name, and each stored file is deleted once its item
is done.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from govpilot.errors import InputError, InputTooLarge, NotFound, UnsupportedFileType
from govpilot.jobs.store import JobStore
from govpilot.knowledge.chunking import make_chunks
from govpilot.knowledge.collections import Collection
from govpilot.knowledge.documents import DocumentStore
from govpilot.knowledge.ingest_plan import Planned, dedupe, is_under, item_rows, walk
from govpilot.knowledge.ingest_report import OUTCOMES, IngestItem, IngestReport, item_of
from govpilot.knowledge.ocr import OcrEngine
from govpilot.knowledge.sources import parse_source
from govpilot.retrieval.types import Retriever
from govpilot.storage.db import Database
from govpilot.storage.job_tables import JobRow
from govpilot.storage.knowledge_tables import (
    IngestItemRow,
    KnowledgeCollectionRow,
    KnowledgeDocumentRow,
)

__all__ = [
    "INGEST",
    "OUTCOMES",
    "UPLOAD",
    "IngestItem",
    "IngestReport",
    "Ingestor",
    "ProgressCallback",
    "item_rows",
]

log = logging.getLogger(__name__)

#: Called before each file and at the end: (files done, files in the job, current source).
ProgressCallback = Callable[[int, int, str], None]
MAX_FILE_BYTES = 256 * 1024 * 1024
#: The kinds of job that ingest: `govpilot ingest` (run by the CLI), uploads (the queue).
INGEST, UPLOAD = "ingest", "upload"
_KINDS = (INGEST, UPLOAD)
#: A job's status as an ingest report says it (`jobs` says 'done').
_REPORTED = {"done": "completed"}
_KEPT_REASON = "its file is gone; run the ingest again with --prune to delete it"


def _now() -> datetime:
    return datetime.now(UTC)


class Ingestor:
    """Runs ingest jobs for collections over one database and retriever."""

    def __init__(
        self,
        database: Database,
        retriever: Retriever,
        *,
        chunk_chars: int = 800,
        ocr: OcrEngine | None = None,
        max_file_bytes: int = MAX_FILE_BYTES,
        max_unpacked_bytes: int | None = None,
    ) -> None:
        self.database = database
        self.retriever = retriever
        self.documents = DocumentStore(database, retriever)
        self.chunk_chars = chunk_chars
        self.ocr = ocr
        self.max_file_bytes = max_file_bytes
        #: What one .docx or .xlsx may unpack to (None: the documents' default).
        self.max_unpacked_bytes = max_unpacked_bytes

    def ingest(
        self,
        collection: Collection,
        paths: Sequence[str | os.PathLike[str]],
        *,
        actor: str,
        prune: bool = False,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Start a job for `paths` and run it to the end."""
        job_id = self.start(collection, paths, actor=actor, prune=prune)
        return self.run(job_id, collection.department, progress=progress)

    def start(
        self,
        collection: Collection,
        paths: Sequence[str | os.PathLike[str]],
        *,
        actor: str,
        prune: bool = False,
    ) -> str:
        """Walk `paths` and store a job with its files; returns the job id."""
        if not paths:
            raise InputError("Nothing to ingest.", hint="Give one or more files or folders.")
        roots = [Path(p).expanduser().resolve() for p in paths]
        for root, given in zip(roots, paths, strict=True):
            if not root.exists():
                raise InputError(f"{given} does not exist.", hint="Check the path and try again.")
        planned = dedupe([p for root in roots for p in walk(root)])
        planned += self._missing(collection, roots, {p.path for p in planned}, prune)
        return self.add_job(
            collection, planned, actor=actor, roots=[str(r) for r in roots], prune=prune
        )

    def add_job(
        self,
        collection: Collection,
        planned: Sequence[Planned],
        *,
        actor: str,
        roots: Sequence[str] = (),
        prune: bool = False,
    ) -> str:
        """Store a `govpilot ingest` job of `planned` items in one transaction; its id.

        It is a job the CLI runs itself (the queue does not run kind 'ingest'), started as
        it is stored.
        """
        now = _now()
        job_id = uuid.uuid4().hex
        JobStore(self.database).insert(
            {
                "id": job_id,
                "department": collection.department,
                "owner_id": None,
                "actor": actor,
                "kind": INGEST,
                "status": "running",
                "params": {"roots": list(roots), "prune": prune},
                "input_name": f"{len(planned)} file(s)",
                "collection_id": collection.id,
                "progress_total": len(planned),
                "created_at": now,
                "started_at": now,
            },
            limit=None,
            also=lambda session: session.add_all(item_rows(job_id, planned)),
        )
        return job_id

    def abandon(self, job_id: str, department: str, reason: str) -> IngestReport:
        """Fail the job's pending items with `reason` (the job then `finish`es as failed)."""
        self._job(job_id, department)
        with self.database.session(write=True) as session:
            rows = session.scalars(
                select(IngestItemRow).where(
                    IngestItemRow.job_id == job_id, IngestItemRow.status == "pending"
                )
            ).all()
            for row in rows:
                row.status, row.outcome, row.reason = "done", "failed", reason
                row.document_id, row.chunks = None, 0
        return self.report(job_id, department)

    def _missing(
        self, collection: Collection, roots: list[Path], found: set[str], prune: bool
    ) -> list[Planned]:
        """Documents whose file was under one of `roots` and is no longer there."""
        with self.database.session() as session:
            rows = session.execute(
                select(
                    KnowledgeDocumentRow.id,
                    KnowledgeDocumentRow.origin,
                    KnowledgeDocumentRow.source,
                )
                .where(KnowledgeDocumentRow.collection_id == collection.id)
                .order_by(KnowledgeDocumentRow.origin)
            ).all()
        missing = []
        for document_id, origin, source in rows:
            if origin in found or not any(is_under(origin, root) for root in roots):
                continue
            action, reason = ("prune", None) if prune else ("keep", _KEPT_REASON)
            missing.append(Planned(origin, source, action, reason, document_id))
        return missing

    def run(
        self,
        job_id: str,
        department: str,
        *,
        progress: ProgressCallback | None = None,
        finish: bool = True,
    ) -> IngestReport:
        """Process the job's pending items (all of them, or what a crash left); the report.

        With `finish` (`govpilot ingest`) the job is marked running, then done. Without it
        (an upload, run by a queue worker) its status is the worker's to set.
        """
        job, collection = self._job(job_id, department)
        with self.database.session() as session:
            rows = session.scalars(
                select(IngestItemRow)
                .where(IngestItemRow.job_id == job_id)
                .order_by(IngestItemRow.ordinal)
            ).all()
        pending = [row for row in rows if row.status == "pending"]
        total, done = len(rows), len(rows) - len(pending)
        if finish and pending:
            self._set_job(job_id, "running")
        for row in pending:
            if progress is not None:
                progress(done, total, row.source)
            self._process(collection, row)
            done += 1
        if progress is not None:
            progress(done, total, "")
        if finish and (pending or job.status != "done"):
            self._set_job(job_id, "done", finished=True)
        return self.report(job_id, department)

    def report(self, job_id: str, department: str) -> IngestReport:
        """The job's current state."""
        job, collection = self._job(job_id, department)
        with self.database.session() as session:
            rows = session.scalars(
                select(IngestItemRow)
                .where(IngestItemRow.job_id == job_id)
                .order_by(IngestItemRow.ordinal)
            ).all()
        status = _REPORTED.get(job.status, job.status)
        items = [item_of(r) for r in rows]
        return IngestReport(job_id, collection.name, status, items, error=job.error)

    def jobs(self, collection: Collection) -> list[dict[str, Any]]:
        """The collection's jobs, newest first: id, kind (ingest or upload), status, times,
        files done and in all."""
        with self.database.session() as session:
            jobs = session.scalars(
                select(JobRow)
                .where(
                    JobRow.collection_id == collection.id,
                    JobRow.department == collection.department,
                    JobRow.kind.in_(_KINDS),
                )
                .order_by(JobRow.created_at.desc())
            ).all()
            items = session.execute(
                select(IngestItemRow.job_id, IngestItemRow.status).where(
                    IngestItemRow.job_id.in_([job.id for job in jobs])
                )
            ).all()
        total = Counter(job_id for job_id, _ in items)
        done = Counter(job_id for job_id, status in items if status == "done")
        return [
            {
                "id": job.id,
                "kind": job.kind,
                "status": _REPORTED.get(job.status, job.status),
                "created_by": job.actor,
                "created_at": job.created_at.isoformat(),
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
                "done": done.get(job.id, 0),
                "total": total.get(job.id, 0),
            }
            for job in jobs
        ]

    def _job(self, job_id: str, department: str) -> tuple[JobRow, Collection]:
        with self.database.session() as session:
            job = session.get(JobRow, job_id)
            collection_row = (
                session.get(KnowledgeCollectionRow, job.collection_id)
                if job is not None and job.kind in _KINDS and job.collection_id
                else None
            )
        if job is None or collection_row is None or job.department != department:
            raise NotFound(
                f"No ingest job {job_id!r} in department {department}.",
                hint="Use the job id printed when the ingest started.",
            )
        collection = Collection(
            collection_row.id,
            collection_row.name,
            collection_row.department,
            collection_row.created_by,
            collection_row.created_at,
            collection_row.description,
        )
        return job, collection

    def _set_job(self, job_id: str, status: str, *, finished: bool = False) -> None:
        with self.database.session(write=True) as session:
            job = session.get(JobRow, job_id)
            if job is not None:
                job.status = status
                job.finished_at = _now() if finished else None

    def _process(self, collection: Collection, row: IngestItemRow) -> None:
        key = (row.job_id, row.ordinal)
        if row.action == "prune":
            if row.document_id:
                self.documents.remove(row.document_id)
            self._finish(key, "removed", None, row.document_id, 0)
            return
        path = Path(row.path)
        upload = row.action == "upload"
        try:
            data = self._read(path, row.source, upload=upload)
        except InputError as error:
            self._finish(key, "failed", error.message, None, 0)
            return
        # An upload is known by its name in the collection, wherever its bytes waited.
        origin = row.source if upload else row.path
        outcome, reason, document_id, chunks = self.index_bytes(
            collection, data, origin=origin, source=row.source, item=key
        )
        if outcome not in ("added", "updated"):  # the indexed ones are finished inside
            self._finish(key, outcome, reason, document_id, chunks)
        if upload:  # indexed (or reported): the stored bytes have done their work
            path.unlink(missing_ok=True)

    def _read(self, path: Path, source: str, *, upload: bool = False) -> bytes:
        try:
            size = path.stat().st_size
            if size > self.max_file_bytes:
                raise InputTooLarge(
                    f"'{source}' is {size // (1024 * 1024)} MB, over the "
                    f"{self.max_file_bytes // (1024 * 1024)} MB limit for one file."
                )
            return path.read_bytes()
        except FileNotFoundError:
            if upload:
                raise InputError(
                    f"'{source}' is no longer stored on the server; upload it again."
                ) from None
            raise InputError(f"'{source}' was deleted before it could be read.") from None
        except OSError as exc:
            raise InputError(f"'{source}' could not be read: {exc.strerror or exc}.") from None

    def index_bytes(
        self,
        collection: Collection,
        data: bytes,
        *,
        origin: str,
        source: str,
        item: tuple[str, int] | None = None,
    ) -> tuple[str, str | None, str | None, int]:
        """Index one file's bytes into the collection: (outcome, reason, document id, chunks).

        `origin` identifies the document within the collection (a path, or an upload name):
        the same origin with the same bytes is unchanged, with other bytes it is updated.
        """
        digest = hashlib.sha256(data).hexdigest()
        with self.database.session() as session:
            existing = _document_row(session, collection.id, origin)
            if existing and existing.content_hash == digest and existing.status == "ready":
                return "unchanged", None, existing.id, existing.chunk_count
        try:
            parsed = parse_source(
                data,
                Path(source).name,
                ocr=self.ocr,
                max_chars=self.chunk_chars,
                max_unpacked_bytes=self.max_unpacked_bytes,
            )
        except InputError as error:
            reason = f"{error.message} {error.hint}" if error.hint else error.message
            return (
                ("skipped" if isinstance(error, UnsupportedFileType) else "failed"),
                reason,
                None,
                0,
            )
        except Exception as exc:  # a loader bug on one odd file must not stop a whole folder
            log.exception("ingest of %s failed", source)
            return "failed", f"'{source}' could not be read ({type(exc).__name__}).", None, 0
        if not parsed.drafts:
            return "failed", f"'{source}' contains no text to index.", None, 0

        now = _now()
        with self.database.session(write=True) as session:
            row = _document_row(session, collection.id, origin)
            outcome = "updated" if row is not None else "added"
            if row is None:
                row = KnowledgeDocumentRow(
                    id=uuid.uuid4().hex, collection_id=collection.id, origin=origin
                )
                session.add(row)
            row.department = collection.department
            row.source, row.title, row.url, row.kind = source, parsed.title, parsed.url, parsed.kind
            row.content_hash, row.size = digest, len(data)
            row.chunk_count, row.status, row.ingested_at = 0, "indexing", now
            document_id = row.id
            if item is not None:
                item_row = session.get(IngestItemRow, item)
                if item_row is not None:
                    # A resumed item keeps what it was first going to be.
                    outcome = item_row.outcome or outcome
                    item_row.outcome, item_row.document_id = outcome, document_id

        chunks = make_chunks(
            parsed.drafts,
            collection_id=collection.id,
            department=collection.department,
            document_id=document_id,
            source=source,
            title=parsed.title,
            url=parsed.url,
        )
        self.retriever.remove_document(document_id)
        self.retriever.add(chunks)

        with self.database.session(write=True) as session:
            row = session.get(KnowledgeDocumentRow, document_id)
            if row is not None:
                row.status, row.chunk_count, row.ingested_at = "ready", len(chunks), _now()
            if item is not None:
                _mark_done(session, item, outcome, None, document_id, len(chunks))
        return outcome, None, document_id, len(chunks)

    def _finish(
        self,
        key: tuple[str, int],
        outcome: str,
        reason: str | None,
        document_id: str | None,
        chunks: int,
    ) -> None:
        with self.database.session(write=True) as session:
            _mark_done(session, key, outcome, reason, document_id, chunks)


def _mark_done(
    session: Any,
    key: tuple[str, int],
    outcome: str,
    reason: str | None,
    document_id: str | None,
    chunks: int,
) -> None:
    row = session.get(IngestItemRow, key)
    if row is not None:
        row.status, row.outcome, row.reason = "done", outcome, reason
        row.document_id, row.chunks = document_id, chunks


def _document_row(session: Any, collection_id: str, origin: str) -> KnowledgeDocumentRow | None:
    row: KnowledgeDocumentRow | None = session.scalar(
        select(KnowledgeDocumentRow).where(
            KnowledgeDocumentRow.collection_id == collection_id,
            KnowledgeDocumentRow.origin == origin,
        )
    )
    return row
