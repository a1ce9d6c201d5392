"""The detector: thresholds, type filters, overlap resolution, the cache of recent texts."""

from __future__ import annotations

from collections.abc import Iterator

from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.entities import Finding


class Fixed:
    """A scripted recognizer returning the same findings for any text, counting its calls."""

    name = "fixed"

    def __init__(self, *findings: Finding) -> None:
        self.findings = findings
        self.types = tuple({f.type for f in findings})
        self.calls = 0

    def find(self, text: str) -> Iterator[Finding]:
        self.calls += 1
        yield from self.findings


def test_low_scores_are_dropped_and_overlaps_resolved() -> None:
    weak = Finding(0, 4, "PHONE", score=0.3)
    address = Finding(0, 10, "ADDRESS", score=0.7)
    phone = Finding(2, 6, "PHONE", score=0.9)
    detector = PiiDetector([Fixed(weak, address), Fixed(phone)])
    assert detector.detect("0123456789") == [phone]


def test_type_filter_is_resolved_among_the_wanted_types_only() -> None:
    address = Finding(0, 10, "ADDRESS", score=0.7)
    phone = Finding(2, 6, "PHONE", score=0.9)
    detector = PiiDetector([Fixed(address), Fixed(phone)])
    assert detector.detect("0123456789", types={"ADDRESS"}) == [address]


def test_empty_text_runs_no_recognizer() -> None:
    recognizer = Fixed(Finding(0, 1, "PHONE"))
    detector = PiiDetector([recognizer])
    assert detector.detect("   ") == [] and recognizer.calls == 0


def test_recent_texts_are_not_analysed_twice_and_the_cache_is_bounded() -> None:
    recognizer = Fixed(Finding(0, 1, "PHONE"))
    detector = PiiDetector([recognizer], cache_size=2)
    for text in ("a", "a", "b", "c", "a"):
        detector.detect(text)
    assert recognizer.calls == 4  # "a" again after "b" and "c" pushed it out
    assert detector.detect("c") == [Finding(0, 1, "PHONE")]
    assert recognizer.calls == 4
