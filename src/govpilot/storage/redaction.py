"""What storage needs from the privacy guard, declared here so storage imports nothing above it.

`RecordStore` writes every text through a `TextRedactor`; the platform hands it the privacy
guard's `StorageRedactor`, tests may hand it anything with these two methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Subject:
    """One identifier found in a stored text, as its type and salted hash."""

    type: str
    hash: str


@dataclass(frozen=True)
class StoredText:
    """Text ready to store, and the subjects it mentions."""

    text: str
    subjects: frozenset[Subject] = field(default_factory=frozenset)
    redactions: dict[str, int] = field(default_factory=dict)


class TextRedactor(Protocol):
    """Redacts text before it is stored, as the department's storage policy says."""

    def redact(self, text: str, department: str) -> StoredText:
        """The text to store and the subjects it mentions."""
        ...

    def storage_for(self, department: str) -> str:
        """How the department stores personal data: keep, placeholder, mask or hash."""
        ...
