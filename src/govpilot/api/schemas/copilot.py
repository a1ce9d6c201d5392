"""Requests and responses of the document copilot: translate, summarise, draft."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Re-exported for the routers that still import it from here (its home is schemas.errors).
from govpilot.api.schemas.errors import ERROR_RESPONSES as ERROR_RESPONSES

Target = Literal["zh-Hant", "en"]
Lang = Literal["en", "zh-Hant"]
MAX_TEXTS = 20  # documents summarised together, or references given to a draft


class TranslateRequest(BaseModel):
    """Text to translate."""

    text: str = Field(description="Plain text; paragraphs separated by blank lines are kept")
    target: Target = Field(description="zh-Hant: Traditional Chinese (Hong Kong); en: English")
    model: str | None = Field(default=None, description="A model from /v1/models")
    stream: bool = Field(
        default=False,
        description="Answer as text/event-stream: `progress` events, then `result` or `error`",
    )


class TranslationReportPublic(BaseModel):
    """What happened while translating."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    target: str
    segments: int
    model_calls: int
    retries: int
    model_ids: list[str]
    glossary_hits: int
    glossary_misses: list[str]
    untranslated_words: list[str]
    seconds: float


class TranslateResponse(BaseModel):
    """The translation and a report on it."""

    text: str
    report: TranslationReportPublic


class SummariseRequest(BaseModel):
    """Texts to summarise together into one summary."""

    texts: list[str] = Field(min_length=1, max_length=MAX_TEXTS)
    lang: Lang | None = Field(default=None, description="Summary language (default: detected)")
    words: int = Field(default=200, ge=20, le=2000, description="About how long the summary is")
    model: str | None = None


class SummaryReference(BaseModel):
    """A numbered source paragraph that a point came from."""

    number: int
    document: str
    page: int | None
    heading: str | None
    text: str


class SummaryPointPublic(BaseModel):
    """One point of the summary with the paragraphs it came from."""

    text: str
    traced_by_overlap: bool = Field(
        description="True when the references were inferred, not given by the model"
    )
    references: list[SummaryReference]


class SummaryPublic(BaseModel):
    """The summary: points with references into the numbered source paragraphs."""

    model_config = ConfigDict(protected_namespaces=())

    lang: str
    stages: int
    model_ids: list[str]
    points: list[SummaryPointPublic]


class DraftRequest(BaseModel):
    """What to draft, following which template."""

    template: str = Field(description="A template name from /api/v1/templates")
    instructions: str = Field(description="What the draft should cover")
    lang: Lang | None = Field(default=None, description="Default: the instructions' language")
    references: list[str] = Field(
        default_factory=list, max_length=MAX_TEXTS, description="Reference texts to draw on"
    )
    model: str | None = None
    for_approval: bool = Field(
        default=False,
        description="Hold the draft in the review queue until a reviewer approves it "
        "(always so when drafting is overseen in the loop)",
    )


class ApprovalPublic(BaseModel):
    """The review item holding a draft; GET /api/v1/reviews/{item}/released gives the
    approved text."""

    item: str
    status: str


class DraftPublic(BaseModel):
    """The draft (Markdown) and what produced it."""

    model_config = ConfigDict(protected_namespaces=())

    text: str
    template: str
    lang: str
    model_id: str
    glossary_misses: list[str]
    approval: ApprovalPublic | None = None


class TemplatePublic(BaseModel):
    """A draft template."""

    name: str
    lang: str
    title: str
    description: str


class TemplateList(BaseModel):
    """Every draft template available, one entry per name and language."""

    templates: list[TemplatePublic]
