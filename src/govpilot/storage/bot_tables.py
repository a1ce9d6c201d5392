"""ORM tables: bots, their conversations, and one row per question asked (turns).

A turn row holds no text: the question and the answer live in a `stored_records` row of
class "conversations" (redacted per the department's storage policy, found by data access
requests, erased and purged with them), which the turn points at. When that record goes,
the turn keeps only the anonymous figures analytics needs (day, outcome, latency, rating).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govpilot.storage.base import Base, UtcDateTime

__all__ = ["BotConversationRow", "BotRow", "BotTurnRow"]


class BotRow(Base):
    """One bot of a department: what it may read, how it speaks, what it refuses."""

    __tablename__ = "bots"
    __table_args__ = (UniqueConstraint("department", "name", name="uq_bots_department_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(100))
    languages: Mapped[list[str]] = mapped_column(JSON)
    cantonese_reply: Mapped[str] = mapped_column(String(20))
    tone: Mapped[str] = mapped_column(Text)
    collection_ids: Mapped[list[str]] = mapped_column(JSON)
    refuse: Mapped[list[str]] = mapped_column(JSON)
    handover: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class BotConversationRow(Base):
    """A conversation with a bot: the turns that share context and pseudonyms."""

    __tablename__ = "bot_conversations"
    __table_args__ = (Index("ix_bot_conversations_bot_id", "bot_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    bot_id: Mapped[str] = mapped_column(String(32), ForeignKey("bots.id", ondelete="CASCADE"))
    department: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class BotTurnRow(Base):
    """One question and its outcome; the texts are in the stored record it points at."""

    __tablename__ = "bot_turns"
    __table_args__ = (
        Index("ix_bot_turns_bot_asked", "bot_id", "asked_at"),
        Index("ix_bot_turns_conversation", "conversation_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("bot_conversations.id", ondelete="CASCADE")
    )
    bot_id: Mapped[str] = mapped_column(String(32), ForeignKey("bots.id", ondelete="CASCADE"))
    department: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    language: Mapped[str] = mapped_column(String(16))
    #: answered, handed_over (not in the documents), refused (a topic), hostile.
    outcome: Mapped[str] = mapped_column(String(20))
    handed_over: Mapped[bool] = mapped_column(Boolean)
    #: What was cited (document names, sections, links): never personal data.
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    latency_ms: Mapped[int] = mapped_column(Integer)
    #: +1 thumbs up, -1 thumbs down, None not rated.
    rating: Mapped[int | None] = mapped_column(Integer)
    record_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("stored_records.id", ondelete="SET NULL")
    )
