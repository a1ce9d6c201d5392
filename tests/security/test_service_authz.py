"""Authorisation in the service layer, where every interface passes: bots, knowledge
collections and the privacy lifecycle, for each role, in its own department and another.

The expectations are written out here from the table in `accounts/roles.py`, not computed
from it, so a change to the rules has to change this file too:

    MANAGE_KNOWLEDGE  platform admin, department admin        (bots, collections, ingest)
    VIEW_ANALYTICS    platform admin, department admin, auditor
    ASK_BOTS          platform admin, department admin, officer, public
    SEARCH_KNOWLEDGE  platform admin, department admin, officer

In another department only the platform admin may act, and the auditor read analytics.
The privacy lifecycle (MANAGE_PRIVACY: platform admin, department admin): a purge works on
every department's records at once, so it is the platform admin's only; data access,
erasure and correction reach the records of the departments the caller may reach.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from govpilot.access import CallContext, Role
from govpilot.backends.fake import ScriptedModel
from govpilot.capabilities.chat.bots import Bot, new_bot
from govpilot.capabilities.chat.service import PUBLIC_CHANNEL, BotService
from govpilot.cli.privacy import lifecycle_for
from govpilot.errors import Conflict, PermissionDenied
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.knowledge.ocr import OcrLine
from govpilot.knowledge.uploads import UploadedFile
from govpilot.platform import Platform
from govpilot.privacy.testing import SAMPLE_HKID
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.testing import make_test_platform

HOME = "HAD"
OTHER = "LCSD"
PA, DA, OFF, AUD, PUB = (
    Role.PLATFORM_ADMIN,
    Role.DEPARTMENT_ADMIN,
    Role.OFFICER,
    Role.AUDITOR,
    Role.PUBLIC,
)
ROLES = (PA, DA, OFF, AUD, PUB)
NOTICE = b"The Central Library opens from 10 am to 9 pm."


class NoOcr:
    def read_lines(self, image: object) -> list[OcrLine]:
        return []


def caller(role: Role, department: str = HOME) -> CallContext:
    """A caller of `role` in `department` (the public on the public channel)."""
    public = role == PUB
    return CallContext(
        actor="public@203.0.113.9" if public else f"{role.value}@{department.lower()}.gov.hk",
        department=department,
        capability="test",
        channel=PUBLIC_CHANNEL if public else "api",
        role=role.value,
    )


def setup_context(department: str, channel: str = "api") -> CallContext:
    """A platform administrator of `department`, to put things in place."""
    return replace(caller(PA, department), actor="setup@test", channel=channel)


@dataclass
class World:
    """The platform, with a collection ("docs", holding one document) in each department."""

    platform: Platform
    bots: BotService
    knowledge: KnowledgeBase
    folder: Path

    def collection(self, department: str) -> str:
        """A new collection of `department` holding one document; its name."""
        name = f"c-{uuid.uuid4().hex[:8]}"
        ctx = setup_context(department)
        self.knowledge.create_collection(ctx, name)
        self.knowledge.ingest_uploads(ctx, name, [UploadedFile("notice.txt", NOTICE)])
        return name

    def bot(self, department: str) -> Bot:
        """A new bot of `department` over the department's "docs" collection."""
        docs = self.knowledge.collections.get(department, "docs")
        bot = new_bot(f"b-{uuid.uuid4().hex[:8]}", department, [docs.id])
        return self.bots.create_bot(bot, setup_context(department))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("authz")
    model = ScriptedModel(name="fake", responder=lambda _: "It opens at 10 am [1].")
    platform = make_test_platform(home, models=[model], retriever=InMemoryRetriever(), ocr=NoOcr())
    knowledge = platform.knowledge_base()
    for department in (HOME, OTHER):
        ctx = setup_context(department)
        knowledge.create_collection(ctx, "docs")
        knowledge.ingest_uploads(ctx, "docs", [UploadedFile("notice.txt", NOTICE)])
    folder = home / "files"
    folder.mkdir()
    (folder / "notice.txt").write_bytes(NOTICE)
    yield World(platform, platform.bot_service(), knowledge, folder)
    platform.shutdown()
    platform.database.dispose()


# -- the operations: each acts as `ctx` on something that belongs to `department` --------

Operation = Callable[[World, CallContext, str], object]


def _rate(w: World, ctx: CallContext, department: str) -> None:
    bot = w.bot(department)
    # The answer is in a conversation of the caller's kind (public or signed in).
    asked = w.bots.ask(bot, "When does the library open?", setup_context(department, ctx.channel))
    w.bots.rate(bot, asked.turn_id, 1, ctx)


