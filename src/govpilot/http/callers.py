"""How callers identify themselves over HTTP, the same for the API and the web.

A browser holds the session in the cookie SESSION_COOKIE and sends the session's CSRF token
in CSRF_HEADER (or, on web forms, in a form field) with anything but a SAFE_METHODS request.
"""

from __future__ import annotations

from fastapi import Request

SESSION_COOKIE = "govpilot_session"
CSRF_HEADER = "X-CSRF-Token"
#: Requests that change nothing: no CSRF token is asked for.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def client_host(request: Request) -> str:
    """The caller's address as the server sees it ("unknown" when the server is not told)."""
    return request.client.host if request.client else "unknown"
