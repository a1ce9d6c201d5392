"""What an ingest job did: one IngestItem per file (or document to prune), and the report.

Shared by `govpilot ingest`, the upload jobs of the web and the API, and their JSON.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from govpilot.storage.knowledge_tables import IngestItemRow

__all__ = ["FINISHED", "OUTCOMES", "IngestItem", "IngestReport", "item_of"]

#: What became of each file, in the order summaries list them.
OUTCOMES: tuple[str, ...] = (
    "added",
    "updated",
    "unchanged",
    "removed",
    "kept",
    "skipped",
    "failed",
)
#: The statuses of a job that will not change again.
FINISHED: tuple[str, ...] = ("completed", "failed", "cancelled")


@dataclass(frozen=True)
class IngestItem:
    """One file of a job (or one document to prune) and what became of it."""

    source: str
    path: str
    action: str
    status: str
    outcome: str | None = None
    reason: str | None = None
    document_id: str | None = None
    chunks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "path": self.path,
            "status": self.status,
            "outcome": self.outcome,
            "reason": self.reason,
            "document_id": self.document_id,
            "chunks": self.chunks,
        }


@dataclass
class IngestReport:
    """A job's state: counts by outcome and every item with its reason."""

    job_id: str
    collection: str
    status: str
    items: list[IngestItem] = field(default_factory=list)
    #: Why the job failed as a whole (its worker gave up), in plain words; else None.
    error: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Items by outcome ('pending' for those not done yet); every outcome is present."""
        found = Counter(i.outcome if i.status == "done" else "pending" for i in self.items)
        counts = {name: found.get(name, 0) for name in OUTCOMES}
        if found.get("pending"):
            counts["pending"] = found["pending"]
        return counts

    @property
    def problems(self) -> list[IngestItem]:
        """Items skipped, failed or kept, each with its reason."""
        return [i for i in self.items if i.outcome in ("skipped", "failed", "kept")]

    @property
    def done(self) -> int:
        """How many items are done (whatever their outcome)."""
        return sum(1 for i in self.items if i.status == "done")

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def finished(self) -> bool:
        """True once the job is completed, failed or cancelled: it will not change again."""
        return self.status in FINISHED

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `govpilot ingest --json`."""
        return {
            "job_id": self.job_id,
            "collection": self.collection,
            "status": self.status,
            "error": self.error,
            "counts": self.counts,
            "items": [item.as_dict() for item in self.items],
        }


def item_of(row: IngestItemRow) -> IngestItem:
    """An item row as the report shows it (an upload by its name, never where it waits)."""
    path = row.source if row.action == "upload" else row.path
    return IngestItem(
        row.source,
        path,
        row.action,
        row.status,
        row.outcome,
        row.reason,
        row.document_id,
        row.chunks,
    )
