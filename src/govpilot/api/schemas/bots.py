"""Request and response bodies of the bots API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from govpilot.capabilities.chat.bots import DEFAULT_HANDOVER

BotLanguage = Literal["en", "zh-Hant", "yue"]


class BotCreate(BaseModel):
    """A new bot of the caller's department."""

    name: str = Field(min_length=1, max_length=64, examples=["housing-faq"])
    collections: list[str] = Field(
        min_length=1, description="The department's collections it may search (names or ids)"
    )
    languages: list[BotLanguage] = Field(default=["en", "zh-Hant"])
    cantonese_reply: Literal["cantonese", "written"] = Field(
        default="written", description="Answer Cantonese questions in Cantonese or 書面語"
    )
    tone: str | None = Field(default=None, max_length=200)
    refuse: list[str] = Field(default_factory=list, description="Topics it must refuse")
    handover: str = Field(default=DEFAULT_HANDOVER, max_length=500)
    model: str | None = None


class BotUpdate(BaseModel):
    """Fields to change; those left out stay as they are."""

    collections: list[str] | None = Field(
        default=None, min_length=1, description="Collection names or ids"
    )
    languages: list[BotLanguage] | None = None
    cantonese_reply: Literal["cantonese", "written"] | None = None
    tone: str | None = Field(default=None, max_length=200)
    refuse: list[str] | None = None
    handover: str | None = Field(default=None, max_length=500)
    model: str | None = None


class BotPublic(BaseModel):
    id: str
    name: str
    department: str
    collection_ids: list[str]
    languages: list[str]
    cantonese_reply: str
    tone: str
    refuse: list[str]
    handover: str
    model: str | None
    created_by: str
    created_at: str


class ConversationPublic(BaseModel):
    conversation_id: str
    bot: str


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    conversation_id: str | None = Field(
        default=None, description="Continue this conversation (follow-up questions)"
    )


class CitationPublic(BaseModel):
    n: int = Field(description="The number the answer cites it by, as [n]")
    document: str
    title: str = ""
    section: str = ""
    page: int | None = None
    url: str | None = None
    label: str = ""
    excerpt: str = ""


class AskResponse(BaseModel):
    answer: str
    citations: list[CitationPublic]
    handed_over: bool = Field(description="True when the bot gave its hand-over message")
    language: str
    outcome: Literal["answered", "handed_over", "refused", "hostile"]
    latency_ms: int
    conversation_id: str
    turn_id: str = Field(description="Rate this answer with POST .../feedback")


class FeedbackRequest(BaseModel):
    turn_id: str
    rating: Literal["up", "down"]
