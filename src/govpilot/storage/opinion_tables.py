"""The tables of opinion analysis: consultations, their responses, and the themes found.

A consultation keeps its original file as a stored upload (retention and erasure apply;
when it goes, the analysis stays, since it holds only redacted text). Responses are
stored with their personal data already replaced, one row each, so a consultation of
200,000 responses is never one value. A response's themes are a list of
{"theme": id, "quote": sentence} in the response row; a theme row holds its names,
side and most typical responses. Deleting a consultation deletes its rows (CASCADE).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govpilot.storage.base import Base, UtcDateTime

__all__ = ["ConsultationRow", "OpinionResponseRow", "OpinionThemeRow"]


class ConsultationRow(Base):
    """One consultation (or stream of posts) of a department."""

    __tablename__ = "consultations"
    __table_args__ = (Index("ix_consultations_department_name", "department", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL")
    )
    actor: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200))
    source_record_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("stored_records.id", ondelete="SET NULL")
    )
    #: imported, analysing, analysed, failed.
    status: Mapped[str] = mapped_column(String(20))
    #: How far the analysis is: the questions done so far, by text.
    done_questions: Mapped[list[str]] = mapped_column(JSON)
    #: The number of themes the officer asked for per question; None: found from the data.
    target_themes: Mapped[int | None] = mapped_column(Integer)
    #: What the import found: encoding, columns, languages, problems, campaigns.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    analysis_job_id: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OpinionResponseRow(Base):
    """One response (or post), its text redacted, with what the analysis found in it."""

    __tablename__ = "opinion_responses"
    __table_args__ = (
        Index("ix_opinion_responses_consultation", "consultation_id", "question", "position"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("consultations.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    #: Personal data replaced in it, by type (never the values).
    redacted: Mapped[dict[str, int]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8))
    respondent_type: Mapped[str] = mapped_column(Text)
    district: Mapped[str] = mapped_column(Text)
    submitted: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text)
    #: The external id of its campaign's first copy, if it is a copy in a campaign.
    campaign: Mapped[str | None] = mapped_column(Text)
    #: support, oppose, mixed, unclear; None until analysed.
    stance: Mapped[str | None] = mapped_column(String(10))
    #: Whether the chat model read it for its stance (else a classifier inferred it).
    stance_read: Mapped[bool] = mapped_column(Boolean)
    sentiment: Mapped[str | None] = mapped_column(String(10))
    #: [{"theme": theme id, "quote": the sentence}], in the order found.
    themes: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    #: Why it was not analysed, if it was not.
    problem: Mapped[str | None] = mapped_column(Text)


class OpinionThemeRow(Base):
    """One theme of one question: a single side's argument, named in both languages."""

    __tablename__ = "opinion_themes"
    __table_args__ = (Index("ix_opinion_themes_consultation", "consultation_id", "question"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("consultations.id", ondelete="CASCADE")
    )
    question: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    #: support, oppose or unclear.
    side: Mapped[str] = mapped_column(String(10))
    title_en: Mapped[str] = mapped_column(Text)
    title_zh: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    description_zh: Mapped[str] = mapped_column(Text)
    #: External ids of its most typical responses, most typical first.
    typical: Mapped[list[str]] = mapped_column(JSON)
    #: Who last renamed, merged or split it, if an officer did.
    edited_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
