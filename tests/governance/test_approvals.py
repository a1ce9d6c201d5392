"""Human review in the loop: a copilot draft marked for approval (every draft, when drafting
is overseen in the loop) is held; only an approved or corrected text is released."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from governance_support import HAD, LD, caller

from govpilot.access import Role
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.errors import Conflict, InputError, NotFound
from govpilot.platform import Platform
from govpilot.testing import fake_settings, make_test_platform

ADMIN = caller(Role.DEPARTMENT_ADMIN)
DRAFTER = replace(caller(Role.OFFICER, actor="drafter@had.gov.hk"), capability="copilot")
REPLY = "Dear Mr Chan,\n\nThank you for your letter about the footbridge.\n\nYours sincerely"


def respond(messages: Sequence[ChatMessage]) -> str:
    return REPLY


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    platform = make_test_platform(
        fake_settings(tmp_path, department=HAD),
        models=[ScriptedModel(name="fake", responder=respond)],
    )
    yield platform
    platform.database.dispose()


def _draft(platform: Platform, *, for_approval: bool) -> dict[str, str] | None:
    drafted = platform.copilot.draft(
        DRAFTER,
        "reply-to-public",
        "Thank Mr Chan for his letter about the footbridge.",
        lang="en",
        for_approval=for_approval,
    )
    assert "footbridge" in drafted.document.text
    return drafted.approval


def test_a_draft_marked_for_approval_is_held_until_approved(platform: Platform) -> None:
    assert _draft(platform, for_approval=False) is None  # on the loop: not held
    approval = _draft(platform, for_approval=True)
    assert approval is not None and approval["status"] == "pending"
    item_id = approval["item"]
    [queued] = platform.reviews.queue(ADMIN)
    assert (queued.id, queued.reason, queued.source) == (item_id, "approval", "copilot_draft")
    item = platform.reviews.item(ADMIN, item_id)
    assert item.question is not None and "footbridge" in item.question
    assert item.answer is not None and "Dear Mr Chan" in item.answer
    with pytest.raises(Conflict, match="waiting for approval"):
        platform.reviews.released(DRAFTER, item_id)
    platform.reviews.decide(ADMIN, item_id, "approved")
    assert platform.reviews.released(DRAFTER, item_id) == item.answer
    actions = [e.action for e in platform.audit.events(department=HAD)]
    assert "governance.hold" in actions and "governance.review" in actions


def test_a_corrected_draft_releases_the_correction_and_a_rejected_one_nothing(
    platform: Platform,
) -> None:
    first = _draft(platform, for_approval=True)
    second = _draft(platform, for_approval=True)
    assert first and second
    platform.reviews.decide(ADMIN, first["item"], "corrected", correction="Dear Mr Chan, ...")
    assert platform.reviews.released(DRAFTER, first["item"]) == "Dear Mr Chan, ..."
    platform.reviews.decide(ADMIN, second["item"], "rejected", note="wrong department")
    with pytest.raises(Conflict, match=r"rejected by .*wrong department"):
        platform.reviews.released(DRAFTER, second["item"])


def test_in_the_loop_drafting_holds_every_draft(platform: Platform) -> None:
    _draft(platform, for_approval=False)  # registers the drafting entry at its first call
    app = platform.register.get(ADMIN, "Copilot: drafting")
    platform.register.update(ADMIN, app.id, {"oversight": "in_the_loop"})
    approval = _draft(platform, for_approval=False)
    assert approval is not None and approval["status"] == "pending"
    assert [i.application_id for i in platform.reviews.queue(ADMIN)] == [app.id]


def test_another_departments_draft_is_not_found_and_empty_output_is_refused(
    platform: Platform,
) -> None:
    approval = _draft(platform, for_approval=True)
    assert approval is not None
    with pytest.raises(NotFound):
        platform.reviews.released(caller(Role.OFFICER, LD), approval["item"])
    with pytest.raises(InputError, match="nothing to approve"):
        platform.reviews.hold(replace(DRAFTER, capability="draft"), "instructions", "  ")
