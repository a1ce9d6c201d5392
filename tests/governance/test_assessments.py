"""Impact assessments: the questionnaire file, scoring, pre-filled facts, versions, sign-off."""

from __future__ import annotations

from dataclasses import replace

import pytest
from governance_support import LD, caller

from govpilot.access import Role
from govpilot.backends.llm import ChatMessage
from govpilot.errors import Conflict, InputError, NotFound, PermissionDenied
from govpilot.governance.questionnaire import load_questionnaire
from govpilot.platform import Platform

ADMIN = caller(Role.DEPARTMENT_ADMIN)
PRINCIPLES = {
    "transparency",
    "reliability",
    "fairness",
    "diversity",
    "oversight",
    "lawfulness",
    "privacy",
    "safety",
    "accountability",
    "beneficial",
    "cooperation",
    "sustainability",
}


def _app_id(platform: Platform) -> str:
    ctx = replace(caller(Role.OFFICER), capability="summarise")
    platform.gateway.complete(ctx, [ChatMessage("user", "Summarise this.")])
    return platform.register.list(ADMIN)[0].id


def _worst_answers() -> dict[str, str]:
    q = load_questionnaire()
    return {
        question.id: max(question.answers, key=lambda a: a.points).value
        if question.kind == "risk"
        else min(question.answers, key=lambda a: a.points).value
        for question in q.questions
    }


def test_the_questionnaire_covers_every_principle_in_both_languages() -> None:
    q = load_questionnaire()
    assert {question.principle for question in q.questions} == PRINCIPLES
    for question in q.questions:
        assert question.text["en"] and question.text["zh-Hant"]
        assert all(a.text["en"] and a.text["zh-Hant"] for a in question.answers)
    assert len({question.id for question in q.questions}) == len(q.questions)


def test_scores_and_levels() -> None:
    q = load_questionnaire()
    worst = q.score(_worst_answers())
    assert (worst.raw, worst.mitigation, worst.level) == (worst.raw_max, 0, "very_high")
    best = {
        question.id: (min if question.kind == "risk" else max)(
            question.answers, key=lambda a: a.points
        ).value
        for question in q.questions
    }
    score = q.score(best)
    assert score.level == "low" and score.mitigation == score.mitigation_max
    # Unanswered risk questions count as their worst answer: half-done never looks safer.
    assert q.score({}).raw == q.score(_worst_answers()).raw
    assert q.score({}).unanswered


def test_prefill_reads_the_running_system(platform: Platform) -> None:
    app = platform.register.get(ADMIN, _app_id(platform))
    answers = platform.assessments.prefill(app)
    assert answers["hosting"] == "local"  # the scripted model is not external
    assert answers["oversight_mode"] == app.oversight
    assert answers["affected_people"] == "officers"
    assert answers["personal_data"] == "none"
    assert answers["audit_trail"] == "yes"


def test_versions_compare_sign_off_and_export(platform: Platform) -> None:
    app_id = _app_id(platform)
    service = platform.assessments
    worst = _worst_answers()
    first = service.save(ADMIN, app_id, worst, submit=True, mitigations=["Review every draft"])
    with pytest.raises(PermissionDenied):
        service.sign_off(caller(Role.OFFICER), first.id)
    signed = service.sign_off(ADMIN, first.id)
    assert signed.signed_off_by == ADMIN.actor
    with pytest.raises(Conflict):
        service.sign_off(ADMIN, first.id)
    app = platform.register.get(ADMIN, app_id)
    assert app.risk_tier == "very_high" and app.next_review is not None
    second = service.save(ADMIN, app_id, {**worst, "reversibility": "easy"}, submit=True)
    assert second.version == 2
    changes = service.compare(first, second)
    assert [(c.question, c.before, c.after) for c in changes] == [("reversibility", "hard", "easy")]
    exported = service.export(second, app)
    assert exported["scores"]["risk_level"] == second.risk_level
    row = next(a for a in exported["answers"] if a["question"] == "reversibility")
    assert row["answer_text"]["zh-Hant"] == "容易糾正"
    assert [a.version for a in service.history(ADMIN, app_id)] == [2, 1]


def test_bad_answers_name_the_question_and_lose_nothing(platform: Platform) -> None:
    app_id = _app_id(platform)
    service = platform.assessments
    draft = service.save(ADMIN, app_id, {"reversibility": "hard"})
    with pytest.raises(InputError, match="'hosting'"):
        service.save(ADMIN, app_id, {"hosting": "the moon"})
    with pytest.raises(InputError, match="no question 'colour'"):
        service.save(ADMIN, app_id, {"colour": "red"})
    with pytest.raises(InputError, match="needs an answer"):
        service.save(ADMIN, app_id, {"reversibility": "hard"}, submit=True)
    with pytest.raises(InputError, match="threshold"):
        service.save(ADMIN, app_id, {}, thresholds={"review_rejection_rate": 2})
    kept = service.open_draft(ADMIN, app_id)
    assert kept is not None and kept.answers == {"reversibility": "hard"}
    assert kept.id == draft.id
    with pytest.raises(NotFound):
        service.get(caller(Role.DEPARTMENT_ADMIN, LD), draft.id)
