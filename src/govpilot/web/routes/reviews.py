"""/governance/reviews: the human review queue, and one item to decide.

The queue lists what the reviewer may see (a department admin: the department's items; an
officer: the applications it is assigned to review; auditors: every department's, read
only). An item's page shows the question, the answer as stored, its citations with the
passages, and the verdict form: approve, reject, or correct with the right answer. After a
verdict the page goes straight to the next item in the queue, so a reviewer clears it
without going back to the list. Someone deciding the item first is said plainly, with the
next item to take.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from govpilot.access import CallContext, Permission, Role, allowed
from govpilot.errors import Conflict, InputError, NotFound
from govpilot.governance.reviews import ReviewItem
from govpilot.http.dependencies import PlatformDep
from govpilot.platform import Platform
from govpilot.web.i18n import N_
from govpilot.web.render import NavItem, page_language, render
from govpilot.web.routes.governance import FormDep, Notice, labeller
from govpilot.web.session import WebUserDep

router = APIRouter()

NAV_ITEMS = [NavItem("/governance/reviews", N_("Reviews"), Permission.REVIEW_OUTPUTS, order=89)]
CAPABILITY = "governance"
STATUSES = ("pending", "approved", "rejected", "corrected")
NOTICES = {
    "decided": N_("The verdict is saved."),
    "done": N_("The verdict is saved. The queue is clear."),
}
Status = Annotated[str, Query(max_length=20)]
AppFilter = Annotated[str, Query(max_length=64)]


def _names(platform: Platform, ctx: CallContext, language: str) -> dict[str, str]:
    return {app.id: app.name(language) for app in platform.register.list(ctx)}


def _next_pending(
    platform: Platform, ctx: CallContext, app_id: str, *, skip: str = ""
) -> ReviewItem | None:
    """The oldest pending item the caller may decide (other than `skip`)."""
    for item in platform.reviews.queue(ctx, application_id=app_id or None):
        if item.id != skip:
            return item
    return None


def _item_url(item: ReviewItem, app_id: str, notice: str = "") -> str:
    query = {k: v for k, v in (("app", app_id), ("notice", notice)) if v}
    suffix = f"?{urlencode(query)}" if query else ""
    return f"/governance/reviews/{quote(item.id)}{suffix}"


@router.get("/governance/reviews")
def queue_page(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    status: Status = "pending",
    app: AppFilter = "",
    notice: Notice = "",
) -> Response:
    """The items of one status (pending first), oldest first, optionally of one application."""
    ctx = web.context(CAPABILITY)
    if status not in STATUSES:
        status = "pending"
    items = platform.reviews.queue(ctx, status=status, application_id=app or None)
    language = page_language(request)
    return render(
        request,
        "governance/reviews.html",
        items=items,
        names=_names(platform, ctx, language),
        status=status,
        statuses=STATUSES,
        app_filter=app,
        label=labeller(request),
        notice=NOTICES.get(notice),
    )


def _item_page(
    request: Request,
    platform: Platform,
    ctx: CallContext,
    item: ReviewItem,
    app_id: str,
    *,
    error: str | None = None,
    notice: str = "",
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    language = page_language(request)
    app = platform.register.entry(item.application_id)
    following = _next_pending(platform, ctx, app_id, skip=item.id)
    return render(
        request,
        "governance/review.html",
        item=item,
        app=app,
        app_name=app.name(language),
        app_filter=app_id,
        next_item=following,
        next_url=_item_url(following, app_id) if following else None,
        can_decide=item.status == "pending"
        and allowed(ctx, Permission.REVIEW_OUTPUTS, item.department)
        and (ctx.role != Role.OFFICER.value or ctx.actor in app.reviewers)
        and not (item.reason == "approval" and item.owner == ctx.actor),  # not one's own
        form=form or {"verdict": "", "note": "", "correction": ""},
        label=labeller(request),
        error=error,
        notice=NOTICES.get(notice),
        status_code=status_code,
    )


@router.get("/governance/reviews/{item_id}")
def item_page(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    item_id: str,
    app: AppFilter = "",
    notice: Notice = "",
) -> Response:
    """One item: question, answer, citations and passages; the verdict form while pending."""
    ctx = web.context(CAPABILITY)
    item = platform.reviews.item(ctx, item_id)  # NotFound for another department's
    return _item_page(request, platform, ctx, item, app, notice=notice)


@router.post("/governance/reviews/{item_id}")
def decide(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    form: FormDep,
    item_id: str,
    app: AppFilter = "",
) -> Response:
    """Save the verdict and go to the next pending item (the queue when none is left)."""
    ctx = web.context(CAPABILITY)
    sent = {name: str(form.get(name, "")).strip() for name in ("verdict", "note", "correction")}
    reviews = platform.reviews
    try:
        decided = reviews.decide(
            ctx, item_id, sent["verdict"], note=sent["note"], correction=sent["correction"]
        )
    except Conflict as exc:  # someone decided it first: show their verdict, no form
        item = reviews.item(ctx, item_id)
        return _item_page(request, platform, ctx, item, app, error=str(exc), status_code=409)
    except InputError as exc:
        if isinstance(exc, NotFound):
            raise
        item = reviews.item(ctx, item_id)
        return _item_page(
            request, platform, ctx, item, app, error=str(exc), form=sent, status_code=400
        )
    following = _next_pending(platform, ctx, app, skip=decided.id)
    if following is None:
        query = urlencode({k: v for k, v in (("app", app), ("notice", "done")) if v})
        return RedirectResponse(f"/governance/reviews?{query}", status_code=303)
    return RedirectResponse(_item_url(following, app, "decided"), status_code=303)
