"""Database: engine settings, sessions, and migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Connection

from govpilot.errors import ConfigError, StorageError
from govpilot.storage.audit_tables import GENESIS_HASH, AuditHeadRow
from govpilot.storage.db import Database, create_parent_dir, open_database
from govpilot.storage.schema import metadata


def test_migrate_creates_tables_and_head_row(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert {"audit_events", "audit_head", "stored_records", "record_subjects"} <= tables
    assert database.current_revision() == database.head_revision() == "0015_cases"
    with database.session() as session:
        heads = session.scalars(select(AuditHeadRow)).all()
    assert [(h.id, h.last_seq, h.last_hash) for h in heads] == [(1, 0, GENESIS_HASH)]


def test_migrate_twice_is_a_no_op(database: Database) -> None:
    database.migrate()
    database.migrate()
    with database.session() as session:
        assert session.scalar(select(text("count(*)")).select_from(AuditHeadRow)) == 1
    assert database.current_revision() == "0015_cases"


#: What migration 0011 adds on PostgreSQL with pgvector only, and the ORM does not declare
#: (the retriever reaches it in SQL: `retrieval.pgvector`).
PGVECTOR_ONLY = {"embedding", "ix_retrieval_chunks_embedding"}


def _declared(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
    return not (reflected and other is None and name in PGVECTOR_ONLY)


@pytest.mark.filterwarnings("ignore:Did not recognize type .halfvec.")
def test_migrations_match_the_orm_tables(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": _declared})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_session_commits_on_success_and_rolls_back_on_error(database: Database) -> None:
    with database.session() as session:
        session.get_one(AuditHeadRow, 1).last_seq = 5
    with pytest.raises(RuntimeError), database.session() as session:
        session.get_one(AuditHeadRow, 1).last_seq = 99
        session.flush()
        raise RuntimeError("boom")
    with database.session() as session:
        assert session.get_one(AuditHeadRow, 1).last_seq == 5


def test_open_database_migrates(database_url: str) -> None:
    db = open_database(database_url)
    try:
        assert db.current_revision() == db.head_revision()
    finally:
        db.dispose()


def _add_collection(connection: Connection) -> None:
    """Collection 'c1' of HD, written as SQL (the ORM may be ahead of the schema)."""
    connection.execute(
        text(
            "INSERT INTO knowledge_collections (id, department, name, description,"
            " created_by, created_at) VALUES ('c1', 'HD', 'docs', '', 'a', :now)"
        ),
        {"now": "2026-11-01 00:00:00+00:00"},
    )


def test_0008_keeps_existing_ingest_jobs_as_path_jobs(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate("0007_retrieval_scopes")
        with db.connect() as connection:
            _add_collection(connection)
            connection.execute(
                text(
                    "INSERT INTO ingest_jobs (id, collection_id, department, created_by,"
                    " created_at, updated_at, status, roots, prune, total) VALUES ('j1', 'c1',"
                    " 'HD', 'a', :now, :now, 'completed', '[]', false, 0)"
                ),
                {"now": "2026-11-01 00:00:00+00:00"},
            )
        db.migrate("0009_job_queue")
        with db.connect() as connection:
            row = connection.execute(text("SELECT kind, channel FROM ingest_jobs")).one()
        assert tuple(row) == ("paths", None)
    finally:
        db.dispose()


def test_0010_moves_ingest_jobs_into_the_jobs_table_and_back(database_url: str) -> None:
    db = Database(database_url)
    now = {"now": "2026-11-01 00:00:00+00:00"}
    try:
        db.migrate("0009_job_queue")
        with db.connect() as connection:
            _add_collection(connection)
            for job, kind, status in (("j1", "paths", "completed"), ("j2", "upload", "queued")):
                connection.execute(
                    text(
                        "INSERT INTO ingest_jobs (id, collection_id, department, created_by,"
                        " created_at, updated_at, status, roots, prune, total, kind, channel)"
                        f" VALUES ('{job}', 'c1', 'HD', 'a', :now, :now, '{status}', '[\"/d\"]',"
                        f" false, 1, '{kind}', 'web')"
                    ),
                    now,
                )
                connection.execute(
                    text(
                        "INSERT INTO ingest_items (job_id, ordinal, action, path, source, status,"
                        f" chunks) VALUES ('{job}', 0, 'ingest', '/d/a.txt', 'a.txt', 'pending', 0)"
                    )
                )
        db.migrate()
        with db.connect() as connection:
            rows = connection.execute(
                text("SELECT id, kind, status, collection_id, progress_total FROM jobs ORDER BY id")
            ).all()
            items = connection.execute(text("SELECT job_id FROM ingest_items ORDER BY job_id"))
            assert [tuple(r) for r in rows] == [
                ("j1", "ingest", "done", "c1", 1),
                ("j2", "upload", "queued", "c1", 1),
            ]
            assert [r[0] for r in items] == ["j1", "j2"]
            assert "ingest_jobs" not in inspect(connection).get_table_names()
            # The items belong to the jobs table now: deleting the collection takes all.
            connection.execute(text("DELETE FROM knowledge_collections"))
            assert connection.execute(text("SELECT count(*) FROM ingest_items")).scalar() == 0
            assert connection.execute(text("SELECT count(*) FROM jobs")).scalar() == 0
    finally:
        db.dispose()


def test_0010_downgrade_brings_ingest_jobs_back(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        with db.connect() as connection:
            _add_collection(connection)
            connection.execute(
                text(
                    "INSERT INTO jobs (id, department, actor, kind, status, params, input_name,"
                    " progress_done, progress_total, created_at, attempts, collection_id)"
                    " VALUES ('j1', 'HD', 'a', 'upload', 'done', '{}', 'a.txt', 1, 1, :now, 1,"
                    " 'c1')"
                ),
                {"now": "2026-11-01 00:00:00+00:00"},
            )
        db.downgrade("0009_job_queue")
        with db.connect() as connection:
            row = connection.execute(text("SELECT kind, status, total FROM ingest_jobs")).one()
            assert tuple(row) == ("upload", "completed", 1)
            assert connection.execute(text("SELECT count(*) FROM jobs")).scalar() == 0
    finally:
        db.dispose()


def test_sqlite_creates_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "govpilot.db"
    db = Database(f"sqlite:///{path}")
    assert path.parent.is_dir()
    with db.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    db.dispose()


def test_sqlite_write_session_takes_the_write_lock_first(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    statements: list[str] = []
    event.listen(
        db.engine, "before_cursor_execute", lambda *args: statements.append(args[2].strip())
    )
    with db.session(write=True) as session:
        session.execute(text("SELECT 1"))
    with db.session() as session:
        session.execute(text("SELECT 1"))
    assert statements == ["BEGIN IMMEDIATE", "SELECT 1", "BEGIN DEFERRED", "SELECT 1"]
    db.dispose()


def test_create_parent_dir_ignores_memory_and_servers(tmp_path: Path) -> None:
    assert create_parent_dir("sqlite://") is None
    assert create_parent_dir("sqlite:///:memory:") is None
    assert create_parent_dir("postgresql+psycopg://u@localhost/db") is None
    assert create_parent_dir(f"sqlite:///{tmp_path / 'x' / 'y.db'}") == tmp_path / "x" / "y.db"
    assert (tmp_path / "x").is_dir()


def test_unknown_database_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot open database") as info:
        Database("nosuchdb://somewhere/db")
    assert info.value.hint


def test_unreachable_server_is_a_storage_error() -> None:
    db = Database("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StorageError, match="migration failed"):
        db.migrate()


def test_concurrent_first_migrations_do_not_collide(database_url: str) -> None:
    # Several workers starting against a new database at once: one creates, the rest wait.
    errors: list[BaseException] = []

    def start() -> None:
        db = Database(database_url)
        try:
            db.migrate()
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.dispose()

    workers = [threading.Thread(target=start) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    db = Database(database_url)
    assert db.current_revision() == db.head_revision()
    db.dispose()
