"""The tables of the case desk: cases, what happened to each, and the replies drafted.

A case's text is stored as the receiving desk's privacy policy says (placeholders by
default); the contact details a citizen gave for the reply are kept apart, in `contact`,
since a reply needs them. A case's vector (multilingual-e5) is kept with it, so similar
past cases can be found without the text being read again. Deleting a case deletes its
events and replies (CASCADE).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govpilot.storage.base import Base, UtcDateTime

__all__ = ["CaseEventRow", "CaseReplyRow", "CaseRow"]


class CaseRow(Base):
    """One complaint or enquiry, from intake to close."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_reference", "reference", unique=True),
        Index("ix_cases_department_status", "department", "status"),
        Index("ix_cases_desk_status", "desk", "status"),
        Index("ix_cases_message_id", "message_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: What the citizen quotes on the status page (random: never guessable).
    reference: Mapped[str] = mapped_column(String(20))
    #: The department whose officers took it in and triage it.
    desk: Mapped[str] = mapped_column(String(100))
    #: The department that owns it now (a code of the desk's list); "" until triaged.
    department: Mapped[str] = mapped_column(String(100))
    team: Mapped[str] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(Text)
    #: triage (an officer must route it), open, replied, closed.
    status: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    #: web_form, email, api, phone, social_media.
    channel: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    district: Mapped[str] = mapped_column(Text)
    #: Personal data found in the text, by type (counts, never values).
    pii: Mapped[dict[str, int]] = mapped_column(JSON)
    #: {"name", "email", "phone"} as the citizen gave them for the reply.
    contact: Mapped[dict[str, str]] = mapped_column(JSON)
    #: The router's decision: candidates with scores and reasons, confidence, urgency's.
    triage: Mapped[dict[str, Any]] = mapped_column(JSON)
    confidence: Mapped[float] = mapped_column(Float)
    #: Whether an officer confirmed or corrected the department (it then teaches routing).
    confirmed: Mapped[bool] = mapped_column(Boolean)
    #: The first case of the incident this one reports again, if it is a duplicate.
    incident_id: Mapped[str | None] = mapped_column(String(32))
    escalated: Mapped[bool] = mapped_column(Boolean)
    vector: Mapped[list[float] | None] = mapped_column(JSON)
    #: An e-mail's Message-ID (one message makes one case, however often it is fetched).
    message_id: Mapped[str | None] = mapped_column(Text)
    #: [{"record": stored record id, "filename", "bytes", "chars"}]
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    acknowledge_due: Mapped[datetime] = mapped_column(UtcDateTime())
    reply_due: Mapped[datetime] = mapped_column(UtcDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class CaseEventRow(Base):
    """One thing done to a case: triage, transfer, assignment, note, status, reply."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case", "case_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(Text)
    #: What changed ({"from": "FEHD", "to": "BD", "reason": ...}); a note's text is `text`.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CaseReplyRow(Base):
    """A reply to the citizen: drafted (by the model or an officer), approved, sent."""

    __tablename__ = "case_replies"
    __table_args__ = (Index("ix_case_replies_case", "case_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("cases.id", ondelete="CASCADE"))
    #: acknowledgement, interim or final.
    kind: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    #: [{"n", "title", "text", "collection", "document"}] the draft's [n] refer to.
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: draft, approved (and posted on the status page), sent (e-mailed), failed.
    status: Mapped[str] = mapped_column(String(20))
    drafted_by: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(Text)
    #: status_page or email.
    sent_via: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
