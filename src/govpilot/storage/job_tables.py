"""Tables of background jobs: one row per job, whatever its kind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govpilot.storage.base import Base, UtcDateTime

__all__ = ["JobRow"]


class JobRow(Base):
    """A background job of any kind, run by a queue worker: the copilot's (translate,
    summarise, draft, redact), uploads into a collection ('upload'), and `govpilot ingest`
    runs ('ingest', run by the CLI itself; their files are `ingest_items`)."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_owner_created", "owner_id", "created_at"),
        Index("ix_jobs_department_status", "department", "status"),
        Index("ix_jobs_status_lease", "status", "lease_until"),
        Index("ix_jobs_collection", "collection_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL")
    )
    actor: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    #: queued, running, done, failed, cancelled.
    status: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    input_name: Mapped[str] = mapped_column(Text)
    #: Stored records (class job_inputs / job_outputs), so retention and erasure cover them.
    input_record_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("stored_records.id", ondelete="SET NULL")
    )
    output_record_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("stored_records.id", ondelete="SET NULL")
    )
    output_name: Mapped[str | None] = mapped_column(Text)
    progress_done: Mapped[int] = mapped_column(Integer)
    progress_total: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: Times a worker has claimed it; past the limit the job fails (a poison job).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Until when its worker's claim holds; renewed while it lives, then others take over.
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: When its message went to the broker; None: it must be enqueued (again).
    enqueued_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: The collection an ingest or upload job indexes into; its jobs go with it.
    collection_id: Mapped[str | None] = mapped_column(
        String(32),
        ForeignKey("knowledge_collections.id", ondelete="CASCADE", name="fk_jobs_collection"),
    )
