"""Who may do what: the caller's context, roles and permissions, and the one authorisation check.

Below every service: accounts, audit, knowledge, jobs, capabilities and privacy all ask
`authorize` here, once, before they act; interfaces never check roles themselves.
"""

from govpilot.access.authz import allowed, authorize, visible_departments
from govpilot.access.context import CallContext
from govpilot.access.roles import (
    ACCOUNT_ROLES,
    CROSS_DEPARTMENT,
    DEPARTMENT_GRANTABLE,
    Permission,
    Role,
    permissions_of,
)

__all__ = [
    "ACCOUNT_ROLES",
    "CROSS_DEPARTMENT",
    "DEPARTMENT_GRANTABLE",
    "CallContext",
    "Permission",
    "Role",
    "allowed",
    "authorize",
    "permissions_of",
    "visible_departments",
]
