"""The API application: its routers, its error handlers and its OpenAPI description."""

from __future__ import annotations

from fastapi import FastAPI

from govpilot import __version__
from govpilot.api.errors import install_error_handlers
from govpilot.api.routers import (
    bots,
    cases,
    collections,
    copilot,
    governance,
    health,
    jobs,
    meetings,
    openai,
    opinion,
    privacy,
    speech,
    widget,
)
from govpilot.http.dependencies import attach_platform
from govpilot.platform import Platform

DESCRIPTION = """
govpilot's HTTP API.

* `/api/v1/...`: the document copilot (translate, summarise, draft), English and
  Traditional Chinese. Errors: `{"error": {"type", "message", "hint"}}`.
* `/api/v1/redact`, `/api/v1/redact/document`: find and redact Hong Kong personal data
  (HKID, phone, e-mail, names, addresses ...) in text or documents.
* `/api/v1/jobs`: the same work as background jobs with progress, a history and downloads.
* `/api/v1/bots`, `/api/v1/collections`: department bots and the collections they answer from.
* `/api/v1/consultations`: opinion analysis of consultation responses and pushed posts:
  stance-split themes, their review, counts and reports.
* `/api/v1/cases`: the case desk: complaints and enquiries taken in, triaged to
  departments, worked in queues and answered with replies an officer approves.
* `/v1/...`: OpenAI-compatible chat completions and models, for existing clients.
  Errors in OpenAI's shape.

Callers send an API key as `Authorization: Bearer KEY` (`govpilot keys create --user EMAIL`);
the web workspace's session cookie works too, with the `X-CSRF-Token` header on changes.
Members of the public reach only the bots' ask routes. Every model call passes the privacy
guard (personal data pseudonymised for external models, per department policy) and is
written to the audit log under the caller's account.
"""


def create_api(platform: Platform) -> FastAPI:
    """The API application serving `platform`, with its JSON errors (the web is added by
    `govpilot.server.create_app`)."""
    app = FastAPI(
        title="govpilot",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    attach_platform(app, platform)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(copilot.router)
    app.include_router(openai.router)
    app.include_router(speech.router)
    app.include_router(privacy.router)
    app.include_router(jobs.router)
    app.include_router(bots.router)
    app.include_router(collections.router)
    app.include_router(governance.router)
    app.include_router(meetings.router)
    app.include_router(opinion.router)
    app.include_router(cases.router)
    app.include_router(widget.router)
    widget.add_widget_cors(app, platform.settings.widget_origins)
    return app