def _upload_job(w: World, ctx: CallContext, department: str) -> None:
    name = w.collection(department)
    jobs = w.platform.upload_job_service()
    upload = [UploadedFile("more.txt", b"More library news.")]
    queued = jobs.submit(setup_context(department), name, upload, department=department)
    try:
        jobs.report(ctx, name, queued.job_id, department=department)
    finally:
        # No worker may be running: cancel it, so the cases after this one do not meet
        # the department's job limit (4) before the check they are about.
        with contextlib.suppress(Conflict):
            jobs.jobs.cancel(setup_context(department), queued.job_id)


def _delete_document(w: World, ctx: CallContext, department: str) -> None:
    name = w.collection(department)
    document = w.knowledge.documents.list(w.knowledge.collections.get(department, name))[0]
    w.knowledge.delete_document(ctx, name, document.id, department=department)


def _ingest_paths(w: World, ctx: CallContext, department: str) -> None:
    name = w.collection(department)
    job = w.knowledge.start_ingest(ctx, name, [w.folder], department=department)
    w.knowledge.run_ingest(ctx, job, department=department)


OPERATIONS: dict[str, Operation] = {
    "bot.create": lambda w, ctx, d: w.bots.create_bot(
        new_bot(f"n-{uuid.uuid4().hex[:8]}", d, [w.knowledge.collections.get(d, "docs").id]),
        ctx,
    ),
    "bot.update": lambda w, ctx, d: w.bots.update_bot(replace(w.bot(d), tone="warm"), ctx),
    "bot.delete": lambda w, ctx, d: w.bots.delete_bot(w.bot(d).name, ctx, department=d),
    "bot.analytics": lambda w, ctx, d: w.bots.analytics(w.bot(d), ctx),
    "bot.ask": lambda w, ctx, d: w.bots.ask(w.bot(d), "When does the library open?", ctx),
    "bot.ask_stream": lambda w, ctx, d: list(
        w.bots.ask_stream(w.bot(d), "When does the library open?", ctx)[1]
    ),
    "bot.start_conversation": lambda w, ctx, d: w.bots.start_conversation(w.bot(d), ctx),
    "bot.rate": _rate,
    "collection.create": lambda w, ctx, d: w.knowledge.create_collection(
        ctx, f"n-{uuid.uuid4().hex[:8]}", department=d
    ),
    "collection.delete": lambda w, ctx, d: w.knowledge.delete_collection(
        ctx, w.collection(d), department=d
    ),
    "ingest.paths": _ingest_paths,
    "ingest.uploads": lambda w, ctx, d: w.knowledge.ingest_uploads(
        ctx, w.collection(d), [UploadedFile("more.txt", b"More library news.")], department=d
    ),
    "ingest.jobs": lambda w, ctx, d: w.knowledge.ingest_jobs(ctx, "docs", department=d),
    "ingest.queue_uploads": lambda w, ctx, d: w.platform.upload_job_service().submit(
        ctx, w.collection(d), [UploadedFile("more.txt", b"More library news.")], department=d
    ),
    "ingest.upload_job": _upload_job,
    "document.delete": _delete_document,
    "collections.list": lambda w, ctx, d: w.knowledge.list_collections(ctx, department=d),
    "documents.list": lambda w, ctx, d: w.knowledge.list_documents(ctx, "docs", department=d),
    "search": lambda w, ctx, d: w.knowledge.search_collection(
        ctx, "docs", ["library"], department=d
    ),
}

_MANAGE = {PA, DA}
_ASK = {PA, DA, OFF, PUB}
_SEARCH = {PA, DA, OFF}

#: Who may do each operation in their own department.
ALLOWED_AT_HOME: dict[str, set[Role]] = {
    "bot.create": _MANAGE,
    "bot.update": _MANAGE,
    "bot.delete": _MANAGE,
    "bot.analytics": {PA, DA, AUD},
    "bot.ask": _ASK,
    "bot.ask_stream": _ASK,
    "bot.start_conversation": _ASK,
    "bot.rate": _ASK,
    "collection.create": _MANAGE,
    "collection.delete": _MANAGE,
    "ingest.paths": _MANAGE,
    "ingest.uploads": _MANAGE,
    "ingest.jobs": _MANAGE,
    "ingest.queue_uploads": _MANAGE,
    "ingest.upload_job": _MANAGE,
    "document.delete": _MANAGE,
    "collections.list": _SEARCH,
    "documents.list": _SEARCH,
    "search": _SEARCH,
}

#: Who may do each operation in another department.
ALLOWED_ELSEWHERE: dict[str, set[Role]] = {
    name: ({PA, AUD} if name == "bot.analytics" else {PA}) for name in OPERATIONS
}


def _cases(allowed: dict[str, set[Role]]) -> list[tuple[str, Role, bool]]:
    return [(name, role, role in allowed[name]) for name in OPERATIONS for role in ROLES]


