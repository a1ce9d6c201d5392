"""FastAPI dependencies: the Platform, and who is calling."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Header, Request

from govpilot.guard import CallContext
from govpilot.platform import Platform

USER_HEADER = "X-Govpilot-User"
DEPARTMENT_HEADER = "X-Govpilot-Department"


def get_platform(request: Request) -> Platform:
    """The Platform that `create_app` stored on the application."""
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def get_caller(
    request: Request,
    platform: PlatformDep,
    user: Annotated[
        str | None,
        Header(
            alias=USER_HEADER,
            max_length=200,
            description="Who is calling, for the audit log (default: anonymous@<client ip>)",
        ),
    ] = None,
    department: Annotated[
        str | None,
        Header(
            alias=DEPARTMENT_HEADER,
            max_length=100,
            description="The caller's department (default: the server's configured one)",
        ),
    ] = None,
) -> CallContext:
    """Who is calling, from the request headers.

    The headers are trusted as given: this is the one function that accounts and API keys
    will replace, so every route gets its caller through `CallerDep`.
    """
    actor = _utf8(user)
    if not actor:
        host = request.client.host if request.client else "unknown"
        actor = f"anonymous@{host}"
    return CallContext(
        actor=actor,
        department=_utf8(department) or platform.settings.department,
        capability="api",
        channel="api",
        # One pseudonym vault per request: a document's segments share placeholders.
        session=uuid.uuid4().hex,
    )


CallerDep = Annotated[CallContext, Depends(get_caller)]


def acting_as(caller: CallContext, capability: str) -> CallContext:
    """The caller's context for one capability (recorded as the audit event's action)."""
    return replace(caller, capability=capability)


def _utf8(value: str | None) -> str:
    # HTTP headers arrive decoded as Latin-1; clients send names such as 陳大文 as UTF-8.
    if not value:
        return ""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("latin-1").decode("utf-8")
    return value.strip()
