"""AI Application Impact Assessments: versioned per application, saved half-done and
resumed, scored by the questionnaire, compared with the previous version, signed off by a
named approver, exported as JSON.

Answers the running system already knows (its models and where they run, its oversight
mode, who it serves, the personal data the guard found in its calls) are pre-filled.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from govpilot.access import CallContext, Permission, authorize
from govpilot.audit.events import AuditEvent, AuditSink
from govpilot.errors import Conflict, InputError, NotFound
from govpilot.governance.model_cards import ModelCard
from govpilot.governance.questionnaire import CURRENT, Questionnaire, load_questionnaire
from govpilot.governance.register import STAGES, AiRegister, Application, check_choice
from govpilot.storage.audit_tables import AuditEventRow
from govpilot.storage.db import Database
from govpilot.storage.governance_tables import AssessmentRow

#: Identifier types whose presence makes the data "sensitive" in the questionnaire's terms.
SENSITIVE = frozenset({"MEDICAL", "BANK_ACCOUNT", "CREDIT_CARD", "CRIMINAL_RECORD"})
#: How long a signed-off assessment holds, by level, before the next review is due.
REVIEW_AFTER = {"low": 365, "medium": 365, "high": 180, "very_high": 90}


@dataclass
class Assessment:
    """One version of an application's assessment."""

    id: str
    application_id: str
    version: int
    stage: str
    questionnaire: str
    status: str
    answers: dict[str, str]
    mitigations: list[str]
    thresholds: dict[str, float]
    facts: dict[str, Any]
    raw_score: float
    mitigation_score: float
    risk_level: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    signed_off_by: str | None
    signed_off_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for name in ("created_at", "updated_at", "signed_off_at"):
            value = data[name]
            data[name] = value.isoformat() if value else None
        return data


def _assessment(row: AssessmentRow) -> Assessment:
    return Assessment(
        id=row.id,
        application_id=row.application_id,
        version=row.version,
        stage=row.stage,
        questionnaire=row.questionnaire,
        status=row.status,
        answers=dict(row.answers),
        mitigations=list(row.mitigations),
        thresholds=dict(row.thresholds),
        facts=dict(row.facts),
        raw_score=row.raw_score,
        mitigation_score=row.mitigation_score,
        risk_level=row.risk_level,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        signed_off_by=row.signed_off_by,
        signed_off_at=row.signed_off_at,
    )


@dataclass(frozen=True)
class Change:
    """One answer that differs between two versions."""

    question: str
    before: str | None
    after: str | None


