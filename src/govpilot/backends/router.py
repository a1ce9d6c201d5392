"""Several servers behind one model name: replicas in turn, a failing one cooled down, then
the configured fallback models in order.

A model configured with `servers` (more base URLs serving the same model, e.g. two vLLM
replicas) and/or `fallback` (names of other configured models) is built as a `RoutedModel`.
Each call goes to the next replica that is not cooling down; a server that fails with
ModelUnavailable (down, timing out, refusing) is skipped for `cooldown_s`, so requests do
not keep waiting on a dead primary, and the call moves on to the next server, then to the
fallbacks. Only when every one of them is down does the call fail. An answer that came
back unusable (ModelResponseError) is not retried elsewhere: it is the model's, not the
server's. The Completion names the server that answered, for the audit event.

The gateway still sees one model, so the guard, per-department model access and the audit
apply exactly as for a single server.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import replace

from govpilot.backends.llm import (
    ChatMessage,
    ChatModel,
    Completion,
    GenerationOptions,
    ModelCapabilities,
)
from govpilot.errors import ModelUnavailable

logger = logging.getLogger("govpilot.backends")


def server_label(model: ChatModel) -> str:
    """How the audit log names a server: its URL (without credentials), else its name."""
    return str(getattr(model, "server_label", None) or model.name)


class RoutedModel:
    """One model name over replicas (tried in turn) and fallbacks (tried in order)."""

    backend = "router"

    def __init__(
        self,
        name: str,
        replicas: Sequence[ChatModel],
        fallbacks: Sequence[ChatModel] = (),
        *,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not replicas:
            raise ValueError("a routed model needs at least one server")
        self.name = name
        self.replicas = list(replicas)
        self.fallbacks = list(fallbacks)
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._cooling: dict[int, float] = {}  # id(server) -> until when it is skipped
        self._next = 0
        self._lock = threading.Lock()
        first = self.replicas[0].capabilities
        external = any(m.capabilities.external for m in (*self.replicas, *self.fallbacks))
        self.capabilities = ModelCapabilities(
            context_tokens=min(m.capabilities.context_tokens for m in self.servers),
            streaming=first.streaming,
            languages=first.languages,
            external=external,  # the guard treats the route as external if any server is
        )

    @property
    def servers(self) -> list[ChatModel]:
        return [*self.replicas, *self.fallbacks]

    def cooling_down(self) -> list[str]:
        """The servers skipped now, by label (for `govpilot models` and tests)."""
        now = self._clock()
        with self._lock:
            return [server_label(s) for s in self.servers if self._cooling.get(id(s), 0) > now]

    def order(self) -> list[ChatModel]:
        """The servers to try for the next call: replicas from the next in turn, then the
        fallbacks; those cooling down go last (tried only if everything else is down)."""
        now = self._clock()
        with self._lock:
            start = self._next % len(self.replicas)
            self._next += 1
            replicas = self.replicas[start:] + self.replicas[:start]
            ordered = [*replicas, *self.fallbacks]
            ready = [s for s in ordered if self._cooling.get(id(s), 0) <= now]
            cooling = [s for s in ordered if self._cooling.get(id(s), 0) > now]
        return ready + cooling

    def complete(self, messages: Sequence[ChatMessage], options: GenerationOptions) -> Completion:
        failures: list[str] = []
        for server in self.order():
            try:
                completion = server.complete(messages, options)
            except ModelUnavailable as exc:
                self._failed(server, exc, failures)
                continue
            self._recovered(server)
            return replace(completion, server=server_label(server))
        raise self._all_down(failures)

    def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Generator[str, None, Completion]:
        failures: list[str] = []
        for server in self.order():
            generator = server.stream(messages, options)
            try:
                first = next(generator)
            except StopIteration as done:  # an empty answer, complete already
                self._recovered(server)
                return replace(done.value, server=server_label(server))
            except ModelUnavailable as exc:  # nothing sent yet: the next server can answer
                self._failed(server, exc, failures)
                continue
            self._recovered(server)
            yield first
            completion = yield from generator  # once text went out, the call is this server's
            return replace(completion, server=server_label(server))
        raise self._all_down(failures)

    def count_tokens(self, text: str) -> int:
        return self.replicas[0].count_tokens(text)

    def close(self) -> None:
        for server in self.servers:
            close = getattr(server, "close", None)
            if callable(close):
                close()

    def _failed(self, server: ChatModel, error: ModelUnavailable, failures: list[str]) -> None:
        label = server_label(server)
        failures.append(f"{label}: {error.message}")
        with self._lock:
            self._cooling[id(server)] = self._clock() + self.cooldown_s
        logger.warning(
            "model %s: %s failed (%s); skipped for %.0f s",
            self.name,
            label,
            error.message,
            self.cooldown_s,
        )

    def _recovered(self, server: ChatModel) -> None:
        with self._lock:
            self._cooling.pop(id(server), None)

    def _all_down(self, failures: list[str]) -> ModelUnavailable:
        return ModelUnavailable(
            f"every server of model {self.name!r} failed: " + "; ".join(failures),
            hint="check the model servers (govpilot models --check), or choose another model",
        )
