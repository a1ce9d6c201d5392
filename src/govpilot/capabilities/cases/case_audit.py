"""The case desk's audit events: who did what to which case, never its text or contacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from govpilot.access import CallContext
from govpilot.audit.events import AuditEvent, AuditSink, Outcome

__all__ = ["record"]


def record(
    audit: AuditSink,
    ctx: CallContext,
    action: str,
    desk: str,
    detail: Mapping[str, object],
    *,
    channel: str | None = None,
    outcome: str = "ok",
    redactions: dict[str, int] | None = None,
) -> None:
    """One event of `desk`'s, on `channel` (default: the caller's)."""
    audit.record(
        AuditEvent(
            actor=ctx.actor,
            department=desk,
            action=action,
            outcome=cast(Outcome, outcome),
            channel=channel or ctx.channel,
            redactions=dict(redactions or {}),
            detail=dict(detail),
        )
    )
