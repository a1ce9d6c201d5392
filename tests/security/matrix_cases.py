"""The case desk's part of the route matrix: a case of HAD's desk and the requests that
aim at it (kept apart from matrix_support, which is long enough)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govpilot.access import CallContext, Role
from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.capabilities.cases.intake import Submission
from govpilot.platform import Platform

RequestFactory = Callable[[Any, str], dict[str, Any]]


def add_case(platform: Platform, department: str) -> tuple[str, str]:
    """A case taken in by `department`'s desk and routed to it; (its id, its reference)."""
    if platform.opinion_embedder is None:
        platform.opinion_embedder = HashingEmbedder()
    setup = CallContext("setup@test", department, "cases", role=Role.PLATFORM_ADMIN.value)
    desk = platform.case_desk
    case = desk.intake.submit(
        setup, Submission(text="The street light outside the library is broken.", channel="api")
    )
    if case.department != department:
        case = desk.work.route(setup, case.id, department, reason="the matrix's case")
    return case.id, case.reference


def fresh_draft(platform: Platform, case_id: str) -> str:
    """A new acknowledgement draft of the case; its id."""
    setup = CallContext("setup@test", "HAD", "cases", role=Role.PLATFORM_ADMIN.value)
    return platform.case_desk.replies.draft(setup, case_id, "acknowledgement").id


def _case(w: Any) -> str:
    return str(w.case_id)


CASE_REQUESTS: dict[tuple[str, str], RequestFactory] = {
    # -- the API --
    ("POST", "/api/v1/cases"): lambda w, c: {"url": "/api/v1/cases", "json": {"text": " "}},
    ("POST", "/api/v1/cases/email"): lambda w, c: {
        "url": "/api/v1/cases/email",
        "files": {"file": ("m.eml", b"not an e-mail", "message/rfc822")},
    },
    ("POST", "/api/v1/cases/triage"): lambda w, c: {
        "url": "/api/v1/cases/triage",
        "json": {"text": ""},
    },
    ("GET", "/api/v1/cases"): lambda w, c: {"url": "/api/v1/cases?queue=open"},
    ("GET", "/api/v1/cases/departments"): lambda w, c: {"url": "/api/v1/cases/departments"},
    ("GET", "/api/v1/cases/analytics"): lambda w, c: {"url": "/api/v1/cases/analytics"},
    ("GET", "/api/v1/cases/analytics.csv"): lambda w, c: {"url": "/api/v1/cases/analytics.csv"},
    ("GET", "/api/v1/cases/{case_id}"): lambda w, c: {"url": f"/api/v1/cases/{_case(w)}"},
    ("POST", "/api/v1/cases/{case_id}/route"): lambda w, c: {
        "url": f"/api/v1/cases/{_case(w)}/route",
        "json": {"department": "HAD", "version": 0},
    },
    ("POST", "/api/v1/cases/{case_id}/assign"): lambda w, c: {
        "url": f"/api/v1/cases/{_case(w)}/assign",
        "json": {"assignee": "x", "version": 0},
    },
    ("POST", "/api/v1/cases/{case_id}/notes"): lambda w, c: {
        "url": f"/api/v1/cases/{_case(w)}/notes",
        "json": {"text": "A note."},
    },
    ("POST", "/api/v1/cases/{case_id}/close"): lambda w, c: {
        "url": f"/api/v1/cases/{_case(w)}/close",
        "json": {"version": 0},
    },
    ("POST", "/api/v1/cases/{case_id}/reopen"): lambda w, c: {
        "url": f"/api/v1/cases/{_case(w)}/reopen",
        "json": {"reason": "again"},  # the case is open: 409
    },
    ("POST", "/api/v1/cases/{case_id}/replies"): lambda w, c: {
        "url": f"/api/v1/cases/{_case(w)}/replies",
        "json": {"kind": "acknowledgement"},
    },
    ("PATCH", "/api/v1/cases/{case_id}/replies/{reply_id}"): lambda w, c: {
        "url": f"/api/v1/cases/{_case(w)}/replies/{fresh_draft(w.platform, _case(w))}",
        "json": {"body": "Dear Sir or Madam"},
    },
    ("POST", "/api/v1/cases/{case_id}/replies/{reply_id}/approve"): lambda w, c: {
        "url": f"/api/v1/cases/{_case(w)}/replies/{fresh_draft(w.platform, _case(w))}/approve"
    },
    ("POST", "/api/v1/cases/{case_id}/replies/{reply_id}/send"): lambda w, c: {
        # A draft cannot be sent: 409 where the caller may reach it.
        "url": f"/api/v1/cases/{_case(w)}/replies/{fresh_draft(w.platform, _case(w))}/send"
    },
    # -- the web: officers --
    ("GET", "/cases"): lambda w, c: {"url": "/cases"},
    ("POST", "/cases"): lambda w, c: {"url": "/cases", "data": {"text": ""}},
    ("POST", "/cases/email"): lambda w, c: {"url": "/cases/email", "data": {}},
    ("GET", "/cases/analytics"): lambda w, c: {"url": "/cases/analytics"},
    ("GET", "/cases/analytics.csv"): lambda w, c: {"url": "/cases/analytics.csv"},
    ("GET", "/cases/{case_id}"): lambda w, c: {"url": f"/cases/{_case(w)}"},
    ("POST", "/cases/{case_id}/route"): lambda w, c: {
        "url": f"/cases/{_case(w)}/route",
        "data": {"department": "HAD", "version": "0"},
    },
    ("POST", "/cases/{case_id}/assign"): lambda w, c: {
        "url": f"/cases/{_case(w)}/assign",
        "data": {"assignee": "x", "version": "0"},
    },
    ("POST", "/cases/{case_id}/note"): lambda w, c: {
        "url": f"/cases/{_case(w)}/note",
        "data": {"text": ""},
    },
    ("POST", "/cases/{case_id}/status"): lambda w, c: {
        "url": f"/cases/{_case(w)}/status",
        "data": {"action": "close", "version": "0"},
    },
    ("POST", "/cases/{case_id}/replies"): lambda w, c: {
        "url": f"/cases/{_case(w)}/replies",
        "data": {"kind": "nope"},
    },
    ("POST", "/cases/{case_id}/replies/{reply_id}"): lambda w, c: {
        "url": f"/cases/{_case(w)}/replies/{fresh_draft(w.platform, _case(w))}",
        "data": {"action": "save", "body": ""},
    },
    # -- the web: the public --
    ("GET", "/report"): lambda w, c: {"url": "/report"},
    ("POST", "/report"): lambda w, c: {"url": "/report", "data": {"text": ""}},
    ("GET", "/report/status"): lambda w, c: {"url": "/report/status"},
    ("POST", "/report/status"): lambda w, c: {
        "url": "/report/status",
        "data": {"reference": w.case_reference},
    },
}
