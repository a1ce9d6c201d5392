"""AccountService: departments, users and keys, each change checked and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from accounts_support import PASSWORD, ManualClock, acting, admin_context

from govpilot.access import Role
from govpilot.accounts.models import User
from govpilot.accounts.service import AccountService
from govpilot.audit.events import MemoryAuditSink
from govpilot.errors import Conflict, InputError, NotFound, PermissionDenied

ADMIN = admin_context()


def make(accounts: AccountService, email: str, role: Role, department: str = "HAD") -> User:
    return accounts.create_user(ADMIN, email, department=department, role=role, password=PASSWORD)


# -- departments ---------------------------------------------------------------------------


def test_departments_are_created_by_platform_admins_only(
    accounts: AccountService, clock: ManualClock
) -> None:
    created = accounts.create_department(ADMIN, "OGCIO", title_zh="政府資訊科技總監辦公室")
    assert (created.name, created.title_en, created.title_zh) == (
        "OGCIO",
        "OGCIO",
        "政府資訊科技總監辦公室",
    )
    assert created.created_at == clock.now
    assert (created.max_concurrent_jobs, created.requests_per_minute) == (4, 120)  # settings
    with pytest.raises(Conflict):
        accounts.create_department(ADMIN, "OGCIO")
    with pytest.raises(InputError, match="usable department name"):
        accounts.create_department(ADMIN, "bad name!")
    dept_admin = make(accounts, "boss@had.gov.hk", Role.DEPARTMENT_ADMIN)
    with pytest.raises(PermissionDenied):
        accounts.create_department(acting(dept_admin), "NEW")


def test_who_sees_which_departments(accounts: AccountService) -> None:
    officer = make(accounts, "officer@had.gov.hk", Role.OFFICER)
    auditor = make(accounts, "auditor@had.gov.hk", Role.AUDITOR)
    assert [d.name for d in accounts.departments(acting(officer))] == ["HAD"]
    assert [d.name for d in accounts.departments(acting(auditor))] == ["HAD", "LD"]


def test_department_settings_are_changed_by_their_admins(accounts: AccountService) -> None:
    boss = make(accounts, "boss@had.gov.hk", Role.DEPARTMENT_ADMIN)
    changed = accounts.update_department(
        acting(boss), "HAD", allowed_models=["fake"], requests_per_minute=30
    )
    assert changed.allowed_models == ("fake",) and changed.requests_per_minute == 30
    assert changed.allows_model("fake") and not changed.allows_model("other")
    with pytest.raises(PermissionDenied):
        accounts.update_department(acting(boss), "LD", requests_per_minute=30)
    with pytest.raises(InputError, match="between 1 and 10000"):
        accounts.update_department(acting(boss), "HAD", max_concurrent_jobs=0)


# -- users ---------------------------------------------------------------------------------


def test_create_user_normalises_and_audits_without_the_password(
    accounts: AccountService, audit_sink: MemoryAuditSink
) -> None:
    user = accounts.create_user(
        ADMIN, "  Chan.TM@HAD.gov.hk ", department="HAD", role="officer", password=PASSWORD
    )
    assert (user.email, user.role, user.display_name) == (
        "chan.tm@had.gov.hk",
        "officer",
        "chan.tm",
    )
    assert user.has_password and not user.sso and not user.disabled
    event = audit_sink.events[-1]
    assert (event.action, event.detail) == ("user.create", {"user_id": user.id, "role": "officer"})
    assert PASSWORD not in repr(audit_sink.events)
    with pytest.raises(Conflict):
        make(accounts, "CHAN.TM@had.gov.hk", Role.OFFICER)


@pytest.mark.parametrize(
    ("email", "kwargs", "error", "match"),
    [
        ("not-an-email", {}, InputError, "not an e-mail address"),
        ("a@had.gov.hk", {"role": "public"}, InputError, "unknown role"),
        ("a@had.gov.hk", {"department": "NOPE"}, NotFound, "no department"),
        ("a@had.gov.hk", {"password": "short"}, InputError, "shorter than 12"),
        ("abcd@had.gov.hk", {"password": "xxabcdxx12345"}, InputError, "too easy"),
        ("a@had.gov.hk", {"language": "fr"}, InputError, "unknown language"),
    ],
)
def test_create_user_refuses_bad_input(
    accounts: AccountService, email: str, kwargs: dict[str, str], error: type, match: str
) -> None:
    values = {"department": "HAD", "role": "officer", "password": PASSWORD, **kwargs}
    with pytest.raises(error, match=match):
        accounts.create_user(ADMIN, email, **values)  # type: ignore[arg-type]


def test_department_admins_manage_their_own_department_only(accounts: AccountService) -> None:
    boss = acting(make(accounts, "boss@had.gov.hk", Role.DEPARTMENT_ADMIN))
    officer = accounts.create_user(boss, "new@had.gov.hk", department="HAD", role="officer")
    assert officer.department == "HAD" and not officer.has_password
    accounts.create_user(boss, "deputy@had.gov.hk", department="HAD", role="department_admin")
    for role in ("auditor", "platform_admin"):
        with pytest.raises(PermissionDenied, match="only a platform administrator"):
            accounts.create_user(boss, f"{role}@had.gov.hk", department="HAD", role=role)
    with pytest.raises(PermissionDenied, match="another department"):
        accounts.create_user(boss, "x@ld.gov.hk", department="LD", role="officer")
    assert [u.email for u in accounts.users(boss)] == [
        "boss@had.gov.hk",
        "deputy@had.gov.hk",
        "new@had.gov.hk",
    ]
    with pytest.raises(PermissionDenied):
        accounts.users(boss, "LD")
    lone = make(accounts, "lone@ld.gov.hk", Role.OFFICER, "LD")
    with pytest.raises(NotFound):  # another department's accounts are not even confirmed
        accounts.user(boss, lone.email)


def test_officers_and_auditors_manage_no_one(accounts: AccountService) -> None:
    officer = acting(make(accounts, "officer@had.gov.hk", Role.OFFICER))
    auditor = acting(make(accounts, "auditor@had.gov.hk", Role.AUDITOR))
    for caller in (officer, auditor):
        with pytest.raises(PermissionDenied):
            accounts.create_user(caller, "x@had.gov.hk", department="HAD", role="officer")
        with pytest.raises(PermissionDenied):
            accounts.users(caller)
    assert accounts.user(officer, "officer@had.gov.hk").email == "officer@had.gov.hk"  # oneself


def test_roles_and_access_change_but_never_ones_own(
    accounts: AccountService, audit_sink: MemoryAuditSink
) -> None:
    boss_user = make(accounts, "boss@had.gov.hk", Role.DEPARTMENT_ADMIN)
    boss = acting(boss_user)
    officer = make(accounts, "officer@had.gov.hk", Role.OFFICER)
    promoted = accounts.update_user(boss, officer.email, role="department_admin")
    assert promoted.role == Role.DEPARTMENT_ADMIN
    assert audit_sink.events[-1].detail["changed"] == ["role"]
    with pytest.raises(PermissionDenied, match="only a platform administrator"):
        accounts.update_user(boss, officer.email, role="auditor")
    with pytest.raises(PermissionDenied, match="your own role"):
        accounts.update_user(boss, boss_user.email, role="officer")
    with pytest.raises(PermissionDenied, match="your own account"):
        accounts.update_user(boss, boss_user.email, disabled=True)
    platform_admin = make(accounts, "root@had.gov.hk", Role.PLATFORM_ADMIN)
    with pytest.raises(PermissionDenied):  # a department admin cannot demote a platform admin
        accounts.update_user(boss, platform_admin.email, role="officer")
    disabled = accounts.update_user(boss, officer.email, disabled=True, display_name=" Chan ")
    assert disabled.disabled and disabled.display_name == "Chan"
    before = len(audit_sink.events)
    accounts.update_user(boss, officer.email, disabled=True)  # no change, no event
    assert len(audit_sink.events) == before


def test_passwords_are_set_by_oneself_or_an_administrator(
    accounts: AccountService, audit_sink: MemoryAuditSink
) -> None:
    officer = make(accounts, "officer@had.gov.hk", Role.OFFICER)
    other = make(accounts, "other@had.gov.hk", Role.OFFICER)
    accounts.set_password(acting(officer), officer.id, "a new passphrase for me")
    accounts.set_password(ADMIN, other.email, "set by the administrator")
    with pytest.raises(PermissionDenied):
        accounts.set_password(acting(officer), other.id, "not mine to change at all")
    with pytest.raises(InputError):
        accounts.set_password(acting(officer), officer.id, "short")
    assert "a new passphrase for me" not in repr(audit_sink.events)
    assert [e.action for e in audit_sink.events[-2:]] == ["user.password", "user.password"]


# -- API keys ------------------------------------------------------------------------------


def test_keys_belong_to_their_owner_and_their_administrators(
    accounts: AccountService, clock: ManualClock, audit_sink: MemoryAuditSink
) -> None:
    officer = make(accounts, "officer@had.gov.hk", Role.OFFICER)
    other = make(accounts, "other@had.gov.hk", Role.OFFICER)
    lone = make(accounts, "lone@ld.gov.hk", Role.OFFICER, "LD")
    boss = acting(make(accounts, "boss@had.gov.hk", Role.DEPARTMENT_ADMIN))
    created = accounts.create_key(acting(officer), officer.id, name=" scripts ")
    assert created.token.startswith("gpk_") and created.key.prefix == created.token[:10]
    assert created.key.name == "scripts"
    assert created.key.expires_at - created.key.created_at == timedelta(days=30)  # settings
    assert created.token not in repr(audit_sink.events)
    by_boss = accounts.create_key(boss, officer.email, days=7)
    assert [k.id for k in accounts.keys(acting(officer))] == [created.key.id, by_boss.key.id]
    with pytest.raises(PermissionDenied):
        accounts.create_key(acting(officer), other.id)
    with pytest.raises(NotFound):
        accounts.keys(boss, lone.email)
    with pytest.raises(PermissionDenied):
        accounts.revoke_key(acting(other), created.key.id)
    with pytest.raises(InputError, match="1 to 3650"):
        accounts.create_key(boss, officer.email, days=4000)
    clock.advance(hours=1)
    revoked = accounts.revoke_key(acting(officer), created.key.id)
    assert revoked.revoked_at == clock.now and not revoked.active(clock.now)
    assert accounts.revoke_key(boss, created.key.id).revoked_at == revoked.revoked_at  # kept
    with pytest.raises(NotFound):
        accounts.revoke_key(boss, "no-such-key")


def test_only_platform_admins_change_the_accounts_they_appoint(accounts: AccountService) -> None:
    boss = acting(make(accounts, "boss@had.gov.hk", Role.DEPARTMENT_ADMIN))
    auditor = make(accounts, "auditor@had.gov.hk", Role.AUDITOR)
    officer = make(accounts, "officer@had.gov.hk", Role.OFFICER)
    for change in (
        lambda: accounts.update_user(boss, auditor.email, disabled=True),
        lambda: accounts.update_user(boss, auditor.email, unlock=True),
        lambda: accounts.set_password(boss, auditor.email, "a brand new passphrase"),
        lambda: accounts.create_key(boss, auditor.email),
    ):
        with pytest.raises(PermissionDenied, match="only a platform administrator"):
            change()
    assert not accounts.user(admin_context(), auditor.email).disabled
    assert accounts.update_user(boss, officer.email, disabled=True).disabled  # their own staff
    assert accounts.update_user(admin_context(), auditor.email, disabled=True).disabled
