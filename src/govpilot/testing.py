"""A Platform for tests: the real parts, wired as `Platform.from_settings` wires them, but
with scripted models, a scripted PII detector and a fixed salt.

Like `backends.fake.ScriptedModel` and `privacy.testing.ScriptedRecognizer`, a first-class
test-support module rather than a patch: tests of the CLI, the API and the web build their
platform here, so a new part of Platform is wired in one place.

    platform = make_test_platform(tmp_path, department="HAD")
    try:
        ...
    finally:
        platform.database.dispose()
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govpilot.access import CallContext, Role
from govpilot.accounts.model_access import ModelAccess
from govpilot.accounts.models import User
from govpilot.accounts.service import AccountService
from govpilot.accounts.signin import SignIn
from govpilot.audit.log import AuditLog
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatModel
from govpilot.capabilities.draft import TemplateLibrary
from govpilot.config import JobSettings, ModelConfig, Settings
from govpilot.gateway import ModelGateway
from govpilot.governance import AiRegister
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.knowledge.ocr import OcrEngine
from govpilot.language import Glossary
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.policy import PrivacyPolicy
from govpilot.privacy.stored_text import StorageRedactor
from govpilot.privacy.testing import scripted_detector
from govpilot.retrieval.types import Retriever
from govpilot.storage.db import Database
from govpilot.storage.governance_tables import ReviewItemRow
from govpilot.storage.records import RecordStore

TEST_SALT = b"test-salt"


def fake_settings(home: Path, **fields: Any) -> Settings:
    """Settings in `home` with one fake model, the default; `fields` set anything else.

    Jobs go through Celery's in-memory broker, on a queue of this home's own (the memory
    broker is shared by the whole process), with short retries.
    """
    values: dict[str, Any] = {
        "models": [ModelConfig(name="fake", backend="fake")],
        "default_model": "fake",
        "jobs": JobSettings(
            broker_url="memory://",
            queue=f"govpilot-test-{uuid.uuid4().hex[:12]}",
            retry_backoff_s=0.05,
            sweep_s=0.5,
        ),
        **fields,
    }
    return Settings(home=home, **values)


def make_test_platform(
    settings: Settings | Path,
    *,
    models: Mapping[str, ChatModel] | Sequence[ChatModel] | None = None,
    detector: PiiDetector | None = None,
    database_url: str | None = None,
    glossary: Glossary | None = None,
    salt: bytes = TEST_SALT,
    retriever: Retriever | None = None,
    ocr: OcrEngine | None = None,
) -> Platform:
    """A Platform on a migrated database (SQLite in the home folder unless `database_url`).

    `settings` may be just a home folder (see `fake_settings`). The gateway has `models`
    (by default one ScriptedModel named "fake") and no privacy guard; the detector is
    `privacy.testing.scripted_detector()` unless given. With a `retriever` (and an `ocr`
    engine), the platform's knowledge services use them: `platform.knowledge_base()`.
    The caller disposes the database.
    """
    if not isinstance(settings, Settings):
        settings = fake_settings(settings)
    detector = detector or scripted_detector()
    database = Database(database_url or settings.resolved_database_url)
    database.migrate()
    audit = AuditLog(database)
    accounts = AccountService(database, audit, settings.auth)
    register = AiRegister(database, audit, default_model=settings.default_model)
    gateway = ModelGateway(
        [ScriptedModel(name="fake")] if models is None else models,
        audit,
        default_model=settings.default_model,
        access=ModelAccess(accounts),
        application_of=register.application_of,
    )
    privacy = PrivacyPolicy.from_settings(settings)
    redactor = StorageRedactor(detector, privacy, salt)
    records = RecordStore(
        database, redactor, settings.privacy.retention_days, settings.home / "blobs"
    )
    platform = Platform(
        settings,
        database,
        audit,
        gateway,
        glossary or Glossary.load_default(),
        TemplateLibrary.load(),
        privacy,
        detector,
        redactor,
        records,
        accounts,
        SignIn(database, audit, settings.auth),
        register,
    )
    if retriever is not None:
        platform.knowledge = KnowledgeBase.build(database, retriever, ocr=ocr)
    return platform


#: The context tests use to set up departments and users (as the CLI would).
SETUP_CONTEXT = CallContext(
    actor="setup@test", department="default", capability="setup", role=Role.PLATFORM_ADMIN.value
)


def add_user(
    platform: Platform,
    email: str,
    *,
    department: str | None = None,
    role: Role | str = Role.OFFICER,
    password: str | None = None,
) -> User:
    """A user in `department` (created if missing; default: the settings' department)."""
    department = department or platform.settings.department
    if platform.accounts.find_department(department) is None:
        platform.accounts.create_department(SETUP_CONTEXT, department)
    return platform.accounts.create_user(
        SETUP_CONTEXT, email, department=department, role=role, password=password
    )


def add_api_key(platform: Platform, user: User | str) -> str:
    """A new API key's token for `user` (a User or an e-mail address)."""
    email = user.email if isinstance(user, User) else user
    return platform.accounts.create_key(SETUP_CONTEXT, email).token


def add_review_item(
    platform: Platform, application_id: str, *, item_id: str | None = None, turn_id: str = "t"
) -> str:
    """A pending review item (a sampled bot answer) of `application_id`; its id."""
    app = platform.register.entry(application_id)
    item = item_id or uuid.uuid4().hex
    with platform.database.session(write=True) as session:
        session.add(
            ReviewItemRow(
                id=item,
                application_id=app.id,
                department=app.department,
                source="bot_turn",
                source_id=turn_id,
                reason="sampled",
                record_id=None,
                citations=[],
                status="pending",
                reviewer=None,
                note="",
                correction="",
                created_at=datetime.now(UTC),
                decided_at=None,
            )
        )
    return item
