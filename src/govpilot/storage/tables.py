"""ORM tables: the hash-chained audit log and its head; stored records and their subjects.

The schema itself is created by the Alembic migrations in `migrations/versions/`; these
classes must stay in step with them (a test compares the two).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite only auto-numbers a column declared exactly INTEGER PRIMARY KEY (64-bit anyway).
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")

#: prev_hash of the first event, and last_hash of an empty log.
GENESIS_HASH = "0" * 64


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC and always read back as aware UTC.

    SQLite has no time zones: it would silently drop the offset, so values are converted to
    UTC first and marked UTC again on the way out. PostgreSQL stores `timestamptz`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def as_utc(value: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every govpilot table."""


class AuditEventRow(Base):
    """One audit event, chained to the one before it by `prev_hash`."""

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("seq", name="uq_audit_events_seq"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_department", "department"),
        Index("ix_audit_events_actor", "actor"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    # seq, not id, defines the chain: ids may skip after rolled-back inserts, seq may not.
    seq: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))
    backend: Mapped[str | None] = mapped_column(Text)
    model_name: Mapped[str | None] = mapped_column(Text)
    model_id: Mapped[str | None] = mapped_column(Text)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(Text)
    redactions: Mapped[dict[str, int]] = mapped_column(JSON)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The single row (id 1) holding the last seq and hash, and where the chain starts.

    Without it, deleting the newest events would leave a shorter chain that still verifies.
    On PostgreSQL it is also the row appenders lock (`SELECT ... FOR UPDATE`).
    `first_seq` and `first_prev_hash` anchor the chain once old events have been pruned
    (retention): verification starts there instead of at event 1 and the genesis hash.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    first_seq: Mapped[int] = mapped_column(BigInteger, server_default=text("1"))
    first_prev_hash: Mapped[str] = mapped_column(String(64), server_default=GENESIS_HASH)


HEAD_ID = 1


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


# Tables of later features live in their own modules; importing them here registers them on
# Base.metadata, which the migrations test compares with the schema.
from govpilot.storage import (  # noqa: E402, F401
    account_tables,
    bot_tables,
    knowledge_tables,
    retrieval_tables,
)
