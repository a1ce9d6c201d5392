"""Which department owns a case: the duties it matches, past cases like it, the model last.

Four signals, each shown to the officer as a reason:

- **duties**: the case's e5 vector against every duty of every department (the duty's
  sentence in both languages); a department scores its best duty, which also gives the
  case's category;
- **keywords**: the duties' keywords found in the text (English, written Chinese and
  Cantonese), and a department named in it ("致環境保護署", "Dear EDB");
- **past cases**: the nearest cases an officer routed or confirmed (their final
  department), so a correction teaches the desk at once;
- **the model**, only when the signals leave it close: it picks among the top three,
  each shown with its summary and best duties.

The signals are added as weighted scores and turned into a probability (softmax); the
top one's probability is the confidence. A case below `confident` waits in the triage
queue for an officer. The same text gives the same routing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from govpilot.access import CallContext
from govpilot.backends.embed import Embedder
from govpilot.backends.llm import GenerationOptions
from govpilot.capabilities.cases.departments import Department, DepartmentList
from govpilot.errors import GovpilotError
from govpilot.gateway import ModelGateway
from govpilot.prompts import load_prompt

__all__ = ["Candidate", "CaseRouter", "Example", "Routing", "Weights"]

MAX_CHARS = 1_500
LETTERS = "ABCDE"


@dataclass(frozen=True)
class Weights:
    """How much each signal counts (in logits) and when the model is asked."""

    #: Per 0.01 of vector similarity below the best department's.
    duties: float = 0.6
    keyword: float = 1.2
    named: float = 2.0
    #: Per similar past case (weighted by its similarity).
    past: float = 1.5
    #: The model's pick, when asked: enough to break a near-tie, not to overrule the signals.
    model: float = 1.5
    #: The summed scores are multiplied by this before the softmax (a calibration: on the
    #: development cases the unscaled probabilities were far below the share right).
    sharpness: float = 2.0
    #: Ask the model when the top candidate's probability is below this.
    ask_below: float = 0.5
    neighbours: int = 5
    #: Past cases less similar than this are not neighbours.
    min_similarity: float = 0.9


@dataclass(frozen=True)
class Example:
    """A past case an officer routed: its vector and final department."""

    vector: np.ndarray
    department: str


@dataclass(frozen=True)
class Candidate:
    """One department a case may belong to, with why."""

    code: str
    probability: float
    category: str
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "probability": round(self.probability, 3),
            "category": self.category,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Routing:
    """The router's decision for one case."""

    candidates: tuple[Candidate, ...]
    #: Whether the model was asked to choose (and which code it chose).
    model_choice: str | None = None
    vector: np.ndarray | None = field(default=None, compare=False)

    @property
    def department(self) -> str:
        return self.candidates[0].code

    @property
    def category(self) -> str:
        return self.candidates[0].category

    @property
    def confidence(self) -> float:
        return self.candidates[0].probability

    def codes(self, n: int = 3) -> list[str]:
        return [c.code for c in self.candidates[:n]]


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    escaped = re.escape(keyword.strip())
    if keyword.isascii():
        return re.compile(rf"(?<![A-Za-z]){escaped}(?![A-Za-z])", re.IGNORECASE)
    return re.compile(escaped, re.IGNORECASE)


