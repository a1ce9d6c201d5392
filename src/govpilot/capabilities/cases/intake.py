"""Intake: a message from any channel becomes a triaged case with a reference number.

`CaseIntake.submit` refuses what it cannot use at once (an empty or giant message, too
many or wrong attachments) with a plain reason and stores nothing; otherwise it:

1. finds personal data (the guard's detector) and stores the text as the desk's privacy
   policy says; the contact details given for the reply are kept apart;
2. routes it (`routing`), finds its urgency (`urgency`), language and district;
3. joins it to an open incident when an open case of the same department is nearly the
   same text (`duplicates`): many reports of one fallen tree make one incident;
4. opens it in the department's queue when routing is confident, else in the desk's
   triage queue; urgent cases are escalated (the notification hook) and go first;
5. audits it (never the text) and gives the citizen a random reference
   (`GP-XXXX-XXXX`, about 10^12 of them, so guessing one is hopeless).

An e-mail is one case however often the mailbox is read (its Message-ID), and an
auto-reply, a bounce or one of our own replies is never a case (`mail`).
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from govpilot.access import CallContext, Permission, Role, authorize
from govpilot.audit.events import AuditSink
from govpilot.capabilities.cases import case_audit
from govpilot.capabilities.cases.departments import DepartmentList
from govpilot.capabilities.cases.districts import district_of
from govpilot.capabilities.cases.escalation import Notifier
from govpilot.capabilities.cases.mail import ADDRESS, Attachment
from govpilot.capabilities.cases.routing import CaseRouter, Routing
from govpilot.capabilities.cases.store import Case, CaseStore
from govpilot.capabilities.cases.urgency import urgency_of
from govpilot.capabilities.chat.hostile import find_hostile
from govpilot.config import CaseSettings
from govpilot.errors import InputError, InputTooLarge
from govpilot.language import detect_language
from govpilot.privacy.stored_text import StorageRedactor
from govpilot.storage.records import RecordStore

__all__ = ["CAPABILITY", "CHANNELS", "Attachment", "CaseIntake", "Submission", "new_reference"]

CAPABILITY = "cases"
CHANNELS = ("web_form", "email", "api", "phone", "social_media")
_REFERENCE_LETTERS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_SUBJECT = 300
MAX_CONTACT = 200


def new_reference() -> str:
    """A random case reference such as GP-7KQ3-M9XD (40 bits)."""
    chars = "".join(secrets.choice(_REFERENCE_LETTERS) for _ in range(8))
    return f"GP-{chars[:4]}-{chars[4:]}"


@dataclass(frozen=True)
class Submission:
    """A citizen's message as a channel received it."""

    text: str
    subject: str = ""
    channel: str = "web_form"
    name: str = ""
    email: str = ""
    phone: str = ""
    attachments: Sequence[Attachment] = ()
    #: An e-mail's Message-ID: the same message is never two cases.
    message_id: str | None = None


#: Reads an attachment's text: (filename, bytes) -> text; raises InputError when it cannot.
TextReader = Callable[[str, bytes], str]


