"""Every route of the application (API and web) against every kind of caller.

The table below is written out by hand, not computed from `accounts/roles.py`: a new route
makes `test_every_route_has_a_decision` fail until someone decides who may call it, and a
route that goes away must leave the table too. Each cell sends one small request with real
objects (a finished job, a bot, a collection, a document, a user, a key) and reads the
answer as allowed (OK) or as which refusal:

    LOGIN   API 401; web 303 to /login
    ROLE    403: the role does not allow it (web: the "not allowed" page)
    HIDDEN  404: another department's object, told apart from nothing at all by nobody

A rule's letters (see matrix_support): A anonymous, P public, O officer, D department
admin, U auditor, S platform admin, X a department admin of another department (object
routes only); Y and Z, an officer and an auditor of another department, are HIDDEN wherever
X is: whatever the verb and the role, another department's object is a 404, never a 403.
`allow` get OK; `hidden` HIDDEN; `role` ROLE; `login` LOGIN. A and P not named get LOGIN,
staff not named get ROLE.

`test_matrix_summary` prints how many cells match (`-s` to see it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from matrix_support import (
    CALLERS,
    ELSEWHERE,
    HIDDEN,
    LOGIN,
    OK,
    REQUESTS,
    ROLE,
    World,
    all_routes,
    build_world,
    close_world,
    outcome,
)


@dataclass(frozen=True)
class Rule:
    """Who may call a route, and how the others are refused."""

    allow: str = ""
    hidden: str = ""
    role: str = ""
    login: str = ""

    def expected(self) -> dict[str, str]:
        """caller name -> expected outcome (X only where the rule names it, Y and Z with X)."""
        cells = {}
        for letter, caller in CALLERS.items():
            if letter in "YZ":
                if "X" in self.hidden:
                    cells[caller] = HIDDEN
            elif letter in self.allow:
                cells[caller] = OK
            elif letter in self.hidden:
                cells[caller] = HIDDEN
            elif letter in self.role:
                cells[caller] = ROLE
            elif letter in self.login or letter in "AP":
                cells[caller] = LOGIN
            elif letter not in ELSEWHERE:
                cells[caller] = ROLE
        return cells


#: Open to everyone, signed in or not.
OPEN = Rule(allow="APODUS")
#: Any signed-in account.
SIGNED_IN = Rule(allow="ODUS")
#: The copilot (translate, summarise, draft, redact, chat, jobs): not the auditor.
COPILOT = Rule(allow="ODS")
#: Reading the department's bots and collections (ASK_BOTS / SEARCH_KNOWLEDGE).
READ_KNOWLEDGE = Rule(allow="ODS")
READ_KNOWLEDGE_OBJECT = Rule(allow="ODS", hidden="X")
#: Changing bots and collections (MANAGE_KNOWLEDGE).
MANAGE_KNOWLEDGE = Rule(allow="DS")
MANAGE_KNOWLEDGE_OBJECT = Rule(allow="DS", hidden="X")
#: Bot analytics (VIEW_ANALYTICS): administrators and the auditor.
ANALYTICS = Rule(allow="DUS", hidden="X")
#: Talking to a bot: the public too (the API's public routes), never the auditor.
ASK = Rule(allow="APODS", hidden="X")
#: A job: its owner (the officer), the department's admins, the platform admin.
JOB = Rule(allow="ODS", hidden="UX")
#: A meeting of the officer's: its department's administrators see it too.
MEETING = Rule(allow="ODS", hidden="X")
#: A consultation of the department: all its officers, its administrators, the platform
#: admin (not the auditor); another department's is not there.
CONSULTATION = Rule(allow="ODS", hidden="X")
#: A case: officers of the desk that took it in and of the department that owns it, their
#: administrators, the platform admin; for anyone else it is not there.
CASE = Rule(allow="ODS", hidden="X")
#: Case figures: everyone signed in (auditors read every department's); none is a 404.
CASE_FIGURES = Rule(allow="ODUS")

#: Users and keys of the department (MANAGE_USERS); another department's are not there.
MANAGE_USER_OBJECT = Rule(allow="DS", hidden="X")
#: The audit log and usage (READ_AUDIT).
AUDIT = Rule(allow="US")

EXPECTATIONS: dict[tuple[str, str], Rule] = {
    # -- service and documentation ---------------------------------------------------------
    ("GET", "/health"): OPEN,
    ("GET", "/openapi.json"): OPEN,
    ("GET", "/docs"): OPEN,
    ("GET", "/docs/oauth2-redirect"): OPEN,
    ("GET", "/redoc"): OPEN,
    ("GET", "/widget.js"): OPEN,
    ("GET", "/widget/demo"): OPEN,
    # -- the copilot API -------------------------------------------------------------------
    ("POST", "/api/v1/translate"): COPILOT,
    ("POST", "/api/v1/translate/file"): COPILOT,
    ("POST", "/api/v1/summarise"): COPILOT,
    ("POST", "/api/v1/summarise/files"): COPILOT,
    ("GET", "/api/v1/templates"): SIGNED_IN,  # names and titles only
    ("POST", "/api/v1/draft"): COPILOT,
    ("POST", "/api/v1/draft/files"): COPILOT,
    ("POST", "/api/v1/redact"): COPILOT,
    ("POST", "/api/v1/redact/document"): COPILOT,
    ("GET", "/v1/models"): SIGNED_IN,
    ("GET", "/v1/models/{model_id}"): SIGNED_IN,
    ("POST", "/v1/chat/completions"): COPILOT,
    ("POST", "/v1/audio/transcriptions"): COPILOT,
    # -- jobs (API) ------------------------------------------------------------------------
    ("POST", "/api/v1/jobs"): COPILOT,
    ("GET", "/api/v1/jobs"): SIGNED_IN,  # one's own jobs (none for the auditor)
    ("GET", "/api/v1/jobs/{job_id}"): JOB,
    ("POST", "/api/v1/meetings"): COPILOT,
    ("GET", "/api/v1/meetings"): COPILOT,
    ("GET", "/api/v1/meetings/{meeting_id}"): MEETING,
    ("DELETE", "/api/v1/meetings/{meeting_id}"): MEETING,
    ("PATCH", "/api/v1/meetings/{meeting_id}/speakers"): MEETING,
    ("PATCH", "/api/v1/meetings/{meeting_id}/segments/{index}"): MEETING,
    ("POST", "/api/v1/meetings/{meeting_id}/minutes"): MEETING,
    ("PUT", "/api/v1/meetings/{meeting_id}/minutes"): MEETING,
    ("POST", "/api/v1/meetings/{meeting_id}/minutes/approve"): MEETING,
    ("GET", "/api/v1/meetings/{meeting_id}/audio"): MEETING,
    ("GET", "/api/v1/meetings/{meeting_id}/files/{name}"): MEETING,
    ("POST", "/api/v1/jobs/{job_id}/cancel"): JOB,  # the world's job is done: 409 for all
    ("GET", "/api/v1/jobs/{job_id}/result"): JOB,
    ("GET", "/api/v1/jobs/{job_id}/download"): JOB,
    ("GET", "/api/v1/jobs/{job_id}/events"): JOB,
    # -- opinion analysis (API) ------------------------------------------------------------
    ("POST", "/api/v1/consultations"): COPILOT,
    ("GET", "/api/v1/consultations"): COPILOT,
    ("GET", "/api/v1/consultations/{consultation_id}"): CONSULTATION,
    ("DELETE", "/api/v1/consultations/{consultation_id}"): CONSULTATION,
    ("POST", "/api/v1/consultations/{consultation_id}/posts"): CONSULTATION,
    ("POST", "/api/v1/consultations/{consultation_id}/analyse"): CONSULTATION,
    ("GET", "/api/v1/consultations/{consultation_id}/analysis"): CONSULTATION,
    ("PATCH", "/api/v1/consultations/{consultation_id}/themes/{theme_id}"): CONSULTATION,
    ("DELETE", "/api/v1/consultations/{consultation_id}/themes/{theme_id}"): CONSULTATION,
    ("POST", "/api/v1/consultations/{consultation_id}/themes/{theme_id}/merge"): CONSULTATION,
    ("POST", "/api/v1/consultations/{consultation_id}/themes/{theme_id}/split"): CONSULTATION,
    ("POST", "/api/v1/consultations/{consultation_id}/responses/{response_id}/move"): (
        CONSULTATION
    ),
    ("GET", "/api/v1/consultations/{consultation_id}/report.{ext}"): CONSULTATION,
    # -- the case desk (API) ----------------------------------------------------------------
    ("POST", "/api/v1/cases"): COPILOT,
    ("POST", "/api/v1/cases/email"): COPILOT,
    ("POST", "/api/v1/cases/triage"): COPILOT,
    ("GET", "/api/v1/cases"): COPILOT,
    ("GET", "/api/v1/cases/departments"): SIGNED_IN,
    ("GET", "/api/v1/cases/analytics"): CASE_FIGURES,
    ("GET", "/api/v1/cases/analytics.csv"): CASE_FIGURES,
    ("GET", "/api/v1/cases/{case_id}"): CASE,
    ("POST", "/api/v1/cases/{case_id}/route"): CASE,
    ("POST", "/api/v1/cases/{case_id}/assign"): CASE,
    ("POST", "/api/v1/cases/{case_id}/notes"): CASE,
    ("POST", "/api/v1/cases/{case_id}/close"): CASE,
    ("POST", "/api/v1/cases/{case_id}/reopen"): CASE,
    ("POST", "/api/v1/cases/{case_id}/replies"): CASE,
    ("PATCH", "/api/v1/cases/{case_id}/replies/{reply_id}"): CASE,
    ("POST", "/api/v1/cases/{case_id}/replies/{reply_id}/approve"): CASE,
    ("POST", "/api/v1/cases/{case_id}/replies/{reply_id}/send"): CASE,
    # -- bots (API) ------------------------------------------------------------------------
    ("GET", "/api/v1/bots"): READ_KNOWLEDGE,
    ("POST", "/api/v1/bots"): MANAGE_KNOWLEDGE,
    ("GET", "/api/v1/bots/{bot}"): READ_KNOWLEDGE_OBJECT,
    ("PATCH", "/api/v1/bots/{bot}"): MANAGE_KNOWLEDGE_OBJECT,
    ("DELETE", "/api/v1/bots/{bot}"): MANAGE_KNOWLEDGE_OBJECT,
    ("POST", "/api/v1/bots/{bot}/conversations"): ASK,
    ("POST", "/api/v1/bots/{bot}/ask"): ASK,
    ("POST", "/api/v1/bots/{bot}/ask/stream"): ASK,
    ("POST", "/api/v1/bots/{bot}/feedback"): ASK,
    ("GET", "/api/v1/bots/{bot}/analytics"): ANALYTICS,
    ("GET", "/api/v1/bots/{bot}/analytics.csv"): ANALYTICS,
    # -- collections (API) -----------------------------------------------------------------
    ("GET", "/api/v1/collections"): READ_KNOWLEDGE,
    ("POST", "/api/v1/collections"): MANAGE_KNOWLEDGE,
    ("GET", "/api/v1/collections/{name}"): READ_KNOWLEDGE_OBJECT,
    ("DELETE", "/api/v1/collections/{name}"): MANAGE_KNOWLEDGE_OBJECT,
    ("GET", "/api/v1/collections/{name}/documents"): READ_KNOWLEDGE_OBJECT,
    ("POST", "/api/v1/collections/{name}/documents"): MANAGE_KNOWLEDGE_OBJECT,
    ("DELETE", "/api/v1/collections/{name}/documents/{document_id}"): MANAGE_KNOWLEDGE_OBJECT,
    ("GET", "/api/v1/collections/{name}/search"): READ_KNOWLEDGE_OBJECT,
    # An upload's progress and results: for those who may upload, within the department.
    ("GET", "/api/v1/collections/{name}/ingest-jobs/{job_id}"): MANAGE_KNOWLEDGE_OBJECT,
    # -- AI governance (API): services authorise; auditors read every department -------------
    # Another department's entries are 404 (tests/governance); the auditor elsewhere reads.
    ("GET", "/api/v1/ai-apps"): Rule(allow="ODUS"),
    ("POST", "/api/v1/ai-apps"): Rule(allow="DS"),
    ("GET", "/api/v1/ai-apps/{app_id}"): Rule(allow="ODUS"),
    ("PATCH", "/api/v1/ai-apps/{app_id}"): Rule(allow="DS"),
    ("GET", "/api/v1/assessment-questions"): OPEN,  # the questionnaire is public
    ("POST", "/api/v1/ai-apps/{app_id}/assessments"): Rule(allow="DS"),
    ("GET", "/api/v1/assessments/{assessment_id}"): Rule(allow="ODUS"),
    ("POST", "/api/v1/assessments/{assessment_id}/sign-off"): Rule(allow="DS"),
    ("GET", "/api/v1/reviews"): Rule(allow="ODUS"),
    # Officers see only the items of applications they review (and their own drafts).
    ("GET", "/api/v1/reviews/{item_id}"): Rule(allow="DUS", hidden="O"),
    # Officers decide only where assigned (the world assigns none).
    ("POST", "/api/v1/reviews/{item_id}/decision"): Rule(allow="DS", hidden="O"),
    ("GET", "/api/v1/assessments/{assessment_id}/report.docx"): Rule(allow="ODUS"),
    ("GET", "/api/v1/reviews/{item_id}/released"): Rule(allow="DUS", hidden="O"),
    ("POST", "/api/v1/ai-apps/{app_id}/incidents"): Rule(allow="ODS"),
    ("GET", "/api/v1/ai-apps/{app_id}/incidents"): Rule(allow="ODUS"),
    ("GET", "/api/v1/transparency"): OPEN,
    # -- web: signing in -------------------------------------------------------------------
    ("GET", "/login"): OPEN,  # signed in: a redirect to the home page
    ("POST", "/login"): OPEN,  # a wrong password: the form again (400)
    ("POST", "/logout"): Rule(login="APODUS"),  # always back to the login page
    ("POST", "/language"): OPEN,
    # Single sign-on is not set up in this install: "not set up" (404) for everyone.
    ("GET", "/auth/oidc/login"): Rule(hidden="APODUS"),
    ("GET", "/auth/oidc/callback"): Rule(hidden="APODUS"),
    # -- web: copilot, jobs, redaction -----------------------------------------------------
    ("GET", "/"): SIGNED_IN,  # a redirect to the first page the role opens
    ("GET", "/copilot"): COPILOT,
    ("POST", "/copilot"): COPILOT,
    ("GET", "/jobs"): SIGNED_IN,  # one's own jobs
    ("GET", "/jobs/{job_id}"): JOB,
    ("GET", "/jobs/{job_id}/progress"): JOB,
    ("GET", "/jobs/{job_id}/download"): JOB,
    ("GET", "/meetings"): COPILOT,
    ("POST", "/meetings"): COPILOT,
    ("GET", "/meetings/{meeting_id}"): MEETING,
    ("GET", "/meetings/{meeting_id}/progress"): MEETING,
    ("GET", "/meetings/{meeting_id}/audio"): MEETING,
    ("GET", "/meetings/{meeting_id}/download/{name}"): MEETING,
    ("POST", "/meetings/{meeting_id}/speakers"): MEETING,
    ("POST", "/meetings/{meeting_id}/segments/{index}"): MEETING,
    ("POST", "/meetings/{meeting_id}/retry"): MEETING,
    ("POST", "/meetings/{meeting_id}/delete"): MEETING,
    ("POST", "/meetings/{meeting_id}/minutes"): MEETING,
    ("POST", "/meetings/{meeting_id}/minutes/edit"): MEETING,
    # -- web: opinion analysis --
    ("GET", "/opinion"): COPILOT,
    ("POST", "/opinion"): COPILOT,
    ("GET", "/opinion/{consultation_id}"): CONSULTATION,
    ("GET", "/opinion/{consultation_id}/progress"): CONSULTATION,
    ("POST", "/opinion/{consultation_id}/analyse"): CONSULTATION,
    ("POST", "/opinion/{consultation_id}/themes/{theme_id}"): CONSULTATION,
    ("GET", "/opinion/{consultation_id}/download/{name}"): CONSULTATION,
    ("POST", "/opinion/{consultation_id}/delete"): CONSULTATION,
    ("GET", "/redact"): COPILOT,
    ("POST", "/redact"): COPILOT,
    # -- web: the case desk; the public's form and status page need no sign-in --
    ("GET", "/cases"): COPILOT,
    ("POST", "/cases"): COPILOT,
    ("POST", "/cases/email"): COPILOT,
    ("GET", "/cases/analytics"): CASE_FIGURES,
    ("GET", "/cases/analytics.csv"): CASE_FIGURES,
    ("GET", "/cases/{case_id}"): CASE,
    ("POST", "/cases/{case_id}/route"): CASE,
    ("POST", "/cases/{case_id}/assign"): CASE,
    ("POST", "/cases/{case_id}/note"): CASE,
    ("POST", "/cases/{case_id}/status"): CASE,
    ("POST", "/cases/{case_id}/replies"): CASE,
    ("POST", "/cases/{case_id}/replies/{reply_id}"): CASE,
    ("GET", "/report"): OPEN,
    ("POST", "/report"): OPEN,  # an empty message: the form again (400)
    ("GET", "/report/status"): OPEN,
    ("POST", "/report/status"): OPEN,  # the reference is the secret; lookups are limited
    # -- web: bots and collections ---------------------------------------------------------
    ("GET", "/bots"): READ_KNOWLEDGE,
    ("GET", "/bots/new"): MANAGE_KNOWLEDGE,
    ("POST", "/bots"): MANAGE_KNOWLEDGE,
    ("GET", "/bots/{name}"): READ_KNOWLEDGE_OBJECT,
    ("POST", "/bots/{name}"): MANAGE_KNOWLEDGE_OBJECT,
    ("POST", "/bots/{name}/delete"): MANAGE_KNOWLEDGE_OBJECT,
    ("GET", "/bots/{name}/analytics.csv"): ANALYTICS,
    ("GET", "/collections"): READ_KNOWLEDGE,
    ("POST", "/collections"): MANAGE_KNOWLEDGE,
    ("GET", "/collections/{name}"): READ_KNOWLEDGE_OBJECT,
    ("POST", "/collections/{name}/upload"): MANAGE_KNOWLEDGE_OBJECT,
    ("GET", "/collections/{name}/ingest-jobs/{job_id}"): MANAGE_KNOWLEDGE_OBJECT,
    ("POST", "/collections/{name}/documents/{document_id}/delete"): MANAGE_KNOWLEDGE_OBJECT,
    # -- web: administration ---------------------------------------------------------------
    ("GET", "/admin"): Rule(allow="DS"),
    ("POST", "/admin/departments"): Rule(allow="S"),
    # Department names are public (the widget sends them): another's is refused, not hidden.
    ("POST", "/admin/departments/{name}"): Rule(allow="DS", role="X"),
    ("POST", "/admin/users"): Rule(allow="DS"),
    ("POST", "/admin/users/{user_id}/role"): MANAGE_USER_OBJECT,
    ("POST", "/admin/users/{user_id}/disable"): MANAGE_USER_OBJECT,
    ("POST", "/admin/users/{user_id}/enable"): MANAGE_USER_OBJECT,
    ("POST", "/admin/users/{user_id}/unlock"): MANAGE_USER_OBJECT,
    ("GET", "/admin/users/{user_id}/keys"): MANAGE_USER_OBJECT,
    ("POST", "/admin/users/{user_id}/keys"): MANAGE_USER_OBJECT,
    ("POST", "/admin/keys/{key_id}/revoke"): MANAGE_USER_OBJECT,
    # -- web: AI governance; the transparency pages are public ------------------------------
    ("GET", "/governance"): Rule(allow="ODUS"),
    ("GET", "/governance/apps/{app_id}"): Rule(allow="ODUS"),
    ("POST", "/governance/apps/{app_id}"): Rule(allow="DS"),
    ("GET", "/governance/apps/{app_id}/assess"): Rule(allow="DS"),
    ("POST", "/governance/apps/{app_id}/assess"): Rule(allow="DS"),
    ("GET", "/governance/assessments/{assessment_id}"): Rule(allow="ODUS"),
    ("GET", "/governance/assessments/{assessment_id}.json"): Rule(allow="ODUS"),
    ("POST", "/governance/assessments/{assessment_id}/sign-off"): Rule(allow="DS"),
    ("GET", "/governance/assessments/{assessment_id}.docx"): Rule(allow="ODUS"),
    ("POST", "/governance"): Rule(allow="DS"),
    ("POST", "/governance/apps/{app_id}/incidents"): Rule(allow="ODS"),
    ("POST", "/governance/incidents/{incident_id}"): Rule(allow="DS"),
    # The review queue: officers read it (their assigned applications'); auditors read.
    ("GET", "/governance/reviews"): Rule(allow="ODUS"),
    ("GET", "/governance/reviews/{item_id}"): Rule(allow="DUS", hidden="O"),
    ("POST", "/governance/reviews/{item_id}"): Rule(allow="DS", hidden="O"),
    ("GET", "/transparency"): OPEN,
    ("GET", "/transparency.json"): OPEN,
    ("GET", "/transparency/{department}"): OPEN,
    # -- web: audit ------------------------------------------------------------------------
    ("GET", "/audit"): AUDIT,
    ("GET", "/audit/export.csv"): AUDIT,
    ("GET", "/audit/usage"): AUDIT,
}

#: Routes whose refusals are known to be wrong, with why (strict: they fail once fixed).
KNOWN_DEFECTS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Cell:
    route: tuple[str, str]
    caller: str
    expected: str
    actual: str
    status: int


def run_matrix(world: World) -> list[Cell]:
    """Send every cell's request; what each one expected and got."""
    cells = []
    client = world.client()
    for route, rule in EXPECTATIONS.items():
        method = route[0]
        for caller, expected in rule.expected().items():
            request = REQUESTS[route](world, caller)
            response = world.send(client, caller, method, **request)
            actual = outcome(request["url"].split("?", 1)[0], response)
            cells.append(Cell(route, caller, expected, actual, response.status_code))
    return cells


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Cell]]:
    """The whole matrix, sent once for the module's tests."""
    world = build_world(Path(tmp_path_factory.mktemp("matrix")), passwords=False)
    try:
        yield run_matrix(world)
    finally:
        close_world(world)


