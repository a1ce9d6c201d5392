"""Hong Kong addresses in English and Chinese: `address_recognizers()`."""

from __future__ import annotations

from govpilot.privacy.recognizers.address_en import EnglishAddressRecognizer
from govpilot.privacy.recognizers.address_zh import ChineseAddressRecognizer
from govpilot.privacy.recognizers.base import Recognizer

__all__ = ["ChineseAddressRecognizer", "EnglishAddressRecognizer", "address_recognizers"]


def address_recognizers() -> list[Recognizer]:
    """The ADDRESS recognizers: English (flat to district) and Chinese (region to room)."""
    return [EnglishAddressRecognizer(), ChineseAddressRecognizer()]
