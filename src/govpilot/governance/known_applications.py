"""The register entries capabilities get at their first model call, by capability name."""

from __future__ import annotations

#: What a model call's key (`CallContext.application`, else its capability) registers as
#: when it has no entry yet: kind, English and Chinese names, purpose, who is affected.
KNOWN: dict[str, tuple[str, str, str, str, str]] = {
    "translate": (
        "copilot",
        "Copilot: translation",
        "文書助手：翻譯",
        "Translates documents and text between English and Traditional Chinese.",
        "officers",
    ),
    "summarise": (
        "copilot",
        "Copilot: summaries",
        "文書助手：摘要",
        "Summarises documents for officers.",
        "officers",
    ),
    "draft": (
        "copilot",
        "Copilot: drafting",
        "文書助手：草擬",
        "Drafts memos, replies and press releases from templates.",
        "officers",
    ),
    "transcribe": (
        "minutes",
        "Meeting minutes: speech to text",
        "會議記錄：語音轉文字",
        "Transcribes recordings of meetings in Cantonese, English and Mandarin into timed text.",
        "officers",
    ),
    "minutes": (
        "minutes",
        "Meeting minutes: writing",
        "會議記錄：撰寫",
        "Writes minutes of meetings from their transcripts; each point cites when it was said.",
        "officers",
    ),
    "opinion": (
        "opinion",
        "Opinion analysis: consultations and posts",
        "意見分析：諮詢及帖文",
        "Finds the stance and themes of public responses to consultations and of social-media "
        "posts, with counts and quotes for officers to check.",
        "public",
    ),
    "cases": (
        "cases",
        "Case desk: triage and reply drafts",
        "個案服務台：分流及草擬回覆",
        "Routes citizens' complaints and enquiries to the department that handles them and "
        "drafts replies from the department's documents; an officer approves every reply "
        "before it is sent.",
        "public",
    ),
    "chat": (
        "model_access",
        "Model access (OpenAI-compatible API)",
        "模型存取（OpenAI 相容介面）",
        "Direct access to the department's models through the /v1 API.",
        "officers",
    ),
}
