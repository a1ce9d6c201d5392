"""Mount the web workspace on an application: pages, static files, error pages.

Each part of the web UI is a module under `govpilot.web.routes` with a `router` and,
optionally, `NAV_ITEMS` (header links, each shown to the roles its permission allows).
Adding a part is one line in WEB_ROUTERS below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from fastapi.staticfiles import StaticFiles

from govpilot.http.dependencies import attach_platform
from govpilot.platform import Platform
from govpilot.web.errors import install_page_errors
from govpilot.web.i18n import UiLanguages
from govpilot.web.render import NavItem, WebState, build_state
from govpilot.web.routes import (
    admin,
    audit,
    auth,
    bots,
    case_public,
    cases,
    collections,
    copilot,
    governance,
    jobs,
    meetings,
    opinion,
    redaction,
    reviews,
    sso,
    transparency,
)
from govpilot.web.security_headers import SecurityHeadersMiddleware
from govpilot.web.session import FormTokens, load_or_create_secret

#: The web UI's route modules (each with a `router`), in the order their routes are matched.
WEB_ROUTERS: list[ModuleType] = [
    auth,
    sso,
    copilot,
    meetings,
    opinion,
    cases,
    case_public,
    jobs,
    redaction,
    bots,
    collections,
    admin,
    audit,
    reviews,
    governance,
    transparency,
]


def mount_web(app: FastAPI, platform: Platform) -> WebState:
    """Add the web pages to `app` (called once, by `govpilot.server.create_app`), after the
    API's routes and error handlers: the page errors wrap the API's JSON ones."""
    attach_platform(app, platform)
    settings = platform.settings
    forms = FormTokens(load_or_create_secret(settings), secure_cookies=settings.auth.secure_cookies)
    state = build_state(UiLanguages.load(), forms)
    app.state.web = state
    for module in WEB_ROUTERS:
        app.include_router(module.router, include_in_schema=False)
        state.endpoints.update(_endpoints(module.router))
        nav: list[NavItem] = list(getattr(module, "NAV_ITEMS", ()))
        state.nav.extend(nav)
    app.mount("/static", CachedStaticFiles(packages=[("govpilot.web", "static")]), name="static")
    app.add_middleware(SecurityHeadersMiddleware, endpoints=state.endpoints)
    install_page_errors(app)
    return state


class CachedStaticFiles(StaticFiles):
    """Static files that browsers may keep for a day (pages link them with ?v=VERSION)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def _endpoints(router: APIRouter) -> Iterator[Callable[..., Any]]:
    """The functions answering `router`'s routes (what routing puts in scope["endpoint"])."""
    for route in router.routes:
        endpoint = getattr(route, "endpoint", None)
        if endpoint is not None:
            yield endpoint
        nested = getattr(route, "router", None)
        if isinstance(nested, APIRouter):
            yield from _endpoints(nested)
