"""Shared by the security tests: a world of real objects in two departments, the callers
that knock on every route, and how an answer reads (allowed, or which kind of refusal).

    world = build_world(tmp_path)        # HAD with a finished job, a bot, a collection ...
    client = world.client()              # the whole app (API + web), in-process
    response = world.send(client, "officer", "GET", "/api/v1/jobs")

Callers (one letter each in the expectation table of test_route_matrix):
    A  anonymous          no credentials at all
    P  public             a member of the public: no account, names HAD in the department
                          header on the API (as the widget does); on the web the same as A
    O  officer            of HAD
    D  department_admin   of HAD
    U  auditor            (HAD)
    S  platform_admin     (HAD)
    X  other_department   a department administrator of LD: tried on object routes only
    Y  other_officer      an officer of LD: on object routes, expected to be hidden (404)
    Z  other_auditor      an auditor of LD: the same (no verb tells the object exists)

API callers with an account send their API key; web callers their session cookie and, on a
POST, the session's CSRF token, as a browser holding the page's form would.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from matrix_cases import CASE_REQUESTS, add_case
from sqlalchemy import MetaData, Table, select
from sqlalchemy import inspect as sa_inspect
from starlette.routing import Mount

from govpilot.access import CallContext, Role
from govpilot.accounts.models import User
from govpilot.api.deps import DEPARTMENT_HEADER
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.backends.llm import ChatMessage
from govpilot.backends.speech import ScriptedRecogniser, SpeechSegment
from govpilot.capabilities.chat.bots import new_bot
from govpilot.capabilities.opinion.opinion_jobs import analyse_consultation
from govpilot.capabilities.opinion.sentiment import train
from govpilot.config import AuthSettings, Settings
from govpilot.governance.questionnaire import load_questionnaire
from govpilot.http.callers import CSRF_HEADER, SESSION_COOKIE
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.knowledge.uploads import UploadedFile
from govpilot.platform import Platform
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.server import create_app
from govpilot.testing import (
    SETUP_CONTEXT,
    add_api_key,
    add_review_item,
    add_user,
    fake_settings,
    make_test_platform,
)
from govpilot.web.session import CSRF_FIELD, FORM_COOKIE
from support.audio_support import wav_bytes

HOME = "HAD"
OTHER = "LD"
PASSWORD = "correct horse battery staple 42"
BASE_URL = "https://govpilot.test"
HOURS = b"The Central Library opens from 10 am to 9 pm every day except Wednesday."
#: Paths whose errors are JSON, not pages (see web.errors._API_PREFIXES).
API_PREFIXES = ("/api/", "/v1/", "/docs", "/redoc", "/openapi.json", "/widget", "/health")

ANONYMOUS, PUBLIC = "anonymous", "public"
OFFICER, DEPARTMENT_ADMIN, AUDITOR = "officer", "department_admin", "auditor"
PLATFORM_ADMIN, OTHER_DEPARTMENT = "platform_admin", "other_department"
OTHER_OFFICER, OTHER_AUDITOR = "other_officer", "other_auditor"
CALLERS: dict[str, str] = {
    "A": ANONYMOUS,
    "P": PUBLIC,
    "O": OFFICER,
    "D": DEPARTMENT_ADMIN,
    "U": AUDITOR,
    "S": PLATFORM_ADMIN,
    "X": OTHER_DEPARTMENT,
    "Y": OTHER_OFFICER,
    "Z": OTHER_AUDITOR,
}
#: Callers of another department tried on object routes only (where X is hidden).
ELSEWHERE = "XYZ"
ACCOUNTS: dict[str, tuple[str, str, Role]] = {
    OFFICER: ("officer@had.gov.hk", HOME, Role.OFFICER),
    DEPARTMENT_ADMIN: ("admin@had.gov.hk", HOME, Role.DEPARTMENT_ADMIN),
    AUDITOR: ("auditor@had.gov.hk", HOME, Role.AUDITOR),
    PLATFORM_ADMIN: ("root@had.gov.hk", HOME, Role.PLATFORM_ADMIN),
    OTHER_DEPARTMENT: ("admin@ld.gov.hk", OTHER, Role.DEPARTMENT_ADMIN),
    OTHER_OFFICER: ("officer@ld.gov.hk", OTHER, Role.OFFICER),
    OTHER_AUDITOR: ("auditor@ld.gov.hk", OTHER, Role.AUDITOR),
}

# What an answer means.
OK = "ok"  # 2xx, a redirect to content, or a refusal of the input itself (400/409/413/422)
LOGIN = "login"  # API 401; web 303 to /login (or HX-Redirect for htmx)
ROLE = "role"  # 403: the role does not allow it
HIDDEN = "hidden"  # 404: another department's object (or nothing there)
_INPUT_REFUSALS = {400, 409, 413, 415, 422}


def is_api_path(path: str) -> bool:
    """True for the JSON API's paths (everything else is a web page)."""
    return path.startswith(API_PREFIXES)


def outcome(path: str, response: Any) -> str:
    """What a response to `path` means for the matrix: OK, LOGIN, ROLE, HIDDEN, or `error ...`.

    The API refuses in JSON (401 for no credentials); the web with pages (a 303 to /login,
    or an HX-Redirect there for htmx; 403 and 404 as HTML pages).
    """
    status = response.status_code
    api = is_api_path(path)
    location = response.headers.get("location", "").split("?", 1)[0]
    if not api and (location == "/login" or response.headers.get("hx-redirect", "")):
        return LOGIN if status in (204, 303) else f"error {status} to /login"
    if status == 401:
        return LOGIN if api else "error 401 (a page should go to /login)"
    if status in (403, 404):
        html = response.headers.get("content-type", "").startswith("text/html")
        if html == api:
            return f"error {status} in the wrong form (HTML from the API, or JSON from a page)"
        return ROLE if status == 403 else HIDDEN
    if status < 400 or status in _INPUT_REFUSALS:
        return OK
    return f"error {status}"


def all_routes() -> set[tuple[str, str]]:
    """Every (method, path) of `create_app` (on a throwaway platform)."""
    with TemporaryDirectory() as home:
        platform = make_test_platform(Path(home))
        try:
            return app_routes(create_app(platform))
        finally:
            platform.database.dispose()


