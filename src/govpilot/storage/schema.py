"""The whole schema: every table module, imported once, so `metadata` holds every table.

The schema itself is created by the Alembic migrations in `migrations/versions/`; the table
classes must stay in step with them (a test compares `metadata` with a migrated database).
"""

from __future__ import annotations

from govpilot.storage import (
    account_tables,
    audit_tables,
    bot_tables,
    case_tables,
    governance_tables,
    job_tables,
    knowledge_tables,
    meeting_tables,
    opinion_tables,
    record_tables,
    retrieval_tables,
)
from govpilot.storage.base import Base

#: The table modules, one per owner.
TABLE_MODULES = (
    account_tables,
    audit_tables,
    bot_tables,
    case_tables,
    governance_tables,
    job_tables,
    knowledge_tables,
    meeting_tables,
    opinion_tables,
    record_tables,
    retrieval_tables,
)

metadata = Base.metadata

__all__ = ["TABLE_MODULES", "metadata"]
