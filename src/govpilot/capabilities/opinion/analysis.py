"""The analysis of one question's responses: stance, sentiment, themes, mapping, quotes.

`analyse_question` runs the stages in order, each a function of its own module:

1. points (`points`): every response split into its sentences (no model);
2. vectors: each point embedded once (e5, "query:" form, as for similarity); a
   response's vector is the mean of its points';
3. stance (`stance`): the chat model reads a sample, a classifier the rest;
4. sentiment (`sentiment`): a small classifier on the vectors (no chat model);
5. themes (`themes`): points clustered within their side (no model), then each theme
   named by the chat model from its typical sentences (`labels`: one prompt per theme);
6. mapping: a response is in the themes of its points; the point nearest the theme's
   centre is the quote that shows it.

A campaign (the same letter sent many times) is analysed once, through its first copy,
and its copies take that copy's stance and themes: a theme's `voices` counts the
campaign once, its `responses` counts every copy. A response with no text left to
analyse (all spam or emoji) is returned in `not_analysed` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from govpilot.access import CallContext
from govpilot.backends.embed import Embedder
from govpilot.capabilities.opinion.labels import ThemeLabel, label_theme
from govpilot.capabilities.opinion.points import Point, split_points
from govpilot.capabilities.opinion.sentiment import SentimentModel
from govpilot.capabilities.opinion.stance import find_stances
from govpilot.capabilities.opinion.themes import ThemeCluster, cluster_themes
from govpilot.gateway import ModelGateway

__all__ = ["AnalysedTheme", "QuestionAnalysis", "Stage", "analyse_question", "side_of"]

#: (stage name, done, total): how far the analysis is.
Stage = Callable[[str, int, int], None]
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
EMBED_BATCH = 64


@dataclass(frozen=True)
class AnalysedTheme:
    """A named theme of one side, with the responses in it and the quote of each."""

    side: str
    label: ThemeLabel
    #: Response index -> the sentence of it that is in the theme.
    quotes: dict[int, str]
    #: Response indexes whose quotes are the most typical of the theme, first first.
    typical: tuple[int, ...]


@dataclass
class QuestionAnalysis:
    """Everything the stages found for one question, by response index."""

    question: str
    stances: list[str]
    asked: list[bool]
    sentiments: list[str]
    themes: list[AnalysedTheme]
    #: Response index -> its campaign's first copy (only campaign copies are keys).
    copy_of: dict[int, int] = field(default_factory=dict)
    #: (response index, reason) of responses that could not be analysed.
    not_analysed: list[tuple[int, str]] = field(default_factory=list)

    def themes_of(self, index: int) -> list[int]:
        """The indexes of the themes a response is in."""
        source = self.copy_of.get(index, index)
        return [k for k, theme in enumerate(self.themes) if source in theme.quotes]


def side_of(stance: str) -> str:
    """The side a point of a response of this stance is clustered in."""
    return stance if stance in ("support", "oppose") else "unclear"


def _embed(embedder: Embedder, texts: list[str], stage: Stage | None) -> np.ndarray:
    """Vectors of the texts in batches, with progress; the query form where there is one."""
    embed = getattr(embedder, "embed_queries", embedder.embed_passages)
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for start in range(0, len(texts), EMBED_BATCH):
        out[start : start + EMBED_BATCH] = embed(texts[start : start + EMBED_BATCH])
        if stage:
            stage("vectors", min(start + EMBED_BATCH, len(texts)), len(texts))
    return out


def _response_vectors(points: list[Point], vectors: np.ndarray, count: int) -> np.ndarray:
    out = np.zeros((count, vectors.shape[1]), dtype=np.float32)
    for point, vector in zip(points, vectors, strict=True):
        out[point.response] += vector
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


def _point_sides(points: list[Point], vectors: np.ndarray, stances: list[str]) -> list[str]:
    """Each point's side: its response's, and for a mixed response the nearer of the two."""
    sides = [side_of(stances[p.response]) for p in points]
    centres = {}
    for side in ("support", "oppose"):
        rows = [i for i, s in enumerate(sides) if s == side]
        if rows:
            centres[side] = vectors[rows].mean(axis=0)
    for i, point in enumerate(points):
        if stances[point.response] == "mixed" and len(centres) == 2:
            sides[i] = max(centres, key=lambda s: float(vectors[i] @ centres[s]))
    return sides


def analyse_question(
    gateway: ModelGateway,
    ctx: CallContext,
    embedder: Embedder,
    sentiment: SentimentModel,
    question: str,
    texts: Sequence[str],
    *,
    copy_of: dict[int, int] | None = None,
    target: int | None = None,
    stance_sample: int | None = None,
    stage: Stage | None = None,
) -> QuestionAnalysis:
    """Stance, sentiment and themes of one question's responses (see the module)."""
    copy_of = dict(copy_of or {})
    not_analysed = [
        (i, "no words to analyse") for i, t in enumerate(texts) if not _LETTERS.search(t)
    ]
    skip = {i for i, _ in not_analysed}
    analysed = [i for i in range(len(texts)) if i not in copy_of and i not in skip]
    points = [
        Point(analysed[p.response], p.text) for p in split_points([texts[i] for i in analysed])
    ]
    vectors = _embed(embedder, [p.text for p in points], stage)
    by_response = _response_vectors(points, vectors, len(texts))
    kwargs = {} if stance_sample is None else {"sample": stance_sample}
    found = find_stances(
        gateway,
        ctx,
        question,
        [texts[i] for i in analysed],
        by_response[analysed],
        progress=(lambda d, t: stage("stance", d, t)) if stage else None,
        **kwargs,
    )
    stances, asked = ["unclear"] * len(texts), [False] * len(texts)
    for i, stance, was_asked in zip(analysed, found.stances, found.asked, strict=True):
        stances[i], asked[i] = stance, was_asked
    sentiments = ["neutral"] * len(texts)
    if analysed:
        for i, mood in zip(
            analysed,
            sentiment.predict([texts[i] for i in analysed], by_response[analysed]),
            strict=True,
        ):
            sentiments[i] = mood
    clusters = cluster_themes(
        vectors,
        _point_sides(points, vectors, stances),
        [p.response for p in points],
        target=target,
    )
    themes = _named(gateway, ctx, question, clusters, points, stage)
    for copy, first in copy_of.items():
        stances[copy], sentiments[copy] = stances[first], sentiments[first]
    return QuestionAnalysis(question, stances, asked, sentiments, themes, copy_of, not_analysed)


def _named(
    gateway: ModelGateway,
    ctx: CallContext,
    question: str,
    clusters: list[ThemeCluster],
    points: list[Point],
    stage: Stage | None,
) -> list[AnalysedTheme]:
    """The clusters as named themes, each response's nearest point as its quote."""
    themes = []
    for done, cluster in enumerate(clusters, 1):
        quotes: dict[int, str] = {}
        typical: list[int] = []
        for point in cluster.typical:
            response = points[point].response
            if response not in quotes:
                quotes[response] = points[point].text
                typical.append(response)
        label = label_theme(gateway, ctx, question, cluster.side, [quotes[r] for r in typical])
        themes.append(AnalysedTheme(cluster.side, label, quotes, tuple(typical)))
        if stage:
            stage("themes", done, len(clusters))
    return themes
