"""The FastAPI application: routers, error handlers, and `serve` for the CLI."""

from __future__ import annotations

import sys

from fastapi import FastAPI
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from govpilot import __version__
from govpilot.api.errors import install_error_handlers
from govpilot.api.routers import bots, collections, copilot, health, jobs, openai, privacy, widget
from govpilot.platform import Platform

DESCRIPTION = """
govpilot's HTTP API.

* `/api/v1/...`: the document copilot (translate, summarise, draft), English and
  Traditional Chinese. Errors: `{"error": {"type", "message", "hint"}}`.
* `/api/v1/redact`, `/api/v1/redact/document`: find and redact Hong Kong personal data
  (HKID, phone, e-mail, names, addresses ...) in text or documents.
* `/api/v1/jobs`: the same work as background jobs with progress, a history and downloads.
* `/api/v1/bots`, `/api/v1/collections`: department bots and the collections they answer from.
* `/v1/...`: OpenAI-compatible chat completions and models, for existing clients.
  Errors in OpenAI's shape.

Callers send an API key as `Authorization: Bearer KEY` (`govpilot keys create --user EMAIL`);
the web workspace's session cookie works too, with the `X-CSRF-Token` header on changes.
Members of the public reach only the bots' ask routes. Every model call passes the privacy
guard (personal data pseudonymised for external models, per department policy) and is
written to the audit log under the caller's account.
"""


_ALREADY_COMPRESSED = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pdf",
)


def create_app(platform: Platform) -> FastAPI:
    """The API application serving `platform`."""
    app = FastAPI(
        title="govpilot",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.platform = platform
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(copilot.router)
    app.include_router(openai.router)
    app.include_router(privacy.router)
    app.include_router(jobs.router)
    app.include_router(bots.router)
    app.include_router(collections.router)
    app.include_router(widget.router)
    widget.add_widget_cors(app, platform.settings.widget_origins)
    from govpilot.web.app import mount_web  # here: the web pages import parts of the API

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
    """Run the API with uvicorn until interrupted (host and port default to the settings)."""
    import uvicorn

    from govpilot.accounts.bootstrap import ensure_first_admin, first_start_notice

    host, port = host or platform.settings.host, port or platform.settings.port
    if (password := ensure_first_admin(platform)) is not None:
        print(first_start_notice(platform, password, host, port), file=sys.stderr, flush=True)
    # Load the name recognizers' models now, not on the first request (about 1.5 s).
    platform.detector.detect("Mr Chan Tai-man 陳大文先生")
    # Work a stopped server left unfinished continues now, not at the next request: copilot
    # jobs (requeued by whichever process takes the worker lock) and half-indexed uploads.
    platform.job_service()
    platform.upload_job_service()
    try:
        uvicorn.run(
            create_app(platform),
            host=host,
            port=port,
            log_level="info",
        )
    finally:
        platform.shutdown()
