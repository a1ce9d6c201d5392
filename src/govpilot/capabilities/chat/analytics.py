"""A bot's figures for its department: questions per day, answered or handed over, top
unanswered questions, thumbs up and down, median latency; and the same as CSV.

Days are Hong Kong calendar days (UTC+8, no daylight saving). Figures are computed in
Python from the turn rows (no personal data in them), so they read the same on SQLite and
PostgreSQL; questions' texts come from their stored, redacted records while those exist.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from govpilot.capabilities.chat.bots import Bot
from govpilot.language import fold_script
from govpilot.storage.bot_tables import BotTurnRow
from govpilot.storage.db import Database
from govpilot.storage.record_tables import StoredRecordRow

HONG_KONG = timezone(timedelta(hours=8), "HKT")
DAILY_COLUMNS = (
    "date",
    "questions",
    "answered",
    "handed_over",
    "refused",
    "hostile",
    "thumbs_up",
    "thumbs_down",
    "median_latency_ms",
)


@dataclass
class DayFigures:
    """One day's figures for one bot."""

    day: date
    questions: int = 0
    answered: int = 0
    handed_over: int = 0
    refused: int = 0
    hostile: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    latencies: list[int] = field(default_factory=list)

    @property
    def median_latency_ms(self) -> int | None:
        return int(statistics.median(self.latencies)) if self.latencies else None

    def add(self, row: Any) -> None:
        self.questions += 1
        if row.outcome == "answered":
            self.answered += 1
        elif row.outcome == "refused":
            self.refused += 1
        elif row.outcome == "hostile":
            self.hostile += 1
        else:
            self.handed_over += 1
        if row.rating == 1:
            self.thumbs_up += 1
        elif row.rating == -1:
            self.thumbs_down += 1
        self.latencies.append(int(row.latency_ms))

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "questions": self.questions,
            "answered": self.answered,
            "handed_over": self.handed_over,
            "refused": self.refused,
            "hostile": self.hostile,
            "thumbs_up": self.thumbs_up,
            "thumbs_down": self.thumbs_down,
            "median_latency_ms": self.median_latency_ms,
        }


@dataclass(frozen=True)
class UnansweredQuestion:
    """A question the bot handed over, grouped with the ones asked the same way."""

    question: str
    count: int
    last_asked: datetime


@dataclass
class BotAnalytics:
    """Figures for one bot over a period."""

    bot: str
    start: date
    end: date
    days: list[DayFigures]
    total: DayFigures
    top_unanswered: list[UnansweredQuestion]

    def as_dict(self) -> dict[str, Any]:
        total = self.total.as_dict()
        total.pop("date")
        rated = self.total.thumbs_up + self.total.thumbs_down
        return {
            "bot": self.bot,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "totals": {
                **total,
                "answered_share": _share(self.total.answered, self.total.questions),
                "thumbs_up_share": _share(self.total.thumbs_up, rated),
            },
            "days": [d.as_dict() for d in self.days],
            "top_unanswered": [
                {"question": q.question, "count": q.count, "last_asked": q.last_asked.isoformat()}
                for q in self.top_unanswered
            ],
        }

    def daily_csv(self) -> str:
        """One row per day (days without questions included), then nothing else."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(DAILY_COLUMNS)
        for d in self.days:
            row = d.as_dict()
            writer.writerow(["" if row[c] is None else row[c] for c in DAILY_COLUMNS])
        return out.getvalue()

    def unanswered_csv(self) -> str:
        """The top unanswered questions: question, count, last_asked."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("question", "count", "last_asked"))
        for q in self.top_unanswered:
            writer.writerow((_csv_safe(q.question), q.count, q.last_asked.isoformat()))
        return out.getvalue()


def bot_analytics(
    database: Database,
    bot: Bot,
    *,
    days: int = 30,
    end: date | None = None,
    top: int = 10,
) -> BotAnalytics:
    """The bot's figures for the `days` Hong Kong days up to and including `end` (today)."""
    days = max(1, days)
    end = end or datetime.now(HONG_KONG).date()
    start = end - timedelta(days=days - 1)
    since = datetime(start.year, start.month, start.day, tzinfo=HONG_KONG).astimezone(UTC)
    until = since + timedelta(days=(end - start).days + 1)
    query = (
        select(
            BotTurnRow.asked_at,
            BotTurnRow.outcome,
            BotTurnRow.rating,
            BotTurnRow.latency_ms,
            StoredRecordRow.title,
        )
        .outerjoin(StoredRecordRow, StoredRecordRow.id == BotTurnRow.record_id)
        .where(
            BotTurnRow.bot_id == bot.id,
            BotTurnRow.department == bot.department,
            BotTurnRow.asked_at >= since,
            BotTurnRow.asked_at < until,
        )
        .order_by(BotTurnRow.asked_at)
    )
    with database.session() as session:
        rows = session.execute(query).all()
    by_day = {start + timedelta(days=i): DayFigures(start + timedelta(days=i)) for i in range(days)}
    total = DayFigures(start)
    groups: Counter[str] = Counter()
    shown: dict[str, str] = {}
    last: dict[str, datetime] = {}
    for row in rows:
        day = row.asked_at.astimezone(HONG_KONG).date()
        by_day.setdefault(day, DayFigures(day)).add(row)
        total.add(row)
        if row.outcome == "handed_over" and row.title:
            key = normalise_question(row.title)
            if key:
                groups[key] += 1
                shown.setdefault(key, row.title.strip())
                last[key] = row.asked_at
    unanswered = [
        UnansweredQuestion(shown[key], count, last[key])
        for key, count in sorted(groups.items(), key=lambda kv: (-kv[1], -last[kv[0]].timestamp()))
    ][:top]
    return BotAnalytics(
        bot.name, start, end, [by_day[d] for d in sorted(by_day)], total, unanswered
    )


def normalise_question(text: str) -> str:
    """A grouping key: one script, lower case, no punctuation or spacing, no polite opener."""
    folded = fold_script(text).lower()
    folded = re.sub(r"^(?:please|hi|hello|请问|唔该|你好)[\s,，]*", "", folded)
    return re.sub(r"[\W_]+", "", folded)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ is a formula in spreadsheet programs: quote it as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
