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
from govpilot.errors import Conflict, InputError, NotFound, PermissionDenied
from govpilot.platform import Platform
from govpilot.testing import add_review_item, fake_settings, make_test_platform

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
        platform.approvals.released(DRAFTER, item_id)
    platform.reviews.decide(ADMIN, item_id, "approved")
    assert platform.approvals.released(DRAFTER, item_id) == item.answer
    actions = [e.action for e in platform.audit.events(department=HAD)]
    assert "governance.hold" in actions and "governance.review" in actions


def test_a_corrected_draft_releases_the_correction_and_a_rejected_one_nothing(
    platform: Platform,
) -> None:
    first = _draft(platform, for_approval=True)
    second = _draft(platform, for_approval=True)
    assert first and second
    platform.reviews.decide(ADMIN, first["item"], "corrected", correction="Dear Mr Chan, ...")
    assert platform.approvals.released(DRAFTER, first["item"]) == "Dear Mr Chan, ..."
    platform.reviews.decide(ADMIN, second["item"], "rejected", note="wrong department")
    with pytest.raises(Conflict, match=r"rejected by .*wrong department"):
        platform.approvals.released(DRAFTER, second["item"])


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
        platform.approvals.released(caller(Role.OFFICER, LD), approval["item"])
    with pytest.raises(InputError, match="nothing to approve"):
        platform.approvals.hold(replace(DRAFTER, capability="draft"), "instructions", "  ")


def test_nothing_of_a_held_draft_leaves_and_its_drafter_cannot_approve_it(
    platform: Platform,
) -> None:
    drafted = platform.copilot.draft(
        DRAFTER, "reply-to-public", "Thank Mr Chan.", lang="en", for_approval=True
    )
    assert drafted.as_dict()["text"] == ""  # held: the text is not handed out
    assert drafted.approval is not None
    item = drafted.approval["item"]
    drafter_as_reviewer = replace(DRAFTER, role="department_admin", capability="governance")
    with pytest.raises(PermissionDenied, match="your own draft"):
        platform.reviews.decide(drafter_as_reviewer, item, "approved")
    with pytest.raises(NotFound):  # an officer who neither drafted nor reviews it
        platform.reviews.item(caller(Role.OFFICER, actor="lee.km@had.gov.hk"), item)
    sampled = add_review_item(platform, platform.reviews.item(ADMIN, item).application_id)
    platform.reviews.decide(ADMIN, sampled, "approved")
    with pytest.raises(NotFound, match="holds no draft"):
        platform.approvals.released(ADMIN, sampled)


def test_a_retried_job_keeps_one_held_draft(platform: Platform) -> None:
    job = replace(DRAFTER, capability="draft", channel="job", session="job-42")
    platform.approvals.hold(job, "Reply", "First attempt")
    second = platform.approvals.hold(job, "Reply", "Second attempt")
    assert [i.id for i in platform.reviews.queue(ADMIN)] == [second.id]
    with pytest.raises(Conflict, match="waiting for approval"):
        platform.approvals.release_job("job-42")
    platform.reviews.decide(ADMIN, second.id, "corrected", correction="Final reply")
    assert platform.approvals.release_job("job-42") == "Final reply"
    assert platform.approvals.release_job("another-job") is None
