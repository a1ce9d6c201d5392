"""Liveness: answers without touching a model, for load balancers and monitoring."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from govpilot import __version__

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


@router.get("/health", response_model=Health)
async def health() -> Health:
    """The server is up; which govpilot version it runs."""
    return Health(version=__version__)
