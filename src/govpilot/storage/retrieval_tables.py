"""ORM tables: the retrieval index (chunks, keyword tokens, vectors)."""

from __future__ import annotations

from govpilot.storage.tables import Base

__all__ = ["Base"]
