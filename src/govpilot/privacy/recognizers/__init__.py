"""Recognizers for Hong Kong personal data; `default_recognizers()` lists the standard set."""

from __future__ import annotations

from govpilot.privacy.recognizers.base import Recognizer


def default_recognizers() -> list[Recognizer]:
    """Identifiers (validated patterns), addresses, and person names in English and Chinese."""
    from govpilot.privacy.recognizers.address import address_recognizers
    from govpilot.privacy.recognizers.identifiers import identifier_recognizers
    from govpilot.privacy.recognizers.person import person_recognizers

    return [*identifier_recognizers(), *address_recognizers(), *person_recognizers()]


__all__ = ["Recognizer", "default_recognizers"]
