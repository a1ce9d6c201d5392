"""The Platform an application serves, for the routes of the API and the web alike.

`attach_platform` stores it on the application (`govpilot.server.create_app` does, through
the API); routes ask for it with `PlatformDep`, other code holding a request with
`platform_of(request)`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from govpilot.platform import Platform


def attach_platform(app: FastAPI, platform: Platform) -> None:
    """Make `platform` the one that `app`'s routes are served by."""
    app.state.platform = platform


def platform_of(request: Request) -> Platform:
    """The Platform of the application answering `request`."""
    platform: Platform = request.app.state.platform
    return platform


async def get_platform(request: Request) -> Platform:
    """The Platform, as a dependency (async: it is read on the event loop, no thread)."""
    return platform_of(request)


#: A route's `platform: PlatformDep` parameter: the Platform that serves the application.
PlatformDep = Annotated[Platform, Depends(get_platform)]
