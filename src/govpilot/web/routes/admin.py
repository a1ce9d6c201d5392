"""/admin: a department's users, API keys and settings; every department for platform admins.

The account service authorises every call (department admins reach their own department
and give only officer or department admin roles); this module only decides which forms to
show, with `authz.allowed`. A new key's token is shown once, on the page answering the form
that created it, and is never stored or shown again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from govpilot.access import ACCOUNT_ROLES, DEPARTMENT_GRANTABLE, Permission, Role, allowed
from govpilot.errors import InputError
from govpilot.http.dependencies import PlatformDep
from govpilot.platform import Platform
from govpilot.web.i18n import N_, ROLE_LABELS
from govpilot.web.notices import back_to, notice_for
from govpilot.web.render import NavItem, render
from govpilot.web.session import WebUser, WebUserDep

router = APIRouter()

NAV_ITEMS = [NavItem("/admin", N_("Administration"), Permission.MANAGE_USERS, order=80)]
CAPABILITY = "admin"
#: What a finished form says on the page it returns to (`?done=`).
NOTICES = {
    "department_created": N_("The department was created."),
    "settings_saved": N_("The department's settings were saved."),
    "user_created": N_("The user was created."),
    "user_updated": N_("The user was updated."),
    "key_revoked": N_("The key was revoked."),
}
Text = Annotated[str, Form(max_length=500)]


def _grantable(web: WebUser, department: str) -> list[Role]:
    """The roles the caller may give in `department`, for the role selects."""
    ctx = web.context(CAPABILITY)
    if not allowed(ctx, Permission.MANAGE_USERS, department):
        return []
    if allowed(ctx, Permission.MANAGE_DEPARTMENTS, department):
        return list(ACCOUNT_ROLES)
    return [r for r in ACCOUNT_ROLES if r in DEPARTMENT_GRANTABLE]


def _department_page(
    request: Request,
    platform: Platform,
    web: WebUser,
    department: str,
    *,
    error: str | None = None,
) -> Response:
    ctx = web.context(CAPABILITY)
    users = platform.accounts.users(ctx, department)  # authorises MANAGE_USERS there
    return render(
        request,
        "admin/index.html",
        department=platform.accounts.department(department),
        departments=platform.accounts.departments(ctx),
        users=users,
        grantable=_grantable(web, department),
        role_labels=ROLE_LABELS,
        models=[m.name for m in platform.gateway.models],
        can_edit_settings=allowed(ctx, Permission.MANAGE_DEPARTMENT, department),
        can_create_departments=allowed(ctx, Permission.MANAGE_DEPARTMENTS),
        notice=notice_for(request, NOTICES),
        error=error,
        me=web.user.id,
        status_code=400 if error else 200,
    )


@router.get("/admin")
def admin_page(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    department: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The department's users and settings (the caller's own unless a platform admin picks)."""
    return _department_page(request, platform, web, department or web.user.department)


@router.post("/admin/departments")
def create_department(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    name: Annotated[str, Form(max_length=100)],
    title_en: Text = "",
    title_zh: Text = "",
) -> Response:
    """A new department (platform admins)."""
    try:
        created = platform.accounts.create_department(
            web.context(CAPABILITY),
            name.strip(),
            title_en=title_en.strip(),
            title_zh=title_zh.strip(),
        )
    except InputError as exc:
        return _department_page(request, platform, web, web.user.department, error=str(exc))
    return back_to("/admin", department=created.name, done="department_created")


@router.post("/admin/departments/{name}")
def update_department(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    name: str,
    title_en: Text = "",
    title_zh: Text = "",
    allowed_models: Annotated[list[str] | None, Form()] = None,
    max_concurrent_jobs: Annotated[int | None, Form()] = None,
    requests_per_minute: Annotated[int | None, Form()] = None,
) -> Response:
    """Save a department's titles, models and limits (no model ticked: every model)."""
    known = {m.name for m in platform.gateway.models}
    try:
        platform.accounts.update_department(
            web.context(CAPABILITY),
            name,
            title_en=title_en.strip() or None,
            title_zh=title_zh.strip() or None,
            allowed_models=[m for m in allowed_models or [] if m in known],
            max_concurrent_jobs=max_concurrent_jobs,
            requests_per_minute=requests_per_minute,
        )
    except InputError as exc:
        return _department_page(request, platform, web, name, error=str(exc))
    return back_to("/admin", department=name, done="settings_saved")


