"""Who spoke when, without a speaker model: voice features per segment, clustered.

No speaker-embedding model is packaged on PyPI with its weights, so turns come from what
numpy can compute: each segment's voice is the mean and spread of its mel-frequency
cepstral coefficients (MFCC 1-12; the loudness coefficient is left out), standardised
over the recording. Segments are then grouped in order: a segment joins the speaker whose
average voice is nearest (cosine) if it is near enough, otherwise it starts a new
speaker; a pause of under `SAME_TURN_PAUSE` seconds with a near voice keeps the speaker.
Speakers heard in fewer than `MIN_SHARE` of the segments are folded into the nearest
other one. The labels are "Speaker 1", "Speaker 2" ... in order of first appearance.

It tells apart voices that differ clearly (a man and a woman, a near and a far
microphone); similar voices are often merged. The officer corrects it: a label can be
renamed once for every segment, and each segment's speaker can be changed. A recogniser
that gives speakers (an ASR server with diarisation) is used as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SAMPLE_RATE = 16_000
#: Cosine similarity of a segment's voice to a speaker's average to join that speaker
#: (chosen on mixes of the evaluation clips: `bench/bench_speaker_turns.py`).
JOIN = -0.1
#: Voices nearer than this (root mean square, in standard deviations) are the same one.
NEAR = 0.5
#: Next to the previous segment with a pause this short, a lower similarity keeps the turn.
SAME_TURN_PAUSE = 0.6
SAME_TURN_JOIN = 0.1
#: A speaker heard in fewer than this share of the segments is folded into the nearest.
MIN_SHARE = 0.1
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


def label_speakers(
    features: Sequence[list[float] | None], starts: Sequence[float], ends: Sequence[float]
) -> list[str]:
    """A speaker label for each segment, from its voice features and the pauses."""
    if not features:
        return []
    known = [f for f in features if f is not None]
    if not known:
        return ["Speaker 1"] * len(features)
    matrix = np.array(known, dtype=np.float64)
    # A floor on the spread: features that barely vary say nothing, and are not magnified.
    mean, spread = matrix.mean(axis=0), np.maximum(matrix.std(axis=0), 0.5)
    voices: list[np.ndarray | None] = [
        None if f is None else (np.array(f) - mean) / spread for f in features
    ]
    sums: list[np.ndarray] = []
    counts: list[int] = []
    assigned: list[int] = []
    for n, voice in enumerate(voices):
        previous = assigned[-1] if assigned else None
        if voice is None:
            assigned.append(previous if previous is not None else 0)
            if not sums:
                sums.append(np.zeros(matrix.shape[1]))
                counts.append(0)
            continue
        scores = [
            _similarity(voice, total / max(1, count))
            for total, count in zip(sums, counts, strict=True)
        ]
        best = int(np.argmax(scores)) if scores else -1
        close = n > 0 and starts[n] - ends[n - 1] < SAME_TURN_PAUSE
        if previous is not None and close and scores[previous] >= SAME_TURN_JOIN:
            best = previous
        elif best < 0 or (scores[best] < JOIN and len(sums) < MAX_SPEAKERS):
            sums.append(np.zeros_like(voice))
            counts.append(0)
            best = len(sums) - 1
        sums[best] = sums[best] + voice
        counts[best] += 1
        assigned.append(best)
    assigned = _fold_small(assigned, sums)
    order: dict[int, int] = {}
    for speaker in assigned:
        order.setdefault(speaker, len(order) + 1)
    return [f"Speaker {order[s]}" for s in assigned]


def _fold_small(assigned: list[int], sums: list[np.ndarray]) -> list[int]:
    counts = np.bincount(assigned, minlength=len(sums))
    large = [s for s in range(len(sums)) if counts[s] >= MIN_SHARE * len(assigned)]
    if not large:
        return assigned
    target = {
        s: s if s in large else max(large, key=lambda t: _cosine(sums[s], sums[t]))
        for s in range(len(sums))
    }
    return [target[s] for s in assigned]


def _similarity(voice: np.ndarray, centre: np.ndarray) -> float:
    """Cosine similarity, or 1.0 when the two are too near for their angle to mean much."""
    if float(np.sqrt(np.mean((voice - centre) ** 2))) < NEAR:
        return 1.0
    return _cosine(voice, centre)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    # A voice at the recording's average (all zeros) is like any: nothing tells it apart.
    return float(a @ b) / norm if norm > 1e-9 else 1.0
