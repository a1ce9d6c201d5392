"""Another department's objects are a 404 for every verb and every role, with the very body
of an object that is not there: no answer tells a caller elsewhere that it exists.

HAD owns a collection with a document and a finished upload job, and a bot. Callers of LD
(an officer, an auditor, a department administrator) try every verb on them, then on names
that exist nowhere; the two answers must read the same, the name aside.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from api_support import app_client

from govpilot.access import CallContext, Role
from govpilot.capabilities.chat.bots import new_bot
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.knowledge.uploads import UploadedFile
from govpilot.platform import Platform
from govpilot.retrieval.memory import InMemoryRetriever

pytestmark = pytest.mark.anyio

HOME, OTHER = "HAD", "LD"
HOURS = b"The Central Library opens from 10 am to 9 pm every day except Wednesday."
SETUP = CallContext(
    actor="setup@test", department=HOME, capability="setup", role=Role.PLATFORM_ADMIN.value
)


@dataclass(frozen=True)
class Objects:
    """HAD's objects, by the names and ids the routes take."""

    collection: str
    document: str
    ingest_job: str
    bot: str


@pytest.fixture
def had(platform: Platform) -> Objects:
    platform.knowledge = KnowledgeBase.build(platform.database, InMemoryRetriever())
    knowledge = platform.knowledge_base()
    knowledge.create_collection(SETUP, "library-docs")
    report = knowledge.ingest_uploads(SETUP, "library-docs", [UploadedFile("hours.txt", HOURS)])
    collection = knowledge.collections.get(HOME, "library-docs")
    uploads = platform.upload_job_service()
    queued = uploads.submit(SETUP, "library-docs", [UploadedFile("notice.txt", HOURS)])
    bot = new_bot("library", HOME, [collection.id], created_by="setup")
    platform.bot_service().create_bot(bot, SETUP)
    return Objects("library-docs", report.items[0].document_id or "", queued.job_id, "library")


#: Every verb on an object of a department: method, path (with {c} collection, {d} document,
#: {j} ingest job, {b} bot), JSON body.
VERBS: list[tuple[str, str, dict[str, object] | None]] = [
    ("GET", "/api/v1/collections/{c}", None),
    ("DELETE", "/api/v1/collections/{c}", None),
    ("GET", "/api/v1/collections/{c}/documents", None),
    ("POST", "/api/v1/collections/{c}/documents", None),
    ("DELETE", "/api/v1/collections/{c}/documents/{d}", None),
    ("GET", "/api/v1/collections/{c}/ingest-jobs/{j}", None),
    ("GET", "/api/v1/collections/{c}/search?q=library", None),
    ("GET", "/api/v1/bots/{b}", None),
    ("PATCH", "/api/v1/bots/{b}", {"tone": "rude"}),
    ("DELETE", "/api/v1/bots/{b}", None),
    ("POST", "/api/v1/bots/{b}/conversations", None),
    ("POST", "/api/v1/bots/{b}/ask", {"question": "When does the library open?"}),
    ("POST", "/api/v1/bots/{b}/ask/stream", {"question": "When does the library open?"}),
    ("POST", "/api/v1/bots/{b}/feedback", {"turn_id": "t" * 32, "rating": "up"}),
    ("GET", "/api/v1/bots/{b}/analytics", None),
    ("GET", "/api/v1/bots/{b}/analytics.csv", None),
]
ROLES = [Role.OFFICER, Role.AUDITOR, Role.DEPARTMENT_ADMIN]


def _url(template: str, objects: Objects) -> str:
    return template.format(
        c=objects.collection, d=objects.document, j=objects.ingest_job, b=objects.bot
    )


def _missing(objects: Objects) -> Objects:
    tag = uuid.uuid4().hex[:8]
    return Objects(f"nothing-{tag}", f"nodoc{tag}", f"nojob{tag}", f"nobot-{tag}")


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
async def test_every_verb_on_another_departments_object_is_404(
    platform: Platform, had: Objects, role: Role
) -> None:
    nowhere = _missing(had)
    email = f"{role.value}@ld.gov.hk"
    async with app_client(platform, email, role=role, department=OTHER) as client:
        for method, template, body in VERBS:
            files = None
            if template.endswith("/documents") and method == "POST":
                files = [("files", ("more.txt", HOURS, "text/plain"))]
            theirs = await client.request(method, _url(template, had), json=body, files=files)
            missing = await client.request(method, _url(template, nowhere), json=body, files=files)
            route = f"{method} {template} as {role.value}"
            assert theirs.status_code == 404, f"{route}: {theirs.status_code} {theirs.text}"
            assert missing.status_code == 404, f"{route}: {missing.status_code} {missing.text}"
            assert _named(theirs.json(), had) == _named(missing.json(), nowhere), route
    # Nothing of HAD's changed: the refusals came before any work.
    knowledge = platform.knowledge_base()
    assert [d.id for d in knowledge.documents.list(knowledge.collections.get(HOME, had.collection))]
    assert platform.bot_service().bots.get(HOME, had.bot).tone != "rude"


async def test_the_departments_own_staff_still_hear_not_allowed(
    platform: Platform, had: Objects
) -> None:
    """At home, the object is theirs to know of: the role refusal stays a 403."""
    async with app_client(platform, "officer@had.gov.hk", role=Role.OFFICER) as client:
        for url in (f"/api/v1/collections/{had.collection}", f"/api/v1/bots/{had.bot}"):
            refused = await client.delete(url)
            assert refused.status_code == 403, refused.text
            assert refused.json()["error"]["type"] == "PermissionDenied"
        missing = await client.delete("/api/v1/collections/nothing-here")
        assert missing.status_code == 404
        assert missing.json()["error"]["type"] == "NotFound"


def _named(body: dict[str, object], objects: Objects) -> str:
    """The error body with the object's names taken out, to compare two refusals."""
    text = repr(body)
    for value in (objects.document, objects.ingest_job, objects.collection, objects.bot):
        text = text.replace(value, "<name>")
    return text
