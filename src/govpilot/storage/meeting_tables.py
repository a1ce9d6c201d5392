"""The table of meetings: a recording, its transcript as the officer corrects it, its minutes.

A meeting lives as long as its recording: the audio is a stored upload record (retention,
erasure), and the meeting row goes with it (ON DELETE CASCADE). The transcript's text is
also kept as a stored record of class "transcripts", so a data access request or an
erasure finds the meeting by the identifiers said in it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govpilot.storage.base import Base, UtcDateTime

__all__ = ["MeetingRow"]


class MeetingRow(Base):
    """One recorded meeting of a department."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_department_created", "department", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL")
    )
    actor: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    audio_record_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("stored_records.id", ondelete="CASCADE")
    )
    transcript_record_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("stored_records.id", ondelete="CASCADE")
    )
    audio_name: Mapped[str] = mapped_column(Text)
    #: yue, zh, en, or None: detected.
    language: Mapped[str | None] = mapped_column(String(8))
    #: queued, transcribing, transcribed, failed.
    status: Mapped[str] = mapped_column(String(20))
    duration: Mapped[float] = mapped_column(Float)
    #: Seconds of the recording transcribed so far: a resumed job starts here.
    transcribed_until: Mapped[float] = mapped_column(Float)
    #: The segments, in order: start, end, speaker, text, language, confidence.
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: Names the officer gave the speaker labels ("Speaker 1" -> "Chairman").
    speakers: Mapped[dict[str, str]] = mapped_column(JSON)
    notes: Mapped[list[str]] = mapped_column(JSON)
    #: Segments the clean-up dropped so far (text heard on silence, repeats).
    dropped: Mapped[int] = mapped_column(Integer)
    model_id: Mapped[str | None] = mapped_column(Text)
    transcribe_job_id: Mapped[str | None] = mapped_column(String(32))
    minutes_job_id: Mapped[str | None] = mapped_column(String(32))
    #: none, writing, draft, approved.
    minutes_status: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    minutes_approved_by: Mapped[str | None] = mapped_column(Text)
    minutes_approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    #: Bumped by every change: an edit made on an older version is refused (409).
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
