"""A test platform (scripted model, in-memory retriever) for the governance tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from govpilot.backends.fake import ScriptedModel
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.platform import Platform
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.testing import make_test_platform


@pytest.fixture
def platform(tmp_path: Path, database_url: str) -> Iterator[Platform]:
    """On SQLite, and on PostgreSQL where GOVPILOT_TEST_POSTGRES_URL is set."""
    model = ScriptedModel(name="fake").respond_with(lambda messages: "A scripted reply.")
    platform = make_test_platform(tmp_path, models=[model], database_url=database_url)
    platform.knowledge = KnowledgeBase.build(platform.database, InMemoryRetriever())
    yield platform
    platform.database.dispose()
