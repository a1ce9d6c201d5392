"""What the detector finds: a typed span of personal data in a text.

Offsets are Python string indices (code points) into the text that was analysed, so
`text[f.start:f.end]` is the personal data itself. Findings carry no copy of the data:
audit events and reports record types, counts and offsets only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from govpilot.errors import InputError

#: Every type of personal data the detector reports, in the order reports list them.
PII_TYPES: tuple[str, ...] = (
    "HKID",
    "PHONE",
    "EMAIL",
    "PASSPORT",
    "ID_CN",
    "BR_NUMBER",
    "BANK_ACCOUNT",
    "CREDIT_CARD",
    "IP_ADDRESS",
    "DATE_OF_BIRTH",
    "ADDRESS",
    "PERSON",
)

# When two findings overlap, the more specific (validated) type wins over the vaguer one,
# e.g. an HKID inside something that also looks like an address fragment.
_TYPE_PRIORITY = {name: rank for rank, name in enumerate(PII_TYPES)}


@dataclass(frozen=True, order=True)
class Finding:
    """One piece of personal data: its type, where it is, and how sure the detector is."""

    start: int
    end: int
    type: str
    score: float = 1.0
    recognizer: str = ""

    def __post_init__(self) -> None:
        if self.type not in _TYPE_PRIORITY:
            raise ValueError(f"unknown personal data type {self.type!r}")
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Finding) -> bool:
        return self.start < other.end and other.start < self.end

    def as_dict(self) -> dict[str, object]:
        """The JSON shape used by `govpilot redact --json` and the API."""
        return {"type": self.type, "start": self.start, "end": self.end, "score": self.score}


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Keep one finding per stretch of text: highest score, then longest, then most specific.

    The result is sorted by position and no two findings in it overlap, so operators can
    replace them from the end of the text without offsets shifting under them.
    """

    def strength(f: Finding) -> tuple[float, int, int]:
        return (f.score, f.length, -_TYPE_PRIORITY[f.type])

    kept: list[Finding] = []
    for candidate in sorted(findings, key=strength, reverse=True):
        if not any(candidate.overlaps(k) for k in kept):
            kept.append(candidate)
    return sorted(kept)


def count_by_type(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each type, e.g. {"HKID": 1, "PHONE": 2}, for audit events."""
    counts = Counter(f.type for f in findings)
    return {name: counts[name] for name in PII_TYPES if counts[name]}


def parse_pii_types(value: str | Iterable[str] | None) -> list[str] | None:
    """The types named in 'HKID,PHONE' (or a list of names), in report order; None for all.

    Every interface reads the types a caller asked for through here, so an unknown name
    gets the same plain error from the CLI, the API, the web and a job.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parts = value.split(",") if isinstance(value, str) else list(value)
    wanted = {str(part).strip().upper() for part in parts if str(part).strip()}
    if not wanted:
        raise InputError("the list of types names no type", hint="e.g. HKID,PHONE or leave it out")
    unknown = sorted(wanted - set(PII_TYPES))
    if unknown:
        raise InputError(
            f"unknown personal data type{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
            hint=f"choose from: {', '.join(PII_TYPES)}",
        )
    return [name for name in PII_TYPES if name in wanted]
