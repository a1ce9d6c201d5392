"""The hash-chained audit log in the database: append events, verify the chain, list events.

Each event stores the hash of the event before it (`prev_hash`) and its own hash:

    hash = sha256(prev_hash + canonical_json(all fields of the event, seq included))

so changing, inserting or removing any event breaks every hash after it. A one-row table,
`audit_head`, holds the last seq and hash, so removing the newest events is caught as well.

Retention: `prune(before)` deletes the oldest events and moves the chain's anchor
(`first_seq`, `first_prev_hash` in `audit_head`) to the first event kept, then appends an
`audit.prune` event that records the new anchor. `verify()` starts at the anchor, and checks
that the newest `audit.prune` event names that same anchor, so moving the anchor by hand to
hide deleted events is caught like any other deletion.
The chain proves the log is intact only up to the head: someone able to rewrite the whole
table and the head can forge a consistent log, so operators should keep `last_hash` from
`verify()` somewhere else (a ticket, a signed mail) to anchor it.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from govpilot.audit.events import AuditEvent, Outcome
from govpilot.errors import AuditChainBroken, DuplicateRecord, StorageError
from govpilot.storage.audit_tables import GENESIS_HASH, HEAD_ID, AuditEventRow, AuditHeadRow
from govpilot.storage.base import as_utc
from govpilot.storage.db import Database

# The AuditEvent fields, in the order they are stored; seq is added to them for hashing.
EVENT_FIELDS = tuple(f.name for f in fields(AuditEvent))
# SQLSTATEs of PostgreSQL failures that succeed when the transaction is simply run again.
#: The action of the event `prune()` appends; its detail holds the chain's new anchor.
PRUNE_ACTION = "audit.prune"

T = TypeVar("T")


@dataclass(frozen=True)
class AuditRecord(AuditEvent):
    """An event as stored in the log: the event's fields plus its place in the chain."""

    seq: int = field(kw_only=True)
    hash: str = field(kw_only=True)
    prev_hash: str = field(kw_only=True)

    @property
    def event(self) -> AuditEvent:
        """The plain event, without the chain fields."""
        return AuditEvent(**{name: getattr(self, name) for name in EVENT_FIELDS})


@dataclass(frozen=True)
class VerifyReport:
    """What `AuditLog.verify()` found: ok, or the first event where the chain breaks."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    last_hash: str | None = None
    #: The first event the chain still holds (above 1 once old events have been pruned).
    first_seq: int = 1

    def raise_if_broken(self) -> None:
        """Raise AuditChainBroken unless the chain verified."""
        if not self.ok:
            raise AuditChainBroken(
                f"audit log broken at event {self.first_broken_seq}: {self.reason}",
                seq=self.first_broken_seq,
                hint="do not append further; restore the database from a backup and find out "
                "who changed the audit_events table",
            )


def canonical_json(values: Mapping[str, Any]) -> str:
    """The one serialisation hashes are computed over: sorted keys, compact, ASCII only."""
    return json.dumps(
        values, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


def event_hash(prev_hash: str, values: Mapping[str, Any]) -> str:
    """sha256 hex of the previous hash followed by the canonical JSON of `values`."""
    return hashlib.sha256((prev_hash + canonical_json(values)).encode("ascii")).hexdigest()


def hashed_values(seq: int, event: AuditEvent) -> dict[str, Any]:
    """The values an event's hash covers, exactly as they read back from the database."""
    values: dict[str, Any] = {name: getattr(event, name) for name in EVENT_FIELDS}
    values["seq"] = seq
    values["occurred_at"] = as_utc(event.occurred_at).isoformat(timespec="microseconds")
    if values["application_id"] is None:
        # Events written before the register existed were hashed without this field.
        del values["application_id"]
    return values


def _as_json_value(value: Any, name: str) -> Any:
    # Store what a JSON round trip gives back (tuples become lists, int keys strings), so
    # the hash computed now matches the one verify() recomputes from the stored row.
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise StorageError(
            f"audit event {name} is not plain JSON: {exc}",
            hint="put only strings, numbers, booleans, lists and dicts in audit details",
        ) from exc


def _is_retryable(exc: StorageError) -> bool:
    # A duplicate seq means another writer appended first: read the new head and go again.
    return exc.transient or isinstance(exc, DuplicateRecord)


def _record_from_row(row: AuditEventRow) -> AuditRecord:
    return AuditRecord(
        actor=row.actor,
        department=row.department,
        action=row.action,
        outcome=cast(Outcome, row.outcome),
        backend=row.backend,
        model_name=row.model_name,
        model_id=row.model_id,
        tokens_in=row.tokens_in,
        tokens_out=row.tokens_out,
        latency_ms=row.latency_ms,
        channel=row.channel,
        redactions=row.redactions,
        detail=row.detail,
        occurred_at=row.occurred_at,
        application_id=row.application_id,
        seq=row.seq,
        hash=row.hash,
        prev_hash=row.prev_hash,
    )


