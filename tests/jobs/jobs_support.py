"""Shared by the job tests: scripted model answers, a small Word file, users and contexts."""

from __future__ import annotations

import io
from collections.abc import Sequence

import docx

from govpilot.access import CallContext, Role
from govpilot.backends.llm import ChatMessage
from govpilot.platform import Platform
from govpilot.privacy.testing import SAMPLE_HKID, SAMPLE_PHONE
from govpilot.testing import add_user

ZH_SENTENCE = "这是政府的测试句子。"  # the model writes Simplified; the pipeline converts it
ZH_HK = "這是政府的測試句子。"
SUMMARY = (
    "- The department will extend library opening hours. [1]\n"
    "- A public consultation runs until March. [2]"
)
DRAFT = "## Purpose\n\nTo extend library opening hours.\n\n- Start in April\n- Review in May"
PARAGRAPHS = (
    "The department will extend library opening hours.",
    f"Contact Mr Chan (HKID {SAMPLE_HKID}) on {SAMPLE_PHONE}.",
)


def respond(messages: Sequence[ChatMessage]) -> str:
    """A deterministic answer for each capability's prompt, told apart by its system text."""
    system = messages[0].content if messages and messages[0].role == "system" else ""
    if "翻译" in system:
        return ZH_SENTENCE
    if "summaries" in system or "摘要" in system:
        return SUMMARY
    if "drafts documents" in system or "草擬" in system:
        return DRAFT
    return "This is the government's test sentence."


def make_docx(paragraphs: Sequence[str] = PARAGRAPHS) -> bytes:
    """A Word file with a heading and `paragraphs`."""
    word = docx.Document()
    word.add_heading("Library opening hours", level=1)
    for text in paragraphs:
        word.add_paragraph(text)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """Every paragraph's text of a Word file, one per line."""
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def person(
    platform: Platform, email: str, department: str = "HAD", role: Role = Role.OFFICER
) -> CallContext:
    """A new user's call context, as the API would build it."""
    return add_user(platform, email, department=department, role=role).context("api", "api")
