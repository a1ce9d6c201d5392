"""One jobs table: ingest and upload jobs become rows of `jobs`; `ingest_jobs` goes.

Each ingest_jobs row becomes a job of kind 'ingest' (`govpilot ingest`) or 'upload' (the
web's and the API's), in its collection (the new `jobs.collection_id`, deleted with it);
its roots, prune flag and channel move into the job's params, and 'completed' is 'done'
as for every job. An upload still queued or running is sent to the queue by the next sweep.
`ingest_items` keeps its rows and now belongs to `jobs`.

Revision ID: 0010_one_jobs_table
Revises: 0009_job_queue
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010_one_jobs_table"
down_revision: str | None = "0009_job_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)
_TO_JOB = {"completed": "done"}
_TO_INGEST = {"done": "completed", "cancelled": "failed"}

_ingest_jobs = sa.table(
    "ingest_jobs",
    sa.column("id", sa.String),
    sa.column("collection_id", sa.String),
    sa.column("department", sa.Text),
    sa.column("created_by", sa.Text),
    sa.column("created_at", _WHEN),
    sa.column("updated_at", _WHEN),
    sa.column("finished_at", _WHEN),
    sa.column("status", sa.String),
    sa.column("roots", sa.JSON),
    sa.column("prune", sa.Boolean),
    sa.column("total", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("channel", sa.String),
)
_jobs = sa.table(
    "jobs",
    sa.column("id", sa.String),
    sa.column("department", sa.String),
    sa.column("owner_id", sa.String),
    sa.column("actor", sa.Text),
    sa.column("kind", sa.String),
    sa.column("status", sa.String),
    sa.column("params", sa.JSON),
    sa.column("input_name", sa.Text),
    sa.column("progress_done", sa.Integer),
    sa.column("progress_total", sa.Integer),
    sa.column("created_at", _WHEN),
    sa.column("started_at", _WHEN),
    sa.column("finished_at", _WHEN),
    sa.column("attempts", sa.Integer),
    sa.column("collection_id", sa.String),
)
_items = sa.table("ingest_items", sa.column("job_id", sa.String), sa.column("status", sa.String))


def _items_table(name: str, parent: str) -> None:
    op.create_table(
        name,
        sa.Column(
            "job_id",
            sa.String(32),
            sa.ForeignKey(f"{parent}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("ordinal", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("document_id", sa.String(32), nullable=True),
        sa.Column("chunks", sa.Integer(), nullable=False),
    )


def _move_items(parent: str) -> None:
    """Give ingest_items a foreign key to `parent`: a new table, the rows copied over."""
    _items_table("ingest_items_moved", parent)
    op.execute("INSERT INTO ingest_items_moved SELECT * FROM ingest_items")
    op.drop_table("ingest_items")
    op.rename_table("ingest_items_moved", "ingest_items")


def _done_items(connection: Any) -> Counter[str]:
    rows = connection.execute(sa.select(_items.c.job_id).where(_items.c.status == "done"))
    return Counter(row[0] for row in rows)


def upgrade() -> None:
    """Add jobs.collection_id, move every ingest job into jobs, drop ingest_jobs."""
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("collection_id", sa.String(32), nullable=True))
        batch.create_foreign_key(
            "fk_jobs_collection",
            "knowledge_collections",
            ["collection_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_index("ix_jobs_collection", "jobs", ["collection_id"])
    connection = op.get_bind()
    done = _done_items(connection)
    moved = [
        {
            "id": row.id,
            "department": row.department,
            "owner_id": None,
            "actor": row.created_by,
            "kind": "upload" if row.kind == "upload" else "ingest",
            "status": _TO_JOB.get(row.status, row.status),
            "params": {"roots": list(row.roots or []), "prune": bool(row.prune)}
            | ({"channel": row.channel} if row.channel else {}),
            "input_name": f"{row.total} file(s)",
            "progress_done": done.get(row.id, 0),
            "progress_total": row.total,
            "created_at": row.created_at,
            "started_at": None if row.status == "queued" else row.created_at,
            "finished_at": row.finished_at,
            "attempts": 0,
            "collection_id": row.collection_id,
        }
        for row in connection.execute(sa.select(_ingest_jobs))
    ]
    if moved:
        op.bulk_insert(_jobs, moved)
    _move_items("jobs")
    op.drop_index("ix_ingest_jobs_queue", table_name="ingest_jobs")
    op.drop_index("ix_ingest_jobs_collection", table_name="ingest_jobs")
    op.drop_table("ingest_jobs")


def downgrade() -> None:
    """Bring ingest_jobs back with the ingest and upload jobs; drop jobs.collection_id."""
    op.create_table(
        "ingest_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "collection_id",
            sa.String(32),
            sa.ForeignKey("knowledge_collections.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("roots", sa.JSON(), nullable=False),
        sa.Column("prune", sa.Boolean(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False, server_default="paths"),
        sa.Column("channel", sa.String(20), nullable=True),
    )
    op.create_index("ix_ingest_jobs_collection", "ingest_jobs", ["collection_id"])
    op.create_index("ix_ingest_jobs_queue", "ingest_jobs", ["kind", "status"])
    connection = op.get_bind()
    kinds = ("ingest", "upload")
    rows = connection.execute(
        sa.select(_jobs).where(_jobs.c.kind.in_(kinds), _jobs.c.collection_id.is_not(None))
    ).all()
    back = [
        {
            "id": row.id,
            "collection_id": row.collection_id,
            "department": row.department,
            "created_by": row.actor,
            "created_at": row.created_at,
            "updated_at": row.finished_at or row.created_at,
            "finished_at": row.finished_at,
            "status": _TO_INGEST.get(row.status, row.status),
            "roots": list((row.params or {}).get("roots", [])),
            "prune": bool((row.params or {}).get("prune", False)),
            "total": row.progress_total,
            "kind": "upload" if row.kind == "upload" else "paths",
            "channel": (row.params or {}).get("channel"),
        }
        for row in rows
    ]
    if back:
        op.bulk_insert(_ingest_jobs, back)
    _move_items("ingest_jobs")
    op.execute(sa.delete(_jobs).where(_jobs.c.kind.in_(kinds)))
    op.drop_index("ix_jobs_collection", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_constraint("fk_jobs_collection", type_="foreignkey")
        batch.drop_column("collection_id")
