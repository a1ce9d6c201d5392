"""The document copilot's API under /api/v1: translate, summarise, draft and templates."""

from __future__ import annotations

from fastapi import APIRouter

from govpilot.api.routers import draft, summarise, translate

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)
router.include_router(translate.router)
router.include_router(summarise.router)
router.include_router(draft.router)
