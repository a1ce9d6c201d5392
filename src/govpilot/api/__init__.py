"""The HTTP API: the document copilot under /api/v1, OpenAI-compatible routes under /v1."""

from govpilot.api.app import create_app, serve

__all__ = ["create_app", "serve"]
