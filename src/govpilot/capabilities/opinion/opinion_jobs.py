"""The `opinion_analyse` job: every question of a consultation analysed and saved in turn.

Each question's stance, sentiment, themes and quotes are saved in one transaction, and
the question is marked done, before the next starts: a job stopped or crashed anywhere
goes on from the first question not yet done. Progress is in responses: the questions
done, plus how far the current one is through its stages.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from govpilot.access import CallContext
from govpilot.backends.embed import Embedder
from govpilot.capabilities.opinion.analysis import QuestionAnalysis, analyse_question
from govpilot.capabilities.opinion.consultations import CAPABILITY
from govpilot.capabilities.opinion.sentiment import SentimentModel
from govpilot.capabilities.opinion.store import Consultation, OpinionStore, StoredResponse
from govpilot.errors import ModelUnavailable, NotFound
from govpilot.gateway import ModelGateway
from govpilot.jobs.models import Job
from govpilot.jobs.work import Finished, Progress
from govpilot.storage.opinion_tables import ConsultationRow

#: Shares of a question's progress per stage (vectors, stance, themes).
_STAGES = {"vectors": (0.0, 0.45), "stance": (0.45, 0.35), "themes": (0.8, 0.2)}


class AnalyseConsultation:
    """The handler of `opinion_analyse` jobs."""

    def __init__(
        self,
        store: OpinionStore,
        gateway: ModelGateway,
        embedder: Callable[[], Embedder | None],
        sentiment: Callable[[], SentimentModel] = SentimentModel.load,
        *,
        stance_sample: int | None = None,
    ) -> None:
        self.stance_sample = stance_sample
        self.store = store
        self.gateway = gateway
        self.embedder = embedder
        self.sentiment = sentiment

    def perform(self, ctx: CallContext, job: Job, progress: Progress) -> Finished:
        consultation = self._consultation(job)
        ctx = replace(ctx, capability=CAPABILITY)
        embedder = self.embedder()
        if embedder is None:
            raise ModelUnavailable(
                "opinion analysis needs an embedder",
                hint="set retrieval.embedder to e5 (the default) or use",
            )
        analyse_consultation(
            self.store,
            self.gateway,
            ctx,
            embedder,
            self.sentiment(),
            consultation,
            progress,
            stance_sample=self.stance_sample,
        )
        return Finished()

    def abandon(self, job: Job, reason: str, *, cancelled: bool = False) -> None:
        def apply(row: ConsultationRow) -> None:
            row.status = "failed"
            row.error = "the analysis was cancelled" if cancelled else reason

        try:
            self.store.change(str(job.params.get("consultation_id")), apply)
        except NotFound:  # deleted meanwhile
            return

    def _consultation(self, job: Job) -> Consultation:
        consultation = self.store.get(str(job.params.get("consultation_id")))
        if consultation is None:
            raise NotFound("the consultation was deleted", hint="import the file again")
        return consultation


def analyse_consultation(
    store: OpinionStore,
    gateway: ModelGateway,
    ctx: CallContext,
    embedder: Embedder,
    sentiment: SentimentModel,
    consultation: Consultation,
    progress: Progress,
    *,
    stance_sample: int | None = None,
) -> Consultation:
    """Analyse the questions not yet done, saving each (also used by the CLI, inline)."""
    questions = list(consultation.summary.get("questions") or [""])
    responses = store.responses(consultation.id)
    total = max(1, len(responses))
    sizes = {q: sum(1 for r in responses if r.question == q) for q in questions}
    store.change(consultation.id, _set(status="analysing"))
    done = sum(sizes[q] for q in consultation.done_questions if q in sizes)
    started = time.perf_counter()
    for question in questions:
        if question in consultation.done_questions:
            continue
        mine = [r for r in responses if r.question == question]

        def stage(
            name: str, step: int, steps: int, base: int = done, size: int = len(mine)
        ) -> None:
            start, share = _STAGES.get(name, (0.0, 1.0))
            progress(min(total, base + int(size * (start + share * step / max(steps, 1)))), total)

        analysis = analyse_question(
            gateway,
            ctx,
            embedder,
            sentiment,
            question,
            [r.text for r in mine],
            copy_of=_copies(mine),
            target=consultation.target_themes,
            stance_sample=stance_sample,
            stage=stage,
        )
        themes, found = _saved(analysis, mine)
        store.save_question(consultation.id, question, themes, found)
        consultation = store.change(consultation.id, _question_done(question))
        done += len(mine)
        progress(done, total)
    seconds = round(time.perf_counter() - started, 1)
    return store.change(consultation.id, _set(status="analysed", error=None, seconds=seconds))


def _copies(responses: list[StoredResponse]) -> dict[int, int]:
    """Campaign copy index -> its first copy's index."""
    index = {r.external_id: i for i, r in enumerate(responses)}
    return {
        i: index[r.campaign]
        for i, r in enumerate(responses)
        if r.campaign and r.campaign != r.external_id and r.campaign in index
    }


def _saved(
    analysis: QuestionAnalysis, responses: list[StoredResponse]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The theme rows and each response row's new values."""
    ids = [uuid.uuid4().hex for _ in analysis.themes]
    themes = [
        {
            "id": ids[k],
            "position": k,
            "side": theme.side,
            "title_en": theme.label.title_en,
            "title_zh": theme.label.title_zh,
            "description_en": theme.label.description_en,
            "description_zh": theme.label.description_zh,
            "typical": [responses[i].external_id for i in theme.typical[:20]],
        }
        for k, theme in enumerate(analysis.themes)
    ]
    problems = dict(analysis.not_analysed)
    found: dict[str, dict[str, Any]] = {}
    for i, response in enumerate(responses):
        source = analysis.copy_of.get(i, i)
        found[response.id] = {
            "stance": analysis.stances[i],
            "stance_read": analysis.asked[i],
            "sentiment": analysis.sentiments[i],
            "themes": [
                {"theme": ids[k], "quote": analysis.themes[k].quotes[source]}
                for k in analysis.themes_of(i)
            ],
            "problem": problems.get(i),
        }
    return themes, found


def _question_done(question: str) -> Callable[[ConsultationRow], None]:
    def apply(row: ConsultationRow) -> None:
        row.done_questions = [*(row.done_questions or []), question]

    return apply


def _set(*, seconds: float | None = None, **values: Any) -> Callable[[ConsultationRow], None]:
    def apply(row: ConsultationRow) -> None:
        for key, value in values.items():
            setattr(row, key, value)
        if seconds is not None:
            row.summary = {**(row.summary or {}), "analysis_seconds": seconds}

    return apply
