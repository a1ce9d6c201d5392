"""May this caller use this model? The gateway asks before every call.

A role must allow the capability (the copilot, or asking bots), and the caller's
department must allow the model (its `allowed_models`; none listed means all).
"""

from __future__ import annotations

from govpilot.access import CallContext, Permission, authorize
from govpilot.accounts.service import AccountService
from govpilot.backends.llm import ChatModel
from govpilot.errors import PermissionDenied


class ModelAccess:
    """The gateway's access check, reading departments from the account service."""

    def __init__(self, accounts: AccountService) -> None:
        self.accounts = accounts

    def __call__(self, ctx: CallContext, model: ChatModel) -> None:
        permission = (
            Permission.ASK_BOTS if ctx.capability.startswith("bot") else Permission.USE_COPILOT
        )
        authorize(ctx, permission)
        department = self.accounts.find_department(ctx.department)
        if department is not None and not department.allows_model(model.name):
            allowed = ", ".join(department.allowed_models)
            raise PermissionDenied(
                f"your department does not allow the model {model.name!r}",
                hint=f"choose one of: {allowed}",
            )