def app_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the application answers, HEAD and static files left out."""
    found = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            continue
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, str(route.path)))
    return found


def respond(messages: Sequence[ChatMessage]) -> str:
    """A short, deterministic answer to any prompt."""
    system = messages[0].content if messages and messages[0].role == "system" else ""
    if "翻译" in system:
        return "图书馆将延长开放时间。"
    return "The library opens at ten [1]."


@dataclass
class World:
    """A platform with real objects of HAD to aim at, and a signed-in state per caller."""

    platform: Platform
    users: dict[str, User]
    keys: dict[str, str]
    job_id: str
    bot: str
    collection: str
    document_id: str
    target_user: str
    target_key: str
    staff_turn: str
    public_turn: str
    #: A finished upload job of the shared collection.
    ingest_job: str = ""
    #: A transcribed meeting of the officer's.
    meeting_id: str = ""
    #: An analysed consultation of HAD (imported by the officer), and one of its themes.
    consultation: str = ""
    consultation_theme: str = ""
    #: A case of HAD's desk, routed to HAD, and its reference.
    case_id: str = ""
    case_reference: str = ""
    sessions: dict[str, tuple[str, str]] = field(default_factory=dict)
    form_cookie: tuple[str, str] | None = None

    # -- fresh objects, for the routes that delete or change them ----------------------------

    def fresh_bot(self) -> str:
        """A new bot of HAD over the shared collection."""
        name = f"bot-{uuid.uuid4().hex[:8]}"
        services = self.platform.bot_service()
        collection = self.platform.knowledge_base().collections.get(HOME, self.collection)
        services.create_bot(new_bot(name, HOME, [collection.id], created_by="setup"), _setup(HOME))
        return name

    @property
    def ai_app(self) -> str:
        """The register entry of the shared bot."""
        return self.platform.register.get(_setup(HOME), f"Bot: {self.bot}").id

    def fresh_assessment(self) -> str:
        """A new submitted assessment of the shared bot's entry; its id."""
        answers = {q.id: q.answers[0].value for q in load_questionnaire().questions}
        saved = self.platform.assessments.save(_setup(HOME), self.ai_app, answers, submit=True)
        return saved.id

    def fresh_review(self) -> str:
        """A new pending review item of the shared bot's entry; its id."""
        return add_review_item(self.platform, self.ai_app, turn_id=self.staff_turn)

    def fresh_released(self) -> str:
        """A copilot draft held for approval and approved (its text released); its id."""
        drafter = replace(_setup(HOME), actor="drafter@had.gov.hk", capability="draft")
        item = self.platform.approvals.hold(drafter, "Reply to Mr Chan", "Dear Mr Chan").id
        self.platform.reviews.decide(_setup(HOME), item, "approved")
        return item

    def fresh_incident(self) -> str:
        """A new open incident against the shared bot's entry; its id."""
        return self.platform.incidents.report(_setup(HOME), self.ai_app, "other", "A report").id

    def fresh_meeting(self) -> str:
        """A new transcribed meeting of the officer's; its id."""
        return add_meeting(self.platform, self.users[OFFICER])

    def fresh_consultation(self) -> str:
        """A new imported (not analysed) consultation of HAD; its id."""
        ctx = self.users[OFFICER].context("opinion", "api")
        return self.platform.consultations.import_file(ctx, CONSULTATION_CSV, "views.csv").id

    def fresh_collection(self) -> str:
        """A new, empty collection of HAD."""
        name = f"col-{uuid.uuid4().hex[:8]}"
        self.platform.knowledge_base().create_collection(_setup(HOME), name)
        return name

    def fresh_document(self) -> str:
        """A new document in the shared collection; its id."""
        text = HOURS + f" ({uuid.uuid4().hex})".encode()
        upload = UploadedFile(f"doc-{uuid.uuid4().hex[:8]}.txt", text)
        report = self.platform.knowledge_base().ingest_uploads(
            _setup(HOME), self.collection, [upload]
        )
        document_id = report.items[0].document_id
        assert document_id, report
        return document_id

    def fresh_user(self) -> str:
        """A new officer of HAD (not one of the callers); their id."""
        return add_user(
            self.platform, f"user-{uuid.uuid4().hex[:8]}@had.gov.hk", department=HOME
        ).id

    def fresh_key(self) -> str:
        """A new key of the target officer; its id."""
        created = self.platform.accounts.create_key(SETUP_CONTEXT, self.target_user)
        return created.key.id

    # -- callers ------------------------------------------------------------------------------

    def session(self, caller: str, *, fresh: bool = False) -> tuple[str, str]:
        """(cookie token, CSRF token) of `caller`'s web session."""
        if fresh or caller not in self.sessions:
            token, session = self.platform.signin.start_session(self.users[caller])
            if fresh:  # for one request (a logout): the caller's own session lives on
                return token, session.csrf_token
            self.sessions[caller] = (token, session.csrf_token)
        return self.sessions[caller]

    def client(self) -> TestClient:
        """The whole application, in-process; redirects are not followed."""
        return TestClient(create_app(self.platform), base_url=BASE_URL, follow_redirects=False)

    def anonymous_form(self, client: TestClient) -> tuple[str, str]:
        """(nonce cookie, signed token) of a browser that opened the login page."""
        if self.form_cookie is None:
            client.cookies.clear()
            page = client.get("/login")
            nonce = page.cookies.get(FORM_COOKIE)
            found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert nonce and found, "the login page sets no form cookie or token"
            self.form_cookie = (nonce, found.group(1))
            client.cookies.clear()
        return self.form_cookie

    def send(
        self,
        client: TestClient,
        caller: str,
        method: str,
        url: str,
        *,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        fresh_session: bool = False,
        csrf: bool | str = True,
        by_cookie: bool = False,
    ) -> Any:
        """`caller`'s request, with the credentials and CSRF token that caller would have.

        `csrf` False leaves the token out; a string sends that instead of the right one.
        `by_cookie` calls the API with the web session (and the token in X-CSRF-Token).
        """
        client.cookies.clear()
        path = url.split("?", 1)[0]
        sent_headers = dict(headers or {})
        form = dict(data) if data is not None else None
        cookies: dict[str, str] = {}
        if is_api_path(path) and by_cookie:
            token, csrf_token = self.session(caller, fresh=fresh_session)
            cookies[SESSION_COOKIE] = token
            if method not in ("GET", "HEAD") and csrf:
                sent_headers[CSRF_HEADER] = csrf if isinstance(csrf, str) else csrf_token
        elif is_api_path(path):
            if caller in self.keys:
                sent_headers["Authorization"] = f"Bearer {self.keys[caller]}"
            elif caller == PUBLIC:
                sent_headers[DEPARTMENT_HEADER] = HOME
        elif caller in self.users:
            token, csrf_token = self.session(caller, fresh=fresh_session)
            cookies[SESSION_COOKIE] = token
            if method == "POST" and csrf:
                form = {**(form or {}), CSRF_FIELD: csrf if isinstance(csrf, str) else csrf_token}
        else:
            nonce, signed = self.anonymous_form(client)
            cookies[FORM_COOKIE] = nonce
            if method == "POST" and csrf:
                form = {**(form or {}), CSRF_FIELD: csrf if isinstance(csrf, str) else signed}
        if cookies:
            sent_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        return client.request(method, url, json=json, data=form, files=files, headers=sent_headers)


