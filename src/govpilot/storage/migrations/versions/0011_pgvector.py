"""Vectors in pgvector on PostgreSQL: a halfvec(384) column with an HNSW index.

Only on PostgreSQL, and only where the `vector` extension (pgvector) can be installed: the
migration creates the extension, adds `retrieval_chunks.embedding` (half-precision, the
384 numbers of the packaged multilingual-e5-small), copies the vectors already stored as
bytes into it, and builds an HNSW index for cosine distance. Without pgvector (Debian's
own PostgreSQL packages have none) it changes nothing and search stays exact in numpy; to
add pgvector later, docs/deploy.md ("pgvector") gives the statements to run by hand.
SQLite is untouched.

Revision ID: 0011_pgvector
Revises: 0010_one_jobs_table
Create Date: 2026-12-06
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa
from alembic import op

revision: str = "0011_pgvector"
down_revision: str | None = "0010_one_jobs_table"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

DIMS = 384
_BATCH = 1000


def upgrade() -> None:
    """Create the extension, the column and its HNSW index; copy the stored vectors."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    ).scalar()
    if not available:
        log.warning(
            "pgvector is not installed on this PostgreSQL server: vector search stays exact "
            "(numpy). See docs/deploy.md to add it."
        )
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
    except sa.exc.DBAPIError as exc:
        log.warning("cannot create the vector extension (%s): vector search stays exact", exc)
        return
    op.execute(f"ALTER TABLE retrieval_chunks ADD COLUMN embedding halfvec({DIMS})")
    _copy_stored_vectors(bind)
    op.execute(
        "CREATE INDEX ix_retrieval_chunks_embedding ON retrieval_chunks "
        "USING hnsw (embedding halfvec_cosine_ops)"
    )


def _copy_stored_vectors(bind: sa.engine.Connection) -> None:
    """Vectors stored as float32 bytes move into the column (and their bytes go)."""
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT pk, vector FROM retrieval_chunks WHERE pk > :last AND vector IS NOT NULL"
                " AND length(vector) = :size ORDER BY pk LIMIT :batch"
            ),
            {"last": last, "size": DIMS * 4, "batch": _BATCH},
        ).all()
        if not rows:
            return
        bind.execute(
            sa.text(
                "UPDATE retrieval_chunks SET embedding = CAST(:v AS halfvec), vector = NULL"
                " WHERE pk = :pk"
            ),
            [{"pk": pk, "v": _literal(np.frombuffer(data, dtype="<f4"))} for pk, data in rows],
        )
        last = rows[-1][0]


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.6g}" for x in vector.tolist()) + "]"


def downgrade() -> None:
    """Drop the index and the column (the vectors go back into the bytes column)."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    exists = bind.execute(
        sa.text(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'retrieval_chunks'"
            " AND column_name = 'embedding'"
        )
    ).scalar()
    if not exists:
        return
    rows = bind.execute(
        sa.text("SELECT pk, embedding::text FROM retrieval_chunks WHERE embedding IS NOT NULL")
    ).all()
    if rows:
        bind.execute(
            sa.text("UPDATE retrieval_chunks SET vector = :v WHERE pk = :pk"),
            [
                {
                    "pk": pk,
                    "v": np.array(text.strip("[]").split(","), dtype="<f4").tobytes(),
                }
                for pk, text in rows
            ],
        )
    op.execute("DROP INDEX IF EXISTS ix_retrieval_chunks_embedding")
    op.execute("ALTER TABLE retrieval_chunks DROP COLUMN embedding")
