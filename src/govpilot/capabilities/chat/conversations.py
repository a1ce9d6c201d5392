"""Conversations with bots: turns stored redacted, context for follow-up questions, ratings.

Each question and its answer are written as one stored record of class "conversations"
(`RecordStore`: redacted per the department's storage policy, found by data access
requests, erased and purged with the rest), titled by the question. A `bot_turns` row
points at that record and keeps the figures analytics needs: outcome, language, latency,
citations (document names, never personal data) and the user's thumbs up or down.

Follow-up context comes from a small in-process cache of recent turns (the text as asked,
so a follow-up reads naturally), falling back to the stored, redacted turns when the cache
does not have the conversation (another worker, a restart).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from govpilot.capabilities.chat.answer import BotAnswer, Turn
from govpilot.capabilities.chat.bots import Bot
from govpilot.errors import InputError, NotFound
from govpilot.storage.bot_tables import BotConversationRow, BotTurnRow
from govpilot.storage.db import Database
from govpilot.storage.record_tables import StoredRecordRow
from govpilot.storage.records import RecordStore

_CACHE_CONVERSATIONS = 2000
_KEEP_TURNS = 6


@dataclass(frozen=True)
class Conversation:
    """A conversation with one bot."""

    id: str
    bot_id: str
    department: str
    channel: str
    created_at: datetime


class ConversationStore:
    """Starts conversations, records turns through the record store, keeps recent context."""

    def __init__(self, database: Database, records: RecordStore) -> None:
        self.database = database
        self.records = records
        self._recent: OrderedDict[str, list[Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, bot: Bot, channel: str = "api") -> Conversation:
        """A new, empty conversation with `bot`."""
        row = BotConversationRow(
            id=uuid.uuid4().hex,
            bot_id=bot.id,
            department=bot.department,
            channel=channel[:20],
            created_at=datetime.now(UTC),
        )
        with self.database.session() as session:
            session.add(row)
        return _conversation(row)

    def get(self, bot: Bot, conversation_id: str) -> Conversation:
        """One of `bot`'s conversations (NotFound for any other bot's or department's)."""
        with self.database.session() as session:
            row = session.get(BotConversationRow, conversation_id)
            if row is None or row.bot_id != bot.id or row.department != bot.department:
                raise NotFound(
                    f"no conversation {conversation_id!r} with bot {bot.name!r}",
                    hint="start one with POST /api/v1/bots/{bot}/conversations",
                )
            return _conversation(row)

    def open(self, bot: Bot, conversation_id: str | None, channel: str = "api") -> Conversation:
        """The named conversation, or a new one when no id is given."""
        if conversation_id:
            return self.get(bot, conversation_id)
        return self.start(bot, channel)

    def history(self, conversation: Conversation, turns: int = _KEEP_TURNS) -> list[Turn]:
        """The last `turns` questions and answers, oldest first."""
        with self._lock:
            cached = self._recent.get(conversation.id)
            if cached is not None:
                self._recent.move_to_end(conversation.id)
                return list(cached[-turns:])
        query = (
            select(StoredRecordRow.title, StoredRecordRow.content)
            .join(BotTurnRow, BotTurnRow.record_id == StoredRecordRow.id)
            .where(BotTurnRow.conversation_id == conversation.id)
            .order_by(BotTurnRow.asked_at.desc())
            .limit(turns)
        )
        with self.database.session() as session:
            rows = session.execute(query).all()
        return [Turn(title, content) for title, content in reversed(rows)]

    def record(
        self, conversation: Conversation, owner: str, question: str, answer: BotAnswer
    ) -> str:
        """Store one turn (texts redacted per policy); returns the turn id for feedback."""
        record_id = self.records.save_text(
            "conversations",
            conversation.department,
            owner,
            answer.text,
            title=question,
            metadata={
                "capability": "bot",
                "bot_id": conversation.bot_id,
                "conversation_id": conversation.id,
                "language": answer.language,
                "outcome": answer.outcome,
            },
        )
        turn = BotTurnRow(
            id=uuid.uuid4().hex,
            conversation_id=conversation.id,
            bot_id=conversation.bot_id,
            department=conversation.department,
            asked_at=datetime.now(UTC),
            language=answer.language,
            outcome=answer.outcome,
            handed_over=answer.handed_over,
            citations=[_public_citation(c.as_dict()) for c in answer.citations],
            latency_ms=int(answer.latency_s * 1000),
            rating=None,
            record_id=record_id,
        )
        with self.database.session() as session:
            session.add(turn)
        if answer.outcome != "hostile":  # an injection attempt is no context to build on
            self._remember(conversation.id, Turn(question, answer.text))
        return turn.id

    def rate(self, bot: Bot, turn_id: str, rating: int) -> None:
        """Record thumbs up (+1) or down (-1) for one of `bot`'s turns; a new rating replaces."""
        if rating not in (1, -1):
            raise InputError("a rating is +1 (thumbs up) or -1 (thumbs down)")
        with self.database.session(write=True) as session:
            row = session.get(BotTurnRow, turn_id)
            if row is None or row.bot_id != bot.id or row.department != bot.department:
                raise NotFound(f"no answer {turn_id!r} from bot {bot.name!r}")
            row.rating = rating

    def _remember(self, conversation_id: str, turn: Turn) -> None:
        with self._lock:
            turns = self._recent.setdefault(conversation_id, [])
            turns.append(turn)
            del turns[:-_KEEP_TURNS]
            self._recent.move_to_end(conversation_id)
            while len(self._recent) > _CACHE_CONVERSATIONS:
                self._recent.popitem(last=False)


def _conversation(row: BotConversationRow) -> Conversation:
    return Conversation(row.id, row.bot_id, row.department, row.channel, row.created_at)


def _public_citation(data: dict[str, object]) -> dict[str, object]:
    # The excerpt is document text; analytics needs only where the answer pointed.
    return {key: value for key, value in data.items() if key != "excerpt"}
