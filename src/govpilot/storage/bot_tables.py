"""ORM tables: bots, conversations, messages and feedback."""

from __future__ import annotations

from govpilot.storage.tables import Base

__all__ = ["Base"]
