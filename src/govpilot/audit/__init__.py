"""Audit trail: typed events, the sink protocol, and the hash-chained database log."""

from govpilot.audit.events import AuditEvent, AuditSink, MemoryAuditSink, Outcome
from govpilot.audit.log import AuditLog, AuditRecord, VerifyReport

__all__ = [
    "AuditEvent",
    "AuditLog",
    "AuditRecord",
    "AuditSink",
    "MemoryAuditSink",
    "Outcome",
    "VerifyReport",
]
