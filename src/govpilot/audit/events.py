"""Typed audit events and the sink protocol every model call reports to."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

Outcome = Literal["ok", "error", "refused"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AuditEvent:
    """One event: who did what, through which model, with what result. Never the text itself."""

    actor: str
    department: str
    action: str
    outcome: Outcome = "ok"
    backend: str | None = None
    model_name: str | None = None
    model_id: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: int = 0
    channel: str = "cli"
    redactions: dict[str, int] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=utc_now)
    #: The AI application (governance register entry) a model call was made for.
    application_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["occurred_at"] = self.occurred_at.isoformat()
        return data


class AuditSink(Protocol):
    """Where audit events go: the hash-chained database log in production."""

    def record(self, event: AuditEvent) -> None:
        """Append one event; must not lose it silently."""
        ...


class MemoryAuditSink:
    """Keeps events in a list: for tests and for commands that run without a database."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def record(self, event: AuditEvent) -> None:
        self.events.append(event)
