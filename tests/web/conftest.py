"""Web page fixtures: a real Platform (SQLite in tmp_path) with a scripted model answering
every capability's prompt, a started job service, and three accounts (see web_support)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from web_support import OFFICER, add_accounts, browser, respond, sign_in

from govpilot.backends.fake import ScriptedModel
from govpilot.config import Settings
from govpilot.platform import Platform
from govpilot.testing import fake_settings, make_test_platform


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return fake_settings(tmp_path, department="HAD")


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    models = [ScriptedModel(name="fake", responder=respond), ScriptedModel(name="other")]
    platform = make_test_platform(settings, models=models)
    platform.jobs = platform.new_job_service(workers=1).start()
    add_accounts(platform)
    try:
        yield platform
    finally:
        platform.shutdown()
        platform.database.dispose()


@pytest.fixture
async def anonymous(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """A browser that has not signed in."""
    async with browser(platform) as client:
        yield client


@pytest.fixture
async def officer(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in as an officer of HAD."""
    async with browser(platform) as client:
        response = await sign_in(client, OFFICER)
        assert response.status_code == 303, response.text
        yield client
