"""Accounts and tenancy: departments, users, API keys, sessions, single sign-on.

Roles, permissions and the authorisation check live one layer down, in `govpilot.access`.
"""

from govpilot.accounts.models import ApiKey, Department, NewApiKey, User, WebSession
from govpilot.accounts.service import AccountService
from govpilot.accounts.signin import SignIn

__all__ = [
    "AccountService",
    "ApiKey",
    "Department",
    "NewApiKey",
    "SignIn",
    "User",
    "WebSession",
]
