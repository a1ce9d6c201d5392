"""What the account services return: plain frozen records, never ORM rows or secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from govpilot.access import CallContext, Role
from govpilot.storage.account_tables import ApiKeyRow, DepartmentRow, UserRow

#: UI languages: English and Traditional Chinese (Hong Kong).
LANGUAGES = ("en", "zh-Hant")


@dataclass(frozen=True)
class Department:
    """A department and its settings."""

    name: str
    title_en: str
    title_zh: str
    allowed_models: tuple[str, ...]
    max_concurrent_jobs: int
    requests_per_minute: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: DepartmentRow) -> Department:
        return cls(
            row.name,
            row.title_en,
            row.title_zh,
            tuple(row.allowed_models),
            row.max_concurrent_jobs,
            row.requests_per_minute,
            row.created_at,
        )

    def allows_model(self, model: str) -> bool:
        """True if the department's people may use `model` (no list: every model)."""
        return not self.allowed_models or model in self.allowed_models

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "allowed_models": list(self.allowed_models),
            "max_concurrent_jobs": self.max_concurrent_jobs,
            "requests_per_minute": self.requests_per_minute,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class User:
    """An account; `has_password` and `sso` say how it signs in."""

    id: str
    email: str
    department: str
    role: Role
    display_name: str
    language: str
    disabled: bool
    has_password: bool
    sso: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: UserRow) -> User:
        return cls(
            row.id,
            row.email,
            row.department,
            Role(row.role),
            row.display_name,
            row.language,
            row.disabled,
            row.password_hash is not None,
            row.oidc_subject is not None,
            row.locked_until,
            row.last_login_at,
            row.created_at,
        )

    def context(self, capability: str, channel: str, session: str | None = None) -> CallContext:
        """The call context of this user acting through `channel`."""
        return CallContext(
            actor=self.email,
            department=self.department,
            capability=capability,
            channel=channel,
            session=session,
            role=self.role.value,
            user_id=self.id,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "department": self.department,
            "role": self.role.value,
            "display_name": self.display_name,
            "language": self.language,
            "disabled": self.disabled,
            "sso": self.sso,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
            "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class ApiKey:
    """An API key's public facts (its token is shown once, when created)."""

    id: str
    user_id: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def from_row(cls, row: ApiKeyRow) -> ApiKey:
        return cls(
            row.id,
            row.user_id,
            row.name,
            row.prefix,
            row.created_at,
            row.expires_at,
            row.revoked_at,
            row.last_used_at,
        )

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "name": self.name,
            "prefix": self.prefix,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
        }


@dataclass(frozen=True)
class NewApiKey:
    """A key just created: `token` is the only time the secret is available."""

    key: ApiKey
    token: str


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser: who, and the CSRF token its forms must carry."""

    user: User
    csrf_token: str
    expires_at: datetime
