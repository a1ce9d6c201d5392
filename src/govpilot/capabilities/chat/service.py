"""One place that ties bots, conversations and answers together for the CLI and the API.

Authorisation happens here, once, for every interface (`accounts.authz.authorize`):
configuring a bot needs MANAGE_KNOWLEDGE in its department, its analytics VIEW_ANALYTICS,
asking it (and rating its answers) ASK_BOTS. Members of the public (role "public") reach
only conversations started on the public channel, and signed-in callers only the others:
a conversation id handed to the widget never opens an officer's conversation, nor the
reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from govpilot.access import CallContext, Permission, Role, authorize
from govpilot.audit.events import AuditEvent, AuditSink
from govpilot.capabilities.chat.analytics import BotAnalytics, bot_analytics
from govpilot.capabilities.chat.answer import BotAnswer, BotResponder, Turn
from govpilot.capabilities.chat.bots import Bot, BotStore
from govpilot.capabilities.chat.conversations import Conversation, ConversationStore
from govpilot.errors import ConfigError, NotFound
from govpilot.governance import AiRegister
from govpilot.governance.reviews import LOW_CONFIDENCE, ReviewQueue
from govpilot.knowledge.collections import CollectionStore
from govpilot.storage.bot_tables import BotTurnRow

CAPABILITY = "bot"
#: The channel of callers without an account (`api.deps.get_public_caller`).
PUBLIC_CHANNEL = "public"


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
        *,
        register: AiRegister | None = None,
        reviews: ReviewQueue | None = None,
    ) -> None:
        self.bots = bots
        #: The AI application register: each bot is an entry from its creation.
        self.register = register
        #: Human review on the loop: sampled, flagged and thumbs-down answers are queued.
        self.reviews = reviews
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

    def list_bots(self, caller: CallContext) -> list[Bot]:
        """The caller's department's bots, configuration included (staff, not auditors)."""
        authorize(caller, Permission.SEARCH_KNOWLEDGE)
        return self.bots.list(caller.department)

    def bot_config(self, name_or_id: str, caller: CallContext) -> Bot:
        """One of the caller's department's bots, configuration included (staff only).

        Looked up before the role is checked: another department's bot is the same NotFound
        as a missing one, for every role.
        """
        found = self.bots.get(caller.department, name_or_id)
        authorize(caller, Permission.SEARCH_KNOWLEDGE)
        return found

    def create_bot(self, bot: Bot, caller: CallContext) -> Bot:
        """Store a new bot; needs MANAGE_KNOWLEDGE in its department; audited as `bot.create`."""
        authorize(caller, Permission.MANAGE_KNOWLEDGE, bot.department)
        created = self.bots.create(bot)
        self._audit(caller, "bot.create", created)
        self._register(caller, created)
        return created

    def update_bot(self, bot: Bot, caller: CallContext) -> Bot:
        """Save a bot's changed configuration (MANAGE_KNOWLEDGE); audited as `bot.update`."""
        authorize(caller, Permission.MANAGE_KNOWLEDGE, bot.department)
        updated = self.bots.update(bot)
        self._audit(caller, "bot.update", updated)
        self._register(caller, updated)
        return updated

    def delete_bot(
        self, name_or_id: str, caller: CallContext, department: str | None = None
    ) -> Bot:
        """Delete a bot of `department` (default: the caller's); audited as `bot.delete`."""
        department = department or caller.department
        if department != caller.department:
            authorize(caller, Permission.MANAGE_KNOWLEDGE, department)
        self.bots.get(department, name_or_id)  # NotFound before PermissionDenied
        authorize(caller, Permission.MANAGE_KNOWLEDGE, department)
        deleted = self.bots.delete(department, name_or_id)
        self._audit(caller, "bot.delete", deleted)
        if self.register is not None:
            self.register.retire_source(replace(caller, department=department), source_of(deleted))
        return deleted

    def _register(self, caller: CallContext, bot: Bot) -> None:
        if self.register is None:
            return
        self.register.register_source(
            replace(caller, department=bot.department),
            source_of(bot),
            kind="bot",
            name_en=f"Bot: {bot.name}",
            name_zh=f"聊天機械人：{bot.name}",
            purpose="Answers the public's questions from the department's documents, citing "
            "them, and hands over what they do not answer.",
            affected="public",
            models=[bot.model or self.register.default_model],
            oversight="on_the_loop",
        )

    def analytics(
        self, bot: Bot, caller: CallContext, *, days: int = 30, top: int = 10
    ) -> BotAnalytics:
        """The bot's figures (questions, outcomes, ratings); needs VIEW_ANALYTICS."""
        authorize(caller, Permission.VIEW_ANALYTICS, bot.department)
        return bot_analytics(self.conversations.database, bot, days=days, top=top)

    def start_conversation(self, bot: Bot, caller: CallContext) -> Conversation:
        """A new conversation with `bot` on the caller's channel; needs ASK_BOTS."""
        authorize(caller, Permission.ASK_BOTS, bot.department)
        return self.conversations.start(bot, _channel(caller))

    def rate(self, bot: Bot, turn_id: str, rating: int, caller: CallContext) -> None:
        """Thumbs up (+1) or down (-1) for one answer the caller may reach; needs ASK_BOTS."""
        authorize(caller, Permission.ASK_BOTS, bot.department)
        with self.conversations.database.session() as session:
            turn = session.get(BotTurnRow, turn_id)
            conversation_id = turn.conversation_id if turn is not None else None
        if conversation_id is None:
            raise NotFound(f"no answer {turn_id!r} from bot {bot.name!r}")
        try:
            self._open(bot, conversation_id, caller)
        except NotFound:
            raise NotFound(f"no answer {turn_id!r} from bot {bot.name!r}") from None
        self.conversations.rate(bot, turn_id, rating)
        if rating < 0 and self.reviews is not None:
            ctx = replace(caller, capability=CAPABILITY, application=source_of(bot))
            self.reviews.offer_answer(ctx, turn_id, [], flagged=True, reason="rated_down")

    def _open(self, bot: Bot, conversation_id: str | None, caller: CallContext) -> Conversation:
        """The caller's conversation (a new one when no id is given); needs ASK_BOTS.

        A conversation of another channel family is "not found", like another bot's.
        """
        authorize(caller, Permission.ASK_BOTS, bot.department)
        conversation = self.conversations.open(bot, conversation_id, _channel(caller))
        if (_channel(caller) == PUBLIC_CHANNEL) != (conversation.channel == PUBLIC_CHANNEL):
            raise NotFound(
                f"no conversation {conversation_id!r} with bot {bot.name!r}",
                hint="ask without a conversation id to start a new one",
            )
        return conversation

    def _audit(self, caller: CallContext, action: str, bot: Bot) -> None:
        # Names and ids only: a bot's configuration holds no personal data worth recording.
        self.audit.record(
            AuditEvent(
                actor=caller.actor,
                department=bot.department,
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
        conversation = self._open(bot, conversation_id, caller)
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
        conversation = self._open(bot, conversation_id, caller)
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
        return replace(
            caller,
            capability=CAPABILITY,
            session=conversation.id,
            application=f"bot:{conversation.bot_id}",
        )

    def _record(
        self, conversation: Conversation, caller: CallContext, question: str, answer: BotAnswer
    ) -> AskResult:
        turn_id = self.conversations.record(conversation, caller.actor, question, answer)
        if self.reviews is not None:
            ctx = replace(caller, capability=CAPABILITY, application=f"bot:{conversation.bot_id}")
            low = answer.confidence is not None and answer.confidence < LOW_CONFIDENCE
            self.reviews.offer_answer(
                ctx,
                turn_id,
                [c.as_dict() for c in answer.citations],
                flagged=answer.outcome == "hostile" or (low and not answer.handed_over),
            )
        return AskResult(answer, conversation.id, turn_id)


def source_of(bot: Bot) -> str:
    """The key a bot's model calls carry for the AI application register."""
    return f"bot:{bot.id}"


def _channel(caller: CallContext) -> str:
    """The caller's channel; always the public one for a caller without an account."""
    return PUBLIC_CHANNEL if caller.role == Role.PUBLIC.value else caller.channel


def resolve_collections(
    collections: CollectionStore, department: str, names: Sequence[str]
) -> list[str]:
    """The ids of the department's collections given by name (or id); NotFound otherwise.

    Only the department's own collections resolve, so a bot is never configured with
    another department's collection (its search scope would exclude it anyway).
    """
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
