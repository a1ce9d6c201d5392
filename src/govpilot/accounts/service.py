"""Departments, users and API keys: created, changed and listed by those allowed to.

Every method takes the caller's CallContext and checks it with `authz.authorize` first,
so the API, the CLI and the web share one set of rules. Every change is audited.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy import select

from govpilot.access import (
    ACCOUNT_ROLES,
    CROSS_DEPARTMENT,
    DEPARTMENT_GRANTABLE,
    CallContext,
    Permission,
    Role,
    allowed,
    authorize,
)
from govpilot.accounts.limits import DepartmentLimitCache
from govpilot.accounts.models import LANGUAGES, ApiKey, Department, NewApiKey, User
from govpilot.accounts.secrets import (
    API_KEY_PREFIX,
    check_password_strength,
    hash_password,
    new_token,
    token_hash,
)
from govpilot.accounts.store import (
    AccountStoreBase,
    Clock,
    department_row,
    no_key,
    no_user,
    normalise_email,
    user_row,
)
from govpilot.audit.events import AuditSink, utc_now
from govpilot.config import AuthSettings
from govpilot.errors import Conflict, InputError, NotFound, PermissionDenied
from govpilot.storage.account_tables import ApiKeyRow, DepartmentRow, UserRow
from govpilot.storage.db import Database

_DEPARTMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$|^[^@\s]+@localhost$")


class AccountService(AccountStoreBase):
    """Departments, users and keys, for callers whose role allows it."""

    def __init__(
        self,
        database: Database,
        audit: AuditSink,
        settings: AuthSettings | None = None,
        *,
        clock: Clock = utc_now,
        limit_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(database, audit, settings, clock=clock)
        self._request_limits = DepartmentLimitCache(self._read_request_limit, clock=limit_clock)

    # -- departments -----------------------------------------------------------------------

    def create_department(
        self,
        ctx: CallContext,
        name: str,
        *,
        title_en: str = "",
        title_zh: str = "",
        allowed_models: Sequence[str] = (),
        max_concurrent_jobs: int | None = None,
        requests_per_minute: int | None = None,
    ) -> Department:
        """A new department; platform admins only."""
        authorize(ctx, Permission.MANAGE_DEPARTMENTS, name)
        if not _DEPARTMENT_NAME.match(name):
            raise InputError(
                f"{name!r} is not a usable department name",
                hint="letters, digits, '.', '_' and '-', e.g. HAD or OGCIO",
            )
        with self._session(write=True) as session:
            if session.get(DepartmentRow, name) is not None:
                raise Conflict(f"department {name!r} already exists")
            row = DepartmentRow(
                name=name,
                title_en=title_en or name,
                title_zh=title_zh or title_en or name,
                allowed_models=list(allowed_models),
                max_concurrent_jobs=max_concurrent_jobs or self.settings.max_concurrent_jobs,
                requests_per_minute=requests_per_minute or self.settings.requests_per_minute,
                created_at=self._now(),
            )
            session.add(row)
            session.flush()
            department = Department.from_row(row)
        self._request_limits.forget(name)  # a miss may have been remembered
        self._audit(ctx, "department.create", name, name=name)
        return department

    def department(self, name: str) -> Department:
        """One department's settings (no check: limits and the gateway read them)."""
        with self._session() as session:
            return Department.from_row(department_row(session, name))

    def find_department(self, name: str) -> Department | None:
        with self._session() as session:
            row = session.get(DepartmentRow, name)
            return Department.from_row(row) if row else None

    def requests_per_minute(self, department: str) -> int:
        """The department's requests-per-minute limit (the platform's if it has none); cached."""
        return self._request_limits.per_minute(department)

    def _read_request_limit(self, department: str) -> int:
        found = self.find_department(department)
        return found.requests_per_minute if found else self.settings.requests_per_minute

    def departments(self, ctx: CallContext) -> list[Department]:
        """The departments the caller may see: its own, or all for platform admins and auditors."""
        with self._session() as session:
            query = select(DepartmentRow).order_by(DepartmentRow.name)
            if ctx.role not in CROSS_DEPARTMENT:
                query = query.where(DepartmentRow.name == ctx.department)
            return [Department.from_row(r) for r in session.scalars(query)]

    def update_department(
        self,
        ctx: CallContext,
        name: str,
        *,
        title_en: str | None = None,
        title_zh: str | None = None,
        allowed_models: Sequence[str] | None = None,
        max_concurrent_jobs: int | None = None,
        requests_per_minute: int | None = None,
    ) -> Department:
        """Change a department's settings; its admins or a platform admin."""
        authorize(ctx, Permission.MANAGE_DEPARTMENT, name)
        for limit, label in ((max_concurrent_jobs, "jobs"), (requests_per_minute, "requests")):
            if limit is not None and not 1 <= limit <= 10_000:
                raise InputError(f"the {label} limit must be between 1 and 10000")
        changed: list[str] = []
        updates: tuple[tuple[str, object], ...] = (
            ("title_en", title_en),
            ("title_zh", title_zh),
            ("allowed_models", None if allowed_models is None else list(allowed_models)),
            ("max_concurrent_jobs", max_concurrent_jobs),
            ("requests_per_minute", requests_per_minute),
        )
        with self._session(write=True) as session:
            row = department_row(session, name)
            for field, value in updates:
                if value is not None and getattr(row, field) != value:
                    setattr(row, field, value)
                    changed.append(field)
            department = Department.from_row(row)
        if "requests_per_minute" in changed:  # committed: the next request reads the new limit
            self._request_limits.forget(name)
        if changed:
            self._audit(ctx, "department.update", name, name=name, changed=changed)
        return department

    # -- users -----------------------------------------------------------------------------

    def create_user(
        self,
        ctx: CallContext,
        email: str,
        *,
        department: str,
        role: Role | str,
        password: str | None = None,
        display_name: str = "",
        language: str = "en",
        oidc_subject: str | None = None,
    ) -> User:
        """A new account in `department`; department admins give officer or admin roles."""
        role = _role(role)
        self._check_grant(ctx, department, role)
        email = normalise_email(email)
        if not _EMAIL.match(email):
            raise InputError(f"{email!r} is not an e-mail address")
        if language not in LANGUAGES:
            raise InputError(f"unknown language {language!r}", hint="use en or zh-Hant")
        if password is not None:
            check_password_strength(password, email)
        with self._session(write=True) as session:
            department_row(session, department)
            if session.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
                raise Conflict(f"a user {email!r} already exists")
            row = UserRow(
                id=uuid.uuid4().hex,
                email=email,
                department=department,
                role=role.value,
                display_name=display_name.strip() or email.split("@", 1)[0],
                password_hash=hash_password(password) if password is not None else None,
                oidc_subject=oidc_subject,
                language=language,
                disabled=False,
                failed_logins=0,
                locked_until=None,
                last_login_at=None,
                created_at=self._now(),
            )
            session.add(row)
            session.flush()
            user = User.from_row(row)
        self._audit(ctx, "user.create", department, user_id=user.id, role=role.value)
        return user

    def user(self, ctx: CallContext, user: str) -> User:
        """One user by id or e-mail: oneself, or someone the caller manages."""
        with self._session() as session:
            found = User.from_row(user_row(session, user))
        if found.id != ctx.user_id:
            self._check_manage(ctx, found.department, hidden=no_user(user))
        return found

    def users(self, ctx: CallContext, department: str | None = None) -> list[User]:
        """The users of `department` (default: the caller's)."""
        department = department or ctx.department
        authorize(ctx, Permission.MANAGE_USERS, department)
        with self._session() as session:
            rows = session.scalars(
                select(UserRow).where(UserRow.department == department).order_by(UserRow.email)
            )
            return [User.from_row(r) for r in rows]

    def update_user(
        self,
        ctx: CallContext,
        user: str,
        *,
        role: Role | str | None = None,
        disabled: bool | None = None,
        display_name: str | None = None,
        unlock: bool = False,
    ) -> User:
        """Change someone's role, name or access; unlock them after a lockout."""
        with self._session(write=True) as session:
            row = user_row(session, user)
            self._check_manage(ctx, row.department, row.role, hidden=no_user(user))
            changed: list[str] = []
            if role is not None and _role(role).value != row.role:
                new_role = _role(role)
                self._check_grant(ctx, row.department, new_role)
                self._check_grant(ctx, row.department, Role(row.role))
                if row.id == ctx.user_id:
                    raise PermissionDenied("you cannot change your own role")
                row.role = new_role.value
                changed.append("role")
            if disabled is not None and disabled != row.disabled:
                if row.id == ctx.user_id:
                    raise PermissionDenied("you cannot disable your own account")
                row.disabled = disabled
                changed.append("disabled")
            if display_name is not None and display_name.strip() != row.display_name:
                row.display_name = display_name.strip()
                changed.append("display_name")
            if unlock and (row.locked_until is not None or row.failed_logins):
                row.locked_until = None
                row.failed_logins = 0
                changed.append("unlocked")
            updated = User.from_row(row)
        if changed:
            self._audit(ctx, "user.update", updated.department, user_id=updated.id, changed=changed)
        return updated

    def set_password(self, ctx: CallContext, user: str, password: str) -> None:
        """Set a password: one's own, or as the user's administrator."""
        with self._session(write=True) as session:
            row = user_row(session, user)
            if row.id != ctx.user_id:
                self._check_manage(ctx, row.department, row.role, hidden=no_user(user))
            check_password_strength(password, row.email)
            row.password_hash = hash_password(password)
            row.failed_logins = 0
            row.locked_until = None
            user_id, department = row.id, row.department
        self._audit(ctx, "user.password", department, user_id=user_id)

    def set_language(self, ctx: CallContext, language: str) -> None:
        """Remember the caller's UI language."""
        if language not in LANGUAGES:
            raise InputError(f"unknown language {language!r}", hint="use en or zh-Hant")
        if ctx.user_id is None:
            return
        with self._session(write=True) as session:
            user_row(session, ctx.user_id).language = language

    # -- API keys --------------------------------------------------------------------------

    def create_key(
        self, ctx: CallContext, user: str, *, name: str = "", days: int | None = None
    ) -> NewApiKey:
        """A new key for `user` (oneself, or as their administrator); the token shows once."""
        days = days or self.settings.api_key_days
        if not 1 <= days <= 3650:
            raise InputError("a key must expire within 1 to 3650 days")
        token = new_token(API_KEY_PREFIX)
        now = self._now()
        with self._session(write=True) as session:
            owner = user_row(session, user)
            if owner.id != ctx.user_id:
                self._check_manage(ctx, owner.department, owner.role, hidden=no_user(user))
            elif ctx.role == Role.PUBLIC:
                raise PermissionDenied("sign in to create a key")
            row = ApiKeyRow(
                id=uuid.uuid4().hex,
                user_id=owner.id,
                name=name.strip() or "API key",
                prefix=token[: len(API_KEY_PREFIX) + 6],
                token_hash=token_hash(token),
                created_at=now,
                expires_at=now + timedelta(days=days),
                revoked_at=None,
                last_used_at=None,
            )
            session.add(row)
            session.flush()
            key = ApiKey.from_row(row)
            department = owner.department
        self._audit(ctx, "key.create", department, key_id=key.id, user_id=key.user_id, days=days)
        return NewApiKey(key, token)

    def keys(self, ctx: CallContext, user: str | None = None) -> list[ApiKey]:
        """The keys of `user` (default: the caller), newest first."""
        with self._session() as session:
            ref = user or ctx.user_id or ctx.actor
            owner = user_row(session, ref)
            if owner.id != ctx.user_id:
                self._check_manage(ctx, owner.department, hidden=no_user(ref))
            rows = session.scalars(
                select(ApiKeyRow)
                .where(ApiKeyRow.user_id == owner.id)
                .order_by(ApiKeyRow.created_at.desc())
            )
            return [ApiKey.from_row(r) for r in rows]

    def revoke_key(self, ctx: CallContext, key_id: str) -> ApiKey:
        """Revoke a key at once: its owner or the owner's administrator."""
        with self._session(write=True) as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                raise no_key(key_id)
            owner = user_row(session, row.user_id)
            if owner.id != ctx.user_id:
                self._check_manage(ctx, owner.department, owner.role, hidden=no_key(key_id))
            if row.revoked_at is None:
                row.revoked_at = self._now()
            key, department = ApiKey.from_row(row), owner.department
        self._audit(ctx, "key.revoke", department, key_id=key.id, user_id=key.user_id)
        return key

    # -- rules -----------------------------------------------------------------------------

    def _check_manage(
        self, ctx: CallContext, department: str, role: str | None = None, *, hidden: NotFound
    ) -> None:
        """The caller manages this department's users; another department's are `hidden`.

        `hidden` is the very refusal of a user or key that is not there: whatever their
        role, callers elsewhere learn nothing, not even that the account exists. With the
        account's `role`: auditors and platform admins are changed (disabled, unlocked,
        given passwords or keys) by platform admins only, as only they appoint them.
        """
        if allowed(ctx, Permission.MANAGE_USERS, department):
            appointed = role is not None and Role(role) not in DEPARTMENT_GRANTABLE
            if appointed and ctx.role != Role.PLATFORM_ADMIN:
                raise PermissionDenied(f"only a platform administrator can change a {role} account")
            return
        if department != ctx.department:
            raise hidden
        authorize(ctx, Permission.MANAGE_USERS, department)

    def _check_grant(self, ctx: CallContext, department: str, role: Role) -> None:
        authorize(ctx, Permission.MANAGE_USERS, department)
        if ctx.role != Role.PLATFORM_ADMIN and role not in DEPARTMENT_GRANTABLE:
            raise PermissionDenied(
                f"only a platform administrator can give or take the {role.value} role"
            )


def _role(role: Role | str) -> Role:
    try:
        parsed = Role(role)
    except ValueError:
        parsed = None
    if parsed is None or parsed not in ACCOUNT_ROLES:
        names = ", ".join(r.value for r in ACCOUNT_ROLES)
        raise InputError(f"unknown role {role!r}", hint=f"use one of {names}")
    return parsed
