"""What the job service returns: a job's public facts, and the output of a finished job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from govpilot.storage.job_tables import JobRow

JobKind = Literal["translate", "summarise", "draft", "redact"]
JOB_KINDS: tuple[JobKind, ...] = ("translate", "summarise", "draft", "redact")
JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
#: Statuses that count against a department's limit of concurrent jobs.
ACTIVE_STATUSES: tuple[JobStatus, ...] = ("queued", "running")
FINISHED_STATUSES: tuple[JobStatus, ...] = ("done", "failed", "cancelled")

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Job:
    """One background job as its owner sees it: never the input or output text itself."""

    id: str
    kind: str
    status: str
    department: str
    owner_id: str | None
    actor: str
    input_name: str
    output_name: str | None
    params: dict[str, Any]
    progress_done: int
    progress_total: int
    #: Why the job failed, in plain words with what to do next; None unless it failed.
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    #: Stored records (see `storage.records`) holding the input and output files.
    input_record_id: str | None = None
    output_record_id: str | None = None
    #: Times a worker has started it (a retry or a crashed worker's job counts again).
    attempts: int = 0
    #: The collection an ingest or upload job indexes into.
    collection_id: str | None = None

    @classmethod
    def from_row(cls, row: JobRow) -> Job:
        return cls(
            id=row.id,
            kind=row.kind,
            status=row.status,
            department=row.department,
            owner_id=row.owner_id,
            actor=row.actor,
            input_name=row.input_name,
            output_name=row.output_name,
            params=dict(row.params or {}),
            progress_done=row.progress_done,
            progress_total=row.progress_total,
            error=row.error,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            input_record_id=row.input_record_id,
            output_record_id=row.output_record_id,
            attempts=row.attempts or 0,
            collection_id=row.collection_id,
        )

    @property
    def finished(self) -> bool:
        """True once the job is done, has failed or was cancelled: it will not change again."""
        return self.status in FINISHED_STATUSES

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape the API and `--json` listings use."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "department": self.department,
            "owner_id": self.owner_id,
            "actor": self.actor,
            "input_name": self.input_name,
            "output_name": self.output_name,
            "params": dict(self.params),
            "progress_done": self.progress_done,
            "progress_total": self.progress_total,
            "error": self.error,
            "created_at": self.created_at.isoformat(),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "finished": self.finished,
            "attempts": self.attempts,
        }


@dataclass(frozen=True)
class JobResult:
    """A finished job's output file, and its text beside the input's text."""

    filename: str
    media_type: str
    data: bytes
    #: The output as plain text, for showing beside the source.
    text: str
    #: The input as plain text.
    source_text: str
