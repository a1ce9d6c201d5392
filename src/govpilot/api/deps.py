"""FastAPI dependencies of the API routes: the Platform, and who is calling.

Callers prove who they are with `Authorization: Bearer KEY` (an API key) or the web
session cookie; cookie callers must also send the session's CSRF token in `X-CSRF-Token`
on anything but GET. Members of the public reach only the bot routes (`PublicCallerDep`).
Each caller is held to its department's requests-per-minute limit.

`PlatformDep` is `govpilot.http.dependencies.PlatformDep`, the one the web's routes use too.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from govpilot.access import CallContext, Role
from govpilot.accounts.models import User
from govpilot.accounts.secrets import same_token
from govpilot.errors import NotAuthenticated, PermissionDenied
from govpilot.http.callers import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, client_host
from govpilot.http.dependencies import PlatformDep
from govpilot.http.limits import limit_account, limit_address
from govpilot.platform import Platform

__all__ = [
    "DEPARTMENT_HEADER",
    "CallerDep",
    "PlatformDep",
    "PublicCallerDep",
    "acting_as",
    "authenticate",
    "get_caller",
    "get_public_caller",
]

DEPARTMENT_HEADER = "X-Govpilot-Department"


def authenticate(request: Request, platform: Platform) -> CallContext | None:
    """The signed-in caller from a Bearer key or the session cookie; None if neither is sent."""
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated(
                "the Authorization header must be `Bearer KEY`",
                hint="create a key with `govpilot keys create --user EMAIL`",
            )
        user, key = platform.signin.user_for_key(token.strip())
        limit_account(request, platform, user, f"key:{key.id}")
        return _context(user, "api")
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    session = platform.signin.session_for(cookie)
    if session is None:
        raise NotAuthenticated("your session has ended", hint="sign in again")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not same_token(sent, session.csrf_token):
            raise PermissionDenied(
                "the request lacks this session's CSRF token", hint="reload the page and retry"
            )
    limit_account(request, platform, session.user, f"user:{session.user.id}")
    return _context(session.user, "web")


# Declared for the OpenAPI document (the Authorize button); `authenticate` reads the headers.
_BEARER = HTTPBearer(auto_error=False, description="An API key: `govpilot keys create`")
_COOKIE = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="A web session")


def get_caller(
    request: Request,
    platform: PlatformDep,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)] = None,
    _cookie: Annotated[str | None, Depends(_COOKIE)] = None,
) -> CallContext:
    """The signed-in caller; 401 without credentials."""
    caller = authenticate(request, platform)
    if caller is None:
        raise NotAuthenticated(
            "sign in, or send an API key as `Authorization: Bearer KEY`",
            hint="create a key with `govpilot keys create --user EMAIL`",
        )
    return caller


CallerDep = Annotated[CallContext, Depends(get_caller)]


def get_public_caller(
    request: Request,
    platform: PlatformDep,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)] = None,
    department: Annotated[
        str | None,
        Header(
            alias=DEPARTMENT_HEADER,
            max_length=100,
            description="For callers without an account: the department whose bot to ask",
        ),
    ] = None,
) -> CallContext:
    """A signed-in caller, or a member of the public talking to `department`'s bots."""
    caller = authenticate(request, platform)
    if caller is not None:
        return caller
    limit_address(request, platform, "ip")
    return CallContext(
        actor=f"public@{client_host(request)}",
        department=_utf8(department) or platform.settings.department,
        capability="api",
        channel="public",
        session=uuid.uuid4().hex,
        role=Role.PUBLIC.value,
    )


PublicCallerDep = Annotated[CallContext, Depends(get_public_caller)]


def acting_as(caller: CallContext, capability: str) -> CallContext:
    """The caller's context for one capability (recorded as the audit event's action)."""
    return replace(caller, capability=capability)


def _context(user: User, channel: str) -> CallContext:
    # One pseudonym vault per request: a document's segments share placeholders.
    return user.context("api", channel, session=uuid.uuid4().hex)


def _utf8(value: str | None) -> str:
    # HTTP headers arrive decoded as Latin-1; clients send names such as 房屋署 as UTF-8.
    if not value:
        return ""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("latin-1").decode("utf-8")
    return value.strip()
