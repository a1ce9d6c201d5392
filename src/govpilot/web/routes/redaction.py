"""/redact: paste a text, get it back with personal data replaced and a table of what was
found, by type and count.

No model is called. Like the API's /api/v1/redact, every redaction is audited as "redact"
with the counts per type, never the values; the text is neither stored nor logged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from govpilot.access import Permission
from govpilot.capabilities.redaction import CAPABILITY
from govpilot.errors import InputError
from govpilot.http.dependencies import platform_of
from govpilot.http.uploads import check_text_size
from govpilot.privacy.documents import TYPE_LABELS
from govpilot.privacy.entities import PII_TYPES, count_by_type, parse_pii_types
from govpilot.privacy.operators import OPERATORS, OperatorName, parse_operator
from govpilot.web.i18n import CHINESE, N_
from govpilot.web.render import NavItem, page_language, render
from govpilot.web.session import WebUserDep

router = APIRouter()

NAV_ITEMS = [NavItem("/redact", N_("Redact"), Permission.USE_COPILOT, order=40)]
OPERATOR_LABELS: dict[str, str] = {
    "placeholder": N_("Type placeholders, e.g. [HKID]"),
    "mask": N_("Mask with asterisks"),
    "pseudonymise": N_("Numbered pseudonyms, e.g. [PERSON_1]"),
    "hash": N_("Salted hash of each value"),
}


def type_label(request: Request, pii_type: str) -> str:
    """A personal data type's name in the page's language."""
    english, chinese = TYPE_LABELS.get(pii_type, (pii_type, pii_type))
    return chinese if page_language(request) == CHINESE else english


def _page(
    request: Request,
    *,
    text: str = "",
    operator: str = "placeholder",
    types: list[str] | None = None,
    redacted: str | None = None,
    counts: dict[str, int] | None = None,
    error: str | None = None,
) -> Response:
    return render(
        request,
        "redaction/index.html",
        text=text,
        operator=operator,
        operators=[(name, OPERATOR_LABELS[name]) for name in OPERATORS],
        types=types or [],
        all_types=[(name, type_label(request, name)) for name in PII_TYPES],
        redacted=redacted,
        found=[(name, type_label(request, name), n) for name, n in (counts or {}).items()],
        total=sum((counts or {}).values()),
        error=error,
        status_code=400 if error else 200,
    )


@router.get("/redact")
def redact_page(request: Request, web: WebUserDep) -> Response:
    """The form: a text, how to replace what is found, and which types to look for."""
    platform_of(request).redaction.authorize(web.context(CAPABILITY))
    return _page(request)


@router.post("/redact")
def redact(
    request: Request,
    web: WebUserDep,
    text: Annotated[str, Form()] = "",
    operator: Annotated[str, Form(max_length=20)] = "placeholder",
    types: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """The text with personal data replaced, and how many of each type were found."""
    platform = platform_of(request)
    ctx = web.context(CAPABILITY)
    service = platform.redaction
    service.authorize(ctx)
    chosen: OperatorName = "placeholder"
    wanted: list[str] | None = None
    try:
        chosen = parse_operator(operator)
        wanted = parse_pii_types(types)
        if not text.strip():
            raise InputError("there is no text to redact", hint="paste a text into the box")
        check_text_size(platform.settings, text)
    except InputError as exc:
        return _page(request, text=text, operator=chosen, types=wanted, error=str(exc))
    redaction = service.redact_text(ctx, text, chosen, wanted)
    return _page(
        request,
        text=text,
        operator=chosen,
        types=wanted,
        redacted=redaction.text,
        counts=count_by_type(redaction.findings),
    )
