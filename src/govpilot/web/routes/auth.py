"""Signing in and out, and the language switch.

The session cookie is HttpOnly, SameSite=Lax, Path=/, Secure unless `auth.secure_cookies`
is off, and lives as long as the session. Login failures are told in plain words: a wrong
e-mail or password (never which), a locked account with the minutes left, or a disabled one.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from govpilot.access import Permission, allowed
from govpilot.accounts.models import LANGUAGES
from govpilot.errors import NotAuthenticated
from govpilot.http.callers import SESSION_COOKIE
from govpilot.http.dependencies import PlatformDep
from govpilot.http.limits import limit_address
from govpilot.platform import Platform
from govpilot.web.cookies import clear_private_cookie, set_private_cookie, set_session_cookie
from govpilot.web.errors import PageError
from govpilot.web.i18n import LANGUAGE_COOKIE, N_
from govpilot.web.render import render, web_state
from govpilot.web.session import FormCallerDep, WebUser, check_form, find_user

router = APIRouter()

HOME = "/copilot"
_LANGUAGE_COOKIE_AGE_S = 365 * 24 * 3600
_MINUTES = re.compile(r"(\d+) minute")

WRONG_PASSWORD = N_("Wrong e-mail or password. Check both and try again.")
LOCKED = N_(
    "This account is locked after too many failed sign-ins. Try again in %(minutes)s "
    "minutes, or ask your department administrator to unlock it."
)
DISABLED = N_("This account is disabled. Ask your department administrator.")
#: The default label of the single sign-on button (a configured label is shown as it is).
SSO_BUTTON = N_("Single sign-on")


def local_path(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch in target for ch in "\\\r\n\t"):
        return default
    return target


def safe_next(target: str | None, default: str = HOME) -> str:
    """Where to go after signing in: a local path other than the login page."""
    path = local_path(target, default)
    return default if path.startswith("/login") else path


def limit_sign_ins(request: Request, platform: Platform) -> None:
    """Count a sign-in attempt from the caller's address; RateLimited when there are too many."""
    limit_address(request, platform, "login")


def home_for(request: Request, user: WebUser) -> str:
    """Where a user lands: the copilot, or the first page their role opens."""
    ctx = user.context("web")
    if allowed(ctx, Permission.USE_COPILOT):
        return HOME
    pages = sorted(web_state(request).nav, key=lambda item: (item.order, item.path))
    return next((item.path for item in pages if allowed(ctx, item.permission)), HOME)


def _login_page(
    request: Request,
    platform: Platform,
    *,
    status_code: int = 200,
    email: str = "",
    error: str | None = None,
    next_path: str = "",
    **params: object,
) -> Response:
    oidc = platform.settings.auth.oidc
    return render(
        request,
        "login.html",
        status_code=status_code,
        email=email,
        error=error,
        error_params=params,
        next_path=safe_next(next_path, ""),
        oidc_enabled=oidc.enabled,
        oidc_label=oidc.button_label,
    )


@router.get("/login")
def login_form(
    request: Request,
    platform: PlatformDep,
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = "",
) -> Response:
    """The sign-in form (signed-in users go straight on)."""
    user = find_user(request)
    if user is not None:
        return RedirectResponse(safe_next(next_path, home_for(request, user)), status_code=303)
    return _login_page(request, platform, next_path=next_path)


@router.post("/login")
def login(
    request: Request,
    platform: PlatformDep,
    _form: FormCallerDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "",
) -> Response:
    """Check the password; on success start a session and set its cookie."""
    limit_sign_ins(request, platform)
    try:
        user = platform.signin.login(email, password, channel="web")
    except NotAuthenticated as exc:
        message, params = _failure(exc, platform.settings.auth.lockout_minutes)
        return _login_page(
            request,
            platform,
            status_code=400,
            email=email,
            error=message,
            next_path=next_path,
            **params,
        )
    token, session = platform.signin.start_session(user)
    signed_in = WebUser(user, session, token)
    response = RedirectResponse(safe_next(next_path, home_for(request, signed_in)), status_code=303)
    set_session_cookie(response, token, platform.settings.auth)
    return response


@router.post("/logout")
async def logout(request: Request, platform: PlatformDep) -> Response:
    """End the session on the server and forget its cookie."""
    user = find_user(request)
    if user is not None:
        await check_form(request)
        await run_in_threadpool(platform.signin.end_session, user.token)
    response = RedirectResponse("/login", status_code=303)
    clear_private_cookie(response, SESSION_COOKIE, auth=platform.settings.auth)
    return response


@router.post("/language")
def set_language(
    platform: PlatformDep,
    user: FormCallerDep,
    language: Annotated[str, Form(max_length=20)],
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "",
) -> Response:
    """Switch the UI language: remembered for the user, and in a cookie for this browser."""
    if language not in LANGUAGES:
        raise PageError(400, N_("That language is not available."))
    if user is not None:
        platform.accounts.set_language(user.context("web"), language)
    response = RedirectResponse(local_path(next_path, "/"), status_code=303)
    set_private_cookie(
        response,
        LANGUAGE_COOKIE,
        language,
        auth=platform.settings.auth,
        max_age=_LANGUAGE_COOKIE_AGE_S,
    )
    return response


def _failure(exc: NotAuthenticated, lockout_minutes: float) -> tuple[str, dict[str, object]]:
    """The plain, translatable words for a refused sign-in."""
    if "disabled" in exc.message:
        return DISABLED, {}
    if "locked" in exc.message:
        found = _MINUTES.search(exc.hint or "")
        return LOCKED, {"minutes": found.group(1) if found else f"{lockout_minutes:g}"}
    return WRONG_PASSWORD, {}