class CaseIntake:
    """Takes cases in from every channel and triages them."""

    def __init__(
        self,
        store: CaseStore,
        records: RecordStore,
        redactor: StorageRedactor,
        router: Callable[[], CaseRouter],
        departments: DepartmentList,
        audit: AuditSink,
        settings: CaseSettings,
        *,
        desk: str,
        read_text: TextReader,
        notifier: Notifier | None = None,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.records = records
        self.redactor = redactor
        self.router = router
        self.departments = departments
        self.audit = audit
        self.settings = settings
        self.desk = desk
        self.read_text = read_text
        self.notifier = notifier
        self.clock = clock

    def submit(self, ctx: CallContext, submission: Submission) -> Case:
        """Store and triage one message; the case (an existing one for a known e-mail)."""
        self._authorised(ctx, submission.channel)
        text = submission.text.strip()
        if not text:
            raise InputError("the message is empty", hint="say what happened and where")
        if len(text) > self.settings.max_message_chars:
            raise InputTooLarge(
                f"the message is over {self.settings.max_message_chars:,} characters",
                hint="shorten it, or attach the long part as a document",
            )
        if submission.message_id:
            known = self.store.by_message_id(self.desk, submission.message_id)
            if known is not None:
                return known
        contact = _contact(submission)
        read = self._read_attachments(submission.attachments)
        subject = " ".join(submission.subject.split())[:MAX_SUBJECT]
        whole = "\n".join(p for p in (subject, text, *(t for _, t in read)) if p)
        routing = self.router().route(ctx, whole, self.store.examples(self.desk))
        urgency = urgency_of(f"{subject}\n{text}")
        hostile = find_hostile(whole, passage=True)
        findings = self.redactor.detector.detect(text)
        stored = self.redactor.redact(text, self.desk)
        confident = routing.confidence >= self.settings.confident
        vector = routing.vector if routing.vector is not None else np.zeros(0)
        now = self.clock()
        ack, reply = self._sla(routing.category, urgency.level)
        case = self._create(
            ctx.actor,
            reference=new_reference(),
            desk=self.desk,
            department=routing.department if confident else "",
            team="",
            assignee=None,
            status="open" if confident else "triage",
            urgency=urgency.level,
            category=routing.category,
            language=detect_language(text),
            channel=submission.channel,
            subject=self.redactor.redact(subject, self.desk).text,
            text=stored.text,
            district=district_of(whole),
            pii=dict(Counter(f.type for f in findings)),
            contact=contact,
            triage={
                **_triage_detail(routing, urgency.reasons, confident),
                "hostile": hostile.kind if hostile else None,
            },
            confidence=round(routing.confidence, 4),
            confirmed=False,
            incident_id=self._incident(routing.department if confident else "", vector, now),
            escalated=urgency.urgent,
            vector=[round(float(x), 5) for x in vector],
            message_id=submission.message_id,
            attachments=self._save_attachments(ctx, read),
            acknowledge_due=now + ack,
            reply_due=now + reply,
            acknowledged_at=None,
            replied_at=None,
            closed_at=None,
        )
        self._audit(ctx, "cases.intake", case)
        if hostile is not None:
            # Stored and worked like any case; the officer is warned, and drafts quote it.
            self._audit(ctx, "cases.hostile", case)
        if case.escalated:
            self._escalate(ctx, case)
        return case

    # --- parts -----------------------------------------------------------------------

    def _authorised(self, ctx: CallContext, channel: str) -> None:
        if channel not in CHANNELS:
            raise InputError(
                f"unknown channel {channel!r}", hint=f"use one of {', '.join(CHANNELS)}"
            )
        if channel == "web_form" and ctx.role == Role.PUBLIC.value:
            return
        authorize(ctx, Permission.USE_COPILOT, self.desk)

    def _read_attachments(self, files: Sequence[Attachment]) -> list[tuple[Attachment, str]]:
        """Each file with its text; refuses the lot (nothing stored) if one cannot be taken."""
        limit = self.settings.max_attachments
        if len(files) > limit:
            raise InputError(f"at most {limit} attachments can come with a case")
        max_bytes = int(self.settings.max_attachment_mb * 1024 * 1024)
        read: list[tuple[Attachment, str]] = []
        for file in files:
            if len(file.data) > max_bytes:
                raise InputTooLarge(
                    f"{file.filename!r} is over the {self.settings.max_attachment_mb:g} MB limit"
                )
            read.append((file, self.read_text(file.filename, file.data)))
        return read

    def _save_attachments(
        self, ctx: CallContext, read: Sequence[tuple[Attachment, str]]
    ) -> list[dict[str, object]]:
        """Keep the files as stored uploads (retention and erasure apply)."""
        kept: list[dict[str, object]] = []
        for file, text in read:
            record = self.records.save_upload(
                self.desk,
                ctx.actor,
                file.filename,
                file.data,
                text=text,
                metadata={"kind": "case_attachment"},
            )
            kept.append(
                {
                    "record": record,
                    "filename": file.filename,
                    "bytes": len(file.data),
                    "chars": len(text),
                }
            )
        return kept

    def _sla(self, category: str, urgency: str) -> tuple[timedelta, timedelta]:
        sla = self.settings.sla
        hours = sla.get(category) or sla.get(urgency) or sla.get("normal")
        if hours is None:
            return timedelta(days=1), timedelta(days=10)
        return timedelta(hours=hours.acknowledge), timedelta(hours=hours.reply)

    def _incident(self, department: str, vector: np.ndarray, now: datetime) -> str | None:
        """The incident an open case of the same department (or, for a case waiting for
        triage, another waiting one) with nearly this text is in."""
        if not len(vector):
            return None
        since = now - timedelta(days=self.settings.duplicate_days)
        best, best_sim = None, self.settings.duplicate_similarity
        for case_id, other_department, incident, other in self.store.recent_open(self.desk, since):
            if other_department != department or len(other) != len(vector):
                continue
            similarity = float(np.dot(np.asarray(other), vector))
            if similarity >= best_sim:
                best, best_sim = incident or case_id, similarity
        return best

    def _create(self, actor: str, **values: object) -> Case:
        for _ in range(5):
            reference = str(values["reference"])
            if self.store.by_reference(reference) is None:
                return self.store.create(actor, **values)
            values["reference"] = new_reference()
        raise InputError("could not give the case a reference; try again")

    def _escalate(self, ctx: CallContext, case: Case) -> None:
        outcome = "ok"
        if self.notifier is not None:
            outcome = "ok" if self.notifier.urgent(case) else "error"
        self._audit(ctx, "cases.escalate", case, outcome=outcome)

    def _audit(self, ctx: CallContext, action: str, case: Case, *, outcome: str = "ok") -> None:
        detail = {
            "case": case.id,
            "department": case.department,
            "urgency": case.urgency,
            "status": case.status,
            "confidence": case.confidence,
            "incident": case.incident_id,
        }
        case_audit.record(
            self.audit,
            ctx,
            action,
            self.desk,
            detail,
            channel=case.channel,
            outcome=outcome,
            redactions=case.pii,
        )


def _contact(submission: Submission) -> dict[str, str]:
    contact = {
        "name": submission.name.strip()[:MAX_CONTACT],
        "email": submission.email.strip()[:MAX_CONTACT],
        "phone": submission.phone.strip()[:MAX_CONTACT],
    }
    if contact["email"] and not ADDRESS.fullmatch(contact["email"]):
        raise InputError(f"{contact['email']!r} is not an e-mail address")
    return {k: v for k, v in contact.items() if v}


def _triage_detail(
    routing: Routing, urgent_reasons: Sequence[str], confident: bool
) -> dict[str, object]:
    return {
        "candidates": [c.as_dict() for c in routing.candidates[:3]],
        "model_choice": routing.model_choice,
        "urgency_reasons": list(urgent_reasons),
        "queue": "department" if confident else "triage",
    }
