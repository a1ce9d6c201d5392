"""Shared fixtures: a scripted model behind a real gateway with an in-memory audit sink;
a scripted PII detector; empty databases on SQLite and, when configured, PostgreSQL.

PostgreSQL tests need GOVPILOT_TEST_POSTGRES_URL (start a throwaway server with
`export GOVPILOT_TEST_POSTGRES_URL="$(scripts/start-test-postgres.sh)"`). Each test gets
its own schema, dropped afterwards, so tests never see each other's tables.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.fake import ScriptedModel
from govpilot.gateway import ModelGateway
from govpilot.language import Glossary
from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.testing import scripted_detector as build_scripted_detector
from govpilot.storage.db import Database

POSTGRES_URL_ENV = "GOVPILOT_TEST_POSTGRES_URL"


@pytest.fixture
def fake_model() -> ScriptedModel:
    return ScriptedModel(name="fake")


@pytest.fixture
def audit_sink() -> MemoryAuditSink:
    return MemoryAuditSink()


@pytest.fixture
def gateway(fake_model: ScriptedModel, audit_sink: MemoryAuditSink) -> ModelGateway:
    return ModelGateway([fake_model], audit_sink)


@pytest.fixture
def ctx() -> CallContext:
    return CallContext(actor="officer@example.gov.hk", department="HD", capability="test")


@pytest.fixture(scope="session")
def glossary() -> Glossary:
    return Glossary.load_default()


@pytest.fixture
def scripted_detector() -> PiiDetector:
    """HKIDs, phones and e-mails by simple patterns, and privacy.testing's SCRIPTED_NAMES."""
    return build_scripted_detector()


def postgres_base_url() -> URL:
    """The test server's URL, or skip the test with instructions."""
    raw = os.environ.get(POSTGRES_URL_ENV)
    if not raw:
        pytest.skip(
            f"{POSTGRES_URL_ENV} is not set: run "
            f'`export {POSTGRES_URL_ENV}="$(scripts/start-test-postgres.sh)"` to test PostgreSQL'
        )
    return make_url(raw)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections see only a fresh, empty schema of the test server."""
    base = postgres_base_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        # pgvector, where the server has it, once for every schema: in public, which is
        # on each test's search path (an extension lives in one schema per database).
        available = "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"
        if connection.execute(text(available)).scalar():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public"))
    # libpq `options` sets search_path on every connection, so tables land in the schema.
    url = base.update_query_dict({"options": f"-csearch_path={schema},public"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in a folder that does not exist yet (Database must create it)."""
    return f"sqlite:///{tmp_path / 'data' / 'govpilot.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty database, once per backend."""
    name = "postgres_url" if request.param == "postgres" else "sqlite_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """An empty, migrated database on each backend."""
    db = Database(database_url)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()


REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A throwaway redis-server on a free 127.0.0.1 port (skipped when Debian's redis-server
    is not installed, unless GOVPILOT_REQUIRE_REDIS is set: CI must run these tests)."""
    if REDIS_SERVER is None:
        if os.environ.get("GOVPILOT_REQUIRE_REDIS"):
            pytest.fail("redis-server is required here (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    flags = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), *flags], stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(10)
