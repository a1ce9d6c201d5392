"""The document copilot's API under /api/v1: translate, summarise, draft and templates."""

from __future__ import annotations

from fastapi import APIRouter

from govpilot.api.routers import draft, summarise, translate
from govpilot.api.schemas.errors import ERROR_RESPONSES

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX, responses=ERROR_RESPONSES)
router.include_router(translate.router)
router.include_router(summarise.router)
router.include_router(draft.router)
