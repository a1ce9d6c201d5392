"""Shared HTTP helpers for the API and the web workspace (neither imports the other).

    dependencies  the Platform an application serves (`PlatformDep`), set by `attach_platform`
    callers       how callers identify themselves: the session cookie, the CSRF header
    limits        the application's request limiter: per account, per address
    errors        carrying a GovpilotError through code that lets only HTTPException pass
    uploads       size limits on requests, reading uploads into bytes and Documents
    downloads     output formats and files sent back as attachments

Nothing here imports `govpilot.api`, `govpilot.web`, `govpilot.cli` or `govpilot.server`.
"""
