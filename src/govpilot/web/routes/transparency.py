"""/transparency: the public summary (tier 1) of every department's AI applications, or one
department's, in the page's language; /transparency.json: every application's tier-1 and
tier-2 records. No sign-in, like the login page: only what a department would publish.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from govpilot.governance.transparency import public_applications, transparency_record
from govpilot.http.dependencies import PlatformDep
from govpilot.platform import Platform
from govpilot.web.i18n import CHINESE
from govpilot.web.render import page_language, render, translate
from govpilot.web.routes.governance_labels import AFFECTED_LABELS, STAGE_LABELS

router = APIRouter()


def _records(platform: Platform, department: str | None) -> list[dict[str, Any]]:
    apps = public_applications(platform.database, department)
    cards = platform.model_cards
    return [transparency_record(platform.database, app, cards) for app in apps]


def _summary(request: Request, record: dict[str, Any]) -> dict[str, str]:
    """A record's tier-1 summary, in the page's language."""
    language = CHINESE if page_language(request) == CHINESE else "en"
    tier_1, assessment = record["tier_1"], record["tier_2"]["impact_assessment"]

    def pick(values: dict[str, str]) -> str:
        return values.get(language) or values.get("en", "")

    return {
        "id": record["id"],
        "name": pick(tier_1["name"]) or tier_1["name"]["en"],
        "department": tier_1["department"],
        "description": tier_1["description"],
        "affected": translate(
            request, AFFECTED_LABELS.get(tier_1["who_is_affected"], tier_1["who_is_affected"])
        ),
        "oversight": pick(tier_1["human_oversight"]),
        "risk_level": pick(assessment["risk_level_text"]),
        "stage": translate(request, STAGE_LABELS.get(tier_1["stage"], tier_1["stage"])),
        "contact": tier_1["contact"],
    }


def _page(request: Request, platform: Platform, department: str | None) -> Response:
    records = _records(platform, department)
    return render(
        request,
        "governance/transparency.html",
        department=department,
        applications=[_summary(request, r) for r in records],
    )


@router.get("/transparency.json")
def transparency_json(platform: PlatformDep) -> Response:
    """Every department's public records, tier 1 and tier 2."""
    return JSONResponse({"applications": _records(platform, None)})


@router.get("/transparency")
def transparency_page(request: Request, platform: PlatformDep) -> Response:
    """Every department's AI applications, as the public sees them."""
    return _page(request, platform, None)


@router.get("/transparency/{department}")
def department_page(request: Request, platform: PlatformDep, department: str) -> Response:
    """One department's AI applications, as the public sees them."""
    return _page(request, platform, department)
