"""What the job runtime runs: the kinds of work a capability hands it, behind one protocol.

The runtime (service, runner, store) knows jobs, limits, files and progress, not what a
translation is: a capability implements `JobWork` (the copilot's is
`govpilot.capabilities.copilot_jobs.CopilotJobs`) and the composition root passes it in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from govpilot.access import CallContext
from govpilot.documents.model import Document

#: Reports `done` of `total` steps of the work in progress.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JobOutput:
    """What a kind of work produced: a document to write in `fmt`, and its file name."""

    document: Document
    filename: str
    fmt: str
    #: Personal data replaced, counted by type (redact jobs), for the audit log.
    redactions: dict[str, int] = field(default_factory=dict)


class JobWork(Protocol):
    """The kinds of work one capability offers to the job runtime."""

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