@router.post("/admin/users")
def create_user(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    department: Annotated[str, Form(max_length=100)],
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=40)],
    password: Annotated[str, Form(max_length=200)] = "",
    display_name: Text = "",
    language: Annotated[str, Form(max_length=10)] = "en",
) -> Response:
    """A new account in the department, with an initial password."""
    try:
        platform.accounts.create_user(
            web.context(CAPABILITY),
            email,
            department=department,
            role=role,
            password=password or None,
            display_name=display_name,
            language=language,
        )
    except InputError as exc:
        return _department_page(request, platform, web, department, error=str(exc))
    return back_to("/admin", department=department, done="user_created")


def _update_user(
    request: Request,
    platform: Platform,
    web: WebUser,
    user_id: str,
    *,
    role: str | None = None,
    disabled: bool | None = None,
    unlock: bool = False,
) -> Response:
    accounts = platform.accounts
    ctx = web.context(CAPABILITY)
    target = accounts.user(ctx, user_id)  # authorises managing its department
    try:
        accounts.update_user(ctx, user_id, role=role, disabled=disabled, unlock=unlock)
    except InputError as exc:
        return _department_page(request, platform, web, target.department, error=str(exc))
    return back_to("/admin", department=target.department, done="user_updated")


@router.post("/admin/users/{user_id}/role")
def change_role(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    user_id: str,
    role: Annotated[str, Form(max_length=40)],
) -> Response:
    """Give a user another role (within what the caller may give)."""
    return _update_user(request, platform, web, user_id, role=role)


@router.post("/admin/users/{user_id}/disable")
def disable_user(
    request: Request, platform: PlatformDep, web: WebUserDep, user_id: str
) -> Response:
    """Stop a user signing in; their keys stop working too."""
    return _update_user(request, platform, web, user_id, disabled=True)


@router.post("/admin/users/{user_id}/enable")
def enable_user(request: Request, platform: PlatformDep, web: WebUserDep, user_id: str) -> Response:
    """Let a disabled user sign in again."""
    return _update_user(request, platform, web, user_id, disabled=False)


@router.post("/admin/users/{user_id}/unlock")
def unlock_user(request: Request, platform: PlatformDep, web: WebUserDep, user_id: str) -> Response:
    """Clear a lockout after too many failed sign-ins."""
    return _update_user(request, platform, web, user_id, unlock=True)


def _keys_page(
    request: Request,
    platform: Platform,
    web: WebUser,
    user_id: str,
    *,
    error: str | None = None,
) -> Response:
    ctx = web.context(CAPABILITY)
    owner = platform.accounts.user(ctx, user_id)
    return render(
        request,
        "admin/keys.html",
        owner=owner,
        keys=platform.accounts.keys(ctx, owner.id),
        now=datetime.now(UTC),
        default_days=platform.settings.auth.api_key_days,
        notice=notice_for(request, NOTICES),
        error=error,
        status_code=400 if error else 200,
    )


@router.get("/admin/users/{user_id}/keys")
def keys_page(request: Request, platform: PlatformDep, web: WebUserDep, user_id: str) -> Response:
    """A user's API keys: prefix, expiry, last use; create and revoke."""
    return _keys_page(request, platform, web, user_id)


@router.post("/admin/users/{user_id}/keys")
def create_key(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    user_id: str,
    name: Annotated[str, Form(max_length=100)] = "",
    days: Annotated[int | None, Form()] = None,
) -> Response:
    """Create a key and show its token, this once."""
    accounts = platform.accounts
    ctx = web.context(CAPABILITY)
    try:
        created = accounts.create_key(ctx, user_id, name=name, days=days)
    except InputError as exc:
        return _keys_page(request, platform, web, user_id, error=str(exc))
    # no-store: the token must not linger in a cache or come back with the back button.
    return render(
        request,
        "admin/key_created.html",
        owner=accounts.user(ctx, created.key.user_id),
        created=created,
        headers={"Cache-Control": "no-store"},
    )


@router.post("/admin/keys/{key_id}/revoke")
def revoke_key(platform: PlatformDep, web: WebUserDep, key_id: str) -> Response:
    """Revoke a key at once."""
    key = platform.accounts.revoke_key(web.context(CAPABILITY), key_id)
    return back_to(f"/admin/users/{key.user_id}/keys", done="key_revoked")
