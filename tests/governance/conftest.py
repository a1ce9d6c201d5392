"""A test platform (SQLite, scripted model) with a bot in HAD, for the governance tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from govpilot.access import CallContext, Role
from govpilot.backends.fake import ScriptedModel
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.platform import Platform
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.testing import make_test_platform

HAD, LD = "HAD", "LD"


def caller(role: Role, department: str = HAD, actor: str | None = None) -> CallContext:
    return CallContext(
        actor=actor or f"{role.value}@{department.lower()}.gov.hk",
        department=department,
        capability="governance",
        channel="web",
        role=role.value,
    )


@pytest.fixture
def platform(tmp_path: Path, database_url: str) -> Iterator[Platform]:
    """On SQLite, and on PostgreSQL where GOVPILOT_TEST_POSTGRES_URL is set."""
    model = ScriptedModel(name="fake").respond_with(lambda messages: "A scripted reply.")
    platform = make_test_platform(tmp_path, models=[model], database_url=database_url)
    platform.knowledge = KnowledgeBase.build(platform.database, InMemoryRetriever())
    yield platform
    platform.database.dispose()


def collection_id(platform: Platform, department: str = HAD) -> str:
    """A collection of `department` for bots to read."""
    setup = caller(Role.PLATFORM_ADMIN, department)
    knowledge = platform.knowledge_base()
    knowledge.create_collection(setup, "guides")
    return knowledge.collections.get(department, "guides").id
