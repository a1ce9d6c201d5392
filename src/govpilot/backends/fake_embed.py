"""A deterministic embedder for tests: hashed character n-grams, no model.

It is a real (weak) embedder: texts sharing many character unigrams and bigrams get close
vectors, in any language, so tests can check dense retrieval's plumbing and ranking
without loading a neural model. Same text, same vector, on every machine.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Sequence

import numpy as np

from govpilot.backends.embed import normalise

__all__ = ["HashingEmbedder"]


class HashingEmbedder:
    """Signed feature hashing of lower-cased character 1- and 2-grams into `dim` numbers."""

    def __init__(self, dim: int = 256, name: str = "hashing") -> None:
        self.dim = dim
        self.name = f"{name}-{dim}"
        self.calls: list[int] = []  # batch sizes, for tests that check batching

    def _vector(self, text: str) -> np.ndarray:
        text = "".join(unicodedata.normalize("NFKC", text).lower().split())
        vector = np.zeros(self.dim, dtype=np.float32)
        for n in (1, 2):
            for i in range(len(text) - n + 1):
                h = zlib.crc32(text[i : i + n].encode("utf-8"))
                vector[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        return vector

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (zero for an empty text)."""
        self.calls.append(len(texts))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(np.stack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        """The same function as for passages."""
        return normalise(self._vector(text))
