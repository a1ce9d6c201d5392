"""The AI Application Impact Assessment questionnaire: a versioned data file, its checks and
its scores.

The questions live in `data/aiia.<version>.json` (bilingual text, weighted answers), not in
code. Scoring follows the Canadian Algorithmic Impact Assessment's shape: the risk questions'
points add up to a raw risk score, the mitigation questions' to a mitigation score; when the
mitigation score reaches a share of its maximum (80%), the risk score is reduced (by 15%);
the reduced score's share of the maximum risk gives the level (low, medium, high, very high).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from govpilot.errors import InputError, NotFound

CURRENT = "2026.1"
KINDS = ("risk", "mitigation")


@dataclass(frozen=True)
class Answer:
    value: str
    points: float
    text: dict[str, str]


@dataclass(frozen=True)
class Question:
    id: str
    principle: str
    kind: str
    required: bool
    text: dict[str, str]
    answers: tuple[Answer, ...]
    #: The fact of the running system that answers it before anyone does (see `facts`).
    prefill: str | None = None
    multiple: bool = False

    def answer(self, value: str) -> Answer:
        for answer in self.answers:
            if answer.value == value:
                return answer
        allowed = ", ".join(a.value for a in self.answers)
        raise InputError(
            f"question {self.id!r}: {value!r} is not one of its answers",
            hint=f"answer {self.id} with one of: {allowed}",
        )

    @property
    def max_points(self) -> float:
        return max(a.points for a in self.answers)


@dataclass(frozen=True)
class Score:
    """What a set of answers comes to."""

    raw: float
    raw_max: float
    mitigation: float
    mitigation_max: float
    #: The raw score after the mitigation discount.
    adjusted: float
    level: str
    unanswered: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.unanswered

    def as_dict(self) -> dict[str, Any]:
        return {
            "raw_score": self.raw,
            "raw_max": self.raw_max,
            "mitigation_score": self.mitigation,
            "mitigation_max": self.mitigation_max,
            "adjusted_score": round(self.adjusted, 2),
            "risk_level": self.level,
            "unanswered": list(self.unanswered),
        }


@dataclass(frozen=True)
class Questionnaire:
    """One version of the questionnaire."""

    version: str
    title: dict[str, str]
    source: dict[str, str]
    principles: dict[str, dict[str, str]]
    levels: tuple[tuple[str, float, dict[str, str]], ...]
    discount_at: float
    discount: float
    default_thresholds: dict[str, float]
    questions: tuple[Question, ...] = field(default=())

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise InputError(
            f"there is no question {question_id!r} in questionnaire {self.version}",
            hint="use the question ids of `govpilot assess --questions`",
        )

    def check(self, answers: dict[str, Any], *, complete: bool) -> dict[str, str]:
        """The answers as {question id: answer value}; InputError naming the question for an
        unknown id, a value outside the allowed ones, or (when `complete`) a missing answer."""
        if not isinstance(answers, dict):
            raise InputError("answers must be a JSON object of question id: answer")
        checked: dict[str, str] = {}
        for question_id, value in answers.items():
            question = self.question(str(question_id))
            if value is None or value == "":
                continue
            if not isinstance(value, str):
                raise InputError(
                    f"question {question.id!r}: the answer must be text, not {value!r}"
                )
            question.answer(value)
            checked[question.id] = value
        if complete:
            missing = [q.id for q in self.questions if q.required and q.id not in checked]
            if missing:
                raise InputError(
                    f"question {missing[0]!r} needs an answer"
                    + (
                        f" (and {len(missing) - 1} more: {', '.join(missing[1:])})"
                        if len(missing) > 1
                        else ""
                    ),
                    hint="answer every required question, or save the assessment as a draft",
                )
        return checked

    def score(self, answers: dict[str, str]) -> Score:
        """Scores of checked answers; unanswered questions count as their worst risk answer
        and no mitigation, so a half-done assessment never looks safer than it is."""
        raw = raw_max = mitigation = mitigation_max = 0.0
        unanswered = []
        for question in self.questions:
            value = answers.get(question.id)
            if value is None and question.required:
                unanswered.append(question.id)
            if question.kind == "risk":
                raw_max += question.max_points
                raw += question.answer(value).points if value else question.max_points
            else:
                mitigation_max += question.max_points
                mitigation += question.answer(value).points if value else 0.0
        adjusted = raw
        if mitigation_max and mitigation / mitigation_max >= self.discount_at:
            adjusted = raw * (1 - self.discount)
        share = adjusted / raw_max if raw_max else 0.0
        level = next((name for name, up_to, _ in self.levels if share <= up_to), self.levels[-1][0])
        return Score(raw, raw_max, mitigation, mitigation_max, adjusted, level, tuple(unanswered))

    def level_text(self, level: str, lang: str = "en") -> str:
        for name, _, text in self.levels:
            if name == level:
                return text.get(lang, text["en"])
        return level

    def as_dict(self) -> dict[str, Any]:
        """The questionnaire as the data file has it (for `--questions` and the API)."""
        return _raw(self.version)


def _raw(version: str) -> dict[str, Any]:
    name = f"aiia.{version}.json"
    try:
        text = resources.files("govpilot.governance").joinpath("data", name).read_text("utf-8")
    except FileNotFoundError:
        raise NotFound(
            f"no questionnaire version {version!r}", hint=f"the current one is {CURRENT}"
        ) from None
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def load_questionnaire(version: str = CURRENT) -> Questionnaire:
    """The questionnaire of `version` (the current one by default), read once."""
    data = _raw(version)
    questions = tuple(
        Question(
            id=q["id"],
            principle=q["principle"],
            kind=q["kind"],
            required=bool(q.get("required", True)),
            text=q["text"],
            answers=tuple(Answer(a["value"], float(a["points"]), a["text"]) for a in q["answers"]),
            prefill=q.get("prefill"),
            multiple=bool(q.get("multiple", False)),
        )
        for q in data["questions"]
    )
    for question in questions:
        if question.kind not in KINDS or question.principle not in data["principles"]:
            raise NotFound(f"questionnaire {version}: question {question.id} is malformed")
    discount = data["mitigation_discount"]
    return Questionnaire(
        version=data["version"],
        title=data["title"],
        source=data["source"],
        principles=data["principles"],
        levels=tuple((lv["level"], float(lv["up_to"]), lv["text"]) for lv in data["levels"]),
        discount_at=float(discount["when_at_least"]),
        discount=float(discount["reduce_by"]),
        default_thresholds={k: float(v) for k, v in data["default_thresholds"].items()},
        questions=questions,
    )
