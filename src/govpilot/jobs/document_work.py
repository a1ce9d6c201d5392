"""The handler of document jobs: the input file read back, the work done, the output kept.

Translate, summarise, draft and redact jobs all take one document (a file or a text, kept
as a stored record at submission) and produce one; `DocumentHandler` does the reading and
writing around the copilot's `JobWork`.
"""

from __future__ import annotations

from govpilot.access import CallContext
from govpilot.documents import render_document
from govpilot.jobs.files import JobFiles
from govpilot.jobs.models import Job
from govpilot.jobs.work import Finished, JobWork, Progress


class DocumentHandler:
    """Runs a document job of `work`, its files through `files`."""

    def __init__(self, files: JobFiles, work: JobWork) -> None:
        self.files = files
        self.work = work

    def perform(self, ctx: CallContext, job: Job, progress: Progress) -> Finished:
        source = self.files.input_document(job)
        params = dict(job.params)
        instructions_id = params.pop("instructions_record_id", None)
        if instructions_id:
            params["instructions"] = self.files.read(str(instructions_id)).decode("utf-8")
        output = self.work.run(ctx, job.kind, source, params, job.input_name, progress)
        data = render_document(output.document, output.fmt)
        record_id = self.files.keep(
            job.department,
            job.actor,
            job.id,
            job.kind,
            "output",
            output.filename,
            data,
            output.document.text,
        )
        return Finished(record_id, output.filename, dict(output.redactions))

    def abandon(self, job: Job, reason: str, *, cancelled: bool = False) -> None:
        """Nothing to let go of: the input stays for a retry, and no output was kept."""
