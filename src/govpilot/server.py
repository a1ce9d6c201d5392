"""The one application serving the API and the web workspace, and `serve` to run it.

The API (`govpilot.api`) and the web workspace (`govpilot.web`) never import each other;
this module puts them together: the API's routes and JSON errors first, then the web's
pages, whose error handlers wrap the API's, then compression around both.
"""

from __future__ import annotations

import sys

from fastapi import FastAPI
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from govpilot.accounts.bootstrap import ensure_first_admin, first_start_notice
from govpilot.api.app import create_api
from govpilot.platform import Platform
from govpilot.web.mount import mount_web

_ALREADY_COMPRESSED = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pdf",
)


def create_app(platform: Platform) -> FastAPI:
    """The application serving `platform`: the API, the web workspace and their static files."""
    app = create_api(platform)
    mount_web(app, platform)
    # Pages, scripts and JSON shrink to about a third; streams and zip-based files are left
    # alone (.docx and .xlsx are compressed already).
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1000,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, *_ALREADY_COMPRESSED),
    )
    return app


def serve(platform: Platform, host: str | None = None, port: int | None = None) -> None:
    """Run the application with uvicorn until interrupted (host and port default to the
    settings)."""
    import uvicorn  # only to run: building the application needs none of it

    host, port = host or platform.settings.host, port or platform.settings.port
    password = ensure_first_admin(platform.database, platform.accounts, platform.settings)
    if password is not None:
        print(
            first_start_notice(platform.settings.home, password, host, port),
            file=sys.stderr,
            flush=True,
        )
    # Load the name recognizers' models now, not on the first request (about 1.5 s).
    platform.detector.detect("Mr Chan Tai-man 陳大文先生")
    # Work a stopped server left unfinished continues now, not at the next request: the
    # embedded queue worker's sweep sends again copilot jobs and half-indexed uploads.
    platform.job_service()
    try:
        uvicorn.run(
            create_app(platform),
            host=host,
            port=port,
            log_level="info",
        )
    finally:
        platform.shutdown()
