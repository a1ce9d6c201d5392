"""What an application's running record says about it, and when that makes its impact
assessment due again.

`gather_evidence` sums up the last weeks of model calls (from the audit log), bot turns,
human review verdicts and incidents with SQL aggregates, so it stays fast with hundreds of
thousands of audit events. `reassessment_due` compares the evidence with the last
signed-off assessment; `announce_due` writes each new reason to the audit log once, where
hooks listening to it can pick it up.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, select

from govpilot.audit.events import AuditEvent, AuditSink
from govpilot.errors import InputError
from govpilot.governance.assessments import Assessment, pii_counts
from govpilot.governance.register import Application
from govpilot.storage.audit_tables import AuditEventRow
from govpilot.storage.base import as_utc
from govpilot.storage.bot_tables import BotTurnRow
from govpilot.storage.db import Database
from govpilot.storage.governance_tables import IncidentRow, ReviewItemRow

DUE_ACTION = "governance.reassessment_due"
#: Review verdicts that count against the application.
REJECTED = ("rejected", "corrected")
DECIDED = ("approved", *REJECTED)
OPEN_INCIDENTS = ("open", "investigating")
#: The least data a rate needs before it may make a reassessment due.
MIN_CALLS, MIN_TURNS, MIN_DECIDED = 20, 20, 10
#: Threshold name: (English label, Chinese label) of the rate it limits.
RATE_NAMES: dict[str, tuple[str, str]] = {
    "review_rejection_rate": ("Review rejection rate", "覆核否決率"),
    "thumbs_down_rate": ("Thumbs-down rate", "負評率"),
    "handover_rate": ("Handover rate", "轉交人手處理率"),
    "refusal_rate": ("Refusal rate", "拒絕率"),
}


@dataclass
class Evidence:
    """An application's record over the last weeks (`weeks`, oldest first)."""

    application_id: str
    weeks: list[tuple[date, int]]
    calls: int
    refused: int
    errors: int
    refusal_rate: float
    personal_data_found: dict[str, int]
    personal_data_blocked: int
    bot_turns: int
    handover_rate: float
    thumbs_down_rate: float
    reviews: dict[str, int]
    review_rejection_rate: float
    open_incidents: int
    model_ids: list[str] = field(default_factory=list)
    #: Bot turns given a thumbs up or down (what thumbs_down_rate is a share of).
    rated_turns: int = 0

    @property
    def decided_reviews(self) -> int:
        return sum(self.reviews.get(status, 0) for status in DECIDED)

    def rate(self, name: str) -> float | None:
        """The rate a threshold of that name limits, or None when it is not known."""
        return float(getattr(self, name)) if name in RATE_NAMES else None

    def enough_for(self, name: str) -> bool:
        """Whether there is enough data for rate `name` to count."""
        if name == "review_rejection_rate":
            return self.decided_reviews >= MIN_DECIDED
        if name in ("handover_rate", "thumbs_down_rate"):
            return self.bot_turns >= MIN_TURNS
        return name == "refusal_rate" and self.calls >= MIN_CALLS

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["weeks"] = [{"week": start.isoformat(), "calls": n} for start, n in self.weeks]
        return data


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _week_starts(now: datetime, weeks: int) -> list[datetime]:
    """Midnight UTC of the Monday starting each of the last `weeks` weeks, oldest first."""
    monday = now.date() - timedelta(days=now.weekday())
    first = datetime.combine(monday - timedelta(weeks=weeks - 1), time(), tzinfo=UTC)
    return [first + timedelta(weeks=i) for i in range(weeks)]


