"""The body of the API's errors, and the OpenAPI `responses` entry every /api route shares."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    """What went wrong and what to do next."""

    type: str = Field(description="The error's class, e.g. InputTooLarge", examples=["NotFound"])
    message: str
    hint: str | None = Field(default=None, description="What to do next")


class ErrorResponse(BaseModel):
    """The body of every error response under /api."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in [
        (400, "The input cannot be used as given"),
        (404, "No template or model of that name"),
        (413, "Over the upload or text size limit"),
        (415, "Not a file type govpilot reads"),
        (422, "Invalid request, or a damaged or empty document"),
        (503, "The model is unavailable"),
    ]
}
