"""ORM tables of AI governance: the application register, impact assessments, human review
items and incidents.

A review item holds no question or answer text: it points at the bot turn whose stored
record holds them (redacted per policy, erased with it), and keeps the passages cited,
which are the department's own documents.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govpilot.storage.base import Base, UtcDateTime

__all__ = ["AiApplicationRow", "AssessmentRow", "IncidentRow", "ReviewItemRow"]


class AiApplicationRow(Base):
    """One AI application of a department: a bot, a copilot capability, or a system elsewhere."""

    __tablename__ = "ai_applications"
    __table_args__ = (
        UniqueConstraint("department", "source", name="uq_ai_applications_source"),
        Index("ix_ai_applications_department", "department"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(Text)
    #: What it is: bot, copilot, model_access, minutes, opinion, cases, external.
    kind: Mapped[str] = mapped_column(String(20))
    #: The key model calls carry ("bot:<id>", "translate" ...); "external:<id>" for others.
    source: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(Text)
    name_zh: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(Text)
    #: public, officers or both.
    affected: Mapped[str] = mapped_column(String(20))
    data_categories: Mapped[list[str]] = mapped_column(JSON)
    models: Mapped[list[str]] = mapped_column(JSON)
    #: in_the_loop, on_the_loop or out_of_the_loop.
    oversight: Mapped[str] = mapped_column(String(20))
    #: Share of answers sampled for after-the-fact review (on the loop).
    review_sample: Mapped[float] = mapped_column(Float)
    #: Officers (account e-mails) assigned to review its outputs; admins always may.
    reviewers: Mapped[list[str]] = mapped_column(JSON)
    #: unassessed, low, medium, high (the last signed-off assessment's level).
    risk_tier: Mapped[str] = mapped_column(String(20))
    #: planning, development, deployment, post_implementation_review, retired.
    stage: Mapped[str] = mapped_column(String(30))
    next_review: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AssessmentRow(Base):
    """One version of an application's AI Application Impact Assessment."""

    __tablename__ = "ai_assessments"
    __table_args__ = (
        UniqueConstraint("application_id", "version", name="uq_ai_assessments_version"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("ai_applications.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(30))
    questionnaire: Mapped[str] = mapped_column(String(40))
    #: draft, submitted, signed_off.
    status: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    mitigations: Mapped[list[str]] = mapped_column(JSON)
    #: Evidence thresholds that make a reassessment due (e.g. review_rejection_rate: 0.1).
    thresholds: Mapped[dict[str, float]] = mapped_column(JSON)
    #: What the system knew when it was filed (models, data categories, hosting, oversight).
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    raw_score: Mapped[float] = mapped_column(Float)
    mitigation_score: Mapped[float] = mapped_column(Float)
    risk_level: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    signed_off_by: Mapped[str | None] = mapped_column(Text)
    signed_off_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ReviewItemRow(Base):
    """One output waiting for (or given) a human verdict."""

    __tablename__ = "ai_review_items"
    __table_args__ = (
        Index("ix_ai_review_items_queue", "department", "status", "created_at"),
        Index("ix_ai_review_items_application", "application_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("ai_applications.id", ondelete="CASCADE")
    )
    department: Mapped[str] = mapped_column(Text)
    #: bot_turn (after the fact, on the loop) or copilot_draft (before it leaves, in the loop).
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(64))
    #: sampled, flagged (by the bot's checks), rated_down, approval.
    reason: Mapped[str] = mapped_column(String(20))
    #: The stored record holding the question and the answer (redacted per policy).
    record_id: Mapped[str | None] = mapped_column(String(32))
    #: Citations with their passages: the department's documents, never personal data.
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: pending, approved, rejected, corrected.
    status: Mapped[str] = mapped_column(String(20))
    reviewer: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    correction: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class IncidentRow(Base):
    """Something that went wrong with an application, reported by anyone with access."""

    __tablename__ = "ai_incidents"
    __table_args__ = (Index("ix_ai_incidents_application", "application_id", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("ai_applications.id", ondelete="CASCADE")
    )
    department: Mapped[str] = mapped_column(Text)
    #: wrong_answer, data_leak, bias, security, other.
    category: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    #: open, investigating, resolved.
    status: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
