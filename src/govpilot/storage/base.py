"""What every table module shares: the declarative base and the column types SQLite and
PostgreSQL must read back alike (aware UTC datetimes, 64-bit ids).

Tables live in one module per owner (`audit_tables`, `record_tables`, `account_tables`,
`job_tables`, `bot_tables`, `knowledge_tables`, `retrieval_tables`); `schema` gathers them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Dialect, Integer
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# SQLite only auto-numbers a column declared exactly INTEGER PRIMARY KEY (64-bit anyway).
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC and always read back as aware UTC.

    SQLite has no time zones: it would silently drop the offset, so values are converted to
    UTC first and marked UTC again on the way out. PostgreSQL stores `timestamptz`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def as_utc(value: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every govpilot table."""
