"""One router per resource; `copilot` gathers the document copilot's under /api/v1."""
