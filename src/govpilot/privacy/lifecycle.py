"""Data lifecycle under the PDPO (data protection principles 2 and 6): retention, access,
correction and erasure of what the platform stores about a person.

- `purge` deletes stored records past their class's retention period and audit events past
  the audit retention (the hash chain stays verifiable), and records that it did.
- `data_access_request` exports every record that mentions an identifier (name, HKID, phone,
  e-mail ...), the records the person owns and the audit events they made.
- `erase` deletes the records that mention the person; `correct` rewrites a wrong value in
  records stored readable ("keep"), and says which records are redacted and cannot be.

Each one appends an audit event (`privacy.purge`, `privacy.access`, `privacy.erase`,
`privacy.correct`) naming the person only by the type and salted hash of the identifier.

Each one first checks the caller (`accounts.authz`, MANAGE_PRIVACY). A purge works on every
department's records and the whole audit log at once, so it needs that permission in every
department, which only a platform administrator (and the CLI, acting as one) has. Data
access, erasure and correction are answered within what the caller may reach: every
department for a platform administrator, its own department's records and audit events for
a department administrator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from govpilot.access import CallContext, Permission, allowed, authorize, visible_departments
from govpilot.audit.events import AuditEvent, Outcome
from govpilot.audit.log import AuditLog, AuditRecord
from govpilot.config import RetentionDays
from govpilot.errors import GovpilotError, InputError, PermissionDenied
from govpilot.privacy.entities import PII_TYPES
from govpilot.privacy.stored_text import StorageRedactor, Subject
from govpilot.storage.base import as_utc
from govpilot.storage.records import DATA_CLASSES, RecordStore, StoredRecord

EXPORT_FORMAT = "govpilot.data-access/1"
_REQUEST_ACTIONS = ("privacy.access", "privacy.erase", "privacy.correct")
_REDACTED_NOTE = (
    "Records stored with policy {mode!r} had personal data replaced before they were written; "
    "the replaced values cannot be recovered, read or corrected."
)


#: Stands for "all of them" where authorisation asks which department an action touches.
EVERY_DEPARTMENT = "*"
_Departmental = TypeVar("_Departmental", StoredRecord, AuditRecord)


def authorize_purge(ctx: CallContext) -> None:
    """Raise PermissionDenied unless `ctx` may purge: MANAGE_PRIVACY in every department."""
    authorize(ctx, Permission.MANAGE_PRIVACY)
    if not allowed(ctx, Permission.MANAGE_PRIVACY, EVERY_DEPARTMENT):
        raise PermissionDenied(
            "a purge covers every department's records and the whole audit log",
            hint="ask a platform administrator to run `govpilot privacy purge`",
        )


def request_scope(ctx: CallContext) -> set[str] | None:
    """The departments whose data a data subject request by `ctx` covers (None: all).

    Raises PermissionDenied unless `ctx` has MANAGE_PRIVACY.
    """
    authorize(ctx, Permission.MANAGE_PRIVACY)
    return visible_departments(ctx, Permission.MANAGE_PRIVACY)


def _within(items: Iterable[_Departmental], departments: set[str] | None) -> list[_Departmental]:
    return [i for i in items if departments is None or i.department in departments]


def _now(now: datetime | None) -> datetime:
    return as_utc(now) if now is not None else datetime.now(UTC)


def _by_class(records: Iterable[StoredRecord]) -> dict[str, int]:
    counts = Counter(r.data_class for r in records)
    return {name: counts[name] for name in DATA_CLASSES if counts[name]}


def _event(record: AuditRecord) -> dict[str, Any]:
    return {"seq": record.seq, **record.event.as_dict()}


@dataclass(frozen=True)
class PurgeReport:
    """What a purge deleted (or, for a dry run, would delete)."""

    now: datetime
    records: dict[str, int]
    audit_events: int
    audit_before: datetime
    dry_run: bool = False

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "records": dict(self.records),
            "audit_events": self.audit_events,
            "audit_before": self.audit_before.isoformat(),
        }


@dataclass(frozen=True)
class AccessExport:
    """Everything stored about one identifier, as handed to the person who asked."""

    subject: Subject
    generated_at: datetime
    records: list[StoredRecord]
    owned: list[StoredRecord]
    audit_events: list[AuditRecord]
    #: Earlier access, erasure and correction requests about the same identifier.
    requests: list[AuditRecord] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The export document (JSON)."""
        modes = sorted({r.storage for r in [*self.records, *self.owned]} - {"keep"})
        return {
            "format": EXPORT_FORMAT,
            "generated_at": self.generated_at.isoformat(),
            "subject": {"type": self.subject.type, "hash": self.subject.hash},
            "records": [self._record(r) for r in self.records],
            "records_owned": [self._record(r) for r in self.owned],
            "audit_events": [_event(e) for e in self.audit_events],
            "requests": [_event(e) for e in self.requests],
            "notes": [_REDACTED_NOTE.format(mode=mode) for mode in modes],
        }

    def _record(self, record: StoredRecord) -> dict[str, Any]:
        data = record.as_dict()
        if record.id in self.files:
            data["file"] = self.files[record.id]
        return data


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure deleted."""

    subject: Subject
    deleted: dict[str, int]
    audit_events_kept: int

    @property
    def total(self) -> int:
        return sum(self.deleted.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": {"type": self.subject.type, "hash": self.subject.hash},
            "deleted": dict(self.deleted),
            "audit_events_kept": self.audit_events_kept,
        }


@dataclass(frozen=True)
class CorrectionReport:
    """Which records were corrected, and which could not be."""

    subject: Subject
    corrected: list[str]
    redacted: list[str]
    not_found: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": {"type": self.subject.type, "hash": self.subject.hash},
            "corrected": list(self.corrected),
            "redacted": list(self.redacted),
            "not_found": list(self.not_found),
        }


class DataLifecycle:
    """Retention, data access, erasure and correction over the record store and audit log."""

    def __init__(
        self,
        records: RecordStore,
        audit: AuditLog,
        redactor: StorageRedactor,
        retention: RetentionDays,
    ) -> None:
        self.records = records
        self.audit = audit
        self.redactor = redactor
        self.retention = retention

    # -- retention -----------------------------------------------------------------------

    def purge(
        self, ctx: CallContext, now: datetime | None = None, *, dry_run: bool = False
    ) -> PurgeReport:
        """Delete what has outlived its retention period; audited as `privacy.purge`."""
        authorize_purge(ctx)
        now = _now(now)
        audit_before = now - timedelta(days=self.retention.audit)
        if dry_run:
            old_events = self.audit.prunable(audit_before)
            return PurgeReport(now, self.records.count_expired(now), old_events, audit_before, True)
        # The audit log first: it refuses a broken chain before anything at all is deleted.
        pruned = self.audit.prune(
            audit_before, actor=ctx.actor, department=ctx.department, channel=ctx.channel
        )
        counts: dict[str, int] = {}
        try:
            records = self.records.purge_expired(now, counts=counts)
        except GovpilotError as error:
            partial = PurgeReport(now, counts, pruned, audit_before)
            detail = {**partial.as_dict(), "error": type(error).__name__}
            self._record(ctx, "privacy.purge", detail, outcome="error")
            raise
        report = PurgeReport(now, records, pruned, audit_before)
        self._record(ctx, "privacy.purge", report.as_dict())
        return report

    # -- data subjects -------------------------------------------------------------------

    def resolve(self, identifier: str, pii_type: str | None = None) -> Subject:
        """The type and salted hash of an identifier; the type is detected unless given.

        A value the detector does not recognise is taken as a person's name.
        """
        value = identifier.strip()
        if not value:
            raise InputError("the identifier is empty", hint="give a name, HKID, phone or e-mail")
        if pii_type:
            kind = pii_type.strip().upper()
            if kind not in PII_TYPES:
                raise InputError(
                    f"unknown identifier type {pii_type!r}",
                    hint=f"use one of {', '.join(PII_TYPES)}",
                )
            return Subject(kind, self.redactor.subject_hash(kind, value))
        findings = self.redactor.detector.detect(value)
        if len(findings) > 1:
            kinds = ", ".join(f.type for f in findings)
            raise InputError(
                f"the identifier holds more than one piece of personal data ({kinds})",
                hint="give one identifier at a time, or say which it is with --type",
            )
        if findings:
            found = findings[0]
            return Subject(
                found.type, self.redactor.subject_hash(found.type, value[found.start : found.end])
            )
        if not any(ch.isalpha() for ch in value):
            raise InputError(
                "cannot tell what kind of identifier this is",
                hint=f"say which it is with --type ({', '.join(PII_TYPES)})",
            )
        return Subject("PERSON", self.redactor.subject_hash("PERSON", value))

    def data_access_request(
        self,
        ctx: CallContext,
        identifier: str,
        *,
        pii_type: str | None = None,
        now: datetime | None = None,
    ) -> AccessExport:
        """Export everything stored about an identifier, within what the caller may reach;
        audited as `privacy.access`."""
        departments = request_scope(ctx)
        subject = self.resolve(identifier, pii_type)
        mentioned = _within(self.records.find_by_subjects([subject]), departments)
        seen = {r.id for r in mentioned}
        owned = [r for r in _within(self._owned_by(identifier), departments) if r.id not in seen]
        events = _within(self._events_by(identifier), departments)
        requests = _within(self._requests_about(subject), departments)
        files = {
            r.id: str(path)
            for r in [*mentioned, *owned]
            if (path := self.records.blob_file(r)) is not None
        }
        export = AccessExport(subject, _now(now), mentioned, owned, events, requests, files)
        self._record(
            ctx,
            "privacy.access",
            {
                **self._subject_detail(subject),
                "records": len(mentioned),
                "records_by_class": _by_class(mentioned),
                "records_owned": len(owned),
                "audit_events": len(events),
            },
        )
        return export

    def erase(
        self,
        ctx: CallContext,
        identifier: str,
        *,
        pii_type: str | None = None,
        include_owned: bool = False,
    ) -> ErasureReport:
        """Delete the records that mention an identifier (and, if asked, those it owns).

        Audit events are kept: they are the record of who did what, and hold no text. Only
        records of the departments the caller may reach are touched.
        """
        departments = request_scope(ctx)
        subject = self.resolve(identifier, pii_type)
        targets = _within(self.records.find_by_subjects([subject]), departments)
        if include_owned:
            targets += _within(self._owned_by(identifier), departments)
        deleted = self.records.delete_many([r.id for r in targets])
        deleted = {name: deleted[name] for name in DATA_CLASSES if deleted.get(name)}
        kept = len(_within(self._events_by(identifier), departments))
        report = ErasureReport(subject, deleted, kept)
        self._record(
            ctx,
            "privacy.erase",
            {
                **self._subject_detail(subject),
                "records": report.total,
                "records_by_class": deleted,
                "include_owned": include_owned,
                "audit_events_kept": kept,
            },
        )
        return report

    def correct(
        self,
        ctx: CallContext,
        identifier: str,
        corrected_value: str,
        *,
        pii_type: str | None = None,
    ) -> CorrectionReport:
        """Replace a wrong value with the right one in records stored readable ("keep").

        Records stored redacted hold no readable value to correct: the report lists them.
        Only records of the departments the caller may reach are touched.
        """
        departments = request_scope(ctx)
        subject = self.resolve(identifier, pii_type)
        new_value = corrected_value.strip()
        self._check_correction(subject, new_value)
        corrected: list[str] = []
        redacted: list[str] = []
        not_found: list[str] = []
        for record in _within(self.records.find_by_subjects([subject]), departments):
            if record.storage != "keep":
                redacted.append(record.id)
                continue
            content, changed_content = self._replace(record.content, subject, new_value)
            title, changed_title = self._replace(record.title, subject, new_value)
            if not (changed_content or changed_title):
                not_found.append(record.id)
                continue
            subjects = self._subjects(content) | self._subjects(title)
            self.records.replace_content(record.id, content, subjects, title=title)
            corrected.append(record.id)
        report = CorrectionReport(subject, corrected, redacted, not_found)
        self._record(
            ctx,
            "privacy.correct",
            {
                **self._subject_detail(subject),
                "new_subject_hash": self.redactor.subject_hash(subject.type, new_value),
                "corrected": len(corrected),
                "redacted": len(redacted),
                "not_found": len(not_found),
            },
        )
        return report

    # -- helpers -------------------------------------------------------------------------

    def _check_correction(self, subject: Subject, new_value: str) -> None:
        if not new_value:
            raise InputError("the corrected value is empty", hint="give the right value")
        if self.redactor.subject_hash(subject.type, new_value) == subject.hash:
            raise InputError(
                "the corrected value is the same as the stored one",
                hint="values that differ only in spacing or case count as the same",
            )
        if subject.type == "PERSON":
            return
        found = self.redactor.detector.detect(new_value)
        if not any(f.type == subject.type for f in found):
            raise InputError(
                f"{subject.type} expected as the corrected value, and this is not one",
                hint="check the value (an HKID's check digit, a phone number's length)",
            )

    def _replace(self, text: str, subject: Subject, new_value: str) -> tuple[str, bool]:
        spans = [
            f
            for f in self.redactor.detector.detect(text)
            if f.type == subject.type
            and self.redactor.subject_hash(f.type, text[f.start : f.end]) == subject.hash
        ]
        for f in sorted(spans, reverse=True):
            text = text[: f.start] + new_value + text[f.end :]
        return text, bool(spans)

    def _subjects(self, text: str) -> set[Subject]:
        return {
            Subject(f.type, self.redactor.subject_hash(f.type, text[f.start : f.end]))
            for f in self.redactor.detector.detect(text)
        }

    @staticmethod
    def _variants(identifier: str) -> list[str]:
        # Accounts are recorded as written (user names, e-mail addresses), often lower case.
        value = identifier.strip()
        return list(dict.fromkeys([value, value.lower()]))

    def _owned_by(self, identifier: str) -> list[StoredRecord]:
        found: dict[str, StoredRecord] = {}
        for owner in self._variants(identifier):
            for record in self.records.list(owner=owner, limit=None):
                found.setdefault(record.id, record)
        return sorted(found.values(), key=lambda r: (r.created_at, r.id))

    def _events_by(self, identifier: str) -> list[AuditRecord]:
        found: dict[int, AuditRecord] = {}
        for actor in self._variants(identifier):
            for event in self.audit.events(limit=None, actor=actor):
                found.setdefault(event.seq, event)
        return [found[seq] for seq in sorted(found)]

    def _requests_about(self, subject: Subject) -> list[AuditRecord]:
        found = [
            event
            for action in _REQUEST_ACTIONS
            for event in self.audit.events(limit=None, action=action)
            if event.detail.get("subject_hash") == subject.hash
        ]
        return sorted(found, key=lambda e: e.seq)

    @staticmethod
    def _subject_detail(subject: Subject) -> dict[str, str]:
        return {"subject_type": subject.type, "subject_hash": subject.hash}

    def _record(
        self, ctx: CallContext, action: str, detail: dict[str, Any], outcome: Outcome = "ok"
    ) -> None:
        self.audit.append(
            AuditEvent(
                actor=ctx.actor,
                department=ctx.department,
                action=action,
                outcome=outcome,
                channel=ctx.channel,
                detail=detail,
            )
        )