def test_every_operation_has_its_expectations() -> None:
    assert set(ALLOWED_AT_HOME) == set(OPERATIONS) == set(ALLOWED_ELSEWHERE)


@pytest.mark.parametrize(("operation", "role", "allowed"), _cases(ALLOWED_AT_HOME))
def test_in_own_department(world: World, operation: str, role: Role, allowed: bool) -> None:
    act = OPERATIONS[operation]
    if allowed:
        act(world, caller(role), HOME)
    else:
        with pytest.raises(PermissionDenied):
            act(world, caller(role), HOME)


@pytest.mark.parametrize(("operation", "role", "allowed"), _cases(ALLOWED_ELSEWHERE))
def test_in_another_department(world: World, operation: str, role: Role, allowed: bool) -> None:
    act = OPERATIONS[operation]
    if allowed:
        act(world, caller(role), OTHER)
    else:
        with pytest.raises(PermissionDenied):
            act(world, caller(role), OTHER)


def test_a_refused_change_changes_nothing(world: World) -> None:
    bot = world.bot(HOME)
    with pytest.raises(PermissionDenied):
        world.bots.delete_bot(bot.name, caller(OFF), department=HOME)
    with pytest.raises(PermissionDenied):
        world.bots.update_bot(replace(bot, tone="rude"), caller(DA, OTHER))
    assert world.bots.bots.get(HOME, bot.name).tone == bot.tone
    name = world.collection(HOME)
    with pytest.raises(PermissionDenied):
        world.knowledge.delete_collection(caller(DA, OTHER), name, department=HOME)
    with pytest.raises(PermissionDenied):
        world.knowledge.ingest_uploads(
            caller(OFF), name, [UploadedFile("x.txt", b"Injected text.")], department=HOME
        )
    documents = world.knowledge.list_documents(caller(DA), name)
    assert [d.source for d in documents] == ["notice.txt"]


# -- the privacy lifecycle ----------------------------------------------------------------

PRIVACY: dict[str, Callable[[World, CallContext], object]] = {
    "purge": lambda w, ctx: lifecycle_for(w.platform).purge(ctx),
    "purge.dry_run": lambda w, ctx: lifecycle_for(w.platform).purge(ctx, dry_run=True),
    "access": lambda w, ctx: lifecycle_for(w.platform).data_access_request(
        ctx, "Chan Tai Man", pii_type="PERSON"
    ),
    "erase": lambda w, ctx: lifecycle_for(w.platform).erase(ctx, "Chan Tai Man", pii_type="PERSON"),
    "correct": lambda w, ctx: lifecycle_for(w.platform).correct(
        ctx, "Chan Tai Man", "Chan Siu Man", pii_type="PERSON"
    ),
}
PRIVACY_ALLOWED: dict[str, set[Role]] = {
    "purge": {PA},
    "purge.dry_run": {PA},
    "access": {PA, DA},
    "erase": {PA, DA},
    "correct": {PA, DA},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(PRIVACY))
def test_privacy_lifecycle(world: World, operation: str, role: Role) -> None:
    act = PRIVACY[operation]
    if role in PRIVACY_ALLOWED[operation]:
        act(world, caller(role))
    else:
        with pytest.raises(PermissionDenied):
            act(world, caller(role))


def test_data_subject_requests_stay_within_the_department(world: World) -> None:
    records = world.platform.records
    hkid = SAMPLE_HKID
    ids = {
        department: records.save_text(
            "job_inputs", department, "someone", f"Applicant HKID {hkid}, see file."
        )
        for department in (HOME, OTHER)
    }
    lifecycle = lifecycle_for(world.platform)
    own = lifecycle.data_access_request(caller(DA), hkid, pii_type="HKID")
    assert ids[HOME] in {r.id for r in own.records}
    assert ids[OTHER] not in {r.id for r in own.records}
    everywhere = lifecycle.data_access_request(caller(PA), hkid, pii_type="HKID")
    assert {ids[HOME], ids[OTHER]} <= {r.id for r in everywhere.records}
    erased = lifecycle.erase(caller(DA, OTHER), hkid, pii_type="HKID")
    assert erased.total >= 1
    left = {r.id for r in records.find_by_subjects([lifecycle.resolve(hkid, "HKID")])}
    assert ids[HOME] in left and ids[OTHER] not in left


def test_the_cli_acts_as_platform_administrator(world: World) -> None:
    ctx = world.platform.cli_context("knowledge")
    assert ctx.role == Role.PLATFORM_ADMIN.value
    lifecycle_for(world.platform).purge(ctx, dry_run=True)
    world.knowledge.list_collections(ctx, department=OTHER)
