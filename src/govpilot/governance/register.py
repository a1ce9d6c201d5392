"""The AI application register: every bot, copilot capability and outside AI system of a
department, with what the Ethical AI Framework asks to know about it.

Entries are made without anyone filling a form: a bot's when it is created
(`register_bot`), a copilot capability's at its first model call (`application_of`, which
the model gateway calls for every call, so each audit event names its application).
Department admins complete and correct them, and register systems that run elsewhere.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from govpilot.access import CallContext, Permission, authorize, visible_departments
from govpilot.audit.events import AuditEvent, AuditSink
from govpilot.errors import DuplicateRecord, InputError, NotFound
from govpilot.governance.known_applications import KNOWN
from govpilot.storage.bot_tables import BotRow
from govpilot.storage.db import Database
from govpilot.storage.governance_tables import AiApplicationRow

KINDS = ("bot", "copilot", "model_access", "minutes", "opinion", "cases", "external")
OVERSIGHT = ("in_the_loop", "on_the_loop", "out_of_the_loop")
STAGES = ("planning", "development", "deployment", "post_implementation_review", "retired")
AFFECTED = ("officers", "public", "both")
RISK_TIERS = ("unassessed", "low", "medium", "high", "very_high")
CAPABILITY = "governance"


#: Editable fields and the values each may take (None: free text).
_CHOICES: dict[str, tuple[str, ...] | None] = {
    "name_en": None,
    "name_zh": None,
    "purpose": None,
    "owner": None,
    "contact": None,
    "affected": AFFECTED,
    "oversight": OVERSIGHT,
    "stage": STAGES,
}


@dataclass
class Application:
    """One register entry."""

    id: str
    department: str
    kind: str
    source: str
    name_en: str
    name_zh: str
    purpose: str
    owner: str
    contact: str
    affected: str
    data_categories: list[str]
    models: list[str]
    oversight: str
    review_sample: float
    reviewers: list[str]
    risk_tier: str
    stage: str
    next_review: date | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)

    def name(self, lang: str = "en") -> str:
        return self.name_zh if lang.startswith("zh") and self.name_zh else self.name_en

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        data["next_review"] = self.next_review.isoformat() if self.next_review else None
        data["created_at"] = self.created_at.isoformat()
        data["updated_at"] = self.updated_at.isoformat()
        return data


def _application(row: AiApplicationRow) -> Application:
    return Application(
        id=row.id,
        department=row.department,
        kind=row.kind,
        source=row.source,
        name_en=row.name_en,
        name_zh=row.name_zh,
        purpose=row.purpose,
        owner=row.owner,
        contact=row.contact,
        affected=row.affected,
        data_categories=list(row.data_categories),
        models=list(row.models),
        oversight=row.oversight,
        review_sample=row.review_sample,
        reviewers=list(row.reviewers),
        risk_tier=row.risk_tier,
        stage=row.stage,
        next_review=row.next_review,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InputError(f"{name} {value!r} is not one of: {', '.join(choices)}")
    return value


class AiRegister:
    """Register entries: made automatically, read per department, edited by its admins."""

    def __init__(self, database: Database, audit: AuditSink, *, default_model: str = "") -> None:
        self.database = database
        self.audit = audit
        self.default_model = default_model
        self._ids: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    # -- attribution: called by the model gateway for every call ---------------------------

    def application_of(self, ctx: CallContext) -> str:
        """The id of the application `ctx` calls for, registering it on first use."""
        source = ctx.application or ctx.capability
        key = (ctx.department, source)
        with self._lock:
            known = self._ids.get(key)
        if known is not None:
            return known
        app_id = self._ensure(ctx.department, source, ctx.actor)
        with self._lock:
            self._ids[key] = app_id
        return app_id

    def _ensure(self, department: str, source: str, actor: str) -> str:
        with self.database.session() as session:
            found = session.scalar(
                select(AiApplicationRow.id).where(
                    AiApplicationRow.department == department, AiApplicationRow.source == source
                )
            )
        if found is not None:
            return str(found)
        kind, name_en, name_zh, purpose, affected = self._describe(source)
        row = self._new_row(
            department,
            source,
            kind,
            name_en,
            name_zh,
            purpose,
            affected,
            actor,
            stage="deployment",
        )
        try:
            with self.database.session(write=True) as session:
                session.add(row)
        except DuplicateRecord:
            # Another process registered it first: use theirs.
            return self._ensure(department, source, actor)
        # Not audited on its own: the model call's event that made it names it already.
        return row.id

    def _describe(self, source: str) -> tuple[str, str, str, str, str]:
        if source in KNOWN:
            return KNOWN[source]
        if source.startswith("bot:"):
            with self.database.session() as session:
                bot = session.get(BotRow, source.removeprefix("bot:"))
            name = bot.name if bot is not None else source
            return (
                "bot",
                f"Bot: {name}",
                f"聊天機械人：{name}",
                "Answers the public's questions from the department's documents.",
                "public",
            )
        kind = source.split(":", 1)[0] if source.split(":", 1)[0] in KINDS else "model_access"
        return (kind, source, source, f"Model calls made for {source!r}.", "officers")

    def _new_row(
        self,
        department: str,
        source: str,
        kind: str,
        name_en: str,
        name_zh: str,
        purpose: str,
        affected: str,
        actor: str,
        *,
        stage: str,
        models: list[str] | None = None,
        oversight: str | None = None,
    ) -> AiApplicationRow:
        now = datetime.now(UTC)
        public = affected in ("public", "both")
        return AiApplicationRow(
            id=uuid.uuid4().hex,
            department=department,
            kind=kind,
            source=source,
            name_en=name_en,
            name_zh=name_zh,
            purpose=purpose,
            owner=actor,
            contact=actor,
            affected=affected,
            data_categories=[],
            models=models if models is not None else [self.default_model],
            oversight=oversight or ("on_the_loop" if public else "out_of_the_loop"),
            review_sample=0.1 if public else 0.0,
            reviewers=[],
            risk_tier="unassessed",
            stage=stage,
            next_review=None,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )

    def _audit_created(self, actor: str, department: str, row: AiApplicationRow) -> None:
        self.audit.record(
            AuditEvent(
                actor=actor,
                department=department,
                action="governance.register",
                detail={"kind": row.kind, "source": row.source, "name": row.name_en},
                application_id=row.id,
            )
        )

    # -- entries made by the capabilities -------------------------------------------------

    def register_source(
        self,
        caller: CallContext,
        source: str,
        *,
        kind: str,
        name_en: str,
        name_zh: str,
        purpose: str,
        affected: str,
        models: list[str],
        oversight: str | None = None,
    ) -> Application:
        """Make (or refresh the name and models of) the entry for `source`: what bots,
        minutes, opinion analysis and the case desk call when one of theirs is created."""
        with self.database.session(write=True) as session:
            row = session.scalar(
                select(AiApplicationRow).where(
                    AiApplicationRow.department == caller.department,
                    AiApplicationRow.source == source,
                )
            )
            if row is None:
                row = self._new_row(
                    caller.department,
                    source,
                    kind,
                    name_en,
                    name_zh,
                    purpose,
                    affected,
                    caller.actor,
                    stage="deployment",
                    models=models,
                    oversight=oversight,
                )
                session.add(row)
            else:
                row.name_en, row.name_zh, row.models = name_en, name_zh, models
                if row.stage == "retired":
                    row.stage = "deployment"
                row.updated_at = datetime.now(UTC)
            app = _application(row)
        # Not audited on its own: the capability audits the creation (e.g. `bot.create`).
        with self._lock:
            self._ids[(caller.department, source)] = app.id
        return app

    def retire_source(self, caller: CallContext, source: str) -> None:
        """Mark `source`'s entry retired (its bot was deleted); the entry and its evidence
        stay for the record."""
        with self.database.session(write=True) as session:
            row = session.scalar(
                select(AiApplicationRow).where(
                    AiApplicationRow.department == caller.department,
                    AiApplicationRow.source == source,
                )
            )
            if row is not None:
                row.stage = "retired"
                row.updated_at = datetime.now(UTC)

    # -- reading and editing --------------------------------------------------------------

    def list(self, caller: CallContext, department: str | None = None) -> list[Application]:
        """The applications the caller may see (every department's for auditors and the
        platform admin, or `department`'s only), by department and name."""
        authorize(caller, Permission.READ_GOVERNANCE)
        seen = visible_departments(caller, Permission.READ_GOVERNANCE)
        query = select(AiApplicationRow).order_by(
            AiApplicationRow.department, AiApplicationRow.name_en
        )
        if seen is not None:
            query = query.where(AiApplicationRow.department.in_(seen))
        if department:
            query = query.where(AiApplicationRow.department == department)
        with self.database.session() as session:
            return [_application(row) for row in session.scalars(query)]

    def get(self, caller: CallContext, name_or_id: str) -> Application:
        """One application the caller may see, by id or English or Chinese name; NotFound
        (never "forbidden") for another department's."""
        seen = visible_departments(caller, Permission.READ_GOVERNANCE)
        query = select(AiApplicationRow).where(
            (AiApplicationRow.id == name_or_id)
            | (AiApplicationRow.name_en == name_or_id)
            | (AiApplicationRow.name_zh == name_or_id)
        )
        if seen is not None:
            query = query.where(AiApplicationRow.department.in_(seen))
        with self.database.session() as session:
            rows = list(session.scalars(query))
        own = [r for r in rows if r.department == caller.department]
        rows = own or rows
        if not rows:
            raise NotFound(
                f"no AI application {name_or_id!r}",
                hint="`govpilot ai-apps list` shows the register",
            )
        if len(rows) > 1 and rows[0].id != name_or_id:
            raise InputError(
                f"{len(rows)} applications are named {name_or_id!r}", hint="use its id"
            )
        authorize(caller, Permission.READ_GOVERNANCE, rows[0].department)
        return _application(rows[0])

    def entry(self, app_id: str) -> Application:
        """An entry by id, for the services that already checked the caller's reach."""
        with self.database.session() as session:
            row = session.get(AiApplicationRow, app_id)
            if row is None:
                raise NotFound(f"no AI application {app_id!r}")
            return _application(row)

    def register_external(self, caller: CallContext, values: Mapping[str, Any]) -> Application:
        """Register an AI system that runs elsewhere (its calls are not seen here)."""
        authorize(caller, Permission.MANAGE_GOVERNANCE)
        name_en = str(values.get("name_en", "")).strip()
        if not name_en:
            raise InputError("an AI application needs an English name (name_en)")
        row = self._new_row(
            caller.department,
            f"external:{uuid.uuid4().hex[:12]}",
            "external",
            name_en,
            str(values.get("name_zh", "")).strip() or name_en,
            str(values.get("purpose", "")).strip(),
            check_choice("affected", str(values.get("affected", "officers")), AFFECTED),
            caller.actor,
            stage=check_choice("stage", str(values.get("stage", "planning")), STAGES),
            models=[str(m) for m in values.get("models", [])],
            oversight=check_choice(
                "oversight", str(values.get("oversight", "in_the_loop")), OVERSIGHT
            ),
        )
        with self.database.session(write=True) as session:
            session.add(row)
        self._audit_created(caller.actor, caller.department, row)
        return _application(row)

    def update(self, caller: CallContext, app_id: str, values: Mapping[str, Any]) -> Application:
        """Change an entry's descriptive fields, oversight, review share, reviewers, stage
        or next review date; audited with the names of the fields changed."""
        app = self.get(caller, app_id)
        authorize(caller, Permission.MANAGE_GOVERNANCE, app.department)
        changed: list[str] = []
        with self.database.session(write=True) as session:
            row = session.get(AiApplicationRow, app.id)
            assert row is not None
            for name, value in values.items():
                if name in _CHOICES:
                    text = str(value).strip()
                    choices = _CHOICES[name]
                    if choices is not None:
                        check_choice(name, text, choices)
                    setattr(row, name, text)
                elif name == "review_sample":
                    try:
                        share = float(value or 0)
                    except (TypeError, ValueError):
                        raise InputError(
                            f"review_sample {value!r} is not a number",
                            hint="a share between 0 and 1, e.g. 0.1",
                        ) from None
                    if not 0 <= share <= 1:
                        raise InputError("review_sample is a share between 0 and 1")
                    row.review_sample = share
                elif name in ("reviewers", "data_categories", "models"):
                    items = value.split(",") if isinstance(value, str) else list(value)
                    setattr(row, name, [str(v).strip() for v in items if str(v).strip()])
                elif name == "next_review":
                    row.next_review = _day(value)
                else:
                    raise InputError(f"{name!r} is not a field of an AI application")
                changed.append(name)
            row.updated_at = datetime.now(UTC)
            updated = _application(row)
        self.audit.record(
            AuditEvent(
                actor=caller.actor,
                department=app.department,
                action="governance.update",
                channel=caller.channel,
                detail={"fields": sorted(changed)},
                application_id=app.id,
            )
        )
        return updated

    def set_risk(self, app_id: str, tier: str, next_review: date | None) -> None:
        """Record a signed-off assessment's level and next review date on the entry."""
        check_choice("risk tier", tier, RISK_TIERS)
        with self.database.session(write=True) as session:
            row = session.get(AiApplicationRow, app_id)
            if row is None:
                raise NotFound(f"no AI application {app_id!r}")
            row.risk_tier = tier
            if next_review is not None:
                row.next_review = next_review
            row.updated_at = datetime.now(UTC)


def _day(value: object) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{value!r} is not a date", hint="use YYYY-MM-DD") from None
