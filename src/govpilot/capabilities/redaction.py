"""Redaction of personal data (PDPO): the one façade the CLI, the API, the web and jobs use.

It authorises (redaction calls no model, so the gateway's check does not apply: it is a
copilot tool, USE_COPILOT), redacts, and records one "redact" audit event with the counts
per type and never the values. A job records its counts in its own `job.finish` event, so
it asks for the work unaudited.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from govpilot.access import CallContext, Permission, authorize
from govpilot.audit.events import AuditEvent, AuditSink
from govpilot.documents.model import Document
from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.documents import RedactionReport, redact_document, redact_text
from govpilot.privacy.entities import PII_TYPES, count_by_type
from govpilot.privacy.operators import OperatorName, PseudonymVault, Redaction

CAPABILITY = "redact"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RedactionService:
    """Finds and replaces personal data in texts and documents, audited once per request."""

    detector: PiiDetector
    audit: AuditSink
    #: The salt for the `hash` operator; read only when that operator is chosen.
    salt: Callable[[], bytes]

    def authorize(self, ctx: CallContext) -> None:
        """Refuse (Forbidden) a caller who may not use the copilot's tools."""
        authorize(ctx, Permission.USE_COPILOT)

    def redact_text(
        self,
        ctx: CallContext,
        text: str,
        operator: OperatorName = "placeholder",
        types: Collection[str] | None = None,
    ) -> Redaction:
        """`text` with its personal data replaced; offsets of the findings point into `text`."""
        self.authorize(ctx)
        redaction = self._text(text, operator, types)
        self.record(ctx, count_by_type(redaction.findings), operator, "text")
        return redaction

    def redact_document(
        self,
        ctx: CallContext,
        document: Document,
        operator: OperatorName = "placeholder",
        types: Collection[str] | None = None,
        *,
        progress: Progress | None = None,
        audited: bool = True,
    ) -> tuple[Document, RedactionReport]:
        """`document` redacted block by block, keeping its structure, with what was found where.

        `audited=False` for a caller that records the counts itself (a job's `job.finish`).
        """
        self.authorize(ctx)
        redacted, report = redact_document(
            document,
            self.detector,
            operator,
            salt=self._salt(operator),
            types=types,
            progress=progress,
        )
        if audited:
            self.record(ctx, report.counts, operator, document.source_format or "document")
        return redacted, report

    @contextmanager
    def batch(
        self,
        ctx: CallContext,
        operator: OperatorName = "placeholder",
        types: Collection[str] | None = None,
        *,
        input_kind: str = "jsonl",
    ) -> Iterator[RedactionBatch]:
        """Many texts (e.g. JSON lines) under one audit event, recorded when the batch ends."""
        self.authorize(ctx)
        batch = RedactionBatch(self, operator, types)
        try:
            yield batch
        finally:
            counts = {t: batch.counts[t] for t in PII_TYPES if batch.counts[t]}
            self.record(ctx, counts, operator, input_kind, items=batch.items, failed=batch.failed)

    def record(
        self,
        ctx: CallContext,
        counts: dict[str, int],
        operator: str,
        input_kind: str,
        *,
        items: int = 1,
        failed: int | None = None,
    ) -> None:
        """The one shape of the "redact" audit event: counts per type, never the values."""
        detail: dict[str, object] = {"operator": operator, "input": input_kind, "items": items}
        if failed is not None:
            detail["failed"] = failed
        self.audit.record(
            AuditEvent(
                actor=ctx.actor,
                department=ctx.department,
                action=CAPABILITY,
                channel=ctx.channel,
                redactions=counts,
                detail=detail,
            )
        )

    def _text(self, text: str, operator: OperatorName, types: Collection[str] | None) -> Redaction:
        return redact_text(
            text,
            self.detector,
            operator,
            vault=PseudonymVault(),  # pseudonyms numbered per text
            salt=self._salt(operator),
            types=types,
        )

    def _salt(self, operator: OperatorName) -> bytes | None:
        return self.salt() if operator == "hash" else None


@dataclass
class RedactionBatch:
    """The texts of one batch: each redacted on its own, counted for the one audit event."""

    service: RedactionService
    operator: OperatorName
    types: Collection[str] | None
    counts: Counter[str] = field(default_factory=Counter)
    items: int = 0
    failed: int = 0

    def redact(self, text: str) -> Redaction:
        """One text of the batch, redacted and counted."""
        redaction = self.service._text(text, self.operator, self.types)
        self.items += 1
        self.counts.update(f.type for f in redaction.findings)
        return redaction

    def fail(self) -> None:
        """Count an item that could not be redacted (its error is the caller's to report)."""
        self.failed += 1
