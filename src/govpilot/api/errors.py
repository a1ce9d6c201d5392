"""Every error leaves the API as JSON, in govpilot's shape or, under /v1, in OpenAI's.

govpilot shape:  {"error": {"type": "InputTooLarge", "message": "...", "hint": "..."}}
OpenAI shape:    {"error": {"message": "...", "type": "invalid_request_error",
                            "param": null, "code": "input_too_large", "hint": "..."}}

OpenAI-compatible clients parse the second shape; `hint` is an extra key they ignore.
"""

from __future__ import annotations

import logging
import re
import uuid
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from govpilot.errors import GovpilotError, NotAuthenticated, NotFound, RateLimited
from govpilot.http.errors import carried_error

logger = logging.getLogger("govpilot.api")

OPENAI_PREFIX = "/v1/"
_VALIDATION_HINT = "Check the request against the schema at /docs."


def error_body(exc: GovpilotError) -> dict[str, Any]:
    """govpilot's JSON error body for an error."""
    return {"error": {"type": type(exc).__name__, "message": exc.message, "hint": exc.hint}}


def openai_error_body(
    message: str,
    status_code: int,
    *,
    code: str | None,
    param: str | None = None,
    hint: str | None = None,
) -> dict[str, Any]:
    """OpenAI's JSON error body (also sent as the data of an SSE error event)."""
    kind = "invalid_request_error" if status_code < 500 else "server_error"
    error: dict[str, Any] = {"message": message, "type": kind, "param": param, "code": code}
    if hint:
        error["hint"] = hint
    return {"error": error}


def openai_error_for(exc: GovpilotError) -> dict[str, Any]:
    """OpenAI's error body for a GovpilotError; an unknown model gets OpenAI's own code."""
    code = "model_not_found" if isinstance(exc, NotFound) else _snake(type(exc).__name__)
    return openai_error_body(exc.message, exc.status_code, code=code, hint=exc.hint)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every exception into a JSON error response."""
    app.add_exception_handler(GovpilotError, _govpilot_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)


def is_openai_path(request: Request) -> bool:
    """True for the OpenAI-compatible routes, which answer errors in OpenAI's shape."""
    path: str = request.scope.get("path", "")
    root: str = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.startswith(OPENAI_PREFIX)


async def _govpilot_error(request: Request, exc: GovpilotError) -> JSONResponse:
    if exc.status_code >= 500:
        logger.warning("%s %s failed: %r", request.method, request.url.path, exc)
    body = openai_error_for(exc) if is_openai_path(request) else error_body(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # Never echo the input back: it may be a long document or personal data.
    problems: list[dict[str, Any]] = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors()
    ]
    listed = "; ".join(f"{'.'.join(p['loc'])}: {p['msg']}" for p in problems[:5])
    message = f"invalid request: {listed}" if listed else "invalid request"
    if is_openai_path(request):
        param = ".".join(problems[0]["loc"][1:]) if problems else None
        body = openai_error_body(
            message, 422, code="invalid_request", param=param or None, hint=_VALIDATION_HINT
        )
    else:
        body = {
            "error": {
                "type": "RequestValidationError",
                "message": message,
                "hint": _VALIDATION_HINT,
                "details": problems,
            }
        }
    return JSONResponse(body, status_code=422)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if (error := carried_error(exc)) is not None:  # an ErrorAsHTTPException
        return await _govpilot_error(request, error)
    phrase = _phrase(exc.status_code)
    message = str(exc.detail) if exc.detail else phrase
    if is_openai_path(request):
        body = openai_error_body(message, exc.status_code, code=_snake(phrase.replace(" ", "")))
    else:
        body = {"error": {"type": phrase.replace(" ", ""), "message": message, "hint": None}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    reference = uuid.uuid4().hex[:12]
    logger.exception(
        "unexpected error %s in %s %s", reference, request.method, request.url.path, exc_info=exc
    )
    message = f"Internal server error (reference {reference})."
    hint = "Try again later; if it persists, give the reference to your administrator."
    if is_openai_path(request):
        body = openai_error_body(message, 500, code="internal_error", hint=hint)
    else:
        body = {"error": {"type": "InternalServerError", "message": message, "hint": hint}}
    return JSONResponse(body, status_code=500)


def _phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
