"""The register fills itself: a bot's entry on creation, a copilot capability's at its first
model call, and every model call's audit event names its application."""

from __future__ import annotations

from dataclasses import replace

import pytest
from governance_support import HAD, LD, caller, collection_id
from sqlalchemy import select

from govpilot.access import Role
from govpilot.audit.events import AuditEvent
from govpilot.backends.llm import ChatMessage
from govpilot.capabilities.chat.bots import new_bot
from govpilot.errors import InputError, NotFound, PermissionDenied
from govpilot.platform import Platform
from govpilot.storage.audit_tables import AuditEventRow

ADMIN = caller(Role.DEPARTMENT_ADMIN)


def _call(platform: Platform, capability: str, application: str | None = None) -> None:
    ctx = replace(caller(Role.OFFICER), capability=capability, application=application)
    platform.gateway.complete(ctx, [ChatMessage("user", "Hello")])


def test_a_copilot_capability_is_registered_at_its_first_call(platform: Platform) -> None:
    _call(platform, "translate")
    _call(platform, "translate")
    _call(platform, "summarise")
    apps = platform.register.list(ADMIN)
    assert sorted(a.source for a in apps) == ["summarise", "translate"]
    translate = next(a for a in apps if a.source == "translate")
    assert (translate.kind, translate.name_zh, translate.affected) == (
        "copilot",
        "文書助手：翻譯",
        "officers",
    )
    assert translate.models == [platform.settings.default_model]
    with platform.database.session() as session:
        calls = session.scalars(
            select(AuditEventRow.application_id).where(AuditEventRow.backend.is_not(None))
        ).all()
    assert len(calls) == 3 and all(calls)
    assert calls.count(translate.id) == 2


def test_a_bot_is_registered_when_created_and_retired_when_deleted(platform: Platform) -> None:
    bots = platform.bot_service()
    bot = bots.create_bot(
        new_bot("housing-faq", HAD, [collection_id(platform)], created_by="admin"), ADMIN
    )
    app = platform.register.get(ADMIN, "Bot: housing-faq")
    assert (app.kind, app.source, app.affected, app.oversight) == (
        "bot",
        f"bot:{bot.id}",
        "public",
        "on_the_loop",
    )
    assert app.review_sample > 0
    # A model call in the bot's name is attributed to its entry, not to a new one.
    _call(platform, "bot", application=f"bot:{bot.id}")
    assert len(platform.register.list(ADMIN)) == 1
    bots.delete_bot("housing-faq", ADMIN)
    assert platform.register.get(ADMIN, app.id).stage == "retired"


def test_another_departments_entry_is_not_found(platform: Platform) -> None:
    _call(platform, "translate")
    app = platform.register.list(ADMIN)[0]
    with pytest.raises(NotFound):
        platform.register.get(caller(Role.DEPARTMENT_ADMIN, LD), app.id)
    with pytest.raises(NotFound):
        platform.register.update(caller(Role.DEPARTMENT_ADMIN, LD), app.id, {"owner": "x"})
    assert platform.register.list(caller(Role.DEPARTMENT_ADMIN, LD)) == []
    # Auditors read every department's register, and change nothing.
    auditor = caller(Role.AUDITOR, LD)
    assert [a.id for a in platform.register.list(auditor)] == [app.id]
    with pytest.raises(PermissionDenied):
        platform.register.update(auditor, app.id, {"owner": "x"})


def test_admins_edit_entries_and_register_outside_systems(platform: Platform) -> None:
    _call(platform, "draft")
    app = platform.register.list(ADMIN)[0]
    updated = platform.register.update(
        ADMIN,
        app.id,
        {
            "owner": "Chief Executive Officer (IT)",
            "oversight": "in_the_loop",
            "data_categories": "NAME, HKID",
            "next_review": "2027-06-30",
        },
    )
    assert updated.oversight == "in_the_loop"
    assert updated.data_categories == ["NAME", "HKID"]
    assert str(updated.next_review) == "2027-06-30"
    with pytest.raises(InputError, match="oversight 'sometimes'"):
        platform.register.update(ADMIN, app.id, {"oversight": "sometimes"})
    with pytest.raises(InputError, match="not a field"):
        platform.register.update(ADMIN, app.id, {"colour": "red"})
    with pytest.raises(PermissionDenied):
        platform.register.update(caller(Role.OFFICER), app.id, {"owner": "me"})
    outside = platform.register.register_external(
        ADMIN,
        {
            "name_en": "Traffic camera analytics",
            "name_zh": "交通攝影機分析",
            "affected": "public",
            "models": ["vendor-vision"],
        },
    )
    assert outside.kind == "external" and outside.stage == "planning"
    with pytest.raises(InputError, match="English name"):
        platform.register.register_external(ADMIN, {"name_zh": "無名"})
    updates = platform.audit.events(action="governance.update")
    assert [(e.application_id, e.detail["fields"]) for e in updates] == [
        (app.id, ["data_categories", "next_review", "oversight", "owner"])
    ]


def test_events_without_an_application_keep_verifying(platform: Platform) -> None:
    # Events written before the register (application_id None) hash as they always did.
    platform.audit.append(AuditEvent(actor="a", department=HAD, action="login"))
    _call(platform, "translate")
    report = platform.audit.verify()
    assert report.ok and report.checked == 2  # login, the call
