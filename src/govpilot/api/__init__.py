"""The HTTP API: the document copilot under /api/v1, OpenAI-compatible routes under /v1.

`govpilot.api.app.create_api(platform)` builds it; `govpilot.server.create_app` adds the
web workspace to it and is what `govpilot serve` runs.
"""
