"""Tables of the audit log: hash-chained events and the head row that anchors the chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from govpilot.storage.base import BIG_ID, Base, UtcDateTime

#: prev_hash of the first event, and last_hash of an empty log.
GENESIS_HASH = "0" * 64


class AuditEventRow(Base):
    """One audit event, chained to the one before it by `prev_hash`."""

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("seq", name="uq_audit_events_seq"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_department", "department"),
        Index("ix_audit_events_actor", "actor"),
        Index("ix_audit_events_application", "application_id", "occurred_at"),
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
    #: The AI application of a model call (`ai_applications.id`); none for other events.
    application_id: Mapped[str | None] = mapped_column(String(32))


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
