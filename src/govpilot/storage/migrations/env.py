"""Alembic environment for govpilot: runs on the connection `Database.migrate()` passes in.

There is no alembic.ini: `govpilot.storage.db.Database` builds the Config in code and puts
its open connection in `config.attributes["connection"]`, so migrations run with the same
engine settings (SQLite pragmas, PostgreSQL search_path) as the application.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from govpilot.storage.schema import metadata

config = context.config
target_metadata = metadata


def run_migrations_offline() -> None:
    """Write the SQL to stdout instead of running it (`alembic upgrade --sql`)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    # Batch mode lets later ALTERs work on SQLite, which rebuilds tables to alter them.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the caller's connection, or a fresh one when run from the alembic CLI."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no sqlalchemy.url: run migrations through Database.migrate()")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.begin() as fresh:
        _run_on(fresh)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
