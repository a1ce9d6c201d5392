"""Who is this? Passwords with lockout, API keys, web sessions, and single sign-on users.

Failures say only "wrong e-mail or password" (or that the account is locked), whichever
part was wrong, and take the time of one argon2 check either way. Audit events of failed
logins name the account only when it exists: a mistyped e-mail field may hold a password.
"""

from __future__ import annotations

import math
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from govpilot.access import ACCOUNT_ROLES, Role
from govpilot.accounts.models import ApiKey, User, WebSession
from govpilot.accounts.secrets import (
    hash_password,
    needs_rehash,
    new_token,
    token_hash,
    verify_password,
)
from govpilot.accounts.store import AccountStoreBase, normalise_email
from govpilot.errors import NotAuthenticated, PermissionDenied
from govpilot.storage.account_tables import ApiKeyRow, DepartmentRow, UserRow, WebSessionRow
from govpilot.storage.base import as_utc

_WRONG = "wrong e-mail or password"


def _disabled() -> NotAuthenticated:
    return NotAuthenticated("this account is disabled", hint="ask your department administrator")


def _locked(until: datetime, now: datetime) -> NotAuthenticated:
    minutes = max(1, math.ceil((as_utc(until) - now).total_seconds() / 60))
    return NotAuthenticated(
        "this account is locked after too many failed logins",
        hint=f"try again in {minutes} minutes, or ask your administrator to unlock it",
    )


