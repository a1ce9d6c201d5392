"""The chat-model protocol every backend implements, and the values it passes around."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    """One message of a conversation."""

    role: Role
    content: str


@dataclass(frozen=True)
class GenerationOptions:
    """Sampling options shared by every backend."""

    max_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int | None = 0
    #: Ask for this many likeliest tokens at each of the first `LOGPROB_POSITIONS` places of
    #: the answer (0: none). Backends that cannot say return no alternatives.
    top_logprobs: int = 0
    #: A short call aside from the main work (translating a question, a retry): a backend
    #: that caches the last prompt's prefix may run it in a context of its own, so the
    #: main prompt's prefix (a bot's fixed instructions) stays cached. Others ignore it.
    aside: bool = False


#: How many leading places of an answer carry their alternatives (enough to see a marker).
LOGPROB_POSITIONS = 4


@dataclass(frozen=True)
class TokenChoice:
    """One candidate token at a place of the answer, with its log-probability."""

    token: str
    logprob: float


@dataclass(frozen=True)
class Usage:
    """Tokens counted by the backend that answered."""

    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class Completion:
    """A finished answer, with the model id that really produced it."""

    text: str
    model_id: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str = "stop"
    #: The server that answered, when a model is routed over several (`backends.router`).
    server: str = ""
    #: For each leading place of the answer, its likeliest tokens (`top_logprobs` asked).
    alternatives: tuple[tuple[TokenChoice, ...], ...] = ()


@dataclass(frozen=True)
class ModelCapabilities:
    """What a backend can do; capabilities size their work from this."""

    context_tokens: int
    streaming: bool = True
    languages: tuple[str, ...] = ("en", "zh-Hant")
    external: bool = False


@runtime_checkable
class ChatModel(Protocol):
    """A chat/completion model. Capabilities never call this directly: see `gateway`."""

    name: str
    backend: str
    capabilities: ModelCapabilities

    def complete(self, messages: Sequence[ChatMessage], options: GenerationOptions) -> Completion:
        """Answer the conversation in one piece."""
        ...

    def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Generator[str, None, Completion]:
        """Yield the answer as text fragments; the generator returns the Completion."""
        ...

    def count_tokens(self, text: str) -> int:
        """How many tokens `text` takes in this model (an estimate where the model can't say)."""
        ...


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate: about one token per CJK character, four Latin chars a token."""
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")
    return cjk + (len(text) - cjk) // 4 + 1