class Assessments:
    """Files, resumes, compares and signs off assessments; every step audited."""

    def __init__(
        self,
        database: Database,
        register: AiRegister,
        audit: AuditSink,
        cards: dict[str, ModelCard],
        *,
        retention_days: int = 0,
    ) -> None:
        self.database = database
        self.register = register
        self.audit = audit
        self.cards = cards
        self.retention_days = retention_days

    # -- facts the system knows -----------------------------------------------------------

    def personal_data_found(self, app: Application) -> dict[str, int]:
        """Personal data the guard found in the application's model calls, by type."""
        # Grouped by the findings' JSON text (few distinct values): no event is loaded.
        pii = AuditEventRow.detail["pii_detected"].as_string()
        query = (
            select(pii, func.count())
            .where(AuditEventRow.application_id == app.id, pii.is_not(None))
            .group_by(pii)
        )
        found: Counter[str] = Counter()
        with self.database.session() as session:
            for text, calls in session.execute(query):
                found.update({kind: n * calls for kind, n in pii_counts(text).items()})
        return dict(found)

    def facts(self, app: Application) -> dict[str, Any]:
        """What the running system says about `app`, for pre-filling and for the record."""
        cards = [self.cards[m] for m in app.models if m in self.cards]
        found = sorted(set(self.personal_data_found(app)) | set(app.data_categories))
        return {
            "models": [c.as_dict() for c in cards],
            "model_names": list(app.models),
            "external_models": [c.name for c in cards if c.external],
            "personal_data": found,
            "oversight": app.oversight,
            "affected": app.affected,
            "owner": app.owner,
            "retention_days": self.retention_days,
        }

    def prefill(self, app: Application, facts: dict[str, Any] | None = None) -> dict[str, str]:
        """Answers the facts give, by question id (an officer can still change them)."""
        facts = facts or self.facts(app)
        found = set(facts["personal_data"])
        known = {
            "affected": facts["affected"],
            "personal_data": (
                "none" if not found else "sensitive" if found & SENSITIVE else "identifiers"
            ),
            "pii_redaction": "yes",  # the guard is on every model call
            "hosting": "external" if facts["external_models"] else "local",
            "retention": "yes" if facts["retention_days"] else "no",
            "model_provenance": (
                "documented"
                if facts["models"] and all(m["licence"] for m in facts["models"])
                else "partial"
            ),
            "oversight": facts["oversight"],
            "named_owner": "yes" if facts["owner"] else "no",
            "audit_trail": "yes",
            "published": "yes",  # every entry is on /transparency
        }
        questionnaire = load_questionnaire()
        answers = {}
        for question in questionnaire.questions:
            value = known.get(question.prefill or "")
            if value is not None and value in {a.value for a in question.answers}:
                answers[question.id] = value
        return answers

    # -- filing -----------------------------------------------------------------------------

    def save(
        self,
        caller: CallContext,
        app_id: str,
        answers: dict[str, Any],
        *,
        mitigations: list[str] | None = None,
        thresholds: dict[str, float] | None = None,
        stage: str | None = None,
        submit: bool = False,
    ) -> Assessment:
        """Save the application's open draft (a new version if none is open); with
        `submit`, every required answer must be there and the version is closed for sign-off.
        Errors name the question; nothing saved before is lost by a rejected save."""
        app = self.register.get(caller, app_id)
        authorize(caller, Permission.MANAGE_GOVERNANCE, app.department)
        questionnaire = load_questionnaire()
        checked = questionnaire.check(answers, complete=submit)
        score = questionnaire.score(checked)
        limits = _thresholds(questionnaire, thresholds)
        stage = check_choice("stage", stage or app.stage, STAGES)
        now = datetime.now(UTC)
        with self.database.session(write=True) as session:
            row = session.scalar(
                select(AssessmentRow).where(
                    AssessmentRow.application_id == app.id, AssessmentRow.status == "draft"
                )
            )
            if row is None:
                last = session.scalar(
                    select(func.max(AssessmentRow.version)).where(
                        AssessmentRow.application_id == app.id
                    )
                )
                row = AssessmentRow(
                    id=uuid.uuid4().hex,
                    application_id=app.id,
                    version=(last or 0) + 1,
                    questionnaire=questionnaire.version,
                    created_by=caller.actor,
                    created_at=now,
                )
                session.add(row)
            row.stage = stage
            row.status = "submitted" if submit else "draft"
            row.answers = checked
            row.mitigations = [m.strip() for m in (mitigations or []) if m.strip()]
            row.thresholds = limits
            row.facts = self.facts(app)
            row.raw_score = score.raw
            row.mitigation_score = score.mitigation
            row.risk_level = score.level
            row.updated_at = now
            row.signed_off_by = None
            row.signed_off_at = None
            saved = _assessment(row)
        self._audit(caller, app, "governance.assess", saved)
        return saved

    def sign_off(self, caller: CallContext, assessment_id: str) -> Assessment:
        """The caller, a department admin, signs a submitted assessment off: its level
        becomes the application's risk tier and the next review date is set."""
        current = self.get(caller, assessment_id)
        app = self.register.get(caller, current.application_id)
        authorize(caller, Permission.MANAGE_GOVERNANCE, app.department)
        if current.status != "submitted":
            raise Conflict(
                f"assessment version {current.version} is {current.status}, not submitted",
                hint="submit it with every required answer first",
            )
        now = datetime.now(UTC)
        with self.database.session(write=True) as session:
            row = session.get(AssessmentRow, current.id)
            assert row is not None
            if row.status != "submitted":
                raise Conflict("someone else signed it off or reopened it meanwhile")
            row.status = "signed_off"
            row.signed_off_by = caller.actor
            row.signed_off_at = now
            signed = _assessment(row)
        due = date.today() + timedelta(days=REVIEW_AFTER.get(signed.risk_level, 365))
        self.register.set_risk(app.id, signed.risk_level, due)
        self._audit(caller, app, "governance.sign_off", signed)
        return signed

    # -- reading ---------------------------------------------------------------------------

    def history(self, caller: CallContext, app_id: str) -> list[Assessment]:
        """Every version of the application's assessment, newest first."""
        app = self.register.get(caller, app_id)
        query = (
            select(AssessmentRow)
            .where(AssessmentRow.application_id == app.id)
            .order_by(AssessmentRow.version.desc())
        )
        with self.database.session() as session:
            return [_assessment(row) for row in session.scalars(query)]

    def get(self, caller: CallContext, assessment_id: str) -> Assessment:
        """One assessment the caller may read; NotFound for another department's."""
        with self.database.session() as session:
            row = session.get(AssessmentRow, assessment_id)
            found = _assessment(row) if row is not None else None
        if found is None:
            raise NotFound(f"no assessment {assessment_id!r}")
        try:
            self.register.get(caller, found.application_id)
        except NotFound:
            raise NotFound(f"no assessment {assessment_id!r}") from None
        return found

    def open_draft(self, caller: CallContext, app_id: str) -> Assessment | None:
        """The version saved half-done, to resume, if there is one."""
        return next((a for a in self.history(caller, app_id) if a.status == "draft"), None)

    def resume(self, caller: CallContext, app_id: str) -> tuple[dict[str, str], list[str]]:
        """What an assessment form starts from (department admins): the open draft's
        answers and mitigations, else the pre-filled answers."""
        app = self.register.get(caller, app_id)
        authorize(caller, Permission.MANAGE_GOVERNANCE, app.department)
        draft = self.open_draft(caller, app.id)
        if draft is not None:
            return draft.answers, draft.mitigations
        return self.prefill(app), []

    def last_signed(self, caller: CallContext, app_id: str) -> Assessment | None:
        return next((a for a in self.history(caller, app_id) if a.status == "signed_off"), None)

    def compare(self, older: Assessment, newer: Assessment) -> list[Change]:
        """The answers that differ between two versions, in questionnaire order."""
        questionnaire = load_questionnaire(newer.questionnaire)
        changes = []
        for question in questionnaire.questions:
            before, after = older.answers.get(question.id), newer.answers.get(question.id)
            if before != after:
                changes.append(Change(question.id, before, after))
        return changes

    def export(self, assessment: Assessment, app: Application) -> dict[str, Any]:
        """The assessment as JSON: application, answers with their question text, scores."""
        questionnaire = load_questionnaire(assessment.questionnaire)
        score = questionnaire.score(assessment.answers)
        return {
            "application": app.as_dict(),
            "assessment": assessment.as_dict(),
            "scores": score.as_dict(),
            "answers": [
                {
                    "question": q.id,
                    "principle": q.principle,
                    "kind": q.kind,
                    "text": q.text,
                    "answer": assessment.answers.get(q.id),
                    "answer_text": (
                        q.answer(assessment.answers[q.id]).text
                        if q.id in assessment.answers
                        else None
                    ),
                }
                for q in questionnaire.questions
            ],
        }

    def _audit(self, caller: CallContext, app: Application, action: str, a: Assessment) -> None:
        self.audit.record(
            AuditEvent(
                actor=caller.actor,
                department=app.department,
                action=action,
                channel=caller.channel,
                detail={
                    "assessment": a.id,
                    "version": a.version,
                    "status": a.status,
                    "risk_level": a.risk_level,
                },
                application_id=app.id,
            )
        )


