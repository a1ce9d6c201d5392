"""ORM tables: knowledge collections, documents and ingest jobs."""

from __future__ import annotations

from govpilot.storage.tables import Base

__all__ = ["Base"]
