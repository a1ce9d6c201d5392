"""Errors on web pages are pages: plain words in the user's language, never JSON.

    NotAuthenticated (401)   redirect to /login (htmx requests: an HX-Redirect header)
    PermissionDenied (403)   "your role does not allow this"
    NotFound (404)           "no such page" (also another department's job)
    RateLimited (429)        "wait N seconds", with Retry-After
    other errors             a page for the status; the service's own message as a detail

`install_page_errors` wraps the JSON handlers installed before it (the API's): a request
that a web route answered (or a browser asking for an unknown page) gets a page, every other
request the API's answer.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from govpilot.errors import GovpilotError, NotAuthenticated, RateLimited
from govpilot.http.errors import carried_error
from govpilot.web.i18n import N_
from govpilot.web.render import here, render, web_state
from govpilot.web.security_headers import SECURITY_HEADERS, is_web_scope

logger = logging.getLogger("govpilot.web")

#: Paths that never get an HTML error page, even for a browser.
_API_PREFIXES = ("/api/", "/v1/", "/docs", "/redoc", "/openapi.json", "/widget", "/health")

_PAGES: dict[int, tuple[str, str]] = {
    400: (
        N_("This cannot be used"),
        N_("Something in the form could not be used. Go back, check it and try again."),
    ),
    403: (
        N_("Not allowed"),
        N_("Your role does not allow this. If you need it, ask your department administrator."),
    ),
    404: (
        N_("Page not found"),
        N_("There is no such page, or it belongs to another department."),
    ),
    409: (N_("Not ready yet"), N_("This is not finished yet. Wait a moment and reload the page.")),
    413: (
        N_("Too large"),
        N_("The file or text is over the size limit. Split it into smaller parts."),
    ),
    415: (
        N_("File type not supported"),
        N_("Use a .txt, .md, .html, .docx or .pdf file."),
    ),
    422: (
        N_("The file cannot be read"),
        N_("It may be damaged, protected by a password, or a scan without text."),
    ),
    429: (N_("Too many requests"), N_("Please wait %(seconds)s seconds and try again.")),
    500: (
        N_("Something went wrong"),
        N_(
            "The server could not finish this. Try again later; if it keeps happening, "
            "give the reference %(reference)s to your administrator."
        ),
    ),
    502: (
        N_("The language model did not answer properly"),
        N_("Try again in a few minutes. If it keeps happening, tell your administrator."),
    ),
    503: (
        N_("The language model is not available"),
        N_("Try again in a few minutes. If it keeps happening, tell your administrator."),
    ),
}


class PageError(GovpilotError):
    """An error page with a message of its own (an English msgid, with %(name)s params)."""

    def __init__(
        self, status_code: int, message: str, *, title: str | None = None, **params: object
    ) -> None:
        super().__init__(message % params if params else message)
        self.status_code = status_code
        self.msgid = message
        self.title = title
        self.params = params


def is_page_request(request: Request) -> bool:
    """True if this request should get an HTML page rather than the API's JSON."""
    if is_web_scope(request.scope, web_state(request).endpoints):
        return True
    if request.scope.get("endpoint") is not None or request.method not in ("GET", "HEAD"):
        return False
    path = request.url.path
    accepts_html = "text/html" in request.headers.get("accept", "")
    return accepts_html and not path.startswith(_API_PREFIXES)


def error_page(
    request: Request,
    status_code: int,
    *,
    message: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    params: dict[str, object] | None = None,
) -> Response:
    """The error page for `status_code`, or `message` (an English msgid) in its place."""
    default_title, default_message = _PAGES.get(
        status_code, _PAGES[500 if status_code >= 500 else 400]
    )
    try:
        return render(
            request,
            "errors/error.html",
            status_code=status_code,
            headers={**SECURITY_HEADERS, **(headers or {})},
            status=status_code,
            title=title or default_title,
            message=message or default_message,
            params=params or {},
            detail=detail,
        )
    except Exception:  # the page itself failed (database down ...): still answer plainly
        logger.exception("the error page for %s could not be rendered", status_code)
        return PlainTextResponse(f"Error {status_code}", status_code, headers=SECURITY_HEADERS)


def sign_in_redirect(request: Request) -> Response:
    """Send the browser to the login page, and back here afterwards."""
    target = "/login"
    if request.method == "GET" and request.url.path not in ("/", "/login"):
        target += "?next=" + quote(here(request), safe="/")
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target, **SECURITY_HEADERS})
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)


def page_for(request: Request, exc: Exception) -> Response:
    """The page for an exception raised while answering a web request."""
    if isinstance(exc, StarletteHTTPException) and (carried := carried_error(exc)) is not None:
        exc = carried  # an ErrorAsHTTPException: answer the error it carries
    if isinstance(exc, NotAuthenticated):
        return sign_in_redirect(request)
    if isinstance(exc, PageError):
        return error_page(
            request, exc.status_code, message=exc.msgid, title=exc.title, params=exc.params
        )
    if isinstance(exc, RateLimited):
        wait = str(exc.retry_after)
        return error_page(request, 429, headers={"Retry-After": wait}, params={"seconds": wait})
    if isinstance(exc, GovpilotError):
        status = exc.status_code
        if status >= 500:
            return _server_error(request, exc, status)
        return error_page(request, status, detail=exc.message)
    if isinstance(exc, RequestValidationError):
        fields = sorted({str(e.get("loc", ("", ""))[-1]) for e in exc.errors()})
        return error_page(request, 400, detail=", ".join(fields))
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code < 500:
            return error_page(request, exc.status_code)
        return _server_error(request, exc, exc.status_code)
    return _server_error(request, exc, 500)


def _server_error(request: Request, exc: Exception, status: int) -> Response:
    reference = uuid.uuid4().hex[:12]
    logger.error("web error %s in %s %s", reference, request.method, request.url.path, exc_info=exc)
    return error_page(request, status, params={"reference": reference})


Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def install_page_errors(app: FastAPI) -> None:
    """Answer web requests' errors with pages; leave the API's handlers for the rest."""
    for kind in (GovpilotError, RequestValidationError, StarletteHTTPException, Exception):
        original: Handler | None = app.exception_handlers.get(kind)
        app.add_exception_handler(kind, _dispatcher(original))


def _dispatcher(original: Handler | None) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        if is_page_request(request) or original is None:
            return page_for(request, exc)
        answer = original(request, exc)
        if inspect.isawaitable(answer):
            answer = await answer
        return answer

    return handle
