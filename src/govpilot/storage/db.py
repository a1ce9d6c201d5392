"""The database: one engine, sessions, and Alembic migrations, on SQLite or PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import (
    ArgumentError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, sessionmaker

from govpilot.errors import ConfigError, DuplicateRecord, StorageError

if TYPE_CHECKING:
    from govpilot.config import Settings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_S = 30.0
# Any fixed number: it only has to be the same for every govpilot process.
_MIGRATION_LOCK_KEY = 0x60F_A0D17
_SQLITE_BEGIN_OPTION = "govpilot_sqlite_begin"
#: PostgreSQL errors that a retry may get past: serialisation failure, deadlock, lock timeout.
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
_UNIQUE_VIOLATION = "23505"
_HINT = "check that the database is reachable and migrated (`govpilot setup`)"


def create_parent_dir(url: str | URL) -> Path | None:
    """Create the folder of a SQLite database file; return the file's path (None otherwise)."""
    url = make_url(url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    database = url.database
    assert database is not None
    if database.startswith("file:"):  # a URI filename: leave it to SQLite
        return None
    path = Path(database).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


class Database:
    """An engine and session factory for one database URL (SQLite by default, or PostgreSQL).

    `session()` is a unit of work that commits on success and rolls back on error.
    `migrate()` brings the schema to the newest revision; it is safe to call at every start.
    """

    def __init__(self, url: str | URL, *, echo: bool = False) -> None:
        self.url = make_url(url)
        create_parent_dir(self.url)
        try:
            self.engine = self._create_engine(echo)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise ConfigError(
                f"cannot open database {self.url.render_as_string()}: {exc}",
                hint="use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db; "
                "PostgreSQL needs `pip install govpilot[postgres]`",
            ) from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database the settings name (a SQLite file in GOVPILOT_HOME by default)."""
        return cls(settings.resolved_database_url)

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        """True for SQLite, which needs its own locking for writers."""
        return self.dialect == "sqlite"

    def _create_engine(self, echo: bool) -> Engine:
        if self.url.get_backend_name() != "sqlite":
            # pre_ping: a server restart should cost one reconnect, not a failed request.
            return create_engine(self.url, echo=echo, pool_pre_ping=True)
        engine = create_engine(self.url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine

    @contextmanager
    def session(self, *, write: bool = False, what: str = "database") -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error.

        `write=True` takes SQLite's write lock at the start (`BEGIN IMMEDIATE`), so a
        read-then-write cannot interleave with another process; it changes nothing on
        PostgreSQL, where callers lock rows with `SELECT ... FOR UPDATE`.
        Database errors leave as `StorageError` (`DuplicateRecord` for a unique key taken),
        their message starting with `what`; this is the one place that wraps them.
        """
        try:
            with self._sessions() as session, session.begin():
                if write and self.is_sqlite:
                    # Must come first in the transaction: the option is read when BEGIN is sent.
                    session.connection(execution_options={_SQLITE_BEGIN_OPTION: "IMMEDIATE"})
                yield session
        except SQLAlchemyError as exc:
            raise storage_error(exc, what) from exc

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection in one transaction (committed on success)."""
        with self.engine.begin() as connection:
            yield connection

    def migrate(self, revision: str = "head") -> None:
        """Upgrade the schema to `revision` (newest by default); a no-op when up to date."""
        try:
            with self.engine.connect() as connection:
                if self.is_sqlite:
                    # Write lock first: a second process starting at the same time waits and
                    # then finds the schema current, instead of failing on a stale read.
                    connection.execution_options(**{_SQLITE_BEGIN_OPTION: "IMMEDIATE"})
                with connection.begin():
                    if self.dialect == "postgresql":
                        # Several workers starting at once must not race to create tables.
                        connection.execute(
                            text("SELECT pg_advisory_xact_lock(:key)"),
                            {"key": _MIGRATION_LOCK_KEY},
                        )
                    command.upgrade(self._alembic_config(connection), revision)
        except SQLAlchemyError as exc:
            raise StorageError(
                f"database migration failed: {exc}",
                hint="check that the database is reachable and the user may create tables",
            ) from exc

    def downgrade(self, revision: str) -> None:
        """Step the schema back to `revision` (migrations' `downgrade`; for operators and
        tests, e.g. to run migration 0011 again once pgvector is installed)."""
        try:
            with self.engine.begin() as connection:
                command.downgrade(self._alembic_config(connection), revision)
        except SQLAlchemyError as exc:
            raise StorageError(
                f"database downgrade failed: {exc}",
                hint="check that the database is reachable and the user may alter tables",
            ) from exc

    def current_revision(self) -> str | None:
        """The Alembic revision the database is at (None before the first migration)."""
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str | None:
        """The newest revision shipped with this version of govpilot."""
        return ScriptDirectory.from_config(self._alembic_config(None)).get_current_head()

    def _alembic_config(self, connection: Connection | None) -> Config:
        # Built in code so that no alembic.ini has to be found on the user's machine.
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        # ConfigParser treats % as interpolation; URL-escaped passwords contain it.
        url = self.url.render_as_string(hide_password=False).replace("%", "%%")
        config.set_main_option("sqlalchemy.url", url)
        config.attributes["connection"] = connection
        return config

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown, or in a child after fork)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string()!r})"


def open_database(url: str | URL, *, migrate: bool = True) -> Database:
    """Open the database at `url` and, by default, bring its schema up to date."""
    database = Database(url)
    if migrate:
        database.migrate()
    return database


def storage_error(exc: SQLAlchemyError, what: str) -> StorageError:
    """`exc` as govpilot's StorageError, marked transient when trying again may succeed."""
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if isinstance(exc, IntegrityError) and (
        sqlstate == _UNIQUE_VIOLATION or "unique constraint" in str(exc).lower()
    ):
        return DuplicateRecord(f"{what}: {exc}", hint=_HINT)
    transient = sqlstate in _TRANSIENT_SQLSTATES or (
        isinstance(exc, OperationalError)
        and any(word in str(exc).lower() for word in ("locked", "busy", "connection"))
    )
    return StorageError(f"{what}: {exc}", hint=_HINT, transient=transient)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module, which otherwise issues its own
    # deferred BEGIN at the first write and would defeat `BEGIN IMMEDIATE` below.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        _use_write_ahead_log(cursor)
    finally:
        cursor.close()


def _use_write_ahead_log(cursor: Any) -> None:
    # WAL lets readers go on while one writer appends; a no-op for :memory:. The mode is
    # stored in the file, so only the first connection to a new database switches it; that
    # switch needs the file to itself and SQLite does not wait for it (no busy handler), so
    # a connection that starts beside it retries until the other has finished.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() in ("wal", "memory"):
                return
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _begin_sqlite_transaction(connection: Connection) -> None:
    mode = connection.get_execution_options().get(_SQLITE_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")
