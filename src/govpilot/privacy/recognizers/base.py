"""The recognizer protocol: one small object per kind of personal data (or per method)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from govpilot.privacy.entities import Finding


class Recognizer(Protocol):
    """Finds personal data of one or more types in a text.

    Recognizers are pure: no I/O after construction, no network, thread-safe `find`.
    """

    name: str
    types: tuple[str, ...]

    def find(self, text: str) -> Iterable[Finding]:
        """Every finding in `text`; overlaps with other recognizers are resolved later."""
        ...