def _setup(department: str) -> CallContext:
    return CallContext(
        actor="setup@test",
        department=department,
        capability="setup",
        role=Role.PLATFORM_ADMIN.value,
    )


def world_settings(home: Path, **auth: Any) -> Settings:
    """Settings for the security tests: HAD by default; limits high unless given."""
    values = {"requests_per_minute": 100_000, "max_concurrent_jobs": 1000, **auth}
    return fake_settings(home, department=HOME, auth=AuthSettings(**values))


def build_world(
    home: Path,
    settings: Settings | None = None,
    *,
    start_jobs: bool = True,
    passwords: bool = True,
) -> World:
    """A platform in `home` with the callers' accounts and one of each object in HAD.

    Without `passwords` the accounts have none (hashing them is slow); sessions and keys
    work all the same."""
    settings = settings or world_settings(home)
    platform = make_test_platform(settings, models=[ScriptedModel(name="fake", responder=respond)])
    platform.knowledge = KnowledgeBase.build(platform.database, InMemoryRetriever())
    platform.speech_recogniser = ScriptedRecogniser(
        [SpeechSegment(0.0, 1.0, "The library opens at nine.", "en")]
    )
    if start_jobs:
        platform.jobs = platform.new_job_service(workers=1).start()
    users = {
        caller: add_user(
            platform,
            email,
            department=department,
            role=role,
            password=PASSWORD if passwords else None,
        )
        for caller, (email, department, role) in ACCOUNTS.items()
    }
    keys = {caller: add_api_key(platform, user) for caller, user in users.items()}
    target = add_user(platform, "target@had.gov.hk", department=HOME)
    target_key = platform.accounts.create_key(SETUP_CONTEXT, target.id).key.id
    knowledge = platform.knowledge_base()
    knowledge.create_collection(_setup(HOME), "library-docs")
    report = knowledge.ingest_uploads(
        _setup(HOME), "library-docs", [UploadedFile("hours.txt", HOURS)]
    )
    document_id = report.items[0].document_id or ""
    collection = knowledge.collections.get(HOME, "library-docs")
    if platform.jobs is None:  # a job service whose worker never starts: jobs stay queued
        platform.jobs = platform.new_job_service(workers=1)
    uploads = platform.upload_job_service()
    queued = uploads.submit(_setup(HOME), "library-docs", [UploadedFile("notice.txt", HOURS)])
    if not platform.jobs.worker.running:
        platform.jobs.runner.run(queued.job_id)  # as a worker would, here and now
    ingest_job = uploads.wait(_setup(HOME), "library-docs", queued.job_id, timeout=30)
    assert ingest_job.status == "completed", ingest_job
    bots = platform.bot_service()
    bot = bots.create_bot(
        new_bot("library", HOME, [collection.id], created_by="setup"), _setup(HOME)
    )
    officer_ctx = users[OFFICER].context("api", "api", session=uuid.uuid4().hex)
    staff_turn = bots.ask(bot, "When does the library open?", officer_ctx).turn_id
    public_ctx = CallContext(
        actor="public@test",
        department=HOME,
        capability="api",
        channel="public",
        session=uuid.uuid4().hex,
        role=Role.PUBLIC.value,
    )
    public_turn = bots.ask(bot, "When does the library open?", public_ctx).turn_id
    job_id = ""
    if start_jobs:
        job = platform.job_service().submit(
            users[OFFICER].context("copilot", "api", session=uuid.uuid4().hex),
            "translate",
            filename="notice.txt",
            text="The library will extend its opening hours.",
            params={"target": "zh-Hant", "format": "txt"},
        )
        done = platform.job_service().wait(job.id, timeout=30)
        assert done.status == "done", done
        job_id = job.id
    meeting_id = add_meeting(platform, users[OFFICER])
    consultation, consultation_theme = add_consultation(platform, users[OFFICER])
    case_id, case_reference = add_case(platform, HOME)
    return World(
        platform=platform,
        users=users,
        keys=keys,
        job_id=job_id,
        bot=bot.name,
        collection="library-docs",
        document_id=document_id,
        target_user=target.id,
        target_key=target_key,
        staff_turn=staff_turn,
        public_turn=public_turn,
        ingest_job=ingest_job.job_id,
        meeting_id=meeting_id,
        consultation=consultation,
        consultation_theme=consultation_theme,
        case_id=case_id,
        case_reference=case_reference,
    )


def add_meeting(platform: Platform, owner: User) -> str:
    """A transcribed meeting of `owner`'s; its id."""
    meeting = platform.meetings.upload(owner.context("minutes", "api"), wav_bytes(1.5), "m.wav")
    jobs = platform.job_service()
    if not jobs.worker.running:
        jobs.runner.run(meeting.transcribe_job_id or "")
    done = jobs.wait(meeting.transcribe_job_id or "", timeout=30)
    assert done.status == "done", done
    return meeting.id


