"""Stance towards the question: support, oppose, mixed or unclear, for every response.

The model first restates the question as the proposal it asks about ("Smoking should be
banned in parks."), once, then reads at most `sample` responses, one prompt each (the
only per-response model calls of the analysis), saying whether each writer wants the
proposal: yes, no or unclear; a small model judges that far better than "support or
oppose the question" (measured: 0.61 against 0.33 on part of themefinder's set). Then a
logistic regression on the responses' vectors, fitted to what the model said, gives the
stance of the rest. A consultation of `sample` responses or fewer is read whole by the
model. Which responses the model read is returned, so a reviewer can see which stances
were inferred. The sample is spread evenly over the responses in their order
(deterministic: the same input gives the same stances).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from govpilot.access import CallContext
from govpilot.backends.llm import GenerationOptions
from govpilot.gateway import ModelGateway
from govpilot.language import detect_language
from govpilot.prompts import load_prompt

__all__ = ["STANCES", "StanceResult", "find_stances", "parse_stance", "proposal_of"]

STANCES = ("support", "oppose", "mixed", "unclear")
SAMPLE = 200
MAX_PROMPT_CHARS = 1_500
_WORD = re.compile(r"\b(yes|no|unclear|mixed|support|oppose)\b|支持|反對|不明", re.I)
_WORDS = {
    "yes": "support",
    "support": "support",
    "支持": "support",
    "no": "oppose",
    "oppose": "oppose",
    "反對": "oppose",
    "mixed": "mixed",
    "unclear": "unclear",
    "不明": "unclear",
}
MAX_PROPOSAL = 300


@dataclass(frozen=True)
class StanceResult:
    """Every response's stance, and which ones the model itself read."""

    stances: list[str]
    asked: list[bool]
    #: The question as the model restated it, which every stance is towards.
    proposal: str = ""


def parse_stance(answer: str) -> str:
    """The first stance word in a model's answer; unclear when there is none."""
    match = _WORD.search(answer)
    if not match:
        return "unclear"
    return _WORDS[match.group(0).lower()]


def proposal_of(gateway: ModelGateway, ctx: CallContext, question: str) -> str:
    """The question restated as the proposal it asks about (the question, if that fails)."""
    if not question.strip():
        return "The proposal of this consultation."
    zh = detect_language(question) != "en"
    messages = load_prompt("opinion_proposal").render(question=question[:MAX_PROMPT_CHARS], zh=zh)
    answer = gateway.complete(ctx, messages, GenerationOptions(max_tokens=60, temperature=0))
    line = next((x.strip() for x in answer.text.splitlines() if x.strip()), "")
    return line[:MAX_PROPOSAL] or question


def _sample(count: int, sample: int) -> list[int]:
    if count <= sample:
        return list(range(count))
    return sorted({int(i) for i in np.linspace(0, count - 1, sample)})


def find_stances(
    gateway: ModelGateway,
    ctx: CallContext,
    question: str,
    texts: Sequence[str],
    vectors: np.ndarray,
    *,
    sample: int = SAMPLE,
    progress: Callable[[int, int], None] | None = None,
) -> StanceResult:
    """The stance of each text; the model reads a sample, a classifier the rest."""
    chosen = _sample(len(texts), sample)
    template = load_prompt("opinion_stance")
    said: dict[int, str] = {}
    proposal = proposal_of(gateway, ctx, question) if chosen else question
    for done, index in enumerate(chosen, 1):
        messages = template.render(proposal=proposal, response=texts[index][:MAX_PROMPT_CHARS])
        answer = gateway.complete(ctx, messages, GenerationOptions(max_tokens=4, temperature=0))
        said[index] = parse_stance(answer.text)
        if progress:
            progress(done, len(chosen))
    stances = [said.get(i, "") for i in range(len(texts))]
    rest = [i for i in range(len(texts)) if i not in said]
    if rest:
        for index, label in zip(rest, _classify(vectors, said, rest), strict=True):
            stances[index] = label
    return StanceResult(stances, [i in said for i in range(len(texts))], proposal)


def _classify(vectors: np.ndarray, said: dict[int, str], rest: list[int]) -> list[str]:
    """The stances of `rest`, from a classifier fitted on what the model said."""
    labels = sorted(set(said.values()))
    if len(labels) == 1:
        return [labels[0]] * len(rest)
    known = sorted(said)
    model = LogisticRegression(C=4.0, max_iter=500, class_weight="balanced")
    model.fit(vectors[known], [said[i] for i in known])
    return [str(label) for label in model.predict(vectors[rest])]