class SignIn(AccountStoreBase):
    """Turns credentials into a User, or refuses them (audited)."""

    def login(self, email: str, password: str, *, channel: str = "web") -> User:
        """The user whose password this is; counts failures and locks the account."""
        email = normalise_email(email)
        now = self._now()
        refusal: tuple[str, str, str, NotAuthenticated] | None = None
        # The failure count commits first; the audit event and the error come after, so a
        # refused login neither rolls back its count nor writes while holding the lock.
        with self._session(write=True) as session:
            row = session.scalar(select(UserRow).where(UserRow.email == email))
            matches = verify_password(row.password_hash if row else None, password)
            wrong = NotAuthenticated(_WRONG, hint="check both and try again")
            if row is None:
                refusal = ("(unknown account)", "", "unknown_account", wrong)
            elif row.disabled:
                refusal = (row.email, row.department, "disabled", _disabled())
            elif row.locked_until is not None and as_utc(row.locked_until) > now:
                refusal = (row.email, row.department, "locked", _locked(row.locked_until, now))
            elif not matches:
                row.failed_logins += 1
                reason = "wrong_password"
                if row.failed_logins >= self.settings.max_failed_logins:
                    row.locked_until = now + timedelta(minutes=self.settings.lockout_minutes)
                    row.failed_logins = 0
                    reason = "locked_now"
                refusal = (row.email, row.department, reason, wrong)
            else:
                row.failed_logins = 0
                row.locked_until = None
                row.last_login_at = now
                if row.password_hash and needs_rehash(row.password_hash):
                    row.password_hash = hash_password(password)
                user = User.from_row(row)
        if refusal is not None:
            actor, department, reason, error = refusal
            self._record(
                actor, department, "auth.login", channel=channel, outcome="refused", reason=reason
            )
            raise error
        self._record(user.email, user.department, "auth.login", channel=channel, method="password")
        return user

    def user_for_key(self, token: str) -> tuple[User, ApiKey]:
        """The user an API key belongs to, if the key is valid, unexpired and unrevoked."""
        now = self._now()
        with self._session(write=True) as session:
            key = session.scalar(select(ApiKeyRow).where(ApiKeyRow.token_hash == token_hash(token)))
            if key is None or key.revoked_at is not None or as_utc(key.expires_at) <= now:
                state = "unknown" if key is None else "revoked" if key.revoked_at else "expired"
                raise NotAuthenticated(
                    f"the API key is {state}" if key else "the API key is not valid",
                    hint="create a new key with `govpilot keys create --user EMAIL`",
                )
            row = session.get(UserRow, key.user_id)
            if row is None or row.disabled:
                raise NotAuthenticated("the key's account is disabled")
            # Written at most once a minute, so busy keys do not write on every request.
            if key.last_used_at is None or now - as_utc(key.last_used_at) > timedelta(minutes=1):
                key.last_used_at = now
            return User.from_row(row), ApiKey.from_row(key)

    # -- web sessions ----------------------------------------------------------------------

    def start_session(self, user: User) -> tuple[str, WebSession]:
        """A new session for `user`: the cookie's token (shown once) and the session."""
        token = new_token()
        now = self._now()
        expires = now + timedelta(hours=self.settings.session_hours)
        csrf = secrets.token_urlsafe(32)
        with self._session(write=True) as session:
            session.add(
                WebSessionRow(
                    token_hash=token_hash(token),
                    user_id=user.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=expires,
                    last_seen_at=now,
                )
            )
        return token, WebSession(user, csrf, expires)

    def session_for(self, token: str) -> WebSession | None:
        """The live session of this cookie token; None if unknown, expired or idle too long."""
        now = self._now()
        idle = timedelta(minutes=self.settings.idle_minutes)
        with self._session(write=True) as session:
            row = session.get(WebSessionRow, token_hash(token))
            if row is None:
                return None
            if as_utc(row.expires_at) <= now or now - as_utc(row.last_seen_at) > idle:
                session.delete(row)
                return None
            user = session.get(UserRow, row.user_id)
            if user is None or user.disabled:
                session.delete(row)
                return None
            if now - as_utc(row.last_seen_at) > timedelta(seconds=30):
                row.last_seen_at = now
            return WebSession(User.from_row(user), row.csrf_token, as_utc(row.expires_at))

    def end_session(self, token: str) -> None:
        """Sign out: the session cannot be used again."""
        with self._session(write=True) as session:
            row = session.get(WebSessionRow, token_hash(token))
            if row is None:
                return
            user = session.get(UserRow, row.user_id)
            session.delete(row)
        if user is not None:
            self._record(user.email, user.department, "auth.logout", channel="web")

    def end_sessions_of(self, user_id: str) -> int:
        """Sign a user out everywhere (after a password change or when disabled)."""
        with self._session(write=True) as session:
            result = session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))
            return int(getattr(result, "rowcount", 0) or 0)

    # -- single sign-on --------------------------------------------------------------------

    def sso_user(
        self,
        *,
        issuer: str,
        subject: str,
        email: str,
        department: str,
        role: Role | str,
        display_name: str = "",
    ) -> User:
        """The account of an identity-provider user, created or updated from their claims.

        The provider is the authority on department and role: both follow its claims at
        every sign-in. The department must exist already; nobody becomes platform admin
        through a claim.
        """
        role = Role(role)
        if role not in ACCOUNT_ROLES or role == Role.PLATFORM_ADMIN:
            raise PermissionDenied(f"single sign-on cannot give the {role.value} role")
        key = f"{issuer}|{subject}"
        email = normalise_email(email)
        now = self._now()
        with self._session() as session:
            known = session.get(DepartmentRow, department) is not None
        if not known:
            self._record(
                email,
                department,
                "auth.login",
                channel="web",
                outcome="refused",
                reason="unknown_department",
                method="oidc",
            )
            raise NotAuthenticated(
                f"your department {department!r} is not set up in govpilot",
                hint="ask the platform administrator to create it",
            )
        with self._session(write=True) as session:
            row = session.scalar(select(UserRow).where(UserRow.oidc_subject == key))
            if row is None:
                row = session.scalar(select(UserRow).where(UserRow.email == email))
                if row is not None and row.oidc_subject not in (None, key):
                    raise NotAuthenticated("this e-mail belongs to another sign-on identity")
            if row is None:
                row = UserRow(
                    id=uuid.uuid4().hex,
                    email=email,
                    password_hash=None,
                    language="en",
                    disabled=False,
                    failed_logins=0,
                    locked_until=None,
                    created_at=now,
                    display_name=display_name or email.split("@", 1)[0],
                    department=department,
                    role=role.value,
                    oidc_subject=key,
                )
                session.add(row)
            elif row.disabled:
                raise NotAuthenticated("this account is disabled")
            row.oidc_subject = key
            row.department = department
            row.role = role.value
            row.last_login_at = now
            if display_name:
                row.display_name = display_name
            session.flush()
            user = User.from_row(row)
        self._record(
            user.email,
            user.department,
            "auth.login",
            channel="web",
            method="oidc",
            role=user.role.value,
        )
        return user
