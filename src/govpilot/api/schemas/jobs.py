"""Responses of the copilot job routes: a job's public facts, a list of them, a result."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

#: The kinds of job `POST /api/v1/jobs` starts.
SubmitKindField = Literal["translate", "summarise", "draft", "redact"]
#: Every kind a job listing may show (the copilot's, uploads into a collection, meetings).
JobKindField = Literal[
    "translate",
    "summarise",
    "draft",
    "redact",
    "upload",
    "meeting_transcribe",
    "meeting_minutes",
    "opinion_analyse",
]


class JobPublic(BaseModel):
    """A copilot job: what it is, how far it has got, and why it failed if it did."""

    id: str
    kind: JobKindField
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    department: str
    owner_id: str | None
    actor: str
    input_name: str
    output_name: str | None = Field(description="The output file's name, once done")
    params: dict[str, Any]
    progress_done: int
    progress_total: int = Field(description="0 until the work reports its size")
    error: str | None = Field(description="Why it failed, and what to do next")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    finished: bool
    attempts: int = Field(default=0, description="Times a worker has started it")


class JobList(BaseModel):
    """The caller's own jobs, newest first."""

    jobs: list[JobPublic]


class JobResultPublic(BaseModel):
    """A finished job's output as text beside its input's text."""

    filename: str
    media_type: str
    text: str = Field(description="The output as plain text")
    source_text: str = Field(description="The input as plain text")
