"""Stored records: job inputs, conversations, transcripts and uploads, kept per retention.

Every text goes through a `TextRedactor` (the privacy guard's `StorageRedactor`) before it
is written, so a record holds the text as the department's storage policy says (kept,
placeholders, masked or hashed), and the salted hashes of the identifiers it mentions go
into `record_subjects`. Data access requests and erasure find a person's records through
those hashes.

Each record gets its expiry date when it is written (created + the retention days of its
class); the purge also deletes records older than the class's current retention, so
shortening a retention period takes effect on data already stored.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast, get_args

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from govpilot.config import RetentionDays
from govpilot.errors import InputError, NotFound, StorageError
from govpilot.storage.base import as_utc
from govpilot.storage.db import Database
from govpilot.storage.record_tables import RecordSubjectRow, StoredRecordRow
from govpilot.storage.redaction import Subject, TextRedactor

DataClass = Literal["uploads", "job_inputs", "conversations", "transcripts"]
#: The classes of stored data, in the order reports list them.
DATA_CLASSES: tuple[DataClass, ...] = get_args(DataClass)
_BATCH = 500


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class StoredRecord:
    """One stored record as read back: the redacted text, its metadata and expiry."""

    id: str
    data_class: DataClass
    department: str
    owner: str
    created_at: datetime
    expires_at: datetime
    title: str
    content: str
    #: How personal data was written: keep, placeholder, mask or hash.
    storage: str
    redactions: dict[str, int] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    #: The original file, relative to the store's blob folder (uploads only).
    blob_path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape used in data access exports and `--json` listings."""
        return {
            "id": self.id,
            "data_class": self.data_class,
            "department": self.department,
            "owner": self.owner,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "title": self.title,
            "content": self.content,
            "storage": self.storage,
            "redactions": dict(self.redactions),
            "metadata": dict(self.metadata),
            "blob_path": self.blob_path,
        }


def _record(row: StoredRecordRow) -> StoredRecord:
    return StoredRecord(
        id=row.id,
        data_class=cast(DataClass, row.data_class),
        department=row.department,
        owner=row.owner,
        created_at=row.created_at,
        expires_at=row.expires_at,
        title=row.title,
        content=row.content,
        storage=row.storage,
        redactions=dict(row.redactions or {}),
        metadata=dict(row.meta or {}),
        blob_path=row.blob_path,
    )


def _count(rows: Iterable[Any], counts: dict[str, int]) -> None:
    for row in rows:
        counts[row.data_class] = counts.get(row.data_class, 0) + 1


def _check_class(data_class: str) -> DataClass:
    if data_class not in DATA_CLASSES:
        raise InputError(
            f"unknown data class {data_class!r}", hint=f"use one of {', '.join(DATA_CLASSES)}"
        )
    return cast(DataClass, data_class)


