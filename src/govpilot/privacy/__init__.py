"""Personal data (PDPO) protection: detection, redaction operators, the guard, retention."""

from govpilot.privacy.detector import PiiDetector, default_detector
from govpilot.privacy.entities import PII_TYPES, Finding, count_by_type, resolve_overlaps

__all__ = [
    "PII_TYPES",
    "Finding",
    "PiiDetector",
    "count_by_type",
    "default_detector",
    "resolve_overlaps",
]
