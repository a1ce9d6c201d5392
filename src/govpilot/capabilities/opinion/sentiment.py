"""Sentiment of a response: positive, neutral or negative, from its e5 vector and its text.

A multinomial logistic regression (softmax, L2) over two feature sets side by side: the
response's e5 passage vector, standardised with the training set's mean and spread, and
hashed character 1- to 3-grams of the text (log counts, L2-normalised), which carry the
short marks of sentiment (好味, 麻麻, 失望, "not bad") that a sentence vector blurs; the
n-grams carry more (see `train`). The caller embeds the texts: this module imports no
embedder, so the same vectors serve retrieval, clustering and sentiment. The shipped
weights were trained on Hong Kong Cantonese restaurant reviews (provenance and scores in
`govpilot/data/opinion_sentiment.json`) by `scripts/train_opinion_sentiment.py`. An
empty text is "neutral": there is nothing to judge.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

SENTIMENTS = ("positive", "neutral", "negative")
NEUTRAL = SENTIMENTS.index("neutral")
SHIPPED = "data/opinion_sentiment.npz"
_ARRAYS = ("weights", "bias", "mean", "scale")
_SPACE = re.compile(r"\s+")


def ngram_features(
    texts: Sequence[str], dim: int, orders: tuple[int, ...] = (1, 2, 3)
) -> np.ndarray:
    """Hashed character n-gram counts, log-scaled and L2-normalised, shape (len(texts), dim)."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    if dim == 0:
        return out
    for row, text in enumerate(texts):
        folded = _SPACE.sub(" ", text.lower()).strip()
        grams = [folded[i : i + n] for n in orders for i in range(len(folded) - n + 1)]
        if not grams:
            continue
        # crc32, not hash(): Python salts str hashes per process.
        buckets = [zlib.crc32(g.encode("utf-8")) % dim for g in grams]
        out[row] = np.log1p(np.bincount(buckets, minlength=dim))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


