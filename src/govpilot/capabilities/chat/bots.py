"""Bots: a department's configured assistant over its own collections, stored in the DB.

A bot belongs to one department and is found by name only within it: a bot of another
department is "not found", never "forbidden", so names do not leak across departments.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal, cast

from sqlalchemy import select

from govpilot.errors import DuplicateRecord, InputError, NotFound
from govpilot.language import detect_language
from govpilot.storage.bot_tables import BotRow
from govpilot.storage.db import Database

CantoneseReply = Literal["cantonese", "written"]
#: Languages a bot can be configured to answer in.
BOT_LANGUAGES = ("en", "zh-Hant", "yue")
DEFAULT_HANDOVER = "如需進一步協助，請致電1823。 / For further assistance, please call 1823."
_NAME = re.compile(r"^[\w][\w.-]{0,63}$")


@dataclass(frozen=True)
class Bot:
    """A bot's configuration."""

    id: str
    name: str
    department: str
    collection_ids: tuple[str, ...]
    languages: tuple[str, ...] = ("en", "zh-Hant")
    cantonese_reply: CantoneseReply = "written"
    tone: str = "polite, concise and helpful"
    #: Topics the bot must refuse (e.g. "legal advice / 法律意見").
    refuse: tuple[str, ...] = ()
    #: Where people go when the bot cannot help; "中文 / English" gives each language its part.
    handover: str = DEFAULT_HANDOVER
    model: str | None = None
    created_by: str = ""
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def handover_for(self, lang: str) -> str:
        """The hand-over message in `lang` (the part in that language, else the whole)."""
        parts = [p.strip() for p in re.split(r"\s+/\s+|\n+", self.handover) if p.strip()]
        if len(parts) < 2:
            return self.handover.strip()
        want_en = lang == "en"
        for part in parts:
            if (detect_language(part) == "en") == want_en:
                return part
        return self.handover.strip()

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "department": self.department,
            "collection_ids": list(self.collection_ids),
            "languages": list(self.languages),
            "cantonese_reply": self.cantonese_reply,
            "tone": self.tone,
            "refuse": list(self.refuse),
            "handover": self.handover,
            "model": self.model,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


def new_bot(
    name: str,
    department: str,
    collection_ids: Iterable[str],
    *,
    languages: Sequence[str] = ("en", "zh-Hant"),
    cantonese_reply: str = "written",
    tone: str | None = None,
    refuse: Sequence[str] = (),
    handover: str | None = None,
    model: str | None = None,
    created_by: str = "",
) -> Bot:
    """A validated bot configuration with a fresh id (not stored yet)."""
    bot = Bot(
        id=uuid.uuid4().hex,
        name=name.strip(),
        department=department,
        collection_ids=tuple(dict.fromkeys(c for c in collection_ids if c)),
        languages=tuple(dict.fromkeys(languages)) or ("en", "zh-Hant"),
        cantonese_reply=cast(CantoneseReply, cantonese_reply),
        tone=(tone or Bot.tone).strip(),
        refuse=tuple(t.strip() for t in refuse if t.strip()),
        handover=(handover or DEFAULT_HANDOVER).strip(),
        model=model or None,
        created_by=created_by,
    )
    validate(bot)
    return bot


def validate(bot: Bot) -> None:
    """Raise InputError when a configuration cannot work."""
    if not _NAME.match(bot.name):
        raise InputError(
            f"invalid bot name {bot.name!r}",
            hint="use 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit",
        )
    if not bot.collection_ids:
        raise InputError("a bot needs at least one collection", hint="give --collection NAME")
    unknown = [lang for lang in bot.languages if lang not in BOT_LANGUAGES]
    if unknown:
        raise InputError(
            f"unsupported bot language {unknown[0]!r}", hint=f"use {', '.join(BOT_LANGUAGES)}"
        )
    if bot.cantonese_reply not in ("cantonese", "written"):
        raise InputError(
            f"unknown Cantonese reply style {bot.cantonese_reply!r}",
            hint="use 'cantonese' (spoken Cantonese) or 'written' (書面語)",
        )
    if not bot.handover:
        raise InputError("a bot needs a hand-over message", hint='e.g. "請致電1823 / Call 1823"')


def _bot(row: BotRow) -> Bot:
    return Bot(
        id=row.id,
        name=row.name,
        department=row.department,
        collection_ids=tuple(row.collection_ids),
        languages=tuple(row.languages),
        cantonese_reply=cast(CantoneseReply, row.cantonese_reply),
        tone=row.tone,
        refuse=tuple(row.refuse),
        handover=row.handover,
        model=row.model,
        created_by=row.created_by,
        created_at=row.created_at,
    )


class BotStore:
    """Bots in the database, always looked up within one department."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def create(self, bot: Bot) -> Bot:
        """Store a new bot; InputError when its department already has one of that name."""
        validate(bot)
        now = datetime.now(UTC)
        row = BotRow(
            id=bot.id,
            department=bot.department,
            name=bot.name,
            languages=list(bot.languages),
            cantonese_reply=bot.cantonese_reply,
            tone=bot.tone,
            collection_ids=list(bot.collection_ids),
            refuse=list(bot.refuse),
            handover=bot.handover,
            model=bot.model,
            created_by=bot.created_by,
            created_at=now,
            updated_at=now,
        )
        try:
            with self.database.session(write=True) as session:
                session.add(row)
        except DuplicateRecord:
            raise InputError(
                f"department {bot.department} already has a bot named {bot.name!r}",
                hint="choose another name, or delete the old bot first",
            ) from None
        return replace(bot, created_at=now)

    def get(self, department: str, name_or_id: str) -> Bot:
        """A bot of `department` by name (or id); NotFound for any other department's."""
        with self.database.session() as session:
            row = session.scalar(
                select(BotRow).where(BotRow.department == department, BotRow.name == name_or_id)
            ) or session.scalar(
                select(BotRow).where(BotRow.department == department, BotRow.id == name_or_id)
            )
            if row is None:
                raise NotFound(
                    f"no bot named {name_or_id!r} in department {department}",
                    hint="list this department's bots with `govpilot bots list`",
                )
            return _bot(row)

    def list(self, department: str) -> list[Bot]:
        """The department's bots by name."""
        with self.database.session() as session:
            rows = session.scalars(
                select(BotRow).where(BotRow.department == department).order_by(BotRow.name)
            )
            return [_bot(r) for r in rows]

    def update(self, bot: Bot) -> Bot:
        """Save a changed configuration of an existing bot (same id and department)."""
        validate(bot)
        with self.database.session(write=True) as session:
            row = session.get(BotRow, bot.id)
            if row is None or row.department != bot.department:
                raise NotFound(f"no bot named {bot.name!r} in department {bot.department}")
            row.name = bot.name
            row.languages = list(bot.languages)
            row.cantonese_reply = bot.cantonese_reply
            row.tone = bot.tone
            row.collection_ids = list(bot.collection_ids)
            row.refuse = list(bot.refuse)
            row.handover = bot.handover
            row.model = bot.model
            row.updated_at = datetime.now(UTC)
        return bot

    def delete(self, department: str, name_or_id: str) -> Bot:
        """Delete a bot with its conversations and turns (stored texts expire as usual)."""
        bot = self.get(department, name_or_id)
        with self.database.session(write=True) as session:
            row = session.get(BotRow, bot.id)
            if row is not None:
                session.delete(row)
        return bot
