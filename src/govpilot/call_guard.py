"""The guard seam (`call_guard`): every model call passes through a Guard before and after.

The privacy guard (PII redaction per department and backend policy) implements this
protocol; until it is configured, `OpenGuard` lets text through unchanged and reports no
redactions, which the audit log records as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from govpilot.access import CallContext
from govpilot.backends.llm import ChatMessage, ChatModel


@dataclass
class GuardedPrompt:
    """The messages the model may see, and what the guard needs to undo afterwards."""

    messages: list[ChatMessage]
    #: Personal data replaced before the model saw it, counted by type.
    redactions: dict[str, int] = field(default_factory=dict)
    state: Any = None
    #: The guard's decision for the audit log (e.g. "allow", "pseudonymise"), if it made one.
    decision: str | None = None
    #: Personal data found in the prompt, counted by type, whether replaced or not.
    detected: dict[str, int] = field(default_factory=dict)


class Guard(Protocol):
    """Inspects and rewrites prompts before a model sees them, and answers after."""

    def before(
        self, ctx: CallContext, model: ChatModel, messages: Sequence[ChatMessage]
    ) -> GuardedPrompt:
        """Return the messages to send; raise PolicyViolation to refuse the call."""
        ...

    def after(self, ctx: CallContext, model: ChatModel, prompt: GuardedPrompt, text: str) -> str:
        """Return the answer to give back (e.g. with placeholders restored)."""
        ...


class OpenGuard:
    """No redaction policy configured: prompts and answers pass unchanged."""

    def before(
        self, ctx: CallContext, model: ChatModel, messages: Sequence[ChatMessage]
    ) -> GuardedPrompt:
        return GuardedPrompt(list(messages))

    def after(self, ctx: CallContext, model: ChatModel, prompt: GuardedPrompt, text: str) -> str:
        return text
