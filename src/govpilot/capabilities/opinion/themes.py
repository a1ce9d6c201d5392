"""Themes: points that make the same argument, found by clustering their vectors.

Points are clustered within their side (support, oppose, unclear) only, so a theme never
mixes support and opposition, and each theme is as large a share of its side as it is of
the whole. Agglomerative clustering (Ward) of unit vectors is deterministic: the same
points give the same themes on every run. Beyond `DIRECT_LIMIT` points of a side,
k-means (seeded) first condenses them to `MICRO_CLUSTERS` centres, which are then
clustered.

The count is the officer's (`target`), or left out, about the square root of the number
of responses and at most `DEFAULT_MAX` (the users of such tools complain of 30 themes
more than of 10); either is spread over the sides by their sizes. Left out, a theme
smaller than `min_share` of the responses is then folded into its nearest theme of the
same side, so the list holds no catch-all of scraps. Each point is then mapped to its
nearest theme, and also to a second one it is nearly as close to (`SECOND_MARGIN`): a
sentence can make two arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans

__all__ = ["SIDES", "ThemeCluster", "cluster_themes"]

SIDES = ("support", "oppose", "unclear")
DIRECT_LIMIT = 3000
MICRO_CLUSTERS = 300
DEFAULT_MAX = 12
SECOND_MARGIN = 0.02
MAX_THEMES = 40


@dataclass(frozen=True)
class ThemeCluster:
    """One theme before it has a name: its side, its points, its most typical points."""

    side: str
    centroid: np.ndarray
    #: Indexes of the points mapped to it (a point may be in two themes).
    points: tuple[int, ...]
    #: Its points nearest the centre first: the quotes that best show it.
    typical: tuple[int, ...]


def default_count(responses: int) -> int:
    """The number of themes when the officer gives none: about sqrt(responses), 2 to 12."""
    return max(2, min(DEFAULT_MAX, round(responses**0.5)))


def _ward(vectors: np.ndarray, count: int) -> np.ndarray:
    """Cluster labels of the rows: `count` clusters (fewer if there are fewer rows)."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    model = AgglomerativeClustering(n_clusters=min(count, len(vectors)), linkage="ward")
    return np.asarray(model.fit_predict(vectors))


def _side_labels(vectors: np.ndarray, count: int) -> np.ndarray:
    """Cluster labels within one side; condensed by k-means first when it is large."""
    if len(vectors) <= DIRECT_LIMIT:
        return _ward(vectors, count)
    micro = KMeans(n_clusters=MICRO_CLUSTERS, n_init=1, random_state=0).fit(vectors)
    centres = micro.cluster_centers_ / np.linalg.norm(micro.cluster_centers_, axis=1)[:, None]
    return _ward(centres, count)[micro.labels_]


def _centroids(vectors: np.ndarray, labels: np.ndarray) -> list[np.ndarray]:
    out = []
    for label in range(labels.max() + 1):
        centre = vectors[labels == label].mean(axis=0)
        out.append(centre / max(float(np.linalg.norm(centre)), 1e-9))
    return out


def _fold_small(vectors: np.ndarray, labels: np.ndarray, smallest: int) -> np.ndarray:
    """Labels with every cluster under `smallest` points folded into its nearest big one."""
    sizes = np.bincount(labels)
    big = [label for label in range(len(sizes)) if sizes[label] >= smallest]
    if not big:
        big = [int(sizes.argmax())]
    centres = np.stack(_centroids(vectors, labels))
    for label in range(len(sizes)):
        if label not in big:
            nearest = big[int(np.argmax(centres[big] @ centres[label]))]
            labels = np.where(labels == label, nearest, labels)
    _, dense = np.unique(labels, return_inverse=True)
    return np.asarray(dense)


def _counts_per_side(sizes: dict[str, int], target: int) -> dict[str, int]:
    """`target` themes spread over the sides by their sizes, at least one each."""
    total = sum(sizes.values())
    counts = {side: max(1, round(target * size / total)) for side, size in sizes.items()}
    while sum(counts.values()) > max(target, len(counts)):
        side = max((s for s in counts if counts[s] > 1), key=lambda s: counts[s] / sizes[s])
        counts[side] -= 1
    return counts


def cluster_themes(
    vectors: np.ndarray,
    sides: Sequence[str],
    responses: Sequence[int],
    *,
    target: int | None = None,
    min_share: float = 0.03,
) -> list[ThemeCluster]:
    """Themes of the points (rows of `vectors`, unit length), each within one side.

    `sides[i]` is point i's side and `responses[i]` the response it came from: a theme's
    size, for `min_share`, is the number of responses in it.
    """
    responses_total = len(set(responses)) or 1
    smallest = max(2, round(min_share * responses_total))
    by_side = {side: [i for i, s in enumerate(sides) if s == side] for side in SIDES}
    by_side = {side: rows for side, rows in by_side.items() if rows}
    counts = _counts_per_side(
        {s: len(r) for s, r in by_side.items()}, target or default_count(responses_total)
    )
    themes: list[ThemeCluster] = []
    for side, rows in by_side.items():
        side_vectors = vectors[rows]
        labels = _side_labels(side_vectors, counts[side])
        if target is None:
            labels = _fold_small(side_vectors, labels, smallest)
        for centre in _centroids(side_vectors, labels)[:MAX_THEMES]:
            themes.append(ThemeCluster(side, centre, (), ()))
    return _map_points(vectors, sides, themes)


def _map_points(
    vectors: np.ndarray, sides: Sequence[str], themes: list[ThemeCluster]
) -> list[ThemeCluster]:
    """Each point to its nearest theme of its side, and to a second one nearly as near."""
    if not themes:
        return []
    centres = np.stack([t.centroid for t in themes])
    theme_sides = np.array([t.side for t in themes])
    scores = vectors @ centres.T
    scores[np.array(sides)[:, None] != theme_sides[None, :]] = -np.inf
    members: list[list[int]] = [[] for _ in themes]
    for point, row in enumerate(scores):
        order = np.argsort(-row)
        members[order[0]].append(point)
        if len(order) > 1 and row[order[1]] >= row[order[0]] - SECOND_MARGIN:
            members[order[1]].append(point)
    out = []
    for theme, points in zip(themes, members, strict=True):
        if not points:
            continue
        nearest = sorted(points, key=lambda p: -float(vectors[p] @ theme.centroid))
        out.append(ThemeCluster(theme.side, theme.centroid, tuple(points), tuple(nearest)))
    return out
