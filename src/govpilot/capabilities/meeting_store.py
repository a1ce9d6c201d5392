"""Meetings as stored: the `Meeting` an interface sees, and the reads and writes of its row.

Every change goes through `MeetingStore.change`, under a row lock, and bumps the
meeting's version; a change made on an older version than the one stored is refused
with Conflict, so two officers editing one transcript never overwrite each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from govpilot.backends.speech import SpeechSegment
from govpilot.errors import Conflict, NotFound
from govpilot.storage.db import Database
from govpilot.storage.meeting_tables import MeetingRow


def segment_of(data: dict[str, Any]) -> SpeechSegment:
    confidence = data.get("confidence")
    return SpeechSegment(
        start=float(data["start"]),
        end=float(data["end"]),
        text=str(data.get("text", "")),
        language=str(data.get("language") or ""),
        confidence=float(confidence) if confidence is not None else None,
        speaker=data.get("speaker") or None,
    )


def stored_segment(segment: SpeechSegment, voice: list[float] | None = None) -> dict[str, Any]:
    data = segment.as_dict()
    if voice is not None:
        data["voice"] = [round(v, 4) for v in voice]
    return data


@dataclass(frozen=True)
class Meeting:
    """One recorded meeting: its transcript (speaker labels as named) and its minutes."""

    id: str
    department: str
    owner_id: str | None
    actor: str
    title: str
    audio_name: str
    audio_record_id: str
    language: str | None
    status: str
    duration: float
    transcribed_until: float
    #: The segments with their speaker labels ("Speaker 1"), as stored.
    labelled: list[SpeechSegment]
    speakers: dict[str, str]
    notes: list[str]
    model_id: str | None
    transcribe_job_id: str | None
    minutes_job_id: str | None
    minutes_status: str
    minutes: dict[str, Any] | None
    minutes_approved_by: str | None
    minutes_approved_at: datetime | None
    error: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    transcript_record_id: str | None = None

    @classmethod
    def from_row(cls, row: MeetingRow) -> Meeting:
        return cls(
            id=row.id,
            department=row.department,
            owner_id=row.owner_id,
            actor=row.actor,
            title=row.title,
            audio_name=row.audio_name,
            audio_record_id=row.audio_record_id,
            language=row.language,
            status=row.status,
            duration=row.duration,
            transcribed_until=row.transcribed_until,
            labelled=[segment_of(s) for s in row.segments or []],
            speakers=dict(row.speakers or {}),
            notes=list(row.notes or []),
            model_id=row.model_id,
            transcribe_job_id=row.transcribe_job_id,
            minutes_job_id=row.minutes_job_id,
            minutes_status=row.minutes_status,
            minutes=dict(row.minutes) if row.minutes else None,
            minutes_approved_by=row.minutes_approved_by,
            minutes_approved_at=row.minutes_approved_at,
            error=row.error,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            transcript_record_id=row.transcript_record_id,
        )

    @property
    def working(self) -> bool:
        """True while a job is transcribing it or writing its minutes."""
        return self.status in ("queued", "transcribing") or self.minutes_status == "writing"

    @property
    def working_job_id(self) -> str | None:
        """The job doing its work now, if any (the minutes', else the transcription's)."""
        if self.minutes_status == "writing":
            return self.minutes_job_id
        return self.transcribe_job_id if self.status in ("queued", "transcribing") else None

    def speaker_name(self, label: str | None) -> str | None:
        return self.speakers.get(label, label) if label else label

    @property
    def segments(self) -> list[SpeechSegment]:
        """The segments with each speaker label replaced by the name the officer gave it."""
        return [s.with_text(s.text, speaker=self.speaker_name(s.speaker)) for s in self.labelled]

    @property
    def labels(self) -> list[str]:
        """The speaker labels, in order of first appearance."""
        seen: dict[str, None] = {}
        for segment in self.labelled:
            if segment.speaker:
                seen.setdefault(segment.speaker, None)
        return list(seen)

    def as_dict(self) -> dict[str, Any]:
        """The JSON of the API: the transcript as `govpilot transcribe --json` writes it."""
        return {
            "id": self.id,
            "title": self.title,
            "audio_name": self.audio_name,
            "status": self.status,
            "language": self.language,
            "duration": round(self.duration, 2),
            "transcribed_until": round(self.transcribed_until, 2),
            "version": self.version,
            "speakers": {label: self.speaker_name(label) for label in self.labels},
            "text": "\n".join(s.text for s in self.labelled),
            "segments": [
                {**s.as_dict(), "label": s.speaker, "speaker": self.speaker_name(s.speaker)}
                for s in self.labelled
            ],
            "notes": list(self.notes),
            "model_id": self.model_id,
            "error": self.error,
            "minutes_status": self.minutes_status,
            "minutes": self.minutes,
            "minutes_approved_by": self.minutes_approved_by,
            "minutes_approved_at": (
                self.minutes_approved_at.isoformat() if self.minutes_approved_at else None
            ),
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


class MeetingStore:
    """The meetings table."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    def row(self, **values: Any) -> MeetingRow:
        """A new meeting's row (to add in the transaction that queues its job)."""
        now = self.clock()
        defaults: dict[str, Any] = {
            "status": "queued",
            "transcribed_until": 0.0,
            "segments": [],
            "speakers": {},
            "notes": [],
            "dropped": 0,
            "minutes_status": "none",
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        return MeetingRow(**{**defaults, **values})

    def get(self, meeting_id: str) -> Meeting | None:
        with self.database.session() as session:
            row = session.get(MeetingRow, meeting_id)
            return Meeting.from_row(row) if row is not None else None

    def listed(self, department: str | None, owner_id: str | None, limit: int) -> list[Meeting]:
        """Newest first: a department's (None: every one), or one owner's there."""
        query = select(MeetingRow).order_by(MeetingRow.created_at.desc()).limit(limit)
        if department is not None:
            query = query.where(MeetingRow.department == department)
        if owner_id is not None:
            query = query.where(MeetingRow.owner_id == owner_id)
        with self.database.session() as session:
            return [Meeting.from_row(row) for row in session.scalars(query)]

    def change(
        self,
        meeting_id: str,
        apply: Callable[[MeetingRow], None],
        *,
        version: int | None = None,
    ) -> Meeting:
        """`apply` the change to the locked row, bump its version; Conflict if `version`
        is not the stored one, NotFound if the meeting is gone."""
        with self.database.session(write=True, what="meetings") as session:
            row = session.get(MeetingRow, meeting_id, with_for_update=True)
            if row is None:
                raise NotFound(f"no meeting {meeting_id!r}", hint="it may have been deleted")
            if version is not None and version != row.version:
                raise Conflict(
                    "the transcript was changed meanwhile",
                    hint="reload the page to see the changes, then make yours again",
                )
            apply(row)
            row.version += 1
            row.updated_at = self.clock()
            session.flush()
            return Meeting.from_row(row)
