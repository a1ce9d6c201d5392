"""Language tools: HK script conversion, language detection, segmentation and the glossary."""

from govpilot.language.detect import LANGUAGES, cjk_ratio, detect_language
from govpilot.language.glossary import (
    KINDS,
    Glossary,
    GlossaryReport,
    Term,
    TermCheck,
    TermMatch,
)
from govpilot.language.script import (
    fold_script,
    has_simplified,
    simplified_only_chars,
    to_hk_traditional,
    traditional_only_chars,
)
from govpilot.language.segment import Batch, Piece, pack_segments, reassemble, split_sentences

__all__ = [
    "KINDS",
    "LANGUAGES",
    "Batch",
    "Glossary",
    "GlossaryReport",
    "Piece",
    "Term",
    "TermCheck",
    "TermMatch",
    "cjk_ratio",
    "detect_language",
    "fold_script",
    "has_simplified",
    "pack_segments",
    "reassemble",
    "simplified_only_chars",
    "split_sentences",
    "to_hk_traditional",
    "traditional_only_chars",
]
