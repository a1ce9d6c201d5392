"""One place that ties bots, conversations and answers together for the CLI and the API."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from govpilot.capabilities.chat.answer import AnswerOptions, BotAnswer, BotResponder, Turn
from govpilot.capabilities.chat.bots import Bot, BotStore
from govpilot.capabilities.chat.conversations import Conversation, ConversationStore
from govpilot.errors import ConfigError
from govpilot.guard import CallContext
from govpilot.retrieval.types import Retriever

if TYPE_CHECKING:
    from govpilot.platform import Platform

CAPABILITY = "bot"


@dataclass
class AskResult:
    """A bot's answer with the conversation and turn it was recorded under."""

    answer: BotAnswer
    conversation_id: str
    turn_id: str

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.answer.as_dict(),
            "conversation_id": self.conversation_id,
            "turn_id": self.turn_id,
        }


class BotService:
    """Asks bots questions within conversations and records each turn."""

    def __init__(
        self,
        bots: BotStore,
        conversations: ConversationStore,
        responder: BotResponder | Callable[[], BotResponder | None] | None,
    ) -> None:
        self.bots = bots
        self.conversations = conversations
        # A factory defers building the search index until the first question is asked.
        self._responder = responder

    @property
    def responder(self) -> BotResponder:
        if callable(self._responder) and not isinstance(self._responder, BotResponder):
            self._responder = self._responder()
        if self._responder is None:
            raise ConfigError(
                "no retriever is configured, so bots cannot search their collections",
                hint="install the knowledge collections (govpilot.knowledge) and restart",
            )
        return self._responder

    def ask(
        self,
        bot: Bot,
        question: str,
        caller: CallContext,
        conversation_id: str | None = None,
        *,
        history: Sequence[Turn] | None = None,
    ) -> AskResult:
        """Answer `question` in a conversation (a new one when no id is given); record it.

        `history` replaces the stored context, for clients that send the whole conversation
        each time (OpenAI-style).
        """
        conversation = self.conversations.open(bot, conversation_id, caller.channel)
        ctx = self.context(caller, conversation)
        if history is None:
            history = self.conversations.history(conversation)
        answer = self.responder.answer(bot, question, ctx, history)
        return self._record(conversation, caller, question, answer)

    def ask_stream(
        self,
        bot: Bot,
        question: str,
        caller: CallContext,
        conversation_id: str | None = None,
    ) -> tuple[Conversation, Generator[str, None, AskResult]]:
        """The conversation, and a generator of reply pieces that returns the AskResult."""
        conversation = self.conversations.open(bot, conversation_id, caller.channel)
        ctx = self.context(caller, conversation)
        history = self.conversations.history(conversation)
        responder = self.responder

        def pieces() -> Generator[str, None, AskResult]:
            answer = yield from responder.stream(bot, question, ctx, history)
            return self._record(conversation, caller, question, answer)

        return conversation, pieces()

    @staticmethod
    def context(caller: CallContext, conversation: Conversation) -> CallContext:
        """The caller acting as a bot; pseudonyms stay the same across the conversation."""
        return replace(caller, capability=CAPABILITY, session=conversation.id)

    def _record(
        self, conversation: Conversation, caller: CallContext, question: str, answer: BotAnswer
    ) -> AskResult:
        turn_id = self.conversations.record(conversation, caller.actor, question, answer)
        return AskResult(answer, conversation.id, turn_id)


_LOCK = threading.Lock()
_ATTRIBUTE = "_bot_service"


def retriever_of(platform: Platform) -> Retriever | None:
    """The platform's retriever: its own, else the knowledge collections' search index."""
    retriever: Retriever | None = getattr(platform, "retriever", None)
    if retriever is not None:
        return retriever
    try:
        from govpilot.knowledge.services import knowledge_services
    except ImportError:
        return None
    return knowledge_services(platform).retriever


def resolve_collections(platform: Platform, department: str, names: Sequence[str]) -> list[str]:
    """The ids of the department's collections given by name (or id); NotFound otherwise.

    Only the department's own collections resolve, so a bot is never configured with
    another department's collection (its search scope would exclude it anyway).
    """
    from govpilot.errors import NotFound
    from govpilot.knowledge.services import knowledge_services

    collections = knowledge_services(platform).collections
    ids = []
    for name in names:
        try:
            ids.append(collections.get(department, name).id)
        except NotFound:
            try:
                ids.append(collections.get_by_id(department, name).id)
            except NotFound:
                raise NotFound(
                    f"department {department} has no collection {name!r}",
                    hint="list its collections with `govpilot collections list`",
                ) from None
    return ids


def bot_service(platform: Platform) -> BotService:
    """The platform's BotService, built once and kept on it (with its conversation cache)."""
    with _LOCK:
        service: BotService | None = platform.__dict__.get(_ATTRIBUTE)
        if service is None:

            def responder() -> BotResponder | None:
                retriever = retriever_of(platform)
                if retriever is None:
                    return None
                options = AnswerOptions(top_k=platform.settings.retrieval.top_k)
                return BotResponder(platform.gateway, retriever, options)

            service = BotService(
                BotStore(platform.database),
                ConversationStore(platform.database, platform.records),
                responder,
            )
            platform.__dict__[_ATTRIBUTE] = service
        return service
