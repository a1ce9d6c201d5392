"""The roles table and the one authorisation check: what each role may do, and where."""

from __future__ import annotations

import pytest

from govpilot.access import (
    ACCOUNT_ROLES,
    DEPARTMENT_GRANTABLE,
    CallContext,
    Permission,
    Role,
    allowed,
    authorize,
    permissions_of,
    visible_departments,
)
from govpilot.errors import PermissionDenied

P = Permission


def ctx(role: Role, department: str = "HAD") -> CallContext:
    return CallContext(actor="x@test", department=department, capability="t", role=role.value)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.PLATFORM_ADMIN, set(Permission)),
        (
            Role.DEPARTMENT_ADMIN,
            {
                P.USE_COPILOT, P.ASK_BOTS, P.SEARCH_KNOWLEDGE, P.MANAGE_KNOWLEDGE,
                P.VIEW_ANALYTICS, P.MANAGE_USERS, P.MANAGE_DEPARTMENT, P.MANAGE_PRIVACY,
                P.READ_GOVERNANCE, P.MANAGE_GOVERNANCE, P.REVIEW_OUTPUTS, P.REPORT_INCIDENT,
            },
        ),
        (
            Role.OFFICER,
            {
                P.USE_COPILOT, P.ASK_BOTS, P.SEARCH_KNOWLEDGE, P.READ_GOVERNANCE,
                P.REVIEW_OUTPUTS, P.REPORT_INCIDENT,
            },
        ),
        (Role.AUDITOR, {P.READ_AUDIT, P.VIEW_ANALYTICS, P.READ_GOVERNANCE}),
        (Role.PUBLIC, {P.ASK_BOTS}),
    ],
)  # fmt: skip
def test_the_roles_table(role: Role, expected: set[Permission]) -> None:
    assert permissions_of(role) == expected
    assert permissions_of(role.value) == expected


def test_an_unknown_role_may_do_nothing() -> None:
    assert permissions_of("superuser") == frozenset()
    assert not allowed(CallContext("x", "HAD", "t", role="superuser"), P.ASK_BOTS)


def test_only_department_admins_and_officers_are_grantable_by_department_admins() -> None:
    assert {Role.DEPARTMENT_ADMIN, Role.OFFICER} == DEPARTMENT_GRANTABLE
    assert Role.PUBLIC not in ACCOUNT_ROLES


@pytest.mark.parametrize(
    ("role", "permission", "own", "other"),
    [
        (Role.OFFICER, P.USE_COPILOT, True, False),
        (Role.OFFICER, P.MANAGE_USERS, False, False),
        (Role.DEPARTMENT_ADMIN, P.MANAGE_USERS, True, False),
        (Role.DEPARTMENT_ADMIN, P.MANAGE_DEPARTMENTS, False, False),
        (Role.PLATFORM_ADMIN, P.MANAGE_USERS, True, True),
        (Role.AUDITOR, P.READ_AUDIT, True, True),  # reads everywhere
        (Role.AUDITOR, P.VIEW_ANALYTICS, True, True),
        (Role.AUDITOR, P.USE_COPILOT, False, False),  # starts nothing
        (Role.PUBLIC, P.ASK_BOTS, True, False),
        (Role.PUBLIC, P.SEARCH_KNOWLEDGE, False, False),
    ],
)
def test_allowed_in_own_and_other_departments(
    role: Role, permission: Permission, own: bool, other: bool
) -> None:
    caller = ctx(role)
    assert allowed(caller, permission) is own
    assert allowed(caller, permission, "HAD") is own
    assert allowed(caller, permission, "LD") is other


def test_authorize_says_why() -> None:
    authorize(ctx(Role.OFFICER), P.USE_COPILOT)
    with pytest.raises(PermissionDenied, match=r"your role \(officer\) does not allow"):
        authorize(ctx(Role.OFFICER), P.MANAGE_USERS)
    with pytest.raises(PermissionDenied, match="another department") as denied:
        authorize(ctx(Role.DEPARTMENT_ADMIN), P.MANAGE_USERS, "LD")
    assert denied.value.hint and "your own department" in denied.value.hint


def test_visible_departments() -> None:
    assert visible_departments(ctx(Role.PLATFORM_ADMIN), P.MANAGE_KNOWLEDGE) is None
    assert visible_departments(ctx(Role.AUDITOR), P.READ_AUDIT) is None
    assert visible_departments(ctx(Role.OFFICER), P.SEARCH_KNOWLEDGE) == {"HAD"}
    assert visible_departments(ctx(Role.DEPARTMENT_ADMIN, "LD"), P.MANAGE_USERS) == {"LD"}
    assert visible_departments(ctx(Role.AUDITOR), P.SEARCH_KNOWLEDGE) == set()
    assert visible_departments(ctx(Role.OFFICER), P.READ_AUDIT) == set()
