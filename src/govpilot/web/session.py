"""Who is looking at a page, and whether a form really came from one of our pages.

Pages depend on `WebUserDep`: the user of the session cookie, or a redirect to /login
(raised as `LoginRequired`, which the web error handlers turn into a 303). Every POST form
carries a CSRF token, in the hidden field `csrf_token` or the `X-CSRF-Token` header:

* signed in: the session's own token (stored with the session, compared in constant time);
* not yet signed in (the login and language forms): a signed double-submit token. The
  browser holds a random nonce in an HttpOnly cookie; the form carries the nonce signed with
  this install's secret (`web_secret` in GOVPILOT_HOME), so another site can neither read
  nor forge the pair.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from govpilot.access import CallContext
from govpilot.accounts.models import User, WebSession
from govpilot.accounts.secrets import same_token
from govpilot.config import Settings
from govpilot.errors import NotAuthenticated, PermissionDenied
from govpilot.http.callers import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE
from govpilot.http.dependencies import platform_of
from govpilot.http.limits import limit_account
from govpilot.storage.secret_files import read_or_create_secret

SECRET_FILE = "web_secret"
FORM_COOKIE = "govpilot_form"
CSRF_FIELD = "csrf_token"
_FORM_TOKEN_AGE_S = 12 * 3600


class LoginRequired(NotAuthenticated):
    """No live session: the page answers with a redirect to the login form."""


class CsrfRefused(PermissionDenied):
    """A form arrived without this browser's CSRF token (another site, or a stale page)."""

    def __init__(self) -> None:
        super().__init__(
            "the form lacks this page's security token", hint="reload the page and try again"
        )


@dataclass(frozen=True)
class WebUser:
    """A signed-in browser: the user, their session and its cookie token."""

    user: User
    session: WebSession
    token: str

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token

    def context(self, capability: str) -> CallContext:
        """The user's call context for one action from the web (one pseudonym vault each)."""
        return self.user.context(capability, "web", session=uuid.uuid4().hex)


def load_or_create_secret(settings: Settings) -> bytes:
    """This install's secret for signing form tokens, created once in GOVPILOT_HOME."""
    return read_or_create_secret(Path(settings.home) / SECRET_FILE)


class FormTokens:
    """Signed double-submit tokens for forms shown before sign-in."""

    def __init__(self, secret: bytes, *, secure_cookies: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="govpilot.web.form")
        self.secure_cookies = secure_cookies

    def token_for(self, request: Request) -> str:
        """The token for this browser's forms; makes a nonce (cookie set by `attach`)."""
        nonce = request.cookies.get(FORM_COOKIE) or getattr(request.state, "form_nonce", None)
        if not nonce:
            nonce = secrets.token_urlsafe(24)
            request.state.form_nonce = nonce
        return str(self._serializer.dumps(nonce))

    def attach(self, request: Request, response: Response) -> None:
        """Set the nonce cookie if this request made a new one."""
        nonce = getattr(request.state, "form_nonce", None)
        if nonce and request.cookies.get(FORM_COOKIE) != nonce:
            response.set_cookie(
                FORM_COOKIE,
                nonce,
                httponly=True,
                samesite="lax",
                secure=self.secure_cookies,
                path="/",
                max_age=_FORM_TOKEN_AGE_S,
            )

    def valid(self, request: Request, sent: str) -> bool:
        """True if `sent` is the signed form of this browser's nonce, and recent."""
        nonce = request.cookies.get(FORM_COOKIE)
        if not nonce or not sent:
            return False
        try:
            signed = self._serializer.loads(sent, max_age=_FORM_TOKEN_AGE_S)
        except BadSignature:
            return False
        return isinstance(signed, str) and same_token(signed, nonce)


def form_tokens(request: Request) -> FormTokens:
    """The app's form token signer (made by `mount_web`)."""
    tokens: FormTokens = request.app.state.web.forms
    return tokens


def current_user(request: Request) -> WebUser | None:
    """The signed-in user of this request, if a page dependency has found one."""
    user: WebUser | None = getattr(request.state, "web_user", None)
    return user


def find_user(request: Request) -> WebUser | None:
    """The user of the session cookie, or None (no cookie, or an ended session)."""
    if hasattr(request.state, "web_user"):
        return current_user(request)
    found = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        session = platform_of(request).signin.session_for(token)
        if session is not None:
            found = WebUser(session.user, session, token)
    request.state.web_user = found
    return found


def form_token(request: Request) -> str:
    """The CSRF token this request's forms must carry."""
    user = find_user(request)
    return user.csrf_token if user else form_tokens(request).token_for(request)


async def sent_token(request: Request) -> str:
    """The CSRF token the request carries: the header, else the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


async def check_form(request: Request) -> WebUser | None:
    """Refuse a POST whose CSRF token is not this browser's; returns the user, if any."""
    user = await run_in_threadpool(find_user, request)  # a database read: off the event loop
    if request.method in SAFE_METHODS:
        return user
    sent = await sent_token(request)
    if user is not None:
        if not sent or not same_token(sent, user.csrf_token):
            raise CsrfRefused()
        # Only form posts count: pages and progress polling are cheap and must not lock
        # anyone out.
        limit_account(request, platform_of(request), user.user, f"user:{user.user.id}")
    elif not form_tokens(request).valid(request, sent):
        raise CsrfRefused()
    return user


async def web_user(request: Request) -> WebUser:
    """The signed-in user (POSTs checked for CSRF); LoginRequired if there is none."""
    user = await check_form(request)
    if user is None:
        raise LoginRequired("sign in to continue")
    return user


WebUserDep = Annotated[WebUser, Depends(web_user)]
#: For forms open to everyone (login, language): the CSRF check, and the user if any.
FormCallerDep = Annotated[WebUser | None, Depends(check_form)]
