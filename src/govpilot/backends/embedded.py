"""The embedded model: a local GGUF file run by llama.cpp (llama-cpp-python) on the CPU."""

from __future__ import annotations

import os
import threading
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

from govpilot.backends.llm import (
    LOGPROB_POSITIONS,
    ChatMessage,
    Completion,
    GenerationOptions,
    ModelCapabilities,
    TokenChoice,
    Usage,
)
from govpilot.backends.weights import DEFAULT_GGUF_NAME, DEFAULT_MODEL_ID, check_gguf
from govpilot.errors import ModelError, ModelUnavailable

#: The context size of `aside` calls: a question to translate, one passage to quote from.
ASIDE_CONTEXT_TOKENS = 1024


class LlamaCppModel:
    """Runs a GGUF model in-process. Loaded lazily on first use; one call at a time."""

    backend = "embedded"

    def __init__(
        self,
        name: str,
        gguf_path: Path,
        *,
        context_tokens: int = 4096,
        threads: int | None = None,
    ) -> None:
        self.name = name
        self.gguf_path = Path(gguf_path)
        self.threads = threads or max(1, os.cpu_count() or 1)
        self.capabilities = ModelCapabilities(context_tokens=context_tokens, external=False)
        self._llama: Any = None
        # llama.cpp contexts are not thread-safe; the API serves many requests. A plain Lock
        # (not an RLock) because a stream may be advanced from different worker threads.
        self._lock = threading.Lock()
        # A second, smaller context for `aside` calls, over the same mmapped weights: a call
        # in the main context would evict the cached prefix of the prompt that follows it
        # (a bot's instructions: ~200 tokens, ~3.5 s on 2 cores).
        self._aside: Any = None
        self._aside_lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """A stable id for the audit log: the known default, else the file name."""
        if self.gguf_path.name == DEFAULT_GGUF_NAME:
            return DEFAULT_MODEL_ID
        return self.gguf_path.stem

    def _load(self) -> Any:
        if self._llama is None:
            self._llama = self._new_context(self.capabilities.context_tokens)
        return self._llama

    def _load_aside(self) -> Any:
        if self._aside is None:
            self._aside = self._new_context(
                min(ASIDE_CONTEXT_TOKENS, self.capabilities.context_tokens)
            )
        return self._aside

    def _slot(self, options: GenerationOptions) -> tuple[threading.Lock, Any]:
        """The lock and loader of the context this call runs in."""
        if options.aside:
            return self._aside_lock, self._load_aside
        return self._lock, self._load

    def _new_context(self, context_tokens: int) -> Any:
        check_gguf(self.gguf_path)
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ModelUnavailable(
                "llama-cpp-python is not installed", hint="run `make install`"
            ) from exc
        try:
            return Llama(
                model_path=str(self.gguf_path),
                n_ctx=context_tokens,
                n_threads=self.threads,
                n_batch=512,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelUnavailable(
                f"llama.cpp could not load {self.gguf_path}: {exc}",
                hint="check the file is a complete GGUF model",
            ) from exc

    def _kwargs(
        self,
        messages: Sequence[ChatMessage],
        options: GenerationOptions,
        recorder: _Alternatives | None = None,
    ) -> dict:
        kwargs: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "top_p": options.top_p,
            "stop": list(options.stop) or None,
            "seed": options.seed,
        }
        if recorder is not None:
            kwargs["logits_processor"] = [recorder]
        return kwargs

    def _recorder(self, llama: Any, options: GenerationOptions) -> _Alternatives | None:
        return _Alternatives(llama, options.top_logprobs) if options.top_logprobs > 0 else None

    def complete(self, messages: Sequence[ChatMessage], options: GenerationOptions) -> Completion:
        lock, load = self._slot(options)
        with lock:
            llama = load()
            recorder = self._recorder(llama, options)
            try:
                result = llama.create_chat_completion(**self._kwargs(messages, options, recorder))
            except ValueError as exc:  # llama.cpp raises ValueError when the context overflows
                raise ModelError(
                    f"the embedded model rejected the prompt: {exc}",
                    hint="shorten the input or raise context_tokens",
                ) from exc
        choice = result["choices"][0]
        usage = result.get("usage") or {}
        return Completion(
            text=choice["message"]["content"] or "",
            model_id=self.model_id,
            usage=Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)),
            finish_reason=choice.get("finish_reason") or "stop",
            alternatives=recorder.places if recorder else (),
        )

    def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Generator[str, None, Completion]:
        lock, load = self._slot(options)
        with lock:
            llama = load()
            prompt_tokens = sum(self._tokens(llama, m.content) for m in messages)
            pieces: list[str] = []
            finish = "stop"
            recorder = self._recorder(llama, options)
            try:
                for chunk in llama.create_chat_completion(
                    **self._kwargs(messages, options, recorder), stream=True
                ):
                    choice = chunk["choices"][0]
                    delta = choice.get("delta", {}).get("content")
                    if delta:
                        pieces.append(delta)
                        yield delta
                    finish = choice.get("finish_reason") or finish
            except ValueError as exc:
                raise ModelError(
                    f"the embedded model rejected the prompt: {exc}",
                    hint="shorten the input or raise context_tokens",
                ) from exc
            completion_tokens = self._tokens(llama, "".join(pieces))
        return Completion(
            "".join(pieces),
            self.model_id,
            Usage(prompt_tokens, completion_tokens),
            finish,
            alternatives=recorder.places if recorder else (),
        )

    def count_tokens(self, text: str) -> int:
        """Exact token count with the model's own tokenizer."""
        with self._lock:
            return self._tokens(self._load(), text)

    @staticmethod
    def _tokens(llama: Any, text: str) -> int:
        return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))


class _Alternatives:
    """A llama.cpp logits processor that notes the likeliest tokens at the first places.

    It returns the scores unchanged, so sampling is as without it; unlike llama.cpp's own
    `logprobs` it needs no `logits_all` (logits for every prompt token, gigabytes).
    """

    def __init__(self, llama: Any, top: int) -> None:
        self._llama = llama
        self._top = top
        self._places: list[tuple[TokenChoice, ...]] = []

    @property
    def places(self) -> tuple[tuple[TokenChoice, ...], ...]:
        return tuple(self._places)

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if len(self._places) < LOGPROB_POSITIONS:
            import numpy as np

            logits = np.asarray(scores, dtype=np.float64)
            peak = logits.max()
            logprobs = logits - (peak + np.log(np.exp(logits - peak).sum()))
            best = np.argsort(-logprobs)[: self._top]
            self._places.append(
                tuple(TokenChoice(self._text(int(t)), float(logprobs[t])) for t in best)
            )
        return scores

    def _text(self, token: int) -> str:
        return self._llama.detokenize([token]).decode("utf-8", errors="replace")