@dataclass(frozen=True, eq=False)
class SentimentModel:
    """Softmax weights over [standardised e5 vector, hashed n-grams]."""

    weights: np.ndarray  # (features, len(SENTIMENTS))
    bias: np.ndarray  # (len(SENTIMENTS),)
    mean: np.ndarray  # (vector dim,) of the training vectors
    scale: np.ndarray  # (vector dim,) their standard deviation
    ngram_dim: int  # hashed n-gram buckets; 0: vectors only

    @classmethod
    def load(cls, path: Path | None = None) -> SentimentModel:
        """The model shipped in the package, or one saved at `path`."""
        data = (path or resources.files("govpilot").joinpath(SHIPPED)).read_bytes()
        with np.load(io.BytesIO(data), allow_pickle=False) as saved:
            weights, bias, mean, scale = (saved[name] for name in _ARRAYS)
            return cls(weights, bias, mean, scale, int(saved["ngram_dim"]))

    def save(self, path: Path) -> None:
        """Write the weights as a compressed .npz file (float32, no pickles)."""
        arrays = {name: getattr(self, name).astype(np.float32) for name in _ARRAYS}
        np.savez_compressed(path, **arrays, ngram_dim=np.int64(self.ngram_dim))

    def features(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """The design matrix the weights apply to."""
        grams = ngram_features(texts, self.ngram_dim)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        return np.hstack([(vectors - self.mean) / self.scale, grams])

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Shape (len(texts), 3), columns in SENTIMENTS order; an empty text is all neutral."""
        if not len(texts):
            return np.zeros((0, len(SENTIMENTS)), dtype=np.float32)
        probs = _softmax(self.features(texts, vectors) @ self.weights + self.bias)
        empty = np.array([not t.strip() for t in texts])
        probs[empty] = np.eye(len(SENTIMENTS), dtype=probs.dtype)[NEUTRAL]
        return probs

    def predict(self, texts: Sequence[str], vectors: np.ndarray) -> list[str]:
        """The likeliest sentiment of each text, one of SENTIMENTS."""
        return [SENTIMENTS[i] for i in self.probabilities(texts, vectors).argmax(axis=1)]


def train(
    texts: Sequence[str],
    vectors: np.ndarray,
    labels: Sequence[str],
    *,
    ngram_dim: int = 16384,
    vector_share: float = 0.2,
    vector_l2: float = 0.3,
    ngram_l2: float = 1e-3,
    steps: int = 500,
) -> SentimentModel:
    """A model fitted to `labels` (each one of SENTIMENTS); the same input, the same model.

    The vector block and the n-gram block are fitted apart, each with its own penalty, and
    their logits mixed, `vector_share` of the vectors' (a product of the two experts: still
    one linear model over both blocks). `vector_share` 1 or `ngram_dim` 0: vectors only.
    """
    vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
    unknown = set(labels) - set(SENTIMENTS)
    if unknown:
        raise ValueError(f"labels must be among {SENTIMENTS}, not {sorted(unknown)}")
    mean = vectors.mean(axis=0)
    scale = vectors.std(axis=0) + 1e-6
    y = np.eye(len(SENTIMENTS), dtype=np.float32)[[SENTIMENTS.index(x) for x in labels]]
    share = 1.0 if ngram_dim == 0 else vector_share
    w = np.zeros((vectors.shape[1] + ngram_dim + 1, len(SENTIMENTS)), dtype=np.float32)
    if share > 0:
        fitted = fit_softmax((vectors - mean) / scale, y, l2=vector_l2, steps=steps)
        w[: len(mean)], w[-1] = share * fitted[:-1], share * fitted[-1]
    if share < 1:
        fitted = fit_softmax(ngram_features(texts, ngram_dim), y, l2=ngram_l2, steps=steps)
        w[len(mean) : -1], w[-1] = (1 - share) * fitted[:-1], w[-1] + (1 - share) * fitted[-1]
    return SentimentModel(w[:-1], w[-1], mean, scale, ngram_dim)


def fit_softmax(x: np.ndarray, y: np.ndarray, *, l2: float, steps: int) -> np.ndarray:
    """Weights with the bias as last row, shape (features + 1, classes), for one-hot `y`.

    Full-batch Nesterov gradient descent on mean cross-entropy + `l2` / 2 * |W|^2 (the bias
    is not penalised); the step is 1 / the loss's Lipschitz bound, so no rate is tuned.
    All in float32: the n-gram matrix is large, and each step reads it twice.
    """
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))]).astype(np.float32)
    y = y.astype(np.float32)
    penalty = np.full((d + 1, 1), l2, dtype=np.float32)
    penalty[-1] = 0.0
    # Softmax cross-entropy's Hessian is bounded by ||X||^2 / (2n) (spectral norm), the top
    # eigenvalue of the smaller of X X' and X'X.
    top = float(np.linalg.eigvalsh(xb @ xb.T if n <= d else xb.T @ xb)[-1])
    step = np.float32(1.0 / (top / (2 * n) + l2))
    w = np.zeros((d + 1, y.shape[1]), dtype=np.float32)
    previous = w
    for k in range(1, steps + 1):
        look = w + np.float32((k - 1) / (k + 2)) * (w - previous)
        grad = xb.T @ (_softmax(xb @ look) - y) / np.float32(n) + penalty * look
        previous, w = w, look - step * grad
    return w


def cross_predict(
    texts: Sequence[str],
    vectors: np.ndarray,
    labels: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
    fit: Callable[[Sequence[str], np.ndarray, Sequence[str]], SentimentModel] = train,
) -> list[str]:
    """Each text's sentiment from `fit` (`train` or a partial of it) on the folds without it.

    The folds are stratified by label and drawn with `seed`: the same input, the same folds.
    """
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(labels), dtype=int)
    for label in SENTIMENTS:
        members = rng.permutation([i for i, x in enumerate(labels) if x == label])
        fold_of[members] = np.arange(len(members)) % folds
    predicted = [""] * len(labels)
    for k in range(folds):
        seen = np.flatnonzero(fold_of != k).tolist()
        held = np.flatnonzero(fold_of == k).tolist()
        model = fit([texts[i] for i in seen], vectors[seen], [labels[i] for i in seen])
        guesses = model.predict([texts[i] for i in held], vectors[held])
        for i, guess in zip(held, guesses, strict=True):
            predicted[i] = guess
    return predicted


def score(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Accuracy and macro F1 (the mean over SENTIMENTS of each one's F1)."""
    pairs = list(zip(truth, predicted, strict=True))
    f1 = []
    for label in SENTIMENTS:
        hit = sum(t == p == label for t, p in pairs)
        wanted, said = list(truth).count(label), list(predicted).count(label)
        f1.append(2 * hit / (wanted + said) if wanted + said else 0.0)
    right = sum(t == p for t, p in pairs)
    return {"accuracy": right / max(1, len(pairs)), "macro_f1": float(np.mean(f1))}


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
