"""The detector: runs every recognizer over a text and resolves overlapping findings."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence
from functools import cache

from govpilot.privacy.entities import Finding, resolve_overlaps
from govpilot.privacy.recognizers.base import Recognizer


class PiiDetector:
    """Finds personal data in English, Chinese (either script), Cantonese or mixed text.

    Results for recently seen texts are kept (`cache_size` of them): a conversation sends its
    whole history with every turn, and only the newest message needs analysing.
    """

    def __init__(
        self, recognizers: Sequence[Recognizer], *, min_score: float = 0.5, cache_size: int = 512
    ) -> None:
        self.recognizers = list(recognizers)
        self.min_score = min_score
        self.cache_size = cache_size
        self._recent: OrderedDict[str, tuple[Finding, ...]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def types(self) -> set[str]:
        return {t for r in self.recognizers for t in r.types}

    def detect(self, text: str, types: Collection[str] | None = None) -> list[Finding]:
        """Non-overlapping findings sorted by position; only `types` when given."""
        if not text or not text.strip():
            return []
        findings = self._all_findings(text)
        if types is None:
            return list(findings)
        # Resolve again among the wanted types only, so an unwanted finding that won an
        # overlap does not hide a wanted one.
        return self._analyse(text, frozenset(types))

    def _all_findings(self, text: str) -> tuple[Finding, ...]:
        with self._lock:
            cached = self._recent.get(text)
            if cached is not None:
                self._recent.move_to_end(text)
                return cached
        findings = tuple(self._analyse(text, None))
        if self.cache_size:
            with self._lock:
                self._recent[text] = findings
                while len(self._recent) > self.cache_size:
                    self._recent.popitem(last=False)
        return findings

    def _analyse(self, text: str, types: frozenset[str] | None) -> list[Finding]:
        found: list[Finding] = []
        for recognizer in self.recognizers:
            if types is not None and not types.intersection(recognizer.types):
                continue
            found.extend(
                f
                for f in recognizer.find(text)
                if f.score >= self.min_score and (types is None or f.type in types)
            )
        return resolve_overlaps(found)


@cache
def default_detector() -> PiiDetector:
    """The standard detector, built once per process (loading the spaCy model takes ~0.5 s)."""
    from govpilot.privacy.recognizers import default_recognizers

    return PiiDetector(default_recognizers())
