"""Job inputs kept per policy: each API job's input text becomes a `job_inputs` record.

The record is redacted as the caller's department stores personal data (see
`govpilot.privacy.stored_text`) and expires after the `job_inputs` retention period; it gives
the platform a history of jobs that data access requests and erasure can reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from govpilot.access import CallContext, Permission, authorize
from govpilot.documents.model import Document
from govpilot.platform import Platform

_SEPARATOR = "\n\n---\n\n"


def remember_input(
    platform: Platform,
    ctx: CallContext,
    texts: Sequence[str],
    *,
    title: str = "",
    **metadata: Any,
) -> str:
    """Store a job's input texts as one `job_inputs` record; return its id.

    Only for callers who may use the copilot: nothing is kept of a refused request.
    """
    authorize(ctx, Permission.USE_COPILOT)
    return platform.records.save_text(
        "job_inputs",
        ctx.department,
        ctx.actor,
        _SEPARATOR.join(texts),
        title=title,
        metadata={
            "capability": ctx.capability,
            "channel": ctx.channel,
            "parts": len(texts),
            "chars": sum(len(t) for t in texts),
            **{k: v for k, v in metadata.items() if v is not None},
        },
    )


def remember_documents(
    platform: Platform, ctx: CallContext, documents: Sequence[Document], **metadata: Any
) -> str:
    """Store uploaded documents' text as one `job_inputs` record, titled by their names."""
    names = ", ".join(d.source or "upload" for d in documents)
    return remember_input(platform, ctx, [d.text for d in documents], title=names, **metadata)
