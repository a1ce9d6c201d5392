"""What the job runtime runs: one handler per kind of job, behind one protocol.

The runtime (service, runner, store) knows jobs, limits, leases and progress, not what a
translation or an upload is: each kind of job has a `JobHandler`, and the composition root
hands the service its handlers. Copilot jobs (a document in, a document out) share one,
`jobs.document_work.DocumentHandler`, over the copilot's `JobWork`
(`govpilot.capabilities.copilot_jobs.CopilotJobs`); uploads into a collection have
`govpilot.knowledge.upload_ingest.UploadIngest`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from govpilot.access import CallContext
from govpilot.documents.model import Document
from govpilot.jobs.models import Job

#: Reports `done` of `total` steps of the work in progress.
Progress = Callable[[int, int], None]


class JobInterrupted(Exception):
    """Raised inside a job at its next progress report: cancelled, taken over, or stopping.

    A handler that catches exceptions must let this one through.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Finished:
    """What a job's work left: its output file (a stored record), if it has one, and the
    personal data replaced, counted by type, for the audit event."""

    output_record_id: str | None = None
    output_name: str | None = None
    redactions: dict[str, int] = field(default_factory=dict)


class JobHandler(Protocol):
    """Runs one kind of job in a queue worker, on the job as claimed."""

    def perform(self, ctx: CallContext, job: Job, progress: Progress) -> Finished:
        """Do the job's work, reporting progress (which may raise JobInterrupted).

        A transient error (ModelUnavailable, or a GovpilotError marked `transient`) is
        retried later; any other error fails the job with its message.
        """
        ...

    def abandon(self, job: Job, reason: str, *, cancelled: bool = False) -> None:
        """The job failed or was cancelled: let go of what it holds (pending work, files)."""
        ...


@dataclass(frozen=True)
class JobOutput:
    """What a document job produced: a document to write in `fmt`, and its file name."""

    document: Document
    filename: str
    fmt: str
    #: Personal data replaced, counted by type (redact jobs), for the audit log.
    redactions: dict[str, int] = field(default_factory=dict)


class JobWork(Protocol):
    """The kinds of document job one capability offers (a document in, a document out)."""

    def check(
        self, ctx: CallContext, kind: str, params: Mapping[str, Any] | None, *, has_file: bool
    ) -> dict[str, Any]:
        """`params` checked for `kind` when a job is submitted (InputError says what is wrong)."""
        ...

    def run(
        self,
        ctx: CallContext,
        kind: str,
        source: Document,
        params: Mapping[str, Any],
        input_name: str,
        progress: Progress,
    ) -> JobOutput:
        """Do one job's work on `source` in the worker, reporting progress."""
        ...
