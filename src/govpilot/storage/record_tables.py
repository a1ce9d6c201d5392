"""Tables of stored records (job inputs, conversations, transcripts, uploads) and the salted
hashes of the data subjects each mentions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govpilot.storage.base import Base, UtcDateTime

#: The classes of stored data, each with its own retention period (`RetentionDays`).
RECORD_CLASSES: tuple[str, ...] = ("uploads", "job_inputs", "conversations", "transcripts")


class StoredRecordRow(Base):
    """One stored text (job input, conversation, transcript) or upload, redacted per policy.

    `content` is the text as the department's storage policy wrote it (`storage` says how:
    keep, placeholder, mask or hash); `blob_path` is an original file, relative to the blob
    folder, for the uploads a capability must keep.
    """

    __tablename__ = "stored_records"
    __table_args__ = (
        CheckConstraint(
            "data_class IN ('uploads', 'job_inputs', 'conversations', 'transcripts')",
            name="ck_stored_records_data_class",
        ),
        Index("ix_stored_records_expires_at", "expires_at"),
        Index("ix_stored_records_department_class", "department", "data_class"),
        Index("ix_stored_records_owner", "owner"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    data_class: Mapped[str] = mapped_column(String(20))
    department: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    title: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    storage: Mapped[str] = mapped_column(String(20))
    redactions: Mapped[dict[str, int]] = mapped_column(JSON)
    # `metadata` is taken by SQLAlchemy's declarative classes; the column keeps the name.
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    blob_path: Mapped[str | None] = mapped_column(Text)


class RecordSubjectRow(Base):
    """A data subject a stored record mentions: the type and salted hash of an identifier."""

    __tablename__ = "record_subjects"
    __table_args__ = (Index("ix_record_subjects_hash", "hash"),)

    record_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("stored_records.id", ondelete="CASCADE"), primary_key=True
    )
    type: Mapped[str] = mapped_column(String(20), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