# -- opinion analysis -------------------------------------------------------------------------

#: A consultation's responses (R0 ... R7): four for the proposal, four against.
CONSULTATION_CSV = (
    "id,text\n"
    + "".join(
        f"R{i},{text}\n"
        for i, text in enumerate(
            [
                "Yes, open the library until nine every night.",
                "I support longer hours, students need a quiet place.",
                "Support: longer opening hours help night shift workers.",
                "支持延長開放時間。",
                "No, the cost of staff at night is too high.",
                "I oppose this, nobody reads at nine in the evening.",
                "Oppose: the noise will disturb the neighbours.",
                "反對，浪費公帑。",
            ]
        )
    )
).encode()


def add_consultation(platform: Platform, owner: User) -> tuple[str, str]:
    """An analysed consultation of `owner`'s department (analysed here and now, with a
    hashing embedder and a tiny sentiment model, which later splits use too); its id and
    the id of one of its themes."""
    embedder = HashingEmbedder()
    texts = ["great, love it", "ok, fine", "terrible, awful"] * 2
    platform.opinion_embedder = embedder
    platform.opinion_sentiment = train(
        texts, embedder.embed_passages(texts), ["positive", "neutral", "negative"] * 2, steps=20
    )
    ctx = owner.context("opinion", "api")
    imported = platform.consultations.import_file(ctx, CONSULTATION_CSV, "views.csv", name="Hours")
    queued = platform.consultations.begin(ctx, imported.id)
    done = analyse_consultation(
        platform.consultations.store,
        platform.gateway,
        ctx,
        embedder,
        platform.opinion_sentiment,
        queued,
        lambda done, total: None,
    )
    assert done.status == "analysed", done
    themes = platform.consultations.store.themes(done.id)
    assert themes, "the world's consultation has no theme"
    return done.id, themes[0].id


def close_world(world: World) -> None:
    """Stop the workers and close the database."""
    world.platform.shutdown()
    world.platform.database.dispose()


#: A factory of one request for a cell: (world, caller) -> keyword arguments of `World.send`.
RequestFactory = Callable[[World, str], dict[str, Any]]


def text_file(name: str = "notice.txt", body: bytes = HOURS) -> tuple[str, bytes, str]:
    """An upload of a small text file."""
    return (name, body, "text/plain")


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _bot_body() -> dict[str, Any]:
    return {"name": _unique("bot"), "collections": ["library-docs"]}


def _job_form() -> dict[str, Any]:
    return {"kind": "translate", "text": "The library opens at ten.", "target": "zh-Hant"}


def _feedback(world: World, caller: str) -> dict[str, Any]:
    turn = world.public_turn if caller in ("anonymous", "public") else world.staff_turn
    return {"json": {"turn_id": turn, "rating": "up"}}


def _upload(field: str = "file") -> dict[str, Any]:
    return {"files": {field: text_file()}}


