"""A scripted fake model for tests: queue replies, read back every call."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

from govpilot.backends.llm import (
    ChatMessage,
    Completion,
    GenerationOptions,
    ModelCapabilities,
    TokenChoice,
    Usage,
    estimate_tokens,
)
from govpilot.errors import ModelUnavailable

Responder = Callable[[Sequence[ChatMessage]], str]


@dataclass(frozen=True)
class RecordedCall:
    """One call the fake received."""

    messages: tuple[ChatMessage, ...]
    options: GenerationOptions

    @property
    def prompt(self) -> str:
        """The last user message: what most tests want to look at."""
        return next((m.content for m in reversed(self.messages) if m.role == "user"), "")


class ScriptedModel:
    """Answers from a queue of replies (or a responder function) and records every call.

    `enqueue("a", "b")` queues literal replies; `respond_with(fn)` answers each call with
    `fn(messages)` once the queue is empty; `fail_with(exc)` makes the next call raise.
    """

    backend = "fake"

    def __init__(
        self,
        replies: Sequence[str] = (),
        *,
        name: str = "fake",
        context_tokens: int = 4096,
        external: bool = False,
        responder: Responder | None = None,
    ) -> None:
        self.name = name
        self.capabilities = ModelCapabilities(context_tokens=context_tokens, external=external)
        self._queue: deque[str | Exception] = deque(replies)
        #: Alternatives to return with the next replies (one tuple of places per reply).
        self._alternatives: deque[tuple[tuple[TokenChoice, ...], ...]] = deque()
        self._responder = responder
        self.calls: list[RecordedCall] = []

    def enqueue(self, *replies: str) -> ScriptedModel:
        self._queue.extend(replies)
        return self

    def with_first_token(self, *choices: tuple[str, float]) -> ScriptedModel:
        """Give the next reply these first-token alternatives: ("NO", -0.1), ("The", -2.3)."""
        self._alternatives.append((tuple(TokenChoice(t, lp) for t, lp in choices),))
        return self

    def respond_with(self, responder: Responder) -> ScriptedModel:
        self._responder = responder
        return self

    def fail_with(self, error: Exception) -> ScriptedModel:
        self._queue.append(error)
        return self

    def _next_reply(self, messages: Sequence[ChatMessage], options: GenerationOptions) -> str:
        self.calls.append(RecordedCall(tuple(messages), options))
        if self._queue:
            item = self._queue.popleft()
            if isinstance(item, Exception):
                raise item
            return item
        if self._responder is not None:
            return self._responder(messages)
        raise ModelUnavailable(
            "the scripted fake model has no reply queued",
            hint="enqueue() a reply or set respond_with() in the test",
        )

    def complete(self, messages: Sequence[ChatMessage], options: GenerationOptions) -> Completion:
        text = self._next_reply(messages, options)
        prompt_tokens = sum(estimate_tokens(m.content) for m in messages)
        alternatives = self._alternatives.popleft() if self._alternatives else ()
        return Completion(
            text=text,
            model_id=f"fake:{self.name}",
            usage=Usage(prompt_tokens, estimate_tokens(text)),
            alternatives=alternatives if options.top_logprobs else (),
        )

    def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Generator[str, None, Completion]:
        completion = self.complete(messages, options)
        for start in range(0, len(completion.text), 8):
            yield completion.text[start : start + 8]
        return completion

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)
