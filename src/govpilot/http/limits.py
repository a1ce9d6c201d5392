"""The application's request limiter: each account held to its department's rate, and
callers without one (members of the public, sign-in attempts) to one rate per address."""

from __future__ import annotations

from fastapi import Request

from govpilot.accounts.limits import Limiter, build_limiter
from govpilot.accounts.models import User
from govpilot.http.callers import client_host
from govpilot.http.dependencies import platform_of
from govpilot.platform import Platform


def request_limiter(request: Request) -> Limiter:
    """The application's request limiter (one per app, made on first use): shared through
    Redis when `auth.limits_url` is set, else this process's own."""
    state = request.app.state
    if getattr(state, "limiter", None) is None:
        state.limiter = build_limiter(platform_of(request).settings.auth.limits_url)
    limiter: Limiter = state.limiter
    return limiter


def limit_account(request: Request, platform: Platform, user: User, key: str) -> None:
    """Count one request under `key` against `user`'s department's requests per minute."""
    per_minute = platform.accounts.requests_per_minute(user.department)
    request_limiter(request).check(key, per_minute)


def limit_address(request: Request, platform: Platform, purpose: str) -> None:
    """Count one request from the caller's address (as `purpose:ADDRESS`) against the
    platform's requests per minute; RateLimited when over."""
    per_minute = platform.settings.auth.requests_per_minute
    request_limiter(request).check(f"{purpose}:{client_host(request)}", per_minute)
