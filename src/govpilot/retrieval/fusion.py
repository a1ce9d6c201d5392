"""Combining keyword (BM25) and dense (cosine) results into one ranking.

Each list's best `candidates` scores are min-max normalised within the query (best = 1,
worst of the list = 0) and summed with weights; a chunk in only one list gets nothing from
the other. Score fusion keeps how *sure* each method is: when BM25's top hit stands far
above the rest, a dense list that is flat near the top cannot overturn it. Plain
reciprocal-rank fusion throws that away, which is why it made results worse than BM25 alone
on DRCD (the issue's "careless fusion"; here RRF with k=60 gave recall@1 0.90 against 0.94
for BM25).

The keyword weight depends on the query's script, because the two methods are not equally
strong in both languages: on DRCD (Traditional Chinese) BM25 over words and bigrams beats
multilingual-e5-small by far (recall@1 0.94 against 0.78), on SQuAD (English) e5 beats
BM25 (0.88 against 0.86). Chinese queries weigh keywords 0.7, English ones 0.4, and mixed
queries in between by their share of Han characters. Tuned on the DRCD and SQuAD
development sets with e5 (`bench/bench_retrieval.py` reports the result): the region
0.6-0.8 / 0.3-0.5 is flat, and the round middle values were taken; one configuration for
every collection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from govpilot.language import cjk_ratio

__all__ = ["FusedHit", "Fusion", "fuse"]


@dataclass(frozen=True)
class FusedHit:
    """One candidate's fused score and its 1-based rank in each list (None: not in it)."""

    key: int
    score: float
    keyword_rank: int | None
    dense_rank: int | None


@dataclass(frozen=True)
class Fusion:
    """Weights of the weighted sum of normalised scores, and how deep each list is read."""

    keyword_weight_chinese: float = 0.7
    keyword_weight_english: float = 0.4
    candidates: int = 30

    def keyword_weight(self, query: str) -> float:
        """The keyword side's weight for this query (the dense side gets the rest)."""
        share = cjk_ratio(query)
        return (
            self.keyword_weight_english
            + (self.keyword_weight_chinese - self.keyword_weight_english) * share
        )


def _normalised(scores: Sequence[float]) -> list[float]:
    if not scores:
        return []
    top, bottom = max(scores), min(scores)
    span = top - bottom
    if span <= 0:
        return [1.0 for _ in scores]
    return [(s - bottom) / span for s in scores]


def fuse(
    keyword: Sequence[tuple[int, float]],
    dense: Sequence[tuple[int, float]],
    keyword_weight: float,
    candidates: int = 30,
) -> list[FusedHit]:
    """Both lists (best first, (key, score)) fused, best first.

    A method that found nothing (no embedder, no keyword in common) leaves the whole scale to
    the other, so scores stay comparable between queries.
    """
    if not dense:
        keyword_weight = 1.0
    elif not keyword:
        keyword_weight = 0.0
    total: dict[int, float] = {}
    ranks: tuple[dict[int, int], dict[int, int]] = ({}, {})
    sides = ((keyword, keyword_weight, ranks[0]), (dense, 1.0 - keyword_weight, ranks[1]))
    for hits, weight, rank_of in sides:
        hits = hits[:candidates]
        for rank, ((key, _), norm) in enumerate(
            zip(hits, _normalised([s for _, s in hits]), strict=True), 1
        ):
            total[key] = total.get(key, 0.0) + weight * norm
            rank_of[key] = rank
    fused = [FusedHit(key, s, ranks[0].get(key), ranks[1].get(key)) for key, s in total.items()]
    fused.sort(key=lambda h: (-h.score, h.keyword_rank or 10**9, h.dense_rank or 10**9))
    return fused