class RecordStore:
    """Writes records redacted per policy, finds them by subject, purges what has expired."""

    def __init__(
        self,
        database: Database,
        redactor: TextRedactor,
        retention: RetentionDays,
        blob_dir: Path,
    ) -> None:
        self.database = database
        self.redactor = redactor
        self.retention = retention
        self.blob_dir = Path(blob_dir)

    def _session(self, *, write: bool = False) -> AbstractContextManager[Session]:
        return self.database.session(write=write, what="stored records")

    def retention_for(self, data_class: str) -> timedelta:
        """How long records of this class are kept."""
        return timedelta(days=int(getattr(self.retention, _check_class(data_class))))

    def save_text(
        self,
        data_class: str,
        department: str,
        owner: str,
        text: str,
        *,
        title: str = "",
        metadata: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> str:
        """Store a text redacted per the department's policy; return the new record's id.

        `metadata` is stored as given: put no personal data in it (sizes, languages, model
        names and options are what it is for).
        """
        return self._insert(data_class, department, owner, text, title, metadata, None, now)

    def save_upload(
        self,
        department: str,
        owner: str,
        filename: str,
        data: bytes,
        *,
        text: str = "",
        metadata: Mapping[str, Any] | None = None,
        data_class: str = "uploads",
        now: datetime | None = None,
    ) -> str:
        """Keep an original file in the blob folder, with its text redacted for searching.

        Only for capabilities that must keep the file itself; the file is stored as
        uploaded (it cannot be redacted), so it is purged and erased with its record.
        """
        record_id = uuid.uuid4().hex
        suffix = Path(filename).suffix.lower()[:16]
        relative = f"{record_id[:2]}/{record_id}{suffix if suffix[1:].isalnum() else ''}"
        path = self.blob_dir / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            with open(partial, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, path)
        except OSError as exc:
            raise StorageError(
                f"cannot write the upload to {path.parent}: {exc}",
                hint="check that GOVPILOT_HOME is writable and has free space",
            ) from exc
        # The file name goes in the title, which is redacted like the text; not in metadata.
        meta = {"bytes": len(data), **(metadata or {})}
        try:
            return self._insert(
                data_class,
                department,
                owner,
                text,
                Path(filename).name,
                meta,
                relative,
                now,
                record_id,
            )
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    def _insert(
        self,
        data_class: str,
        department: str,
        owner: str,
        text: str,
        title: str,
        metadata: Mapping[str, Any] | None,
        blob_path: str | None,
        now: datetime | None,
        record_id: str | None = None,
    ) -> str:
        kind = _check_class(data_class)
        created = as_utc(now) if now is not None else utc_now()
        stored = self.redactor.redact(text, department)
        # Titles are file names and subjects written by people: they get the same treatment.
        stored_title = self.redactor.redact(title, department) if title else None
        subjects = stored.subjects | (stored_title.subjects if stored_title else frozenset())
        redactions = dict(stored.redactions)
        for name, count in (stored_title.redactions if stored_title else {}).items():
            redactions[name] = redactions.get(name, 0) + count
        row = StoredRecordRow(
            id=record_id or uuid.uuid4().hex,
            data_class=kind,
            department=department,
            owner=owner,
            created_at=created,
            expires_at=created + self.retention_for(kind),
            title=stored_title.text if stored_title else "",
            content=stored.text,
            storage=self.redactor.storage_for(department),
            redactions=redactions,
            meta=dict(metadata or {}),
            blob_path=blob_path,
        )
        with self._session() as session:
            session.add(row)
            session.flush()  # the record first: subjects reference it
            session.add_all(
                RecordSubjectRow(record_id=row.id, type=s.type, hash=s.hash) for s in subjects
            )
        return row.id

    def get(self, record_id: str) -> StoredRecord:
        """One record by id (NotFound when there is none, e.g. purged)."""
        with self._session() as session:
            row = session.get(StoredRecordRow, record_id)
            if row is None:
                raise NotFound(
                    f"no stored record {record_id!r}",
                    hint="it may have expired and been purged, or been erased",
                )
            return _record(row)

    def subjects_of(self, record_id: str) -> set[Subject]:
        """The subjects (type and salted hash) a record mentions."""
        with self._session() as session:
            rows = session.scalars(
                select(RecordSubjectRow).where(RecordSubjectRow.record_id == record_id)
            )
            return {Subject(r.type, r.hash) for r in rows}

    def find_by_subjects(self, subjects: Iterable[Subject]) -> list[StoredRecord]:
        """Every record that mentions any of these subjects, oldest first."""
        wanted = {(s.type, s.hash) for s in subjects}
        if not wanted:
            return []
        matches = or_(
            *(and_(RecordSubjectRow.type == t, RecordSubjectRow.hash == h) for t, h in wanted)
        )
        ids = select(RecordSubjectRow.record_id).where(matches)
        query = (
            select(StoredRecordRow)
            .where(StoredRecordRow.id.in_(ids))
            .order_by(StoredRecordRow.created_at, StoredRecordRow.id)
        )
        with self._session() as session:
            return [_record(row) for row in session.scalars(query)]

    def replace_content(
        self,
        record_id: str,
        content: str,
        subjects: Iterable[Subject],
        *,
        title: str | None = None,
    ) -> None:
        """Overwrite a record's stored text (and title) and its subjects, for corrections."""
        with self._session(write=True) as session:
            row = session.get(StoredRecordRow, record_id, with_for_update=True)
            if row is None:
                raise NotFound(f"no stored record {record_id!r}", hint="it may have been purged")
            row.content = content
            if title is not None:
                row.title = title
            session.execute(delete(RecordSubjectRow).where(RecordSubjectRow.record_id == row.id))
            session.add_all(
                RecordSubjectRow(record_id=row.id, type=s.type, hash=s.hash) for s in set(subjects)
            )

    def delete(self, record_id: str) -> bool:
        """Delete one record, its subjects and its file; False when there was none."""
        return bool(self.delete_many([record_id]))

    def delete_many(self, record_ids: Collection[str]) -> dict[str, int]:
        """Delete these records with their subjects and files; count what went per class."""
        ids = list(dict.fromkeys(record_ids))
        counts: dict[str, int] = {}
        for start in range(0, len(ids), _BATCH):
            batch = ids[start : start + _BATCH]
            with self._session(write=True) as session:
                rows = session.execute(
                    select(
                        StoredRecordRow.id, StoredRecordRow.data_class, StoredRecordRow.blob_path
                    ).where(StoredRecordRow.id.in_(batch))
                ).all()
                self._delete_rows(session, rows)
            _count(rows, counts)
        return counts

    def _delete_rows(self, session: Session, rows: Sequence[Any]) -> None:
        if not rows:
            return
        ids = [r.id for r in rows]
        session.execute(delete(RecordSubjectRow).where(RecordSubjectRow.record_id.in_(ids)))
        session.execute(delete(StoredRecordRow).where(StoredRecordRow.id.in_(ids)))
        session.flush()
        # Files go before the commit: if one cannot be deleted the rows stay too, and the
        # next purge tries again, rather than rows vanishing while the file is kept.
        for r in rows:
            if r.blob_path:
                self._remove_blob(r.blob_path)

    def _remove_blob(self, relative: str) -> None:
        path = (self.blob_dir / relative).resolve()
        if not path.is_relative_to(self.blob_dir.resolve()):
            raise StorageError(
                f"stored record names a file outside the blob folder: {relative!r}",
                hint="the stored_records table has been altered; check it before purging",
            )
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot delete {path}: {exc}", hint="check the permissions of GOVPILOT_HOME"
            ) from exc

    def blob_file(self, record: StoredRecord) -> Path | None:
        """Where a record's original file lies (None for records without one)."""
        return self.blob_dir / record.blob_path if record.blob_path else None

    def _expired(self, now: datetime) -> Any:
        now = as_utc(now)
        by_class = [
            and_(
                StoredRecordRow.data_class == name,
                StoredRecordRow.created_at <= now - self.retention_for(name),
            )
            for name in DATA_CLASSES
        ]
        return or_(StoredRecordRow.expires_at <= now, *by_class)

    def count_expired(self, now: datetime | None = None) -> dict[str, int]:
        """How many records of each class the purge would delete now (for dry runs)."""
        query = (
            select(StoredRecordRow.data_class, func.count())
            .where(self._expired(now or utc_now()))
            .group_by(StoredRecordRow.data_class)
        )
        with self._session() as session:
            found = {name: int(count) for name, count in session.execute(query).all()}
        return {name: found.get(name, 0) for name in DATA_CLASSES}

    def purge_expired(
        self, now: datetime | None = None, *, counts: dict[str, int] | None = None
    ) -> dict[str, int]:
        """Delete every expired record with its subjects and file; count them per class.

        Deletes in batches of committed transactions; `counts`, when given, is kept up to
        date as they commit, so a caller still knows what went if a later batch fails.
        """
        condition = self._expired(now or utc_now())
        counts = {} if counts is None else counts
        while True:
            with self._session(write=True) as session:
                rows = session.execute(
                    select(
                        StoredRecordRow.id, StoredRecordRow.data_class, StoredRecordRow.blob_path
                    )
                    .where(condition)
                    .limit(_BATCH)
                ).all()
                self._delete_rows(session, rows)
            _count(rows, counts)  # committed
            if len(rows) < _BATCH:
                break
        return {name: counts.get(name, 0) for name in DATA_CLASSES}

    # Last in the class: below this point `list` would name the method, not the type.
    def list(
        self,
        *,
        department: str | None = None,
        owner: str | None = None,
        data_class: str | None = None,
        limit: int | None = 100,
    ) -> list[StoredRecord]:
        """Records, newest first, optionally only one department's, owner's or class's."""
        query = select(StoredRecordRow).order_by(
            StoredRecordRow.created_at.desc(), StoredRecordRow.id
        )
        if department is not None:
            query = query.where(StoredRecordRow.department == department)
        if owner is not None:
            query = query.where(StoredRecordRow.owner == owner)
        if data_class is not None:
            query = query.where(StoredRecordRow.data_class == _check_class(data_class))
        if limit is not None:
            query = query.limit(limit)
        with self._session() as session:
            return [_record(row) for row in session.scalars(query)]
