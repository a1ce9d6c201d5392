"""A scripted recognizer for tests: personal data is whatever the test's patterns say it is.

Like `backends.fake.ScriptedModel`, a first-class implementation of the protocol rather than
a patch: tests that are about storage, lifecycle or the interfaces build a detector from it,
so they do not depend on (or wait for) the real recognizers and their models.

    detector = PiiDetector([ScriptedRecognizer({"HKID": r"[A-Z]\\d{6}\\([0-9A]\\)"},
                                               words={"PERSON": ["Chan Tai Man"]})])
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.entities import Finding

#: Patterns for the common Hong Kong identifiers, loose enough for test data.
SIMPLE_PATTERNS: dict[str, str] = {
    "HKID": r"(?i)(?<![A-Z0-9])[A-Z]{1,2}\d{6}\s*(?:\([0-9A]\)|[0-9A])(?![A-Z0-9])",
    "PHONE": r"(?<!\d)(?:\+852[\s-]?)?[235679]\d{3}[\s-]?\d{4}(?!\d)",
    "EMAIL": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
}
#: The names the scripted detector knows (real name detection is tested in tests/privacy).
SCRIPTED_NAMES = ("Chan Tai Man", "陳大文", "Wong Siu Ming")

#: The values the redaction tests plant in their letters ...
SAMPLE_HKID = "A123456(3)"
SAMPLE_PHONE = "9123 4567"
SAMPLE_EMAIL = "chan.taiman@example.com"
SAMPLE_NAMES = ("陳大文", "Chan Tai Man")
SAMPLE_VALUES = (SAMPLE_HKID, SAMPLE_PHONE, SAMPLE_EMAIL, *SAMPLE_NAMES)
#: ... and patterns that find exactly those shapes (names without word boundaries, so they
#: are found inside Chinese running text).
SAMPLE_PATTERNS: dict[str, str] = {
    "HKID": r"[A-Z]{1,2}\d{6}\([0-9A]\)",
    "PHONE": r"(?<!\d)[2-9]\d{3} ?\d{4}(?!\d)",
    "EMAIL": r"[\w.]+@\w+(?:\.\w+)+",
    "PERSON": "|".join(SAMPLE_NAMES),
}


class ScriptedRecognizer:
    """Reports every match of its patterns (a regex per type), its words, or fixed findings.

    `findings` are returned for every text, unchanged: for tests that need exact spans.
    Words match whole, case-insensitively (names such as "Chan Tai Man" or 陳大文).
    """

    name = "scripted"

    def __init__(
        self,
        patterns: Mapping[str, str | re.Pattern[str]] | None = None,
        *,
        words: Mapping[str, Iterable[str]] | None = None,
        findings: Iterable[Finding] = (),
        score: float = 1.0,
    ) -> None:
        self._patterns: list[tuple[str, re.Pattern[str]]] = [
            (kind, re.compile(pattern) if isinstance(pattern, str) else pattern)
            for kind, pattern in (patterns or {}).items()
        ]
        for kind, listed in (words or {}).items():
            alternatives = sorted({w for w in listed if w}, key=len, reverse=True)
            if alternatives:
                joined = "|".join(re.escape(w) for w in alternatives)
                self._patterns.append((kind, re.compile(rf"(?i)(?<!\w)(?:{joined})(?!\w)")))
        self._findings = [replace(f, recognizer=f.recognizer or self.name) for f in findings]
        self.score = score
        self.types: tuple[str, ...] = tuple(
            dict.fromkeys([k for k, _ in self._patterns] + [f.type for f in self._findings])
        )

    def find(self, text: str) -> Iterator[Finding]:
        """Every match of every pattern, then the fixed findings that fit in the text."""
        for kind, pattern in self._patterns:
            for match in pattern.finditer(text):
                if match.end() > match.start():
                    yield Finding(match.start(), match.end(), kind, self.score, self.name)
        yield from (f for f in self._findings if f.end <= len(text))


def simple_recognizer(names: Iterable[str] = ()) -> ScriptedRecognizer:
    """HKIDs, Hong Kong phone numbers and e-mail addresses by pattern, plus these names."""
    return ScriptedRecognizer(SIMPLE_PATTERNS, words={"PERSON": list(names)})


def scripted_detector(names: Iterable[str] = SCRIPTED_NAMES) -> PiiDetector:
    """A detector of HKIDs, phones and e-mails by simple patterns, and these names as persons."""
    return PiiDetector([simple_recognizer(names)])


def sample_recognizer() -> ScriptedRecognizer:
    """Finds the SAMPLE_ values' shapes (score 0.9), for tests of redaction output."""
    return ScriptedRecognizer(SAMPLE_PATTERNS, score=0.9)


def sample_letter_docx() -> bytes:
    """A Word complaint letter holding every SAMPLE_ value: a heading, a paragraph, a bullet
    and a 2x2 table (one HKID, two phones, one e-mail, two names)."""
    import io

    import docx

    word = docx.Document()
    word.add_heading("Complaint from 陳大文", level=1)
    word.add_paragraph(f"My HKID is {SAMPLE_HKID}; phone {SAMPLE_PHONE}.")
    word.add_paragraph(f"Email {SAMPLE_EMAIL}", style="List Bullet")
    table = word.add_table(rows=2, cols=2)
    for r, row in enumerate((("Name", "Phone"), ("Chan Tai Man", SAMPLE_PHONE))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
