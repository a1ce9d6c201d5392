"""Shared by the governance tests: departments, callers, a collection for bots."""

from __future__ import annotations

from govpilot.access import CallContext, Role
from govpilot.platform import Platform

HAD, LD = "HAD", "LD"


def caller(role: Role, department: str = HAD, actor: str | None = None) -> CallContext:
    return CallContext(
        actor=actor or f"{role.value}@{department.lower()}.gov.hk",
        department=department,
        capability="governance",
        channel="web",
        role=role.value,
    )


def collection_id(platform: Platform, department: str = HAD) -> str:
    """A collection of `department` for bots to read."""
    setup = caller(Role.PLATFORM_ADMIN, department)
    knowledge = platform.knowledge_base()
    knowledge.create_collection(setup, "guides")
    return knowledge.collections.get(department, "guides").id
