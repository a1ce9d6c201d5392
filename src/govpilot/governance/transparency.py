"""Public transparency records of the register, shaped after the UK Algorithmic Transparency
Recording Standard: a tier-1 summary for everyone and a tier-2 record with ownership,
models, data, risks and human oversight. No sign-in: only what a department would publish
(no officers' accounts, no audit details); retired entries are left out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from govpilot.governance.model_cards import ModelCard
from govpilot.governance.questionnaire import CURRENT, load_questionnaire
from govpilot.governance.register import Application, _application
from govpilot.storage.db import Database
from govpilot.storage.governance_tables import AiApplicationRow, AssessmentRow

OVERSIGHT_TEXT = {
    "in_the_loop": {
        "en": "An officer approves every output before it is used.",
        "zh-Hant": "每項輸出須經公務人員批准方可使用。",
    },
    "on_the_loop": {
        "en": "Officers review a sample of outputs, and every flagged one, after the fact.",
        "zh-Hant": "公務人員事後覆核抽樣輸出及所有被標示的輸出。",
    },
    "out_of_the_loop": {
        "en": "Outputs are used without routine human review.",
        "zh-Hant": "輸出在沒有例行人手覆核下使用。",
    },
}


def public_applications(database: Database, department: str | None = None) -> list[Application]:
    """Every department's (or one department's) applications that are not retired."""
    query = (
        select(AiApplicationRow)
        .where(AiApplicationRow.stage != "retired")
        .order_by(AiApplicationRow.department, AiApplicationRow.name_en)
    )
    if department:
        query = query.where(AiApplicationRow.department == department)
    with database.session() as session:
        return [_application(row) for row in session.scalars(query)]


def _last_signed(database: Database, app_id: str) -> AssessmentRow | None:
    query = (
        select(AssessmentRow)
        .where(AssessmentRow.application_id == app_id, AssessmentRow.status == "signed_off")
        .order_by(AssessmentRow.version.desc())
        .limit(1)
    )
    with database.session() as session:
        row = session.scalar(query)
        if row is not None:
            session.expunge(row)
        return row


def transparency_record(
    database: Database, app: Application, cards: dict[str, ModelCard]
) -> dict[str, Any]:
    """The application's public record: {"tier_1": ..., "tier_2": ...}."""
    signed = _last_signed(database, app.id)
    questionnaire = load_questionnaire(signed.questionnaire if signed else CURRENT)
    level = signed.risk_level if signed else "unassessed"
    level_text = {"en": "Not yet assessed", "zh-Hant": "尚未評估"}
    if signed:
        level_text = {lang: questionnaire.level_text(level, lang) for lang in ("en", "zh-Hant")}
    return {
        "id": app.id,
        "tier_1": {
            "name": {"en": app.name_en, "zh-Hant": app.name_zh},
            "department": app.department,
            "description": app.purpose,
            "kind": app.kind,
            "who_is_affected": app.affected,
            "human_oversight": OVERSIGHT_TEXT.get(app.oversight, {"en": app.oversight}),
            "stage": app.stage,
            "contact": app.contact,
        },
        "tier_2": {
            "owner_and_responsibility": {"department": app.department, "contact": app.contact},
            "models": [cards[m].as_dict() for m in app.models if m in cards],
            "personal_data_categories": list(app.data_categories),
            "impact_assessment": {
                "risk_level": level,
                "risk_level_text": level_text,
                "version": signed.version if signed else None,
                "signed_off_at": signed.signed_off_at.isoformat()
                if signed and signed.signed_off_at
                else None,
                "mitigations": list(signed.mitigations) if signed else [],
                "next_review": app.next_review.isoformat() if app.next_review else None,
            },
            "oversight_mode": app.oversight,
        },
    }
