"""ORM tables: departments, user accounts, API keys, web sessions.

Secrets are never stored: passwords as argon2 hashes, API keys and session tokens as the
SHA-256 of a random token (they carry 256 bits, so a fast hash is enough to look them up).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govpilot.storage.base import Base, UtcDateTime

__all__ = ["ApiKeyRow", "DepartmentRow", "UserRow", "WebSessionRow"]


class DepartmentRow(Base):
    """A department: the tenant every object belongs to, and its settings."""

    __tablename__ = "departments"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    title_en: Mapped[str] = mapped_column(Text)
    title_zh: Mapped[str] = mapped_column(Text)
    #: Models the department's people may use; empty: every configured model.
    allowed_models: Mapped[list[str]] = mapped_column(JSON)
    max_concurrent_jobs: Mapped[int] = mapped_column(Integer)
    requests_per_minute: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class UserRow(Base):
    """A person who signs in: local password, single sign-on, or both."""

    __tablename__ = "users"
    __table_args__ = (Index("ix_users_department", "department"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    department: Mapped[str] = mapped_column(
        String(100), ForeignKey("departments.name", ondelete="RESTRICT")
    )
    role: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str | None] = mapped_column(Text)
    #: The identity provider's issuer and subject, for single sign-on users.
    oidc_subject: Mapped[str | None] = mapped_column(String(400), unique=True)
    language: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(Boolean)
    failed_logins: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiKeyRow(Base):
    """An API key of one user: shown once, stored hashed, expiring, revocable."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_user", "user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    #: The key's first characters, to tell keys apart in lists (not enough to use it).
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class WebSessionRow(Base):
    """A signed-in browser: the cookie's token hash and the session's CSRF token."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
