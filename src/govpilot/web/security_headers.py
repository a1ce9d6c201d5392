"""Response headers that keep web pages from being framed, sniffed or fed foreign scripts.

The policy allows scripts, styles, images and form posts from this origin only, and no
inline script or style: page behaviour lives in files under /static. The API's own routes
(and its /docs page, which needs Swagger's inline script) are left as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_PREFIX = "/static/"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def is_web_scope(scope: Scope, endpoints: Collection[Callable[..., Any]]) -> bool:
    """True for a request that a web route answered (or the web's static files)."""
    if scope.get("endpoint") in endpoints:
        return True
    path: str = scope.get("path", "")
    return path.startswith(STATIC_PREFIX)


def add_security_headers(headers: MutableHeaders) -> None:
    """Set the page headers (leaving any a route set itself)."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)


class SecurityHeadersMiddleware:
    """Adds SECURITY_HEADERS to the responses of web routes and static files."""

    def __init__(self, app: ASGIApp, endpoints: Collection[Callable[..., Any]]) -> None:
        self.app = app
        self.endpoints = endpoints

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            # Routing writes the matched endpoint into this same scope before the response.
            if message["type"] == "http.response.start" and is_web_scope(scope, self.endpoints):
                add_security_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)