def pii_counts(text: object) -> dict[str, int]:
    """{TYPE: count} from the JSON text of an event's `pii_detected`; {} for anything else."""
    try:
        found = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): int(n) for k, n in found.items() if isinstance(n, int)}


def _thresholds(questionnaire: Questionnaire, given: dict[str, float] | None) -> dict[str, float]:
    limits = dict(questionnaire.default_thresholds)
    for name, value in (given or {}).items():
        if name not in limits:
            raise InputError(
                f"{name!r} is not an evidence threshold",
                hint=f"known thresholds: {', '.join(limits)}",
            )
        share = float(value)
        if not 0 <= share <= 1:
            raise InputError(f"threshold {name} is a share between 0 and 1, not {value!r}")
        limits[name] = share
    return limits


__all__ = ["CURRENT", "Assessment", "Assessments", "Change"]


def application_status(
    service: Assessments, caller: CallContext, app: Application, *, today: date | None = None
) -> dict[str, Any]:
    """The application's live evidence and whether a reassessment is due; reasons not
    announced since the last sign-off are recorded once as a `governance.reassessment_due`
    audit event, which other systems can listen for."""
    # Imported here: evidence imports this module's Assessment.
    from govpilot.governance.evidence import (
        announce_due,
        announced_reasons,
        gather_evidence,
        reassessment_due,
    )

    evidence = gather_evidence(service.database, app)
    last = service.last_signed(caller, app.id)
    due = reassessment_due(app, evidence, last, today or date.today())
    since = last.signed_off_at if last else None
    announce_due(service.audit, app, due, announced_reasons(service.database, app.id, since))
    return {
        "evidence": evidence.as_dict(),
        "reassessment_due": [{"code": d.code, "en": d.en, "zh-Hant": d.zh} for d in due],
    }
