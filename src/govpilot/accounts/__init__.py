"""Accounts and tenancy: departments, users, roles, API keys, sessions, single sign-on."""

from govpilot.accounts.authz import allowed, authorize, visible_departments
from govpilot.accounts.models import ApiKey, Department, NewApiKey, User, WebSession
from govpilot.accounts.roles import Permission, Role
from govpilot.accounts.service import AccountService
from govpilot.accounts.signin import SignIn

__all__ = [
    "AccountService",
    "ApiKey",
    "Department",
    "NewApiKey",
    "Permission",
    "Role",
    "SignIn",
    "User",
    "WebSession",
    "allowed",
    "authorize",
    "visible_departments",
]