@pytest.fixture(scope="module")
def routes() -> set[tuple[str, str]]:
    return all_routes()


def test_every_route_has_a_decision(routes: set[tuple[str, str]]) -> None:
    """A new route fails here until the table says who may call it."""
    undecided = sorted(routes - set(EXPECTATIONS))
    assert not undecided, f"routes missing from EXPECTATIONS: {undecided}"


def test_the_table_lists_only_routes_that_exist(routes: set[tuple[str, str]]) -> None:
    gone = sorted(set(EXPECTATIONS) - routes)
    assert not gone, f"EXPECTATIONS lists routes the app no longer has: {gone}"


def test_every_decision_has_a_request() -> None:
    assert set(REQUESTS) == set(EXPECTATIONS)


def _params() -> list[Any]:
    params = []
    for route in EXPECTATIONS:
        marks = []
        if route in KNOWN_DEFECTS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[route]))
        params.append(pytest.param(route, marks=marks, id=f"{route[0]} {route[1]}"))
    return params


@pytest.mark.parametrize("route", _params())
def test_route(matrix: list[Cell], route: tuple[str, str]) -> None:
    wrong = [
        f"{c.caller}: expected {c.expected}, got {c.actual} ({c.status})"
        for c in matrix
        if c.route == route and c.actual != c.expected
    ]
    assert not wrong, "; ".join(wrong)


def test_matrix_summary(matrix: list[Cell]) -> None:
    """How many cells match; every mismatch is a route listed in KNOWN_DEFECTS."""
    matching = sum(c.actual == c.expected for c in matrix)
    share = 100 * matching / len(matrix)
    print(f"\nroute matrix: {matching}/{len(matrix)} cells match ({share:.1f}%)")
    for cell in matrix:
        if cell.actual != cell.expected:
            print(f"  {cell.route[0]} {cell.route[1]} {cell.caller}: {cell.actual} ({cell.status})")
    unexplained = {c.route for c in matrix if c.actual != c.expected} - set(KNOWN_DEFECTS)
    assert not unexplained
