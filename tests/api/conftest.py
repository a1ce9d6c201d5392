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
from api_support import TEXT_LIMIT, UPLOAD_LIMIT_MB, respond

from govpilot.api import create_app
from govpilot.audit.log import AuditLog
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage, Completion, GenerationOptions
from govpilot.capabilities.draft import TemplateLibrary
from govpilot.config import ModelConfig, Settings
from govpilot.errors import ModelUnavailable
from govpilot.gateway import ModelGateway
from govpilot.language import Glossary
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.policy import PrivacyPolicy
from govpilot.privacy.stored_text import StorageRedactor
from govpilot.storage.db import Database
from govpilot.storage.records import RecordStore


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
    return Settings(
        home=tmp_path,
        models=[ModelConfig(name="fake", backend="fake")],
        default_model="fake",
        department="HAD",
        max_upload_mb=UPLOAD_LIMIT_MB,
        max_text_chars=TEXT_LIMIT,
    )


@pytest.fixture
def platform(
    settings: Settings,
    fake_model: ScriptedModel,
    glossary: Glossary,
    scripted_detector: PiiDetector,
) -> Iterator[Platform]:
    database = Database(f"sqlite:///{settings.home / 'govpilot.db'}")
    database.migrate()
    audit = AuditLog(database)
    fake_model.respond_with(respond)
    models = {
        "fake": fake_model,
        "down": ScriptedModel(name="down"),
        "flaky": FlakyModel(name="flaky", responder=respond),
        "buggy": ScriptedModel(name="buggy", responder=_explode),
    }
    gateway = ModelGateway(models, audit, default_model="fake")
    privacy = PrivacyPolicy.from_settings(settings)
    redactor = StorageRedactor(scripted_detector, privacy, b"test-salt")
    records = RecordStore(
        database, redactor, settings.privacy.retention_days, settings.home / "blobs"
    )
    yield Platform(
        settings,
        database,
        audit,
        gateway,
        glossary,
        TemplateLibrary.load(),
        privacy,
        scripted_detector,
        redactor,
        records,
    )
    database.dispose()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process over httpx's ASGI transport, as an identified officer."""
    transport = httpx.ASGITransport(app=create_app(platform))
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://govpilot.test",
        headers={"X-Govpilot-User": "chan.tm@had.gov.hk"},
    ) as c:
        yield c
