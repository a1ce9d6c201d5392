"""Carrying a GovpilotError through code that lets only HTTPException pass (body parsing),
so that the API's JSON handlers and the web's error pages both answer the error itself."""

from __future__ import annotations

from fastapi import HTTPException

from govpilot.errors import GovpilotError


class ErrorAsHTTPException(HTTPException):
    """Carries a GovpilotError through code that lets only HTTPException pass (body parsing)."""

    def __init__(self, error: GovpilotError) -> None:
        super().__init__(status_code=error.status_code, detail=error.message)
        self.error = error


def carried_error(exc: Exception) -> GovpilotError | None:
    """The GovpilotError that `exc` carries (an ErrorAsHTTPException's), if any."""
    error = getattr(exc, "error", None)
    return error if isinstance(error, GovpilotError) else None
