"""Person names in English, romanised Cantonese and Chinese: `person_recognizers()`."""

from __future__ import annotations

from govpilot.privacy.recognizers.base import Recognizer
from govpilot.privacy.recognizers.person_en import EnglishPersonRecognizer
from govpilot.privacy.recognizers.person_zh import ChinesePersonRecognizer

__all__ = ["ChinesePersonRecognizer", "EnglishPersonRecognizer", "person_recognizers"]


def person_recognizers() -> list[Recognizer]:
    """The PERSON recognizers: English (rules + spaCy NER) and Chinese (surname + context)."""
    return [EnglishPersonRecognizer(), ChinesePersonRecognizer()]
