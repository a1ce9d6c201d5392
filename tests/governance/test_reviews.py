"""Human review on the loop: sampled, flagged and thumbs-down answers reach the queue; one
verdict per item; other departments' items are not found; incidents."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from governance_support import HAD, LD, caller

from govpilot.access import Role
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.capabilities.chat.bots import new_bot
from govpilot.capabilities.chat.testing import ScriptedRetriever, make_chunk
from govpilot.errors import Conflict, InputError, NotFound, PermissionDenied
from govpilot.platform import Platform
from govpilot.testing import fake_settings, make_test_platform

ADMIN = caller(Role.DEPARTMENT_ADMIN)
PUBLIC = caller(Role.PUBLIC, actor="public@127.0.0.1")
PASSAGE = "Rates are payable quarterly, by the end of the first month of each quarter."


def respond(messages: Sequence[ChatMessage]) -> str:
    question = messages[-1].content.split("Question:")[-1].lower()
    return "Rates are payable quarterly [1]." if "rates" in question else "NO_ANSWER"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    retriever = ScriptedRetriever()
    platform = make_test_platform(
        fake_settings(tmp_path, department=HAD),
        models=[ScriptedModel(name="fake", responder=respond)],
        retriever=retriever,
    )
    collection = platform.knowledge_base().collections.create(HAD, "rates", created_by="admin")
    retriever.add([make_chunk(1, PASSAGE, department=HAD, collection=collection.id)])
    bot = new_bot("rates-bot", HAD, [collection.id], created_by="admin")
    platform.bot_service().create_bot(bot, ADMIN)
    yield platform
    platform.database.dispose()


def _ask(platform: Platform, question: str = "When are rates payable?") -> str:
    service = platform.bot_service()
    bot = service.bot_config("rates-bot", ADMIN)
    return service.ask(bot, question, PUBLIC).turn_id


def _app_id(platform: Platform) -> str:
    return platform.register.get(ADMIN, "Bot: rates-bot").id


def test_sampled_answers_reach_the_queue_with_their_texts(platform: Platform) -> None:
    platform.register.update(ADMIN, _app_id(platform), {"review_sample": 1.0})
    turn = _ask(platform)
    [queued] = platform.reviews.queue(ADMIN)
    assert (queued.source_id, queued.reason, queued.status) == (turn, "sampled", "pending")
    item = platform.reviews.item(ADMIN, queued.id)
    assert item.question == "When are rates payable?"
    assert item.answer is not None and "quarterly" in item.answer
    assert item.citations and "quarterly" in item.citations[0]["excerpt"]


def test_nothing_is_sampled_at_a_zero_share_but_thumbs_down_is_queued(
    platform: Platform,
) -> None:
    platform.register.update(ADMIN, _app_id(platform), {"review_sample": 0})
    turn = _ask(platform)
    assert platform.reviews.queue(ADMIN) == []
    service = platform.bot_service()
    service.rate(service.bot_config("rates-bot", ADMIN), turn, -1, PUBLIC)
    assert [i.reason for i in platform.reviews.queue(ADMIN)] == ["rated_down"]


def test_one_verdict_per_item_and_only_assigned_officers(platform: Platform) -> None:
    app_id = _app_id(platform)
    platform.register.update(ADMIN, app_id, {"review_sample": 1.0})
    _ask(platform)
    [queued] = platform.reviews.queue(ADMIN)
    officer = caller(Role.OFFICER)
    assert platform.reviews.queue(officer) == []  # not assigned: sees nothing
    with pytest.raises(NotFound):  # not assigned: the item is not there for them
        platform.reviews.decide(officer, queued.id, "approved")
    platform.register.update(ADMIN, app_id, {"reviewers": [officer.actor]})
    assert [i.id for i in platform.reviews.queue(officer)] == [queued.id]
    with pytest.raises(InputError):
        platform.reviews.decide(officer, queued.id, "corrected")  # no correction given
    decided = platform.reviews.decide(officer, queued.id, "rejected", note="wrong quarter")
    assert (decided.status, decided.reviewer) == ("rejected", officer.actor)
    with pytest.raises(Conflict, match="already decided"):
        platform.reviews.decide(ADMIN, queued.id, "approved")
    with pytest.raises(NotFound):
        platform.reviews.decide(caller(Role.DEPARTMENT_ADMIN, LD), queued.id, "approved")
    [event] = platform.audit.events(action="governance.review")
    assert event.application_id == app_id and event.detail["verdict"] == "rejected"


def test_incidents_are_reported_moved_and_hidden_from_other_departments(
    platform: Platform,
) -> None:
    app_id = _app_id(platform)
    officer = caller(Role.OFFICER)
    incident = platform.incidents.report(
        officer, app_id, "wrong_answer", "Told a caller rates are due yearly", "turn abc"
    )
    assert incident.status == "open"
    with pytest.raises(InputError, match="category"):
        platform.incidents.report(officer, app_id, "ufo", "x")
    with pytest.raises(InputError, match="empty"):
        platform.incidents.report(officer, app_id, "bias", "  ")
    with pytest.raises(PermissionDenied):
        platform.incidents.update(officer, incident.id, status="resolved")
    moved = platform.incidents.update(ADMIN, incident.id, status="investigating")
    assert moved.status == "investigating"
    with pytest.raises(NotFound):
        platform.incidents.update(caller(Role.DEPARTMENT_ADMIN, LD), incident.id, status="open")
    assert platform.incidents.list(caller(Role.DEPARTMENT_ADMIN, LD)) == []
    assert [i.id for i in platform.incidents.list(caller(Role.AUDITOR, LD))] == [incident.id]
