"""Replies to citizens: drafted, edited and approved by an officer, then sent or posted.

Nothing reaches the citizen without an officer's approval (human in the loop): a draft
is only a draft. An acknowledgement and an interim reply come from fixed templates in
the citizen's language; a final reply is drafted by the model from the owning
department's collections, with [n] citations to the passages it was given, in written
Chinese (書面語, Hong Kong characters) for a Chinese or Cantonese message and in English
otherwise. Each cited statement is checked against its passage (shared words); a
citation that does not hold is flagged for the officer. A message that tries to steer
the model is quoted as material and the officer is warned.

Approving posts the reply on the status page; when the citizen gave an e-mail address
and the desk has an SMTP server, it is e-mailed too. A failed e-mail loses nothing: the
reply stays approved (and on the status page) with the error, and can be sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from govpilot.access import CallContext
from govpilot.audit.events import AuditSink
from govpilot.backends.llm import GenerationOptions
from govpilot.capabilities.cases import case_audit
from govpilot.capabilities.cases.departments import DepartmentList
from govpilot.capabilities.cases.reply_text import citation_support, prepare_body
from govpilot.capabilities.cases.store import Case, CaseReply, CaseStore
from govpilot.capabilities.cases.work import CaseWork
from govpilot.capabilities.chat.hostile import quote_passage
from govpilot.errors import Conflict, GovpilotError, InputError
from govpilot.gateway import ModelGateway
from govpilot.language import cjk_ratio, to_hk_traditional
from govpilot.prompts import load_prompt
from govpilot.storage.case_tables import CaseRow

__all__ = ["KINDS", "CaseReplies", "Passage", "citation_support", "reply_language"]

KINDS = ("acknowledgement", "interim", "final")
MAX_BODY = 10_000
#: A cited passage as kept with its reply (the officer's edits are checked against it).
MAX_PASSAGE = 4_000
MAX_MESSAGE = 2_500


class Passage(Protocol):
    """What a reply may cite: a passage of one of the department's documents."""

    @property
    def text(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str: ...


#: Finds passages for a case: (department, query, k) -> passages.
PassageSearch = Callable[[str, str, int], Sequence[Passage]]


class MailSender(Protocol):
    def send(
        self, to: str, subject: str, body: str, *, case_reference: str, in_reply_to: str = ""
    ) -> str: ...


def reply_language(case: Case) -> str:
    """ "zh" (written Chinese) for a Chinese, Cantonese or mostly-Chinese message, else "en"."""
    if case.language in ("zh-Hant", "zh-Hans", "yue"):
        return "zh"
    if case.language == "mixed" and cjk_ratio(case.text) >= 0.3:
        return "zh"
    return "en"


class CaseReplies:
    """Drafts, approvals and sending of replies."""

    def __init__(
        self,
        work: CaseWork,
        store: CaseStore,
        gateway: ModelGateway,
        departments: DepartmentList,
        audit: AuditSink,
        *,
        search: PassageSearch | None,
        sender: Callable[[], MailSender | None],
        clock: Callable[[], datetime],
    ) -> None:
        self.work = work
        self.store = store
        self.gateway = gateway
        self.departments = departments
        self.audit = audit
        self.search = search
        self.sender = sender
        self.clock = clock

    def of_case(self, ctx: CallContext, case_id: str) -> list[CaseReply]:
        return self.store.replies(self.work.get(ctx, case_id).id)

    def draft(self, ctx: CallContext, case_id: str, kind: str = "final") -> CaseReply:
        """A new draft of `kind`; the final one written by the model from the documents."""
        case = self.work.get(ctx, case_id)
        if kind not in KINDS:
            raise InputError(
                f"unknown kind of reply {kind!r}", hint=f"use one of {', '.join(KINDS)}"
            )
        if not case.department:
            raise InputError("route the case to a department before replying")
        language = reply_language(case)
        citations: list[dict[str, Any]] = []
        if kind == "final":
            body, citations = self._final(ctx, case, language)
            drafted_by = "model"
        else:
            body, drafted_by = self._template(case, kind, language), "template"
        reply = self.store.add_reply(
            case.id,
            kind=kind,
            language=language,
            body=body,
            citations=citations,
            status="draft",
            drafted_by=drafted_by,
            approved_by=None,
            sent_via=None,
            error=None,
            sent_at=None,
        )
        self.store.change(
            case.id, lambda row: {"reply": reply.id, "kind": kind}, event=("drafted", ctx.actor)
        )
        self._audit(ctx, "cases.reply_draft", case, reply)
        return reply

    def edit(self, ctx: CallContext, case_id: str, reply_id: str, body: str) -> CaseReply:
        """The officer's wording of a draft (its citations are checked again)."""
        case = self.work.get(ctx, case_id)
        reply = self.store.reply(case.id, reply_id)
        if reply.status != "draft":
            raise Conflict("an approved reply cannot be changed", hint="draft a new one")
        body = body.strip()
        if not body:
            raise InputError("the reply is empty")
        if len(body) > MAX_BODY:
            raise InputError(f"a reply is at most {MAX_BODY:,} characters")
        citations = _recheck(reply.citations, body)
        changed = self.store.change_reply(
            reply.id,
            expect=("draft",),
            body=body,
            citations=citations,
            drafted_by=_edited(reply.drafted_by),
        )
        self._audit(ctx, "cases.reply_edit", case, changed)
        return changed

    def approve(self, ctx: CallContext, case_id: str, reply_id: str) -> CaseReply:
        """Approve a draft: it goes on the status page, and by e-mail when it can."""
        case = self.work.get(ctx, case_id)
        reply = self.store.reply(case.id, reply_id)
        if reply.status != "draft":
            raise Conflict("this reply was already approved")
        now = self.clock()
        reply = self.store.change_reply(
            reply.id,
            expect=("draft",),  # two officers approving at once: the second gets a 409
            status="approved",
            approved_by=ctx.actor,
            sent_via="status_page",
            sent_at=now,
        )

        def apply(row: CaseRow) -> dict[str, object]:
            row.acknowledged_at = row.acknowledged_at or now
            if reply.kind == "final":
                row.replied_at = row.replied_at or now
                if row.status in ("open", "triage"):
                    row.status = "replied"
            return {"reply": reply.id, "kind": reply.kind, "drafted_by": reply.drafted_by}

        case = self.store.change(case.id, apply, event=("approved", ctx.actor))
        self._audit(ctx, "cases.reply_approve", case, reply)
        if case.contact.get("email") and self._mail_configured():
            reply = self.send(ctx, case.id, reply.id)
        return reply

    def send(self, ctx: CallContext, case_id: str, reply_id: str) -> CaseReply:
        """E-mail an approved reply to the citizen (again, after a failure)."""
        case = self.work.get(ctx, case_id)
        reply = self.store.reply(case.id, reply_id)
        if reply.status not in ("approved", "failed"):
            raise Conflict("only an approved reply can be sent")
        to = case.contact.get("email")
        if not to or not self._mail_configured():
            raise InputError(
                "this reply cannot be e-mailed",
                hint="the citizen gave no e-mail address, or the desk has no SMTP server "
                "(cases.mail.smtp_host); it is on the status page",
            )
        subject = f"[{case.reference}] {case.subject or 'Your case'}"
        try:
            sender = self.sender()
            assert sender is not None
            sender.send(
                to,
                subject,
                reply.body,
                case_reference=case.reference,
                in_reply_to=case.message_id or "",
            )
        except GovpilotError as exc:
            failed = self.store.change_reply(reply.id, status="failed", error=exc.message)
            self._audit(ctx, "cases.reply_send", case, failed, outcome="error")
            return failed
        sent = self.store.change_reply(
            reply.id, status="sent", sent_via="email", sent_at=self.clock(), error=None
        )
        self._audit(ctx, "cases.reply_send", case, sent)
        return sent

    def _mail_configured(self) -> bool:
        """Whether the desk has an SMTP server (a broken setting counts: sending says so)."""
        try:
            return self.sender() is not None
        except GovpilotError:
            return True

    # --- drafting --------------------------------------------------------------------

    def _template(self, case: Case, kind: str, language: str) -> str:
        name = case.contact.get("name", "")
        department = self.departments.name(case.department, zh=language == "zh")
        due = case.reply_due.strftime("%Y-%m-%d")
        if language == "zh":
            greeting = f"{name}：" if name else "先生／女士："
            if kind == "acknowledgement":
                middle = (
                    f"多謝閣下就「{case.subject or '來函'}」的來函。個案編號為 {case.reference}，"
                    f"已轉交{department}跟進，我們會在 {due} 或之前回覆。"
                )
            else:
                middle = (
                    f"關於個案 {case.reference}，{department}仍在跟進，"
                    "需要較多時間處理，敬請見諒。我們會盡快回覆閣下。"
                )
            return f"{greeting}\n\n{middle}\n\n如有查詢，請引用個案編號。\n\n1823 個案服務台"
        greeting = f"Dear {name}," if name else "Dear Sir or Madam,"
        if kind == "acknowledgement":
            middle = (
                f"Thank you for your message about “{case.subject or 'your case'}”. Your case "
                f"reference is {case.reference}. It has been passed to the {department}, and "
                f"we will reply by {due}."
            )
        else:
            middle = (
                f"The {department} is still looking into case {case.reference}. It needs more "
                "time; we are sorry for the wait and will reply as soon as we can."
            )
        closing = "Please quote the case reference in any reply."
        return f"{greeting}\n\n{middle}\n\n{closing}\n\n1823 case desk"

    def _final(
        self, ctx: CallContext, case: Case, language: str
    ) -> tuple[str, list[dict[str, Any]]]:
        query = f"{case.subject}\n{case.text}"[:1000]
        passages = list(self.search(case.department, query, 4)) if self.search else []
        zh = language == "zh"
        department = self.departments.name(case.department, zh=zh)
        messages = load_prompt("case_reply").render(
            zh=zh,
            department=department,
            reference=case.reference,
            message=quote_passage(f"{case.subject}\n{case.text}")[:MAX_MESSAGE],
            passages=[
                {"n": i, "title": p.title or p.source, "text": quote_passage(p.text)[:900]}
                for i, p in enumerate(passages, 1)
            ],
        )
        call = CallContext(
            actor=ctx.actor,
            department=case.desk,
            capability="cases",
            channel=ctx.channel,
            session=case.id,
            role=ctx.role,
            user_id=ctx.user_id,
        )
        answer = self.gateway.complete(
            call, messages, GenerationOptions(max_tokens=320, temperature=0)
        )
        raw = to_hk_traditional(answer.text) if zh else answer.text
        texts = [p.text for p in passages]
        draft = prepare_body(raw, texts)
        body = draft.body
        if not body:
            return self._template(case, "interim", language), []
        checks = citation_support(body, texts)
        citations = [
            {
                "n": i,
                "title": p.title or p.source,
                "source": p.source,
                "text": p.text[:MAX_PASSAGE],
                "supported": all(c["supported"] for c in checks if c["n"] == i),
                "cited": any(c["n"] == i for c in checks),
                "by_model": i in draft.model_cited,
            }
            for i, p in enumerate(passages, 1)
        ]
        if draft.unsupported:
            citations.append(
                {
                    "n": 0,
                    "title": "unsupported",
                    "text": "",
                    "source": "",
                    "supported": False,
                    "cited": False,
                    "statements": draft.unsupported,
                }
            )
        name = case.contact.get("name", "")
        if zh:
            footer = f"{department}\n（個案編號：{case.reference}）"
            framed = f"{name or '先生／女士'}：\n\n{body}\n\n{footer}"
        else:
            footer = f"{department}\n(Case reference: {case.reference})"
            framed = f"Dear {name or 'Sir or Madam'},\n\n{body}\n\n{footer}"
        return framed, citations

    def _audit(
        self, ctx: CallContext, action: str, case: Case, reply: CaseReply, *, outcome: str = "ok"
    ) -> None:
        detail = {
            "case": case.id,
            "reply": reply.id,
            "kind": reply.kind,
            "drafted_by": reply.drafted_by,
            "status": reply.status,
        }
        case_audit.record(self.audit, ctx, action, case.desk, detail, outcome=outcome)


def _edited(drafted_by: str) -> str:
    return (
        drafted_by
        if drafted_by.endswith("+officer") or drafted_by == "officer"
        else f"{drafted_by}+officer"
    )


def _recheck(citations: list[dict[str, Any]], body: str) -> list[dict[str, Any]]:
    """The passages' checks again, for the officer's wording (the model's notes dropped)."""
    passages = [c for c in citations if c.get("n", 0) > 0 and c.get("text")]
    checks = citation_support(body, [c.get("text", "") for c in passages])
    kept = [
        {
            **c,
            "supported": all(x["supported"] for x in checks if x["n"] == c["n"]),
            "cited": any(x["n"] == c["n"] for x in checks),
        }
        for c in passages
    ]
    missing = sorted({x["n"] for x in checks if not 1 <= x["n"] <= len(passages)})
    kept += [
        {
            "n": n,
            "title": f"[{n}]: no such source",
            "source": "",
            "text": "",
            "supported": False,
            "cited": True,
        }
        for n in missing
    ]
    return kept
