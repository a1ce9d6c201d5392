"""Authorisation, once, for the API, the CLI and the web: may this caller do this there?

Services call `authorize` before they act; interfaces never check roles themselves.
"""

from __future__ import annotations

from govpilot.access.context import CallContext
from govpilot.access.roles import CROSS_DEPARTMENT, Permission, Role, permissions_of
from govpilot.errors import PermissionDenied

#: Permissions the auditor's cross-department reach covers (reading only).
_READ_ONLY = frozenset(
    {Permission.READ_AUDIT, Permission.VIEW_ANALYTICS, Permission.READ_GOVERNANCE}
)


def allowed(ctx: CallContext, permission: Permission, department: str | None = None) -> bool:
    """True if `ctx`'s role grants `permission` in `department` (default: its own)."""
    if permission not in permissions_of(ctx.role):
        return False
    if department is None or department == ctx.department:
        return True
    if ctx.role == Role.PLATFORM_ADMIN:
        return True
    return ctx.role in CROSS_DEPARTMENT and permission in _READ_ONLY


def authorize(ctx: CallContext, permission: Permission, department: str | None = None) -> None:
    """Raise PermissionDenied unless `ctx` may do `permission` in `department`."""
    if allowed(ctx, permission, department):
        return
    if permission not in permissions_of(ctx.role):
        raise PermissionDenied(
            f"your role ({ctx.role}) does not allow this ({permission})",
            hint="ask your department administrator for a role that does",
        )
    raise PermissionDenied(
        "that belongs to another department",
        hint="you can only reach your own department's documents, jobs and bots",
    )


def visible_departments(ctx: CallContext, permission: Permission) -> set[str] | None:
    """The departments whose objects `ctx` may see for `permission`; None means all."""
    if permission not in permissions_of(ctx.role):
        return set()
    if ctx.role == Role.PLATFORM_ADMIN or (
        ctx.role in CROSS_DEPARTMENT and permission in _READ_ONLY
    ):
        return None
    return {ctx.department}
