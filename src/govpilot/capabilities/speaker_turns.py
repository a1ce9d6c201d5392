"""Who spoke when, without a speaker model: voice features per segment, clustered.

No speaker-embedding model is packaged on PyPI with its weights, so turns come from what
numpy can compute: each segment's voice is the mean and spread of its mel-frequency
cepstral coefficients (MFCC 1-12; the loudness coefficient is left out), standardised
over the recording. Segments are then grouped bottom-up: the two groups whose average
voices are most alike (cosine) are merged until no two are alike enough, and at most
`MAX_SPEAKERS` are left; groups heard in fewer than `MIN_SHARE` of the segments are
folded into the nearest other one. The labels are "Speaker 1", "Speaker 2" ... in order
of first appearance.

It tells apart voices that differ clearly (a man and a woman, a near and a far
microphone) and would rather give one voice two labels than two voices one: naming two
labels alike joins them. Similar voices on one microphone are often merged. The officer
corrects it: a label is renamed once for every segment, and a segment's speaker changed.
A recogniser that gives speakers (an ASR server with diarisation) is used as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SAMPLE_RATE = 16_000
#: Cosine similarity of two groups' average voices for them to be merged
#: (chosen on mixes of the evaluation clips: `bench/bench_speaker_turns.py`).
JOIN = 0.1
#: Voices nearer than this (root mean square, in standard deviations) are the same one.
NEAR = 0.5
#: A speaker heard in fewer than this share of the segments is folded into the nearest.
MIN_SHARE = 0.03
MAX_SPEAKERS = 8
_FRAME = 400  # 25 ms
_HOP = 160  # 10 ms
_FFT = 512
_MELS = 26


def _mel_filters() -> np.ndarray:
    def mel(hz: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + hz / 700.0)

    def hz(m: np.ndarray) -> np.ndarray:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    points = hz(np.linspace(mel(np.array(60.0)), mel(np.array(7600.0)), _MELS + 2))
    bins = np.floor((_FFT + 1) * points / SAMPLE_RATE).astype(int)
    filters = np.zeros((_MELS, _FFT // 2 + 1))
    for m in range(1, _MELS + 1):
        left, centre, right = bins[m - 1], bins[m], bins[m + 1]
        for k in range(left, centre):
            filters[m - 1, k] = (k - left) / max(1, centre - left)
        for k in range(centre, right):
            filters[m - 1, k] = (right - k) / max(1, right - centre)
    return filters


_FILTERS = _mel_filters()
_DCT = np.cos(np.pi / _MELS * (np.arange(_MELS) + 0.5)[None, :] * np.arange(13)[:, None])


def voice_features(samples: np.ndarray) -> list[float] | None:
    """Mean and standard deviation of MFCC 1-12 over `samples` (None when under 0.3 s)."""
    if samples.size < SAMPLE_RATE * 0.3:
        return None
    emphasised = np.append(samples[0], samples[1:] - 0.97 * samples[:-1])
    count = 1 + (emphasised.size - _FRAME) // _HOP
    index = np.arange(_FRAME)[None, :] + _HOP * np.arange(count)[:, None]
    frames = emphasised[index] * np.hamming(_FRAME)
    power = np.abs(np.fft.rfft(frames, _FFT)) ** 2 / _FFT
    energy = power.sum(axis=1)
    voiced = energy > np.percentile(energy, 30)  # the quietest frames say little of a voice
    logmel = np.log(power[voiced] @ _FILTERS.T + 1e-10)
    cepstra = logmel @ _DCT.T
    chosen = cepstra[:, 1:13]
    return [*chosen.mean(axis=0).tolist(), *chosen.std(axis=0).tolist()]


def label_speakers(features: Sequence[list[float] | None]) -> list[str]:
    """A speaker label for each segment, from its voice features.

    Agglomerative clustering: every segment starts as its own group; the two groups whose
    average voices are most alike are merged, again and again, until no two are alike
    enough (`JOIN`) and there are at most `MAX_SPEAKERS`. A segment too short to have
    features takes the speaker of the one before it.
    """
    if not features:
        return []
    known = [n for n, f in enumerate(features) if f is not None]
    if not known:
        return ["Speaker 1"] * len(features)
    matrix = np.array([features[n] for n in known], dtype=np.float64)
    # A floor on the spread: features that barely vary say nothing, and are not magnified.
    mean, spread = matrix.mean(axis=0), np.maximum(matrix.std(axis=0), 0.5)
    voices = (matrix - mean) / spread
    group = _agglomerate(voices)
    assigned: list[int] = []
    by_segment = dict(zip(known, group, strict=True))
    for n in range(len(features)):
        assigned.append(by_segment.get(n, assigned[-1] if assigned else group[0]))
    order: dict[int, int] = {}
    for speaker in assigned:
        order.setdefault(speaker, len(order) + 1)
    return [f"Speaker {order[s]}" for s in assigned]


def _agglomerate(voices: np.ndarray) -> list[int]:
    """The group of each row of `voices` (standardised features), by average linkage of
    the groups' mean voices; small groups are then folded into the nearest."""
    sums = voices.copy()
    counts = np.ones(len(voices))
    alive = np.ones(len(voices), dtype=bool)
    members = [[n] for n in range(len(voices))]
    similarity = _similarities(sums / counts[:, None])
    np.fill_diagonal(similarity, -np.inf)  # a group is not merged with itself
    while alive.sum() > 1:
        a, b = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
        if similarity[a, b] < JOIN and alive.sum() <= MAX_SPEAKERS:
            break
        sums[a] += sums[b]
        counts[a] += counts[b]
        members[a] += members[b]
        alive[b] = False
        row = _similarities(sums[a] / counts[a], sums / counts[:, None])
        row[~alive] = -np.inf  # merged-away groups are never chosen again
        row[a] = -np.inf
        similarity[a, :] = similarity[:, a] = row
        similarity[b, :] = similarity[:, b] = -np.inf
    groups = [int(g) for g in np.flatnonzero(alive)]
    small = [g for g in groups if counts[g] < MIN_SHARE * len(voices)]
    large = [g for g in groups if g not in small] or groups
    label = np.zeros(len(voices), dtype=int)
    for g in groups:
        target = g
        if g in small and g not in large:
            centre = sums[g] / counts[g]
            target = max(
                large, key=lambda t: float(_similarities(centre, sums[t : t + 1] / counts[t])[0])
            )
        label[members[g]] = target
    return [int(x) for x in label]


def _similarities(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Cosine similarity of the rows of `a` with those of `b` (or with each other); 1.0
    where two are too near for their angle to mean much."""
    b = a if b is None else b
    a2, b2 = np.atleast_2d(a), np.atleast_2d(b)
    norms = np.linalg.norm(a2, axis=1)[:, None] * np.linalg.norm(b2, axis=1)[None, :]
    cosine = (a2 @ b2.T) / np.maximum(norms, 1e-9)
    distance = np.sqrt(
        np.maximum((a2**2).sum(1)[:, None] + (b2**2).sum(1)[None, :] - 2 * a2 @ b2.T, 0.0)
        / a2.shape[1]
    )
    cosine[distance < NEAR] = 1.0
    return cosine[0] if a.ndim == 1 else cosine