class CaseRouter:
    """Routes cases among a desk's departments."""

    def __init__(
        self,
        departments: DepartmentList,
        embedder: Embedder,
        gateway: ModelGateway | None = None,
        weights: Weights | None = None,
    ) -> None:
        self.departments = departments
        self.embedder = embedder
        self.gateway = gateway
        self.weights = weights or Weights()
        self._owners: list[int] = []
        self._duties: list[tuple[Department, int]] = []
        for index, department in enumerate(departments.departments):
            for number in range(len(department.duties)):
                self._owners.append(index)
                self._duties.append((department, number))
        self._duty_vectors: np.ndarray | None = None
        self._keywords = [
            [[_keyword_pattern(k) for k in duty.keywords] for duty in department.duties]
            for department in departments.departments
        ]
        self._names = [
            [
                _keyword_pattern(n)
                for n in (d.name_en, d.name_zh, *d.aliases, d.code)
                if n and (len(n) > 2 or not n.isascii())
            ]
            for d in departments.departments
        ]

    def duty_vectors(self) -> np.ndarray:
        if self._duty_vectors is None:
            passages = [d.duties[n].passage(d) for d, n in self._duties]
            self._duty_vectors = np.asarray(self.embedder.embed_passages(passages))
        return self._duty_vectors

    def vector_of(self, text: str) -> np.ndarray:
        """The vector a case is compared with duties and past cases by."""
        return np.asarray(self.embedder.embed_query(text[:MAX_CHARS]))

    def route(
        self,
        ctx: CallContext | None,
        text: str,
        examples: Sequence[Example] = (),
        *,
        vector: np.ndarray | None = None,
    ) -> Routing:
        """The candidates for `text`, best first; the model breaks a close call."""
        w = self.weights
        departments = self.departments.departments
        vector = self.vector_of(text) if vector is None else vector
        similarity = self.duty_vectors() @ vector
        logits = np.zeros(len(departments))
        best_duty = [-1] * len(departments)
        best_sim = np.full(len(departments), -1.0)
        for row, owner in enumerate(self._owners):
            if similarity[row] > best_sim[owner]:
                best_sim[owner] = similarity[row]
                best_duty[owner] = self._duties[row][1]
        logits += (best_sim - best_sim.max()) * 100 * w.duties
        reasons: list[list[str]] = [[] for _ in departments]
        for index in range(len(departments)):
            if best_duty[index] >= 0:
                duty = departments[index].duties[best_duty[index]]
                reasons[index].append(f"like “{duty.en}” ({best_sim[index]:.2f})")
        keyword_duty = self._keyword_hits(text, logits, reasons)
        self._named(text, logits, reasons)
        self._past(vector, examples, logits, reasons)
        ranked = self._ranked(logits, best_duty, keyword_duty, reasons)
        if ctx is None or self.gateway is None or ranked[0].probability >= w.ask_below:
            return Routing(ranked, None, vector)
        try:
            choice = self._ask_model(ctx, text, ranked[:3])
        except GovpilotError:
            choice = None  # a model that is down or refuses never loses the case
        if choice is None:
            return Routing(ranked, None, vector)
        index = self.departments.codes.index(choice)
        logits[index] += w.model
        reasons[index].append("the model chose it among the top three")
        return Routing(self._ranked(logits, best_duty, keyword_duty, reasons), choice, vector)

    def _keyword_hits(
        self, text: str, logits: np.ndarray, reasons: list[list[str]]
    ) -> dict[int, int]:
        """Adds the keyword signal; returns the duty with most hits per department."""
        found: dict[int, int] = {}
        for index, duties in enumerate(self._keywords):
            best, best_hits, words = -1, 0, []
            for number, patterns in enumerate(duties):
                keywords = self.departments.departments[index].duties[number].keywords
                hits = [k for k, p in zip(keywords, patterns, strict=True) if p.search(text)]
                if len(hits) > best_hits:
                    best, best_hits = number, len(hits)
                words += hits
            if words:
                distinct = sorted(set(words))
                logits[index] += self.weights.keyword * min(len(distinct), 3)
                reasons[index].append("keywords: " + ", ".join(distinct[:5]))
                found[index] = best
        return found

    def _named(self, text: str, logits: np.ndarray, reasons: list[list[str]]) -> None:
        for index, patterns in enumerate(self._names):
            named = next((p for p in patterns if p.search(text)), None)
            if named is not None:
                logits[index] += self.weights.named
                reasons[index].append("the message names it")

    def _past(
        self,
        vector: np.ndarray,
        examples: Sequence[Example],
        logits: np.ndarray,
        reasons: list[list[str]],
    ) -> None:
        if not examples:
            return
        w = self.weights
        matrix = np.stack([e.vector for e in examples])
        sims = matrix @ vector
        order = np.argsort(-sims)[: w.neighbours]
        codes = self.departments.codes
        for i in order:
            if sims[i] < w.min_similarity or examples[i].department not in codes:
                continue
            index = codes.index(examples[i].department)
            weight = (sims[i] - w.min_similarity) / (1 - w.min_similarity)
            logits[index] += w.past * weight
            # Not its reference: that opens the status page, and the past case may be
            # another department's.
            reasons[index].append(f"like a past case routed here ({sims[i]:.2f})")

    def _ranked(
        self,
        logits: np.ndarray,
        best_duty: list[int],
        keyword_duty: dict[int, int],
        reasons: list[list[str]],
    ) -> tuple[Candidate, ...]:
        scaled = logits * self.weights.sharpness
        probabilities = np.exp(scaled - scaled.max())
        probabilities /= probabilities.sum()
        departments = self.departments.departments
        candidates = []
        for index in np.argsort(-probabilities, kind="stable")[:5]:
            department = departments[index]
            duty = keyword_duty.get(int(index), best_duty[index])
            category = department.duties[duty].category if duty >= 0 else ""
            candidates.append(
                Candidate(
                    department.code,
                    float(probabilities[index]),
                    category,
                    tuple(reasons[index]),
                )
            )
        return tuple(candidates)

    def _ask_model(
        self, ctx: CallContext, text: str, candidates: Sequence[Candidate]
    ) -> str | None:
        assert self.gateway is not None
        options = []
        for letter, candidate in zip(LETTERS, candidates, strict=False):
            department = self.departments.get(candidate.code)
            assert department is not None
            duties = "; ".join(d.en for d in department.duties[:4])
            options.append(
                {
                    "letter": letter,
                    "code": department.code,
                    "name": department.name_en,
                    "summary": department.summary_en,
                    "duties": duties,
                }
            )
        messages = load_prompt("case_route").render(message=text[:MAX_CHARS], options=options)
        answer = self.gateway.complete(
            ctx, messages, GenerationOptions(max_tokens=3, temperature=0)
        )
        match = re.search(r"\b([A-E])\b", answer.text.strip().upper())
        if match is None:
            return None
        position = LETTERS.index(match.group(1))
        return options[position]["code"] if position < len(options) else None