#: How to call each route: method, path -> (world, caller) -> `World.send` arguments.
REQUESTS: dict[tuple[str, str], RequestFactory] = {
    ("GET", "/health"): lambda w, c: {"url": "/health"},
    ("GET", "/openapi.json"): lambda w, c: {"url": "/openapi.json"},
    ("GET", "/docs"): lambda w, c: {"url": "/docs"},
    ("GET", "/docs/oauth2-redirect"): lambda w, c: {"url": "/docs/oauth2-redirect"},
    ("GET", "/redoc"): lambda w, c: {"url": "/redoc"},
    ("GET", "/widget.js"): lambda w, c: {"url": "/widget.js"},
    ("GET", "/widget/demo"): lambda w, c: {"url": "/widget/demo?bot=library"},
    ("POST", "/api/v1/translate"): lambda w, c: {
        "url": "/api/v1/translate",
        "json": {"text": "The library opens at ten.", "target": "zh-Hant"},
    },
    ("POST", "/api/v1/translate/file"): lambda w, c: {
        "url": "/api/v1/translate/file",
        "data": {"target": "zh-Hant", "format": "txt"},
        **_upload(),
    },
    ("POST", "/api/v1/summarise"): lambda w, c: {
        "url": "/api/v1/summarise",
        "json": {"texts": [HOURS.decode()]},
    },
    ("POST", "/api/v1/summarise/files"): lambda w, c: {
        "url": "/api/v1/summarise/files",
        **_upload("files"),
    },
    ("GET", "/api/v1/templates"): lambda w, c: {"url": "/api/v1/templates"},
    ("POST", "/api/v1/draft"): lambda w, c: {
        "url": "/api/v1/draft",
        "json": {"template": "memo", "instructions": "Extend the library's hours."},
    },
    ("POST", "/api/v1/draft/files"): lambda w, c: {
        "url": "/api/v1/draft/files",
        "data": {"template": "memo", "instructions": "Extend the library's hours."},
        "files": {"references": text_file()},
    },
    ("POST", "/api/v1/redact"): lambda w, c: {
        "url": "/api/v1/redact",
        "json": {"text": "Call 9123 4567."},
    },
    ("POST", "/api/v1/redact/document"): lambda w, c: {
        "url": "/api/v1/redact/document?format=json",
        **_upload(),
    },
    ("GET", "/v1/models"): lambda w, c: {"url": "/v1/models"},
    ("GET", "/v1/models/{model_id}"): lambda w, c: {"url": "/v1/models/fake"},
    ("POST", "/v1/chat/completions"): lambda w, c: {
        "url": "/v1/chat/completions",
        "json": {"model": "fake", "messages": [{"role": "user", "content": "Hello"}]},
    },
    ("POST", "/v1/audio/transcriptions"): lambda w, c: {
        "url": "/v1/audio/transcriptions",
        "files": {"file": ("hours.wav", wav_bytes(1.5), "audio/wav")},
    },
    ("POST", "/api/v1/jobs"): lambda w, c: {"url": "/api/v1/jobs", "data": _job_form()},
    ("POST", "/api/v1/meetings"): lambda w, c: {
        "url": "/api/v1/meetings",
        "files": {"file": ("agenda.pdf", b"%PDF-1.7", "application/pdf")},  # refused: 415
    },
    ("GET", "/api/v1/meetings"): lambda w, c: {"url": "/api/v1/meetings"},
    ("DELETE", "/api/v1/meetings/{meeting_id}"): lambda w, c: {
        "url": f"/api/v1/meetings/{w.fresh_meeting()}"
    },
    ("GET", "/api/v1/meetings/{meeting_id}"): lambda w, c: {
        "url": f"/api/v1/meetings/{w.meeting_id}"
    },
    # Stale versions (0): each change is checked for access, then refused with 409.
    ("PATCH", "/api/v1/meetings/{meeting_id}/speakers"): lambda w, c: {
        "url": f"/api/v1/meetings/{w.meeting_id}/speakers",
        "json": {"label": "Speaker 1", "name": "Chair", "version": 0},
    },
    ("PATCH", "/api/v1/meetings/{meeting_id}/segments/{index}"): lambda w, c: {
        "url": f"/api/v1/meetings/{w.meeting_id}/segments/0",
        "json": {"text": "The library opens at ten.", "version": 0},
    },
    ("POST", "/api/v1/meetings/{meeting_id}/minutes"): lambda w, c: {
        "url": f"/api/v1/meetings/{w.meeting_id}/minutes",
        "json": {"template": "notes"},
    },
    ("PUT", "/api/v1/meetings/{meeting_id}/minutes"): lambda w, c: {
        "url": f"/api/v1/meetings/{w.meeting_id}/minutes",
        "json": {"minutes": {"items": []}, "version": 0},
    },
    ("POST", "/api/v1/meetings/{meeting_id}/minutes/approve"): lambda w, c: {
        "url": f"/api/v1/meetings/{w.meeting_id}/minutes/approve",
        "json": {"version": 0},
    },
    ("GET", "/api/v1/meetings/{meeting_id}/audio"): lambda w, c: {
        "url": f"/api/v1/meetings/{w.meeting_id}/audio"
    },
    ("GET", "/api/v1/meetings/{meeting_id}/files/{name}"): lambda w, c: {
        "url": f"/api/v1/meetings/{w.meeting_id}/files/transcript.srt"
    },
    # -- opinion analysis (API): stale versions (0) and refused inputs change nothing -------
    ("POST", "/api/v1/consultations"): lambda w, c: {
        "url": "/api/v1/consultations",
        "files": {"file": ("views.csv", b"id,comment\n1,Open late\n", "text/csv")},  # 400
    },
    ("GET", "/api/v1/consultations"): lambda w, c: {"url": "/api/v1/consultations"},
    ("GET", "/api/v1/consultations/{consultation_id}"): lambda w, c: {
        "url": f"/api/v1/consultations/{w.consultation}"
    },
    ("DELETE", "/api/v1/consultations/{consultation_id}"): lambda w, c: {
        "url": f"/api/v1/consultations/{w.fresh_consultation()}"
    },
    ("POST", "/api/v1/consultations/{consultation_id}/posts"): lambda w, c: {
        "url": f"/api/v1/consultations/{w.consultation}/posts",
        "json": {"posts": []},  # none: 400
    },
    ("POST", "/api/v1/consultations/{consultation_id}/analyse"): lambda w, c: {
        "url": f"/api/v1/consultations/{w.consultation}/analyse",
        "json": {"resume": True},  # it did not fail: 409
    },
    ("GET", "/api/v1/consultations/{consultation_id}/analysis"): lambda w, c: {
        "url": f"/api/v1/consultations/{w.consultation}/analysis"
    },
    ("PATCH", "/api/v1/consultations/{consultation_id}/themes/{theme_id}"): lambda w, c: {
        "url": f"/api/v1/consultations/{w.consultation}/themes/{w.consultation_theme}",
        "json": {"version": 0, "title_en": "Opening hours"},
    },
    ("DELETE", "/api/v1/consultations/{consultation_id}/themes/{theme_id}"): lambda w, c: {
        "url": f"/api/v1/consultations/{w.consultation}/themes/{w.consultation_theme}?version=0"
    },
    ("POST", "/api/v1/consultations/{consultation_id}/themes/{theme_id}/merge"): lambda w, c: {
        "url": f"/api/v1/consultations/{w.consultation}/themes/{w.consultation_theme}/merge",
        "json": {"version": 0, "into": w.consultation_theme},  # with itself: 400
    },
    ("POST", "/api/v1/consultations/{consultation_id}/themes/{theme_id}/split"): lambda w, c: {
        "url": f"/api/v1/consultations/{w.consultation}/themes/{w.consultation_theme}/split",
        "json": {"version": 0},
    },
    ("POST", "/api/v1/consultations/{consultation_id}/responses/{response_id}/move"): lambda w, c: {
        "url": f"/api/v1/consultations/{w.consultation}/responses/R0/move",
        "json": {"version": 0, "from_theme": w.consultation_theme, "to_theme": None},
    },
    ("GET", "/api/v1/consultations/{consultation_id}/report.{ext}"): lambda w, c: {
        "url": f"/api/v1/consultations/{w.consultation}/report.docx"
    },
    # -- end of opinion analysis (API) -------------------------------------------------------
    ("GET", "/api/v1/jobs"): lambda w, c: {"url": "/api/v1/jobs"},
    ("GET", "/api/v1/jobs/{job_id}"): lambda w, c: {"url": f"/api/v1/jobs/{w.job_id}"},
    ("POST", "/api/v1/jobs/{job_id}/cancel"): lambda w, c: {
        "url": f"/api/v1/jobs/{w.job_id}/cancel"
    },
    ("GET", "/api/v1/jobs/{job_id}/result"): lambda w, c: {
        "url": f"/api/v1/jobs/{w.job_id}/result"
    },
    ("GET", "/api/v1/jobs/{job_id}/download"): lambda w, c: {
        "url": f"/api/v1/jobs/{w.job_id}/download"
    },
    ("GET", "/api/v1/jobs/{job_id}/events"): lambda w, c: {
        "url": f"/api/v1/jobs/{w.job_id}/events"
    },
    ("GET", "/api/v1/bots"): lambda w, c: {"url": "/api/v1/bots"},
    ("POST", "/api/v1/bots"): lambda w, c: {"url": "/api/v1/bots", "json": _bot_body()},
    ("GET", "/api/v1/bots/{bot}"): lambda w, c: {"url": f"/api/v1/bots/{w.bot}"},
    ("PATCH", "/api/v1/bots/{bot}"): lambda w, c: {
        "url": f"/api/v1/bots/{w.bot}",
        "json": {"tone": "friendly"},
    },
    ("DELETE", "/api/v1/bots/{bot}"): lambda w, c: {"url": f"/api/v1/bots/{w.fresh_bot()}"},
    ("POST", "/api/v1/bots/{bot}/conversations"): lambda w, c: {
        "url": f"/api/v1/bots/{w.bot}/conversations"
    },
    ("POST", "/api/v1/bots/{bot}/ask"): lambda w, c: {
        "url": f"/api/v1/bots/{w.bot}/ask",
        "json": {"question": "When does the library open?"},
    },
    ("POST", "/api/v1/bots/{bot}/ask/stream"): lambda w, c: {
        "url": f"/api/v1/bots/{w.bot}/ask/stream",
        "json": {"question": "When does the library open?"},
    },
    ("POST", "/api/v1/bots/{bot}/feedback"): lambda w, c: {
        "url": f"/api/v1/bots/{w.bot}/feedback",
        **_feedback(w, c),
    },
    ("GET", "/api/v1/bots/{bot}/analytics"): lambda w, c: {
        "url": f"/api/v1/bots/{w.bot}/analytics"
    },
    ("GET", "/api/v1/bots/{bot}/analytics.csv"): lambda w, c: {
        "url": f"/api/v1/bots/{w.bot}/analytics.csv"
    },
    ("GET", "/api/v1/collections"): lambda w, c: {"url": "/api/v1/collections"},
    ("POST", "/api/v1/collections"): lambda w, c: {
        "url": "/api/v1/collections",
        "json": {"name": _unique("col")},
    },
    ("GET", "/api/v1/collections/{name}"): lambda w, c: {
        "url": f"/api/v1/collections/{w.collection}"
    },
    ("DELETE", "/api/v1/collections/{name}"): lambda w, c: {
        "url": f"/api/v1/collections/{w.fresh_collection()}"
    },
    ("GET", "/api/v1/collections/{name}/documents"): lambda w, c: {
        "url": f"/api/v1/collections/{w.collection}/documents"
    },
    ("POST", "/api/v1/collections/{name}/documents"): lambda w, c: {
        "url": f"/api/v1/collections/{w.collection}/documents",
        "files": {"files": text_file(f"{_unique('up')}.txt")},
    },
    ("DELETE", "/api/v1/collections/{name}/documents/{document_id}"): lambda w, c: {
        "url": f"/api/v1/collections/{w.collection}/documents/{w.fresh_document()}"
    },
    ("GET", "/api/v1/collections/{name}/ingest-jobs/{job_id}"): lambda w, c: {
        "url": f"/api/v1/collections/{w.collection}/ingest-jobs/{w.ingest_job}"
    },
    ("GET", "/api/v1/collections/{name}/search"): lambda w, c: {
        "url": f"/api/v1/collections/{w.collection}/search?q=library"
    },
    ("GET", "/login"): lambda w, c: {"url": "/login"},
    ("POST", "/login"): lambda w, c: {
        "url": "/login",
        "data": {"email": "nobody@had.gov.hk", "password": "not the password"},
    },
    ("POST", "/logout"): lambda w, c: {"url": "/logout", "fresh_session": True},
    ("POST", "/language"): lambda w, c: {
        "url": "/language",
        "data": {"language": "en", "next": "/"},
    },
    ("GET", "/auth/oidc/login"): lambda w, c: {"url": "/auth/oidc/login"},
    ("GET", "/auth/oidc/callback"): lambda w, c: {"url": "/auth/oidc/callback?code=x&state=y"},
    ("GET", "/"): lambda w, c: {"url": "/"},
    ("GET", "/copilot"): lambda w, c: {"url": "/copilot"},
    ("POST", "/copilot"): lambda w, c: {
        "url": "/copilot",
        "data": {"task": "translate", "text": "The library opens at ten.", "target": "zh-Hant"},
    },
    ("GET", "/jobs"): lambda w, c: {"url": "/jobs"},
    ("GET", "/jobs/{job_id}"): lambda w, c: {"url": f"/jobs/{w.job_id}"},
    ("GET", "/jobs/{job_id}/progress"): lambda w, c: {"url": f"/jobs/{w.job_id}/progress"},
    ("GET", "/jobs/{job_id}/download"): lambda w, c: {"url": f"/jobs/{w.job_id}/download"},
    ("GET", "/meetings"): lambda w, c: {"url": "/meetings"},
    ("POST", "/meetings"): lambda w, c: {"url": "/meetings", "data": {"title": "No file"}},
    ("GET", "/meetings/{meeting_id}"): lambda w, c: {"url": f"/meetings/{w.meeting_id}"},
    ("GET", "/meetings/{meeting_id}/progress"): lambda w, c: {
        "url": f"/meetings/{w.meeting_id}/progress"
    },
    ("GET", "/meetings/{meeting_id}/audio"): lambda w, c: {
        "url": f"/meetings/{w.meeting_id}/audio"
    },
    ("GET", "/meetings/{meeting_id}/download/{name}"): lambda w, c: {
        "url": f"/meetings/{w.meeting_id}/download/transcript.vtt"
    },
    ("POST", "/meetings/{meeting_id}/speakers"): lambda w, c: {
        "url": f"/meetings/{w.meeting_id}/speakers",
        "data": {"label": "Speaker 1", "name": "Chair", "version": "0"},
    },
    ("POST", "/meetings/{meeting_id}/segments/{index}"): lambda w, c: {
        "url": f"/meetings/{w.meeting_id}/segments/0",
        "data": {"text": "The library opens at ten.", "version": "0"},
    },
    ("POST", "/meetings/{meeting_id}/delete"): lambda w, c: {
        "url": f"/meetings/{w.fresh_meeting()}/delete"
    },
    ("POST", "/meetings/{meeting_id}/retry"): lambda w, c: {
        "url": f"/meetings/{w.meeting_id}/retry"  # it is not failed: 409
    },
    ("POST", "/meetings/{meeting_id}/minutes"): lambda w, c: {
        "url": f"/meetings/{w.meeting_id}/minutes",
        "data": {"template": "notes"},
    },
    ("POST", "/meetings/{meeting_id}/minutes/edit"): lambda w, c: {
        "url": f"/meetings/{w.meeting_id}/minutes/edit",
        "data": {"version": "0"},
    },
    # -- web: opinion analysis --
    ("GET", "/opinion"): lambda w, c: {"url": "/opinion"},
    ("POST", "/opinion"): lambda w, c: {"url": "/opinion", "data": {"name": "No file"}},
    ("GET", "/opinion/{consultation_id}"): lambda w, c: {"url": f"/opinion/{w.consultation}"},
    ("GET", "/opinion/{consultation_id}/progress"): lambda w, c: {
        "url": f"/opinion/{w.consultation}/progress"
    },
    ("POST", "/opinion/{consultation_id}/analyse"): lambda w, c: {
        "url": f"/opinion/{w.consultation}/analyse",
        "data": {"action": "resume"},  # it did not fail: 409
    },
    ("POST", "/opinion/{consultation_id}/themes/{theme_id}"): lambda w, c: {
        "url": f"/opinion/{w.consultation}/themes/{w.consultation_theme}",
        "data": {"action": "rename", "title_en": "Stale", "version": "0"},
    },
    ("GET", "/opinion/{consultation_id}/download/{name}"): lambda w, c: {
        "url": f"/opinion/{w.consultation}/download/responses.xlsx"
    },
    ("POST", "/opinion/{consultation_id}/delete"): lambda w, c: {
        "url": f"/opinion/{w.fresh_consultation()}/delete"
    },
    ("GET", "/redact"): lambda w, c: {"url": "/redact"},
    ("POST", "/redact"): lambda w, c: {"url": "/redact", "data": {"text": "Call 9123 4567."}},
    ("GET", "/bots"): lambda w, c: {"url": "/bots"},
    ("GET", "/bots/new"): lambda w, c: {"url": "/bots/new"},
    ("POST", "/bots"): lambda w, c: {
        "url": "/bots",
        "data": {"name": _unique("bot"), "languages": ["en"], "collections": ["library-docs"]},
    },
    ("GET", "/bots/{name}"): lambda w, c: {"url": f"/bots/{w.bot}"},
    ("POST", "/bots/{name}"): lambda w, c: {
        "url": f"/bots/{w.bot}",
        "data": {
            "languages": ["en", "zh-Hant"],
            "collections": ["library-docs"],
            "handover": "Call 1823",
        },
    },
    ("POST", "/bots/{name}/delete"): lambda w, c: {"url": f"/bots/{w.fresh_bot()}/delete"},
    ("GET", "/bots/{name}/analytics.csv"): lambda w, c: {"url": f"/bots/{w.bot}/analytics.csv"},
    ("GET", "/collections"): lambda w, c: {"url": "/collections"},
    ("POST", "/collections"): lambda w, c: {"url": "/collections", "data": {"name": _unique("c")}},
    ("GET", "/collections/{name}"): lambda w, c: {"url": f"/collections/{w.collection}?q=library"},
    ("POST", "/collections/{name}/upload"): lambda w, c: {
        "url": f"/collections/{w.collection}/upload",
        "files": {"files": text_file(f"{_unique('up')}.txt")},
    },
    ("GET", "/collections/{name}/ingest-jobs/{job_id}"): lambda w, c: {
        "url": f"/collections/{w.collection}/ingest-jobs/{w.ingest_job}"
    },
    ("POST", "/collections/{name}/documents/{document_id}/delete"): lambda w, c: {
        "url": f"/collections/{w.collection}/documents/{w.fresh_document()}/delete"
    },
    ("GET", "/admin"): lambda w, c: {"url": "/admin"},
    ("POST", "/admin/departments"): lambda w, c: {
        "url": "/admin/departments",
        "data": {"name": _unique("DEPT")},
    },
    ("POST", "/admin/departments/{name}"): lambda w, c: {
        "url": "/admin/departments/HAD",
        "data": {"title_en": "Home Affairs Department"},
    },
    ("POST", "/admin/users"): lambda w, c: {
        "url": "/admin/users",
        "data": {"department": "HAD", "email": f"{_unique('u')}@had.gov.hk", "role": "officer"},
    },
    ("POST", "/admin/users/{user_id}/role"): lambda w, c: {
        "url": f"/admin/users/{w.fresh_user()}/role",
        "data": {"role": "department_admin"},
    },
    ("POST", "/admin/users/{user_id}/disable"): lambda w, c: {
        "url": f"/admin/users/{w.fresh_user()}/disable"
    },
    ("POST", "/admin/users/{user_id}/enable"): lambda w, c: {
        "url": f"/admin/users/{w.fresh_user()}/enable"
    },
    ("POST", "/admin/users/{user_id}/unlock"): lambda w, c: {
        "url": f"/admin/users/{w.fresh_user()}/unlock"
    },
    ("GET", "/admin/users/{user_id}/keys"): lambda w, c: {
        "url": f"/admin/users/{w.target_user}/keys"
    },
    ("POST", "/admin/users/{user_id}/keys"): lambda w, c: {
        "url": f"/admin/users/{w.target_user}/keys",
        "data": {"name": "matrix"},
    },
    ("POST", "/admin/keys/{key_id}/revoke"): lambda w, c: {
        "url": f"/admin/keys/{w.fresh_key()}/revoke"
    },
    ("GET", "/api/v1/ai-apps"): lambda w, c: {"url": "/api/v1/ai-apps"},
    ("POST", "/api/v1/ai-apps"): lambda w, c: {
        "url": "/api/v1/ai-apps",
        "json": {"name_en": _unique("Outside system")},
    },
    ("GET", "/api/v1/ai-apps/{app_id}"): lambda w, c: {"url": f"/api/v1/ai-apps/{w.ai_app}"},
    ("PATCH", "/api/v1/ai-apps/{app_id}"): lambda w, c: {
        "url": f"/api/v1/ai-apps/{w.ai_app}",
        "json": {"contact": "enquiry@had.gov.hk"},
    },
    ("GET", "/api/v1/assessment-questions"): lambda w, c: {"url": "/api/v1/assessment-questions"},
    ("POST", "/api/v1/ai-apps/{app_id}/assessments"): lambda w, c: {
        "url": f"/api/v1/ai-apps/{w.ai_app}/assessments",
        "json": {"answers": {"reversibility": "easy"}},
    },
    ("GET", "/api/v1/assessments/{assessment_id}"): lambda w, c: {
        "url": f"/api/v1/assessments/{w.fresh_assessment()}"
    },
    ("POST", "/api/v1/assessments/{assessment_id}/sign-off"): lambda w, c: {
        "url": f"/api/v1/assessments/{w.fresh_assessment()}/sign-off"
    },
    ("GET", "/api/v1/reviews"): lambda w, c: {"url": "/api/v1/reviews"},
    ("GET", "/api/v1/reviews/{item_id}"): lambda w, c: {
        "url": f"/api/v1/reviews/{w.fresh_review()}"
    },
    ("GET", "/api/v1/assessments/{assessment_id}/report.docx"): lambda w, c: {
        "url": f"/api/v1/assessments/{w.fresh_assessment()}/report.docx"
    },
    ("GET", "/api/v1/reviews/{item_id}/released"): lambda w, c: {
        "url": f"/api/v1/reviews/{w.fresh_released()}/released"
    },
    ("POST", "/api/v1/reviews/{item_id}/decision"): lambda w, c: {
        "url": f"/api/v1/reviews/{w.fresh_review()}/decision",
        "json": {"verdict": "approved"},
    },
    ("POST", "/api/v1/ai-apps/{app_id}/incidents"): lambda w, c: {
        "url": f"/api/v1/ai-apps/{w.ai_app}/incidents",
        "json": {"category": "other", "summary": "A test report"},
    },
    ("GET", "/api/v1/ai-apps/{app_id}/incidents"): lambda w, c: {
        "url": f"/api/v1/ai-apps/{w.ai_app}/incidents"
    },
    ("GET", "/api/v1/transparency"): lambda w, c: {"url": "/api/v1/transparency"},
    ("GET", "/governance"): lambda w, c: {"url": "/governance"},
    ("GET", "/governance/apps/{app_id}"): lambda w, c: {"url": f"/governance/apps/{w.ai_app}"},
    ("POST", "/governance/apps/{app_id}"): lambda w, c: {
        "url": f"/governance/apps/{w.ai_app}",
        "data": {
            "owner": "Chief Executive Officer (IT)",
            "contact": "enquiry@had.gov.hk",
            "purpose": "Answers the public about libraries.",
            "oversight": "on_the_loop",
            "stage": "deployment",
            "next_review": "",
            "review_sample": "0.1",
            "reviewers": "",
        },
    },
    ("POST", "/governance"): lambda w, c: {
        "url": "/governance",
        "data": {"name_en": _unique("Outside system"), "affected": "officers"},
    },
    ("POST", "/governance/apps/{app_id}/incidents"): lambda w, c: {
        "url": f"/governance/apps/{w.ai_app}/incidents",
        "data": {"category": "other", "summary": "A test report"},
    },
    ("POST", "/governance/incidents/{incident_id}"): lambda w, c: {
        "url": f"/governance/incidents/{w.fresh_incident()}",
        "data": {"status": "investigating"},
    },
    ("GET", "/governance/assessments/{assessment_id}.docx"): lambda w, c: {
        "url": f"/governance/assessments/{w.fresh_assessment()}.docx"
    },
    ("GET", "/governance/reviews"): lambda w, c: {"url": "/governance/reviews"},
    ("GET", "/governance/reviews/{item_id}"): lambda w, c: {
        "url": f"/governance/reviews/{w.fresh_review()}"
    },
    ("POST", "/governance/reviews/{item_id}"): lambda w, c: {
        "url": f"/governance/reviews/{w.fresh_review()}",
        "data": {"verdict": "approved"},
    },
    ("GET", "/governance/apps/{app_id}/assess"): lambda w, c: {
        "url": f"/governance/apps/{w.ai_app}/assess"
    },
    ("POST", "/governance/apps/{app_id}/assess"): lambda w, c: {
        "url": f"/governance/apps/{w.ai_app}/assess",
        "data": {"q.reversibility": "easy", "action": "draft"},
    },
    ("GET", "/governance/assessments/{assessment_id}"): lambda w, c: {
        "url": f"/governance/assessments/{w.fresh_assessment()}"
    },
    ("GET", "/governance/assessments/{assessment_id}.json"): lambda w, c: {
        "url": f"/governance/assessments/{w.fresh_assessment()}.json"
    },
    ("POST", "/governance/assessments/{assessment_id}/sign-off"): lambda w, c: {
        "url": f"/governance/assessments/{w.fresh_assessment()}/sign-off"
    },
    ("GET", "/transparency"): lambda w, c: {"url": "/transparency"},
    ("GET", "/transparency.json"): lambda w, c: {"url": "/transparency.json"},
    ("GET", "/transparency/{department}"): lambda w, c: {"url": "/transparency/HAD"},
    ("GET", "/audit"): lambda w, c: {"url": "/audit"},
    ("GET", "/audit/export.csv"): lambda w, c: {"url": "/audit/export.csv"},
    ("GET", "/audit/usage"): lambda w, c: {"url": "/audit/usage"},
}
REQUESTS.update(CASE_REQUESTS)


def table_rows(platform: Platform) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the platform's database, by table name."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with platform.database.engine.connect() as connection:
        for name in sa_inspect(connection).get_table_names():
            table = Table(name, MetaData(), autoload_with=connection)
            rows[name] = sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
    return rows
