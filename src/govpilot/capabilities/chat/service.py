"""One place that ties bots, conversations and answers together for the CLI and the API."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from govpilot.audit.events import AuditEvent, AuditSink
from govpilot.capabilities.chat.answer import AnswerOptions, BotAnswer, BotResponder, Turn
from govpilot.capabilities.chat.bots import Bot, BotStore
from govpilot.capabilities.chat.conversations import Conversation, ConversationStore
from govpilot.errors import ConfigError, NotFound
from govpilot.guard import CallContext

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
    """Configures bots (audited), asks them questions within conversations, records turns."""

    def __init__(
        self,
        bots: BotStore,
        conversations: ConversationStore,
        responder: BotResponder | Callable[[], BotResponder | None] | None,
        audit: AuditSink,
    ) -> None:
        self.bots = bots
        self.conversations = conversations
        self.audit = audit
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

    def create_bot(self, bot: Bot, caller: CallContext) -> Bot:
        """Store a new bot; audited as `bot.create`."""
        created = self.bots.create(bot)
        self._audit(caller, "bot.create", created)
        return created

    def update_bot(self, bot: Bot, caller: CallContext) -> Bot:
        """Save a bot's changed configuration; audited as `bot.update`."""
        updated = self.bots.update(bot)
        self._audit(caller, "bot.update", updated)
        return updated

    def delete_bot(self, name_or_id: str, caller: CallContext) -> Bot:
        """Delete one of the caller's department's bots; audited as `bot.delete`."""
        deleted = self.bots.delete(caller.department, name_or_id)
        self._audit(caller, "bot.delete", deleted)
        return deleted

    def _audit(self, caller: CallContext, action: str, bot: Bot) -> None:
        # Names and ids only: a bot's configuration holds no personal data worth recording.
        self.audit.record(
            AuditEvent(
                actor=caller.actor,
                department=caller.department,
                action=action,
                channel=caller.channel,
                detail={"bot": bot.name, "bot_id": bot.id},
            )
        )

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


def resolve_collections(platform: Platform, department: str, names: Sequence[str]) -> list[str]:
    """The ids of the department's collections given by name (or id); NotFound otherwise.

    Only the department's own collections resolve, so a bot is never configured with
    another department's collection (its search scope would exclude it anyway).
    """
    collections = platform.knowledge_services().collections
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

            def responder() -> BotResponder:
                retriever = platform.knowledge_services().retriever
                options = AnswerOptions(top_k=platform.settings.retrieval.top_k)
                return BotResponder(platform.gateway, retriever, options)

            service = BotService(
                BotStore(platform.database),
                ConversationStore(platform.database, platform.records),
                responder,
                platform.audit,
            )
            platform.__dict__[_ATTRIBUTE] = service
        return service
