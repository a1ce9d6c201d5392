"""The case desk as the interfaces see it: intake, work, replies and analytics together.

`CaseDesk` also reads e-mail: `take_email` turns one .eml into a case (an auto-reply, a
bounce or a loop is skipped and said so), and `poll_mailbox` reads the desk's IMAP
mailbox, makes a case of each new message and marks it seen only once its case is
stored, so a crash part-way loses nothing (a message read twice is still one case).
A reply from a citizen to one of our e-mails ("Re: [GP-…]") becomes a note on its case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from govpilot.access import CallContext, Permission, authorize
from govpilot.audit.events import AuditSink
from govpilot.capabilities.cases import case_audit
from govpilot.capabilities.cases.analytics import CaseAnalytics
from govpilot.capabilities.cases.departments import DepartmentList
from govpilot.capabilities.cases.intake import CaseIntake, Submission
from govpilot.capabilities.cases.mail import (
    REFERENCE_IN_SUBJECT,
    InboundMessage,
    case_reference_in,
    parse_eml,
)
from govpilot.capabilities.cases.mail_transport import ImapMailbox
from govpilot.capabilities.cases.replies import CaseReplies
from govpilot.capabilities.cases.routing import Routing
from govpilot.capabilities.cases.store import Case, CaseReply
from govpilot.capabilities.cases.urgency import Urgency, urgency_of
from govpilot.capabilities.cases.work import CaseWork
from govpilot.errors import GovpilotError, InputError, NotFound

__all__ = ["CaseDesk", "MailOutcome", "PollReport"]


@dataclass(frozen=True)
class MailOutcome:
    """What one e-mail became: a new case, a note on a case, or nothing (and why)."""

    case: Case | None
    kind: str  # "case", "note", "skipped"
    reason: str = ""


@dataclass
class PollReport:
    """One reading of the mailbox."""

    read: int = 0
    cases: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class CaseDesk:
    """Everything the case desk does, for the CLI, the API and the web pages."""

    def __init__(
        self,
        intake: CaseIntake,
        work: CaseWork,
        replies: CaseReplies,
        analytics: CaseAnalytics,
        departments: DepartmentList,
        audit: AuditSink,
        *,
        own_addresses: tuple[str, ...] = (),
        mailbox: Callable[[], ImapMailbox | None] = lambda: None,
    ) -> None:
        self.intake = intake
        self.work = work
        self.replies = replies
        self.analytics = analytics
        self.departments = departments
        self.audit = audit
        self.own_addresses = own_addresses
        self.mailbox = mailbox

    @property
    def desk(self) -> str:
        return self.intake.desk

    def triage(self, ctx: CallContext, text: str) -> tuple[Routing, Urgency]:
        """Route a text and find its urgency without storing anything."""
        authorize(ctx, Permission.USE_COPILOT)
        if not text.strip():
            raise InputError("the message is empty")
        return self.intake.router().route(ctx, text), urgency_of(text)

    def public_status(self, reference: str) -> tuple[Case, list[CaseReply]]:
        """What the citizen with `reference` may see: the case and its approved replies.

        NotFound for a reference that does not exist (the page rate-limits lookups)."""
        case = self.intake.store.by_reference(" ".join(reference.split()).upper())
        if case is None:
            raise NotFound("no case has this reference", hint="check the reference you were given")
        replies = [r for r in self.intake.store.replies(case.id) if r.public]
        return case, replies

    def take_email(self, ctx: CallContext, data: bytes) -> MailOutcome:
        """One e-mail (.eml bytes) into the desk."""
        authorize(ctx, Permission.USE_COPILOT, self.desk)
        message = parse_eml(data, own_addresses=self.own_addresses)
        return self._take(ctx, message)

    def _take(self, ctx: CallContext, message: InboundMessage) -> MailOutcome:
        if message.auto:
            # The kind only ("auto-reply", "bounce", "loop"): the rest quotes the subject.
            self._audit(ctx, "cases.mail_skipped", reason=message.auto.split(":", 1)[0])
            return MailOutcome(None, "skipped", message.auto)
        reference = case_reference_in(message.subject, REFERENCE_IN_SUBJECT)
        if reference:
            known = self.intake.store.by_reference(reference)
            email = known.contact.get("email", "").lower() if known else ""
            if known is not None and message.sender and email == message.sender:
                text = message.text.strip() or "(an empty reply)"
                case = self.work.note(ctx, known.id, f"E-mail from the citizen:\n{text}")
                return MailOutcome(case, "note")
        submission = Submission(
            text=message.text,
            subject=message.subject,
            channel="email",
            name=message.sender_name,
            email=message.sender,
            attachments=message.attachments,
            message_id=message.message_id or None,
        )
        return MailOutcome(self.intake.submit(ctx, submission), "case")

    def poll_mailbox(self, ctx: CallContext, *, limit: int = 100) -> PollReport:
        """Read the desk's new e-mail into cases; each message is marked seen once stored."""
        mailbox = self.mailbox()
        report = PollReport()
        if mailbox is None:
            return report
        with mailbox:
            self._poll(ctx, mailbox, limit, report)
        return report

    def _poll(self, ctx: CallContext, mailbox: ImapMailbox, limit: int, report: PollReport) -> None:
        for uid, data in mailbox.fetch_unseen(limit):
            report.read += 1
            try:
                outcome = self.take_email(ctx, data)
            except GovpilotError as exc:
                # A message that cannot be a case (empty, too large) would be read again
                # for ever if left unseen: it is marked seen, audited, and stays in the
                # mailbox (nothing is deleted) for an officer to read.
                report.failed.append(f"{uid}: {exc.message}")
                self._audit(ctx, "cases.mail_refused", outcome="error", error=type(exc).__name__)
            else:
                if outcome.kind == "case" and outcome.case is not None:
                    report.cases.append(outcome.case.reference)
                elif outcome.kind == "note" and outcome.case is not None:
                    report.notes.append(outcome.case.reference)
                else:
                    report.skipped.append(f"{uid}: {outcome.reason}")
            mailbox.mark_seen([uid])

    def _audit(self, ctx: CallContext, action: str, *, outcome: str = "ok", **detail: Any) -> None:
        case_audit.record(
            self.audit, ctx, action, self.desk, detail, channel="email", outcome=outcome
        )