def gather_evidence(
    database: Database, app: Application, *, weeks: int = 8, now: datetime | None = None
) -> Evidence:
    """The evidence of `app` from the Monday `weeks - 1` weeks before this one up to `now`:
    model calls, personal data, bot turns and reviews made in that window, and the
    incidents still open."""
    if weeks < 1:
        raise InputError(f"evidence needs at least one week, not {weeks}")
    end = as_utc(now) if now is not None else datetime.now(UTC)
    starts = _week_starts(end, weeks)
    event = AuditEventRow
    in_window = (
        event.application_id == app.id,
        event.occurred_at.between(starts[0], end),
        event.backend.is_not(None),
    )
    # One pass over the (application_id, occurred_at) index: calls by week (0: oldest),
    # outcome, model, the personal data found (as JSON text: few distinct values) and
    # whether it was blocked. JSON paths render as json_extract on SQLite and ->> on
    # PostgreSQL; the outer query groups (PostgreSQL cannot match the bound parameters of
    # an expression repeated in GROUP BY).
    week = case(
        *((event.occurred_at < start, i) for i, start in enumerate(starts[1:])),
        else_=weeks - 1,
    )
    block = case((event.detail["privacy"].as_string() == "block", 1), else_=0)
    calls_of = (
        select(
            week.label("week"),
            event.outcome,
            event.model_id,
            event.detail["pii_detected"].as_string().label("pii"),
            block.label("blocked"),
        )
        .where(*in_window)
        .subquery()
    )
    keys = (calls_of.c.week, calls_of.c.outcome, calls_of.c.model_id, calls_of.c.pii)
    grouped = select(*keys, calls_of.c.blocked, func.count()).group_by(*keys, calls_of.c.blocked)
    bot_id = app.source.removeprefix("bot:") if app.source.startswith("bot:") else None
    turns = select(
        func.count(),
        func.coalesce(func.sum(case((BotTurnRow.handed_over.is_(True), 1), else_=0)), 0),
        func.count(BotTurnRow.rating),
        func.coalesce(func.sum(case((BotTurnRow.rating == -1, 1), else_=0)), 0),
    ).where(
        BotTurnRow.bot_id == bot_id,
        BotTurnRow.asked_at.between(starts[0], end),
    )
    reviews_of = (
        select(ReviewItemRow.status, func.count())
        .where(
            ReviewItemRow.application_id == app.id,
            ReviewItemRow.created_at.between(starts[0], end),
        )
        .group_by(ReviewItemRow.status)
    )
    incidents = select(func.count()).where(
        IncidentRow.application_id == app.id, IncidentRow.status.in_(OPEN_INCIDENTS)
    )

    per_week = [0] * weeks
    outcomes: Counter[str] = Counter()
    model_ids: set[str] = set()
    found: Counter[str] = Counter()
    blocked = 0
    with database.session() as session:
        for index, outcome, model_id, pii, was_blocked, count in session.execute(grouped):
            per_week[int(index)] += count
            outcomes[outcome] += count
            if model_id:
                model_ids.add(model_id)
            for kind, n in pii_counts(pii).items():
                found[kind] += n * count
            blocked += count if was_blocked else 0
        n_turns, handed_over, rated, thumbs_down = (
            session.execute(turns).one() if bot_id else (0, 0, 0, 0)
        )
        reviews = {str(status): int(n) for status, n in session.execute(reviews_of)}
        open_incidents = int(session.scalar(incidents) or 0)

    calls = sum(per_week)
    decided = sum(reviews.get(s, 0) for s in DECIDED)
    return Evidence(
        application_id=app.id,
        weeks=[(start.date(), n) for start, n in zip(starts, per_week, strict=True)],
        calls=calls,
        refused=outcomes["refused"],
        errors=outcomes["error"],
        refusal_rate=_share(outcomes["refused"], calls),
        personal_data_found=dict(sorted(found.items())),
        personal_data_blocked=blocked,
        bot_turns=int(n_turns),
        handover_rate=_share(int(handed_over), int(n_turns)),
        thumbs_down_rate=_share(int(thumbs_down), int(rated)),
        reviews=reviews,
        review_rejection_rate=_share(sum(reviews.get(s, 0) for s in REJECTED), decided),
        open_incidents=open_incidents,
        model_ids=sorted(model_ids),
        rated_turns=int(rated),
    )


@dataclass(frozen=True)
class Due:
    """One reason a reassessment is due, in English and Traditional Chinese (Hong Kong)."""

    code: str
    en: str
    zh: str


def _percent(share: float) -> str:
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + "%"


def reassessment_due(
    app: Application, evidence: Evidence, last_signed: Assessment | None, today: date
) -> list[Due]:
    """Why `app`'s assessment should be done again (none: it still holds)."""
    due: list[Due] = []
    if last_signed is None:
        no_assessment = "No impact assessment of this application has been signed off"
        due.append(Due("not_assessed", no_assessment, "此應用程式尚未有已簽署的影響評估"))
    if app.next_review is not None and app.next_review < today:
        day = app.next_review.isoformat()
        passed = f"The review date {day} has passed"
        due.append(Due("review_date_passed", passed, f"覆檢日期 {day} 已過"))
    if last_signed is None:
        return due
    assessed = sorted(str(m) for m in last_signed.facts.get("model_names", []))
    if sorted(app.models) != assessed:
        change = f"{', '.join(assessed) or '-'} → {', '.join(sorted(app.models)) or '-'}"
        en = f"The models changed since the last assessment ({change})"
        due.append(Due("model_changed", en, f"模型自上次評估後已更改（{change}）"))
    for name, limit in sorted(last_signed.thresholds.items()):
        rate = evidence.rate(name)
        if rate is None or not evidence.enough_for(name) or rate <= float(limit):
            continue
        (en, zh), shown, cap = RATE_NAMES[name], _percent(rate), _percent(float(limit))
        en = f"{en} {shown} is above the assessed limit of {cap}"
        due.append(Due(f"threshold:{name}", en, f"{zh} {shown} 高於評估設定的上限 {cap}"))
    return due


def announce_due(
    audit: AuditSink, app: Application, due: list[Due], already: set[str]
) -> list[Due]:
    """Record the reasons not announced yet in one audit event (for hooks listening to the
    audit log) and return them; nothing is recorded when there are none."""
    new = [d for d in due if d.code not in already]
    if new:
        audit.record(
            AuditEvent(
                actor="govpilot",
                department=app.department,
                action=DUE_ACTION,
                detail={"reasons": [d.code for d in new]},
                application_id=app.id,
            )
        )
    return new


def announced_reasons(database: Database, app_id: str, since: datetime | None) -> set[str]:
    """The reasons already announced for `app_id` since `since` (the last sign-off; None:
    ever)."""
    query = select(AuditEventRow.detail).where(
        AuditEventRow.application_id == app_id, AuditEventRow.action == DUE_ACTION
    )
    if since is not None:
        query = query.where(AuditEventRow.occurred_at >= as_utc(since))
    with database.session() as session:
        return {
            str(code) for detail in session.scalars(query) for code in detail.get("reasons", [])
        }
