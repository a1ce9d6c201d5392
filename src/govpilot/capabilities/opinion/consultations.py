"""Consultations: a file of responses becomes stance-split themes an officer checks.

`Consultations` is the façade the CLI, the web pages and the API share:

- `import_file` refuses a file it cannot use at once (type, size, missing columns, no
  responses), keeps the original as a stored upload (retention and erasure apply), and
  stores every response with its personal data already replaced (the guard's detector;
  a department whose policy keeps personal data in storage still gets placeholders
  here, since responses are quoted in reports). Campaigns of near-copies are found per
  question at import, so they are counted once from the start. Each row that could not
  be used is kept in the summary with its reason.
- `analyse` queues an `opinion_analyse` job (`opinion_jobs`), which analyses one question
  at a time and saves each before the next: a stopped job goes on from the next question.
- The review (`review`) renames, merges, splits and deletes themes and moves responses.

Who sees a consultation: the officers of its department (consultations are team work)
and platform administrators; for anyone else it does not exist (NotFound). Every change
is audited, never with the responses' text.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import PurePath
from typing import Any, cast

from govpilot.access import CallContext, Permission, Role, authorize
from govpilot.audit.events import AuditEvent, AuditSink
from govpilot.capabilities.opinion.campaigns import find_campaigns
from govpilot.capabilities.opinion.responses import Response, check_rows, read_responses
from govpilot.capabilities.opinion.store import Consultation, OpinionStore
from govpilot.errors import Conflict, InputError, InputTooLarge, NotFound
from govpilot.jobs.service import JobService
from govpilot.privacy.operators import OperatorName, apply_operator
from govpilot.privacy.stored_text import StorageRedactor
from govpilot.storage.opinion_tables import ConsultationRow
from govpilot.storage.records import RecordStore

__all__ = ["ANALYSE_JOB", "CAPABILITY", "Consultations"]

CAPABILITY = "opinion"
ANALYSE_JOB = "opinion_analyse"
MAX_NAME = 200
MAX_LIST = 200
MAX_THEMES = 40
#: Problems kept in a consultation's summary (the count is always whole).
MAX_PROBLEMS = 500


class Consultations:
    """The departments' consultations, for every interface."""

    def __init__(
        self,
        store: OpinionStore,
        records: RecordStore,
        redactor: StorageRedactor,
        jobs: Callable[[], JobService],
        audit: AuditSink,
        *,
        max_bytes: int,
    ) -> None:
        self.store = store
        self.records = records
        self.redactor = redactor
        self.jobs = jobs
        self.audit = audit
        self.max_bytes = max_bytes

    # --- in ---------------------------------------------------------------------------

    def import_file(
        self,
        ctx: CallContext,
        data: bytes,
        filename: str,
        *,
        name: str = "",
        progress: Callable[[int, int], None] | None = None,
    ) -> Consultation:
        """Store a file's responses, redacted, as a new consultation (not yet analysed)."""
        ctx = self._authorised(ctx)
        filename = PurePath(filename or "responses.csv").name
        if len(data) > self.max_bytes:
            raise InputTooLarge(
                f"the file is over the {self.max_bytes / 1024 / 1024:g} MB limit",
                hint="split it by question, or ask your administrator to raise "
                "opinion.max_upload_mb",
            )
        read = read_responses(data, filename)
        if not read.responses:
            raise InputError(
                f"{filename!r} has no response with text",
                hint="check that the text column is filled in",
            )
        name = " ".join((name or PurePath(filename).stem).split())[:MAX_NAME]
        record_id = self.records.save_upload(
            ctx.department, ctx.actor, filename, data, metadata={"kind": "consultation"}
        )
        try:
            rows, redacted = self._redacted_rows(ctx, read.responses, progress)
            campaigns = _campaigns(read.responses, rows)
            summary = {
                "file": filename,
                "encoding": read.encoding,
                "columns": read.columns,
                "responses": len(rows),
                "questions": list(dict.fromkeys(r.question for r in read.responses)),
                "languages": dict(Counter(r.language for r in read.responses).most_common()),
                "problems_count": len(read.problems),
                "problems": [
                    {"row": p.row, "id": p.id, "reason": p.reason}
                    for p in read.problems[:MAX_PROBLEMS]
                ],
                "campaigns": campaigns,
                "redacted": dict(redacted),
            }
            consultation = self.store.create(
                rows,
                department=ctx.department,
                owner_id=ctx.user_id,
                actor=ctx.actor,
                name=name,
                source_record_id=record_id,
                summary=summary,
            )
        except BaseException:
            self.records.delete(record_id)
            raise
        self._audit(
            ctx,
            consultation,
            "opinion.import",
            responses=len(rows),
            problems=len(read.problems),
            campaigns=len(campaigns),
            redacted=dict(redacted),
        )
        return consultation

    def add_posts(
        self, ctx: CallContext, consultation_id: str, posts: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Append posts (id, text, optional question, respondent_type, district, date,
        source) pushed by another system; returns how many were added and the problems.
        Campaigns are found again over each question's responses; the consultation needs
        analysing again to give the new posts their themes."""
        consultation = self.get(ctx, consultation_id)
        if consultation.working:
            raise Conflict("the consultation is being analysed", hint="send them when it is done")
        if not posts:
            raise InputError("no posts were sent", hint="send a list of {id, text}")
        read = check_rows(posts, "posts")
        stored = self.store.responses(consultation.id)
        known = {(r.question, r.external_id) for r in stored}
        fresh = [r for r in read.responses if (r.question, r.id) not in known]
        problems = [{"id": p.id, "reason": p.reason} for p in read.problems]
        problems += [
            {"id": r.id, "reason": "this id is already in the consultation"}
            for r in read.responses
            if (r.question, r.id) in known
        ]
        rows, redacted = self._redacted_rows(ctx, fresh, None)
        self.store.append(consultation.id, rows)
        self._refresh_campaigns(consultation, {r["question"] for r in rows})

        def added(row: ConsultationRow) -> None:
            summary = dict(row.summary or {})
            summary["responses"] = int(summary.get("responses", 0)) + len(rows)
            questions = list(summary.get("questions") or [])
            summary["questions"] = questions + [
                q for q in dict.fromkeys(r["question"] for r in rows) if q not in questions
            ]
            row.summary = summary
            if rows and row.status == "analysed":
                row.status = "imported"

        self.store.change(consultation.id, added)
        self._audit(
            ctx,
            consultation,
            "opinion.posts",
            added=len(rows),
            problems=len(problems),
            redacted=dict(redacted),
        )
        return {"added": len(rows), "problems": problems}

    def _refresh_campaigns(self, consultation: Consultation, questions: set[str]) -> None:
        """Find the campaigns of these questions again, over all their responses."""
        found: dict[str, dict[str, Any]] = {}
        campaigns = [
            c for c in consultation.summary.get("campaigns") or [] if c["question"] not in questions
        ]
        for question in questions:
            responses = self.store.responses(consultation.id, question)
            result = find_campaigns([r.external_id for r in responses], [r.text for r in responses])
            of = result.campaign_of()
            by_id = {r.external_id: r for r in responses}
            for response in responses:
                if response.campaign != of.get(response.external_id):
                    found[response.id] = {"campaign": of.get(response.external_id)}
            campaigns += [
                {
                    "question": question,
                    "representative": g.representative,
                    "size": g.size,
                    "excerpt": by_id[g.representative].text[:200],
                }
                for g in result.campaigns
            ]
        if found:
            self.store.update_responses(consultation.id, found)

        def apply(row: ConsultationRow) -> None:
            row.summary = {**(row.summary or {}), "campaigns": campaigns}

        self.store.change(consultation.id, apply)

    def _redacted_rows(
        self,
        ctx: CallContext,
        responses: list[Response],
        progress: Callable[[int, int], None] | None,
    ) -> tuple[list[dict[str, Any]], Counter[str]]:
        mode = self.redactor.storage_for(ctx.department)
        operator = cast(OperatorName, "placeholder" if mode == "keep" else mode)
        rows: list[dict[str, Any]] = []
        total: Counter[str] = Counter()
        for done, response in enumerate(responses, 1):
            findings = self.redactor.detector.detect(response.text)
            counts = Counter(f.type for f in findings)
            text = response.text
            if findings:
                text = apply_operator(
                    text,
                    findings,
                    operator,
                    salt=self.redactor.salt,
                ).text
            total.update(counts)
            rows.append(
                {
                    "external_id": response.id,
                    "question": response.question,
                    "text": text,
                    "redacted": dict(counts),
                    "language": response.language,
                    "respondent_type": response.respondent_type,
                    "district": response.district,
                    "submitted": response.date[:40],
                    "source": response.source,
                    "campaign": None,
                }
            )
            if progress and (done % 200 == 0 or done == len(responses)):
                progress(done, len(responses))
        return rows, total

    def analyse(
        self,
        ctx: CallContext,
        consultation_id: str,
        *,
        themes: int | None = None,
        resume: bool = False,
    ) -> Consultation:
        """Queue the analysis. Again, it replaces the themes and the review; `resume` after
        a failed one goes on from the first question not done, with the same settings."""
        job_id = uuid.uuid4().hex
        consultation = self.begin(ctx, consultation_id, themes=themes, job_id=job_id, resume=resume)
        try:
            self.jobs().queue_job(
                self._authorised(ctx),
                ANALYSE_JOB,
                job_id=job_id,
                params={"consultation_id": consultation.id},
                input_name=consultation.name,
                department=consultation.department,
            )
        except BaseException:
            self.store.change(consultation.id, _status("imported"))
            raise
        self._audit(ctx, consultation, "opinion.analyse", themes=themes)
        return consultation

    def begin(
        self,
        ctx: CallContext,
        consultation_id: str,
        *,
        themes: int | None = None,
        job_id: str | None = None,
        resume: bool = False,
    ) -> Consultation:
        """Mark the consultation queued for its analysis (the CLI then runs it inline)."""
        if themes is not None and not 1 <= themes <= MAX_THEMES:
            raise InputError(
                f"the number of themes must be 1 to {MAX_THEMES}", hint="or leave it out"
            )
        consultation = self.get(ctx, consultation_id)
        if consultation.working:
            raise Conflict("the consultation is being analysed", hint="wait until it is done")

        if resume and consultation.status != "failed":
            raise Conflict(
                f"the consultation is {consultation.status}", hint="only a failed one goes on"
            )

        def queued(row: ConsultationRow) -> None:
            row.status = "queued"
            row.analysis_job_id = job_id
            row.error = None
            if not resume:
                row.target_themes = themes
                row.done_questions = []

        return self.store.change(consultation.id, queued)

    # --- reading ----------------------------------------------------------------------

    def get(self, ctx: CallContext, consultation_id: str) -> Consultation:
        """One consultation the caller may see; NotFound otherwise."""
        consultation = self.store.get(consultation_id)
        if consultation is None or not (
            ctx.role == Role.PLATFORM_ADMIN or ctx.department == consultation.department
        ):
            raise NotFound(
                f"no consultation {consultation_id!r}", hint="list the consultations to find it"
            )
        authorize(ctx, Permission.USE_COPILOT)
        return consultation

    def named(self, ctx: CallContext, name: str) -> Consultation:
        """The caller's department's newest consultation of this name."""
        authorize(ctx, Permission.USE_COPILOT)
        found = self.store.named(ctx.department, name)
        if found is None:
            raise NotFound(
                f"no consultation named {name!r}",
                hint="import it first: govpilot opinion import FILE --consultation NAME",
            )
        return found

    def list(self, ctx: CallContext, *, limit: int = 50) -> list[Consultation]:
        """The department's consultations, newest first (a platform admin: all)."""
        authorize(ctx, Permission.USE_COPILOT)
        limit = max(1, min(limit, MAX_LIST))
        department = None if ctx.role == Role.PLATFORM_ADMIN else ctx.department
        return self.store.listed(department, None, limit)

    def delete(self, ctx: CallContext, consultation_id: str) -> None:
        """Delete the consultation, its responses, its themes and its original file."""
        consultation = self.get(ctx, consultation_id)
        if consultation.working:
            raise Conflict("the consultation is being analysed", hint="wait until it is done")
        self.store.delete(consultation.id)
        if consultation.source_record_id:
            self.records.delete(consultation.source_record_id)
        self._audit(ctx, consultation, "opinion.delete")

    # --- helpers ----------------------------------------------------------------------

    def _authorised(self, ctx: CallContext) -> CallContext:
        ctx = replace(ctx, capability=CAPABILITY)
        authorize(ctx, Permission.USE_COPILOT)
        return ctx

    def _audit(
        self, ctx: CallContext, consultation: Consultation, action: str, **detail: Any
    ) -> None:
        self.audit.record(
            AuditEvent(
                actor=ctx.actor,
                department=consultation.department,
                action=action,
                channel=ctx.channel,
                detail={"consultation": consultation.id, **detail},
            )
        )


def _status(status: str) -> Callable[[ConsultationRow], None]:
    def apply(row: ConsultationRow) -> None:
        row.status = status

    return apply


def _campaigns(responses: list[Response], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Marks each campaign copy's row with its first copy's id; the campaigns, per question."""
    found: list[dict[str, Any]] = []
    by_question: dict[str, list[int]] = {}
    for index, response in enumerate(responses):
        by_question.setdefault(response.question, []).append(index)
    for question, indexes in by_question.items():
        result = find_campaigns(
            [responses[i].id for i in indexes], [rows[i]["text"] for i in indexes]
        )
        position = {responses[i].id: i for i in indexes}
        for group in result.campaigns:
            for member in group.ids[1:]:
                rows[position[member]]["campaign"] = group.representative
            rows[position[group.representative]]["campaign"] = group.representative
            found.append(
                {
                    "question": question,
                    "representative": group.representative,
                    "size": group.size,
                    "excerpt": rows[position[group.representative]]["text"][:200],
                }
            )
    return found
