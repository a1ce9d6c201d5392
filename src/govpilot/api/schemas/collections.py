"""Request and response bodies of the knowledge collections API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class CollectionCreate(BaseModel):
    """A new, empty collection of the caller's department."""

    name: str = Field(min_length=1, max_length=100, examples=["housing-faq"])
    description: str = Field(default="", max_length=1000, description="What it holds")


class CollectionPublic(BaseModel):
    """A collection, with how many documents and chunks it holds."""

    id: str
    name: str
    department: str
    description: str
    created_by: str
    created_at: str
    documents: int
    chunks: int


class DocumentPublic(BaseModel):
    """One ingested file of a collection."""

    id: str
    source: str = Field(description="The file's name, as shown in citations")
    title: str
    url: str | None
    kind: str = Field(description="How it was read: txt, md, html, docx, pdf, pdf-ocr, faq ...")
    content_hash: str = Field(description="sha256 of the file's bytes")
    size: int
    chunks: int
    status: str = Field(description="'ready', or 'indexing' while its chunks are replaced")
    ingested_at: str


class UploadItemPublic(BaseModel):
    """What became of one uploaded file."""

    source: str = Field(description="The file's own name, as documents and citations show it")
    path: str
    status: str = Field(description="'pending' until the file is indexed, then 'done'")
    outcome: str | None = Field(
        description="added, updated, unchanged, skipped (not a type govpilot reads) or failed;"
        " null while pending"
    )
    reason: str | None = Field(description="Why a file was skipped or failed")
    document_id: str | None
    chunks: int


class IngestJobPublic(BaseModel):
    """An upload's ingest job: its state, counts by outcome and one item per file, in the
    order sent."""

    job_id: str
    collection: str
    status: str = Field(description="queued, running, completed or failed")
    done: int = Field(description="Files done so far")
    total: int = Field(description="Files in the job")
    counts: dict[str, int] = Field(
        description="Files by outcome; 'pending' counts those not indexed yet"
    )
    items: list[UploadItemPublic]


class SearchHitPublic(BaseModel):
    """One search result, as `govpilot search --json` prints it."""

    document: str
    text: str
    score: float
    citation: dict[str, Any] = Field(
        description="Where it is: document, title, section, page, url, and a printable label"
    )