def _stored_form(event: AuditEvent) -> AuditEvent:
    # What reads back from the database: UTC time, plain-JSON redactions and detail.
    return AuditEvent(
        **{
            **{name: getattr(event, name) for name in EVENT_FIELDS},
            "occurred_at": as_utc(event.occurred_at),
            "redactions": _as_json_value(event.redactions, "redactions"),
            "detail": _as_json_value(event.detail, "detail"),
        }
    )


def _append_in(session: Session, head: AuditHeadRow, event: AuditEvent) -> AuditRecord:
    # The caller holds the head row locked; the event is already in its stored form.
    seq = head.last_seq + 1
    digest = event_hash(head.last_hash, hashed_values(seq, event))
    values = {name: getattr(event, name) for name in EVENT_FIELDS}
    session.add(AuditEventRow(seq=seq, prev_hash=head.last_hash, hash=digest, **values))
    prev_hash = head.last_hash
    head.last_seq, head.last_hash = seq, digest
    return AuditRecord(**values, seq=seq, hash=digest, prev_hash=prev_hash)


class AuditLog:
    """The append-only, hash-chained audit log; an `AuditSink` for the model gateway."""

    def __init__(self, database: Database, *, max_attempts: int = 8) -> None:
        self.database = database
        self.max_attempts = max_attempts

    def record(self, event: AuditEvent) -> None:
        """Append one event (the AuditSink protocol)."""
        self.append(event)

    def append(self, event: AuditEvent) -> AuditRecord:
        """Append one event and return it with its seq and hash; safe across processes."""
        event = _stored_form(event)
        return self._retrying(
            lambda: self._locked(lambda session, head: _append_in(session, head, event)),
            f"could not write audit event ({event.action} by {event.actor})",
            "check the database; the model call was not recorded",
        )

    def prune(
        self,
        before: datetime,
        *,
        actor: str = "govpilot",
        department: str = "platform",
        channel: str = "cli",
        check_chain: bool = True,
    ) -> int:
        """Delete the oldest events that occurred before `before`; return how many went.

        Only a run of the oldest events (by seq) goes: an old event after a newer one is
        kept until every event before it has expired, so the chain stays one piece. The
        anchor moves to the first event kept and an `audit.prune` event records it. A broken
        chain is not pruned (AuditChainBroken): deleting events could destroy the evidence.
        """
        cutoff = as_utc(before)
        if check_chain:
            self.verify().raise_if_broken()

        def prune_in(session: Session, head: AuditHeadRow) -> int:
            first_kept = session.scalar(
                select(func.min(AuditEventRow.seq)).where(AuditEventRow.occurred_at >= cutoff)
            )
            new_first = head.last_seq + 1 if first_kept is None else int(first_kept)
            if new_first <= head.first_seq:
                return 0
            new_prev_hash = head.last_hash
            if first_kept is not None:
                new_prev_hash = session.scalars(
                    select(AuditEventRow.prev_hash).where(AuditEventRow.seq == new_first)
                ).one()
            result = session.execute(delete(AuditEventRow).where(AuditEventRow.seq < new_first))
            deleted = int(cast(CursorResult[Any], result).rowcount or 0)
            old_first = head.first_seq
            head.first_seq, head.first_prev_hash = new_first, new_prev_hash
            _append_in(
                session,
                head,
                _stored_form(
                    AuditEvent(
                        actor=actor,
                        department=department,
                        action=PRUNE_ACTION,
                        channel=channel,
                        detail={
                            "before": cutoff.isoformat(),
                            "deleted": deleted,
                            "from_seq": old_first,
                            "first_seq": new_first,
                            "first_prev_hash": new_prev_hash,
                        },
                    )
                ),
            )
            return deleted

        return self._retrying(
            lambda: self._locked(prune_in),
            "could not prune the audit log",
            "check the database; no event was deleted",
        )

    def prunable(self, before: datetime) -> int:
        """How many events `prune(before)` would delete now (for dry runs)."""
        cutoff = as_utc(before)
        with self.database.session() as session:
            head = session.get(AuditHeadRow, HEAD_ID)
            first_kept = session.scalar(
                select(func.min(AuditEventRow.seq)).where(AuditEventRow.occurred_at >= cutoff)
            )
            query = select(func.count()).select_from(AuditEventRow)
            if first_kept is not None:
                query = query.where(AuditEventRow.seq < first_kept)
            if head is not None:
                query = query.where(AuditEventRow.seq >= head.first_seq)
            return int(session.scalar(query) or 0)

    def _retrying(self, attempt_once: Callable[[], T], failure: str, hint: str) -> T:
        for attempt in range(1, self.max_attempts + 1):
            try:
                return attempt_once()
            except StorageError as exc:
                if not isinstance(exc.__cause__, SQLAlchemyError):
                    raise  # not the database's: a broken chain, a missing head
                if attempt == self.max_attempts or not _is_retryable(exc):
                    raise StorageError(
                        f"{failure}: {exc.__cause__}", hint=hint, transient=exc.transient
                    ) from exc.__cause__
                # Jittered backoff so that competing writers do not collide again in step.
                time.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))
        raise AssertionError("unreachable")

    def _locked(self, work: Callable[[Session, AuditHeadRow], T]) -> T:
        # write=True: BEGIN IMMEDIATE on SQLite; on PostgreSQL the FOR UPDATE below makes
        # every other appender wait until this transaction commits.
        with self.database.session(write=True) as session:
            head = session.execute(
                select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID).with_for_update()
            ).scalar_one_or_none()
            if head is None:
                raise StorageError(
                    "the audit_head row is missing",
                    hint="run `govpilot db migrate` on a new database; on an existing one the "
                    "audit log has been tampered with",
                )
            return work(session, head)

    def verify(self, *, batch_size: int = 1000) -> VerifyReport:
        """Recompute the chain from its anchor and compare it with the head; report a break."""
        with self.database.session() as session:
            if not self.database.is_sqlite:
                # One snapshot for head and events, so concurrent appends are not "insertions".
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            head = session.get(AuditHeadRow, HEAD_ID)
            first_seq = head.first_seq if head is not None else 1
            rows = session.scalars(
                select(AuditEventRow)
                .order_by(AuditEventRow.seq)
                .execution_options(yield_per=batch_size)
            )
            checked, last_seq = 0, first_seq - 1
            prev_hash = head.first_prev_hash if head is not None else GENESIS_HASH
            anchor: dict[str, Any] | None = None
            for row in rows:
                expected = last_seq + 1
                broken = self._check_row(row, expected, prev_hash)
                if broken is not None:
                    return VerifyReport(False, checked, broken[0], broken[1], first_seq=first_seq)
                checked, last_seq, prev_hash = checked + 1, expected, row.hash
                if row.action == PRUNE_ACTION:
                    anchor = row.detail
            if head is None:
                return VerifyReport(False, checked, last_seq + 1, "the audit_head row is missing")
            return self._check_head(head, checked, last_seq, prev_hash, anchor)

    @staticmethod
    def _check_head(
        head: AuditHeadRow,
        checked: int,
        last_seq: int,
        prev_hash: str,
        anchor: dict[str, Any] | None,
    ) -> VerifyReport:
        first = head.first_seq

        def broken(seq: int | None, reason: str, count: int = checked) -> VerifyReport:
            return VerifyReport(False, count, seq, reason, first_seq=first)

        if head.last_seq > last_seq:
            return broken(
                last_seq + 1,
                f"events {last_seq + 1}..{head.last_seq} are missing (deleted at the end?)",
            )
        if head.last_seq < last_seq:
            return broken(
                head.last_seq + 1,
                f"event {head.last_seq + 1} is newer than the recorded head (inserted?)",
                head.last_seq - first + 1,
            )
        if head.last_hash != prev_hash:
            return broken(
                last_seq if checked else None,
                "hash differs from the one recorded in the head",
                max(checked - 1, 0),
            )
        pruned = first > 1 or head.first_prev_hash != GENESIS_HASH
        recorded = (
            None if anchor is None else (anchor.get("first_seq"), anchor.get("first_prev_hash"))
        )
        if (pruned or anchor is not None) and recorded != (first, head.first_prev_hash):
            return broken(
                first,
                f"the chain starts at event {first} but no {PRUNE_ACTION} event records that "
                "(events deleted at the start?)",
            )
        return VerifyReport(True, checked, last_hash=prev_hash, first_seq=first)

    @staticmethod
    def _check_row(row: AuditEventRow, expected: int, prev_hash: str) -> tuple[int, str] | None:
        if row.seq > expected:
            missing = f"{expected}" if row.seq == expected + 1 else f"{expected}..{row.seq - 1}"
            return expected, f"event {missing} is missing (deleted?)"
        if row.seq < expected:
            return row.seq, f"unexpected seq {row.seq} (inserted?)"
        if row.prev_hash != prev_hash:
            return row.seq, "prev_hash does not match the hash of the event before it"
        recomputed = event_hash(row.prev_hash, hashed_values(row.seq, _record_from_row(row)))
        if recomputed != row.hash:
            return row.seq, "stored hash does not match the event's contents (altered?)"
        return None

    def events(
        self,
        limit: int | None = 100,
        *,
        department: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
    ) -> list[AuditRecord]:
        """Stored events, newest first, optionally filtered; `limit=None` for all of them."""
        query = select(AuditEventRow).order_by(AuditEventRow.seq.desc())
        if department is not None:
            query = query.where(AuditEventRow.department == department)
        if actor is not None:
            query = query.where(AuditEventRow.actor == actor)
        if action is not None:
            query = query.where(AuditEventRow.action == action)
        if since is not None:
            query = query.where(AuditEventRow.occurred_at >= as_utc(since))
        if limit is not None:
            query = query.limit(limit)
        with self.database.session() as session:
            return [_record_from_row(row) for row in session.scalars(query)]
