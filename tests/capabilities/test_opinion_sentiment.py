"""Sentiment stage: the softmax trainer, the saved format, the shipped model (no embedder)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pytest

from govpilot.capabilities.opinion.sentiment import (
    SENTIMENTS,
    SentimentModel,
    cross_predict,
    ngram_features,
    score,
    train,
)


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def separable(n: int = 90, dim: int = 16, seed: int = 1) -> tuple[list[str], np.ndarray, list[str]]:
    """Vectors around three distant centres, one per sentiment; texts that say nothing."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, dim)) * 4
    labels = [SENTIMENTS[i % 3] for i in range(n)]
    vectors = np.stack([centres[i % 3] + rng.normal(size=dim) for i in range(n)])
    return [f"response {i}" for i in range(n)], unit(vectors), labels


def test_train_separates_separable_classes() -> None:
    texts, vectors, labels = separable()
    model = train(texts, vectors, labels, ngram_dim=0)
    assert model.predict(texts, vectors) == labels
    probs = model.probabilities(texts, vectors)
    assert probs.shape == (len(texts), 3)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_n_gram_features_alone_learn_marker_words() -> None:
    words = {"positive": "好味 great", "neutral": "一般 okay", "negative": "難食 awful"}
    labels = [SENTIMENTS[i % 3] for i in range(60)]
    texts = [f"今日食飯 {i}, {words[label]}" for i, label in enumerate(labels)]
    vectors = np.zeros((60, 4), dtype=np.float32)  # no signal in the vectors
    model = train(texts, vectors, labels, ngram_dim=256, vector_share=0.0)
    assert model.predict(["呢間 好味 great"], np.zeros((1, 4))) == ["positive"]
    assert model.predict(["真係 難食 awful"], np.zeros((1, 4))) == ["negative"]


def test_training_is_deterministic_and_rejects_unknown_labels() -> None:
    texts, vectors, labels = separable()
    first, second = (train(texts, vectors, labels, ngram_dim=128) for _ in range(2))
    assert np.array_equal(first.weights, second.weights)
    with pytest.raises(ValueError, match="labels must be among"):
        train(texts[:2], vectors[:2], ["positive", "happy"])


def test_save_load_round_trip(tmp_path: Path) -> None:
    texts, vectors, labels = separable()
    model = train(texts, vectors, labels, ngram_dim=64, vector_share=0.5)
    model.save(tmp_path / "model.npz")
    loaded = SentimentModel.load(tmp_path / "model.npz")
    assert loaded.ngram_dim == 64 and loaded.weights.shape == (16 + 64, 3)
    assert np.allclose(loaded.probabilities(texts, vectors), model.probabilities(texts, vectors))


def test_shipped_model_predicts_a_sentiment_for_e5_sized_vectors() -> None:
    model = SentimentModel.load()
    vectors = unit(np.random.default_rng(0).normal(size=(5, 384)))
    texts = ["好好食", "麻麻地", "very disappointing", "服務一般", "The service was fine."]
    assert all(s in SENTIMENTS for s in model.predict(texts, vectors))
    assert model.probabilities(texts, vectors).shape == (5, 3)


def test_empty_text_is_neutral() -> None:
    model = SentimentModel.load()
    vectors = unit(np.random.default_rng(0).normal(size=(3, 384)))
    assert model.predict(["", "   ", "差到極"], vectors)[:2] == ["neutral", "neutral"]
    assert model.probabilities([""], vectors[:1]).tolist() == [[0.0, 1.0, 0.0]]
    assert model.predict([], np.zeros((0, 384))) == []


def test_ngram_features_are_stable_unit_rows() -> None:
    rows = ngram_features(["好味", "", "Not bad"], 32)
    assert np.allclose(np.linalg.norm(rows, axis=1), [1.0, 0.0, 1.0])
    assert np.array_equal(rows, ngram_features(["好味", "", "Not bad"], 32))


def test_cross_validation_scores_held_out_folds() -> None:
    texts, vectors, labels = separable(n=60)
    vectors_only = partial(train, ngram_dim=0)  # the texts say nothing here
    predicted = cross_predict(texts, vectors, labels, folds=3, fit=vectors_only)
    assert score(labels, predicted) == {"accuracy": 1.0, "macro_f1": 1.0}
    half = score(["positive", "negative"], ["positive", "positive"])
    assert half == {"accuracy": 0.5, "macro_f1": pytest.approx(2 / 9)}
