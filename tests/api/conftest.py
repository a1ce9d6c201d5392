"""API fixtures: a real Platform (SQLite audit log in tmp_path) with scripted models.

Models behind the gateway:
  fake    the default; answers each capability's prompt deterministically
  down    has no reply: raises ModelUnavailable like a server that is down
  flaky   streams one piece, then fails
  buggy   raises an unexpected (non-govpilot) exception
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from api_support import TEXT_LIMIT, UPLOAD_LIMIT_MB, app_client, respond

from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage, Completion, GenerationOptions
from govpilot.config import Settings
from govpilot.errors import ModelUnavailable
from govpilot.language import Glossary
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from govpilot.testing import fake_settings, make_test_platform


class FlakyModel(ScriptedModel):
    """Streams one piece, then the server goes away."""

    def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Generator[str, None, Completion]:
        yield "Good "
        raise ModelUnavailable("the model server closed the connection", hint="Try again.")


def _explode(messages: Sequence[ChatMessage]) -> str:
    raise RuntimeError("secret internal detail")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return fake_settings(
        tmp_path, department="HAD", max_upload_mb=UPLOAD_LIMIT_MB, max_text_chars=TEXT_LIMIT
    )


@pytest.fixture
def platform(
    settings: Settings,
    fake_model: ScriptedModel,
    glossary: Glossary,
    scripted_detector: PiiDetector,
) -> Iterator[Platform]:
    fake_model.respond_with(respond)
    models = {
        "fake": fake_model,
        "down": ScriptedModel(name="down"),
        "flaky": FlakyModel(name="flaky", responder=respond),
        "buggy": ScriptedModel(name="buggy", responder=_explode),
    }
    platform = make_test_platform(
        settings, models=models, detector=scripted_detector, glossary=glossary
    )
    yield platform
    platform.shutdown()
    platform.database.dispose()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process over httpx's ASGI transport, as an identified officer."""
    async with app_client(platform) as c:
        yield c
