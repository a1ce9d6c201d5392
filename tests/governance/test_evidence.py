"""Evidence from the running record (calls, personal data, bot turns, reviews, incidents)
and the reasons it makes a reassessment due, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from governance_support import HAD, caller, collection_id

from govpilot.access import Role
from govpilot.audit.events import AuditEvent, MemoryAuditSink, Outcome
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.capabilities.chat.bots import new_bot
from govpilot.config import PrivacyAction, PrivacySettings
from govpilot.errors import PersonalDataRefused
from govpilot.governance.assessments import Assessment
from govpilot.governance.evidence import (
    DUE_ACTION,
    Evidence,
    announce_due,
    announced_reasons,
    gather_evidence,
    reassessment_due,
)
from govpilot.governance.register import Application
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.platform import Platform
from govpilot.privacy.guard import PrivacyGuard
from govpilot.privacy.policy import PrivacyPolicy
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.storage.bot_tables import BotConversationRow, BotTurnRow
from govpilot.storage.governance_tables import IncidentRow, ReviewItemRow
from govpilot.testing import make_test_platform

ADMIN = caller(Role.DEPARTMENT_ADMIN)
OFFICER = caller(Role.OFFICER)


@pytest.fixture
def db_platform(tmp_path: Path, database_url: str) -> Iterator[Platform]:
    """The governance test platform, once on SQLite and once on PostgreSQL."""
    model = ScriptedModel(name="fake").respond_with(lambda messages: "A scripted reply.")
    platform = make_test_platform(tmp_path, models=[model], database_url=database_url)
    platform.knowledge = KnowledgeBase.build(platform.database, InMemoryRetriever())
    yield platform
    platform.database.dispose()


def _call(platform: Platform, text: str = "Hello", capability: str = "translate") -> None:
    ctx = replace(OFFICER, capability=capability)
    platform.gateway.complete(ctx, [ChatMessage("user", text)])


def _app(platform: Platform, source: str = "translate") -> Application:
    return next(a for a in platform.register.list(ADMIN) if a.source == source)


def _event(
    platform: Platform,
    app_id: str,
    *,
    at: datetime | None = None,
    outcome: Outcome = "ok",
    backend: str | None = "fake",
    model_id: str | None = "fake:fake",
    detail: dict[str, object] | None = None,
) -> None:
    platform.audit.append(
        AuditEvent(
            actor=OFFICER.actor,
            department=HAD,
            action="translate",
            outcome=outcome,
            backend=backend,
            model_name="fake" if backend else None,
            model_id=model_id,
            detail=detail or {},
            occurred_at=at or datetime.now(UTC),
            application_id=app_id,
        )
    )


def _guard(platform: Platform, action: PrivacyAction) -> None:
    policy = PrivacyPolicy(PrivacySettings(local=action))
    platform.gateway.guard = PrivacyGuard(platform.detector, policy)


def test_calls_outcomes_models_and_weekly_buckets(db_platform: Platform) -> None:
    platform = db_platform
    for _ in range(3):
        _call(platform)
    _call(platform, capability="summarise")  # another application
    app = _app(platform)
    now = datetime.now(UTC)
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), time(), tzinfo=UTC)
    oldest = monday - timedelta(weeks=7)
    _event(platform, app.id, at=monday)  # this week, from its first instant
    _event(platform, app.id, at=monday - timedelta(microseconds=1), outcome="error")
    _event(platform, app.id, at=oldest, outcome="refused", model_id=None)
    _event(platform, app.id, at=oldest - timedelta(seconds=1))  # before the window
    _event(platform, app.id, at=now + timedelta(hours=1))  # after `now`
    _event(platform, app.id, at=monday - timedelta(weeks=3), model_id="other:v2")
    _event(platform, app.id, backend=None, model_id=None)  # not a model call

    evidence = gather_evidence(platform.database, app, now=now)

    assert [start.weekday() for start, _ in evidence.weeks] == [0] * 8
    assert evidence.weeks[0][0] == oldest.date() and evidence.weeks[-1][0] == monday.date()
    assert [n for _, n in evidence.weeks] == [1, 0, 0, 0, 1, 0, 1, 4]
    assert (evidence.calls, evidence.refused, evidence.errors) == (7, 1, 1)
    assert evidence.refusal_rate == pytest.approx(1 / 7)
    assert evidence.model_ids == ["fake:fake", "other:v2"]
    assert (evidence.bot_turns, evidence.handover_rate, evidence.thumbs_down_rate) == (0, 0, 0)
    assert (evidence.reviews, evidence.review_rejection_rate, evidence.open_incidents) == (
        {},
        0,
        0,
    )
    # Fewer weeks, a narrower window.
    short = gather_evidence(platform.database, app, weeks=2, now=now)
    assert [n for _, n in short.weeks] == [1, 4] and short.calls == 5
    data = evidence.as_dict()
    assert data["weeks"][-1] == {"week": monday.date().isoformat(), "calls": 4}
    assert data["application_id"] == app.id


def test_personal_data_found_and_blocked(db_platform: Platform) -> None:
    platform = db_platform
    _call(platform, "Nothing personal here")
    app = _app(platform)
    _guard(platform, "pseudonymise")
    _call(platform, "HKID A123456(7), phone 9123 4567")
    _call(platform, "Nothing personal here either")
    _guard(platform, "allow")  # found, sent as it is: no redactions
    _call(platform, "HKID B765432(1)")
    _guard(platform, "block")
    with pytest.raises(PersonalDataRefused):
        _call(platform, "HKID C111111(1) and C222222(2)")
    # A block recorded without the counts still counts as blocked.
    _event(platform, app.id, outcome="refused", detail={"privacy": "block"})
    # Not model calls: not evidence.
    _event(platform, app.id, backend=None, detail={"pii_detected": {"HKID": 9}})

    evidence = gather_evidence(platform.database, app)

    assert evidence.personal_data_found == {"HKID": 4, "PHONE": 1}
    assert evidence.personal_data_blocked == 2
    assert (evidence.calls, evidence.refused) == (6, 2)


def _bot_turns(platform: Platform, bot_id: str, specs: list[tuple[bool, int | None]]) -> None:
    now = datetime.now(UTC)
    with platform.database.session(write=True) as session:
        conversation = BotConversationRow(
            id=uuid.uuid4().hex, bot_id=bot_id, department=HAD, channel="web", created_at=now
        )
        session.add(conversation)
        session.flush()
        for handed_over, rating in specs:
            session.add(
                BotTurnRow(
                    id=uuid.uuid4().hex,
                    conversation_id=conversation.id,
                    bot_id=bot_id,
                    department=HAD,
                    asked_at=now - timedelta(days=400) if rating == 0 else now,
                    language="en",
                    outcome="handed_over" if handed_over else "answered",
                    handed_over=handed_over,
                    citations=[],
                    latency_ms=10,
                    rating=rating or None,
                    record_id=None,
                )
            )


def test_bot_turn_rates(db_platform: Platform) -> None:
    platform = db_platform
    bots = platform.bot_service()
    guides = collection_id(platform)
    bot = bots.create_bot(new_bot("housing-faq", HAD, [guides], created_by="admin"), ADMIN)
    other = bots.create_bot(new_bot("other-faq", HAD, [guides], created_by="admin"), ADMIN)
    ratings: list[int | None] = [-1, -1, -1, -1, 1, 1, None, None, None, None]
    _bot_turns(platform, bot.id, [(i < 3, r) for i, r in enumerate(ratings)])
    _bot_turns(platform, bot.id, [(True, 0)])  # 0: asked long before the window
    _bot_turns(platform, other.id, [(True, -1)] * 5)
    app = platform.register.get(ADMIN, "Bot: housing-faq")

    evidence = gather_evidence(platform.database, app)

    assert (evidence.bot_turns, evidence.rated_turns) == (10, 6)
    assert evidence.handover_rate == pytest.approx(0.3)
    assert evidence.thumbs_down_rate == pytest.approx(4 / 6)


def test_review_and_incident_counts(db_platform: Platform) -> None:
    platform = db_platform
    _call(platform)
    _call(platform, capability="summarise")
    app, other = _app(platform), _app(platform, "summarise")
    now = datetime.now(UTC)
    statuses = ["approved"] * 3 + ["rejected", "corrected", "pending", "pending"]
    with platform.database.session(write=True) as session:
        for app_id, status in [(app.id, s) for s in statuses] + [(other.id, "rejected")]:
            session.add(
                ReviewItemRow(
                    id=uuid.uuid4().hex,
                    application_id=app_id,
                    department=HAD,
                    source="bot_turn",
                    source_id=uuid.uuid4().hex,
                    reason="sampled",
                    record_id=None,
                    citations=[],
                    status=status,
                    reviewer=None if status == "pending" else "reviewer@had.gov.hk",
                    note="",
                    correction="",
                    created_at=now,
                    decided_at=None if status == "pending" else now,
                )
            )
        for app_id, status in [
            (app.id, "open"),
            (app.id, "investigating"),
            (app.id, "resolved"),
            (other.id, "open"),
        ]:
            session.add(
                IncidentRow(
                    id=uuid.uuid4().hex,
                    application_id=app_id,
                    department=HAD,
                    category="wrong_answer",
                    summary="A wrong answer",
                    evidence="",
                    status=status,
                    owner="admin@had.gov.hk",
                    reported_by="officer@had.gov.hk",
                    reported_at=now,
                    updated_at=now,
                )
            )

    evidence = gather_evidence(platform.database, app)

    assert evidence.reviews == {"approved": 3, "rejected": 1, "corrected": 1, "pending": 2}
    assert evidence.review_rejection_rate == pytest.approx(2 / 5)
    assert evidence.open_incidents == 2


# -- reasons a reassessment is due ---------------------------------------------------------

TODAY = date(2026, 5, 20)
STAMP = datetime(2026, 1, 5, tzinfo=UTC)


def _application(**changes: object) -> Application:
    app = Application(
        id="app1",
        department=HAD,
        kind="bot",
        source="bot:b1",
        name_en="Bot: housing-faq",
        name_zh="聊天機械人：housing-faq",
        purpose="",
        owner="admin",
        contact="admin",
        affected="public",
        data_categories=[],
        models=["qwen", "fake"],
        oversight="on_the_loop",
        review_sample=0.1,
        reviewers=[],
        risk_tier="medium",
        stage="deployment",
        next_review=date(2026, 12, 31),
        created_by="admin",
        created_at=STAMP,
        updated_at=STAMP,
    )
    return replace(app, **changes)  # type: ignore[arg-type]


def _signed(**thresholds: float) -> Assessment:
    limits = {
        "review_rejection_rate": 0.1,
        "thumbs_down_rate": 0.2,
        "handover_rate": 0.5,
        "refusal_rate": 0.2,
    }
    return Assessment(
        id="a1",
        application_id="app1",
        version=1,
        stage="deployment",
        questionnaire="2025.1",
        status="signed_off",
        answers={},
        mitigations=[],
        thresholds={**limits, **thresholds},
        facts={"model_names": ["fake", "qwen"]},
        raw_score=10,
        mitigation_score=5,
        risk_level="medium",
        created_by="admin",
        created_at=STAMP,
        updated_at=STAMP,
        signed_off_by="admin",
        signed_off_at=STAMP,
    )


def _evidence(**values: object) -> Evidence:
    evidence = Evidence(
        application_id="app1",
        weeks=[],
        calls=0,
        refused=0,
        errors=0,
        refusal_rate=0,
        personal_data_found={},
        personal_data_blocked=0,
        bot_turns=0,
        handover_rate=0,
        thumbs_down_rate=0,
        reviews={},
        review_rejection_rate=0,
        open_incidents=0,
    )
    return replace(evidence, **values)  # type: ignore[arg-type]


def _codes(app: Application, evidence: Evidence, last: Assessment | None) -> list[str]:
    return [d.code for d in reassessment_due(app, evidence, last, TODAY)]


def test_nothing_is_due_while_the_assessment_holds() -> None:
    assert _codes(_application(), _evidence(), _signed()) == []


def test_never_assessed_and_review_date_passed() -> None:
    assert _codes(_application(next_review=None), _evidence(), None) == ["not_assessed"]
    late = _application(next_review=TODAY - timedelta(days=1))
    assert _codes(late, _evidence(), None) == ["not_assessed", "review_date_passed"]
    assert _codes(late, _evidence(), _signed()) == ["review_date_passed"]
    assert _codes(_application(next_review=TODAY), _evidence(), _signed()) == []
    due = reassessment_due(late, _evidence(), _signed(), TODAY)[0]
    assert "2026-05-19" in due.en and "2026-05-19" in due.zh


def test_model_changed() -> None:
    changed = _application(models=["fake", "gpt-4o"])
    due = reassessment_due(changed, _evidence(), _signed(), TODAY)
    assert [d.code for d in due] == ["model_changed"]
    assert "fake, qwen → fake, gpt-4o" in due[0].en and "模型" in due[0].zh


def test_each_threshold_crossed_with_enough_data() -> None:
    reviews = {"approved": 17, "rejected": 2, "corrected": 1, "pending": 4}
    crossed = _evidence(
        reviews=reviews,
        review_rejection_rate=0.15,
        bot_turns=20,
        handover_rate=0.55,
        thumbs_down_rate=0.25,
        calls=20,
        refusal_rate=0.3,
    )
    due = reassessment_due(_application(), crossed, _signed(), TODAY)
    assert [d.code for d in due] == [
        "threshold:handover_rate",
        "threshold:refusal_rate",
        "threshold:review_rejection_rate",
        "threshold:thumbs_down_rate",
    ]
    rejection = next(d for d in due if d.code == "threshold:review_rejection_rate")
    assert rejection.en == "Review rejection rate 15% is above the assessed limit of 10%"
    assert rejection.zh == "覆核否決率 15% 高於評估設定的上限 10%"
    # At the limit is not above it; a limit of the assessment's own is used.
    assert _codes(_application(), crossed, _signed(handover_rate=0.55, refusal_rate=0.5)) == [
        "threshold:review_rejection_rate",
        "threshold:thumbs_down_rate",
    ]


def test_too_little_data_crosses_no_threshold() -> None:
    sparse = _evidence(
        reviews={"rejected": 5, "approved": 4, "pending": 30},
        review_rejection_rate=5 / 9,
        bot_turns=19,
        handover_rate=1.0,
        thumbs_down_rate=1.0,
        calls=19,
        refusal_rate=1.0,
    )
    assert _codes(_application(), sparse, _signed()) == []


def test_announce_due_does_not_repeat(db_platform: Platform) -> None:
    platform = db_platform
    _call(platform)
    app = _app(platform)
    assert announced_reasons(platform.database, app.id, None) == set()
    due = reassessment_due(app, _evidence(), None, TODAY)
    assert [d.code for d in due] == ["not_assessed"]

    assert announce_due(platform.audit, app, due, set()) == due
    already = announced_reasons(platform.database, app.id, None)
    assert already == {"not_assessed"}
    assert announce_due(platform.audit, app, due, already) == []
    late = reassessment_due(
        replace(app, next_review=TODAY - timedelta(days=1)), _evidence(), None, TODAY
    )
    new = announce_due(
        platform.audit, app, late, announced_reasons(platform.database, app.id, None)
    )
    assert [d.code for d in new] == ["review_date_passed"]

    events = platform.audit.events(action=DUE_ACTION)
    assert [(e.actor, e.department, e.application_id) for e in events] == [
        ("govpilot", HAD, app.id)
    ] * 2
    assert [e.detail["reasons"] for e in reversed(events)] == [
        ["not_assessed"],
        ["review_date_passed"],
    ]
    # After a new sign-off, what was announced before it counts no more.
    since = datetime.now(UTC) + timedelta(seconds=1)
    assert announced_reasons(platform.database, app.id, since) == set()
    assert announced_reasons(platform.database, "another-app", None) == set()


def test_announce_due_to_any_sink() -> None:
    sink = MemoryAuditSink()
    app = _application()
    due = reassessment_due(app, _evidence(), None, TODAY)
    assert announce_due(sink, app, due, {"not_assessed"}) == []
    assert sink.events == []
    assert announce_due(sink, app, due, set()) == due
    assert sink.events[0].detail == {"reasons": ["not_assessed"]}
