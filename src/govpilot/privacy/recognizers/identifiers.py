"""Recognizers for identifiers: HKID, phone numbers, e-mail, passports, mainland IDs, BR
numbers, bank accounts, payment cards, IP addresses and dates of birth (identity documents
in `identity_documents`, phone numbers in `phone`; the scan loop in `patterns`).

Each is a compiled pattern plus a score rule (in each class docstring). Scores follow one
scale:

- 0.95-1.0: valid check digit, or an unmistakable form (+852, e-mail), next to a label;
- 0.85-0.9: valid check digit without a label; types reported only after their label
  (BR number 0.9, date of birth 0.9, mainland passport 0.9, bank account 0.8-0.85);
- 0.6: weak: a bare mobile-like number, an HKSAR passport shape without a label, an
  invalid check digit right after its label;
- below 0.5: returned, but dropped by the detector (min_score 0.5).

Look-alike numbers (case references, amounts, years, version numbers) are told apart by
lookarounds (never `\\b`, which does not fire next to Chinese characters) and by the label
nearest before a number (see `context`). Every recognizer reads the text width-folded
(`width`: Ａ１２３ as A123) and accepts the splits people put inside identifiers (spaces,
hyphens, line breaks: see `patterns.GAP`); spans are on the text as given.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from govpilot.privacy.recognizers.base import Recognizer
from govpilot.privacy.recognizers.checksums import (
    BIRTH_DATE,
    card_scheme,
    is_birth_date,
    luhn_valid,
)
from govpilot.privacy.recognizers.context import (
    BANK_LABELS,
    BIRTH_LABELS,
    BR_LABELS,
    CARD_LABELS,
    IP_LABELS,
)
from govpilot.privacy.recognizers.identity_documents import (
    CnResidentIdRecognizer,
    HkidRecognizer,
    PassportRecognizer,
)
from govpilot.privacy.recognizers.patterns import (
    GAP,
    INLINE_GAP,
    NUMBER_END,
    NUMBER_START,
    LabelledRecognizer,
    PatternRecognizer,
    compact,
)
from govpilot.privacy.recognizers.phone import PhoneRecognizer

# "[at]", "(at)", "【at】" and "[dot]" as people write them to hide an address from robots.
_AT_WORD = r"[ \t]?[\[(【（]\s?at\s?[\])】）][ \t]?"
_DOT_WORD = r"(?:\.|[ \t]?[\[(【（]\s?dot\s?[\])】）][ \t]?)"
_AT_GATE = re.compile(_AT_WORD, re.IGNORECASE)


class EmailRecognizer(PatternRecognizer):
    """E-mail addresses, also glued to Chinese text: 電郵chan.taiman@gmail.com。, or written
    to hide them: chan.taiman [at] gmail [dot] com (0.95)."""

    name = "email"
    types: tuple[str, ...] = ("EMAIL",)
    patterns = (
        re.compile(
            rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{{0,63}}(?:@|{_AT_WORD})"
            rf"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?{_DOT_WORD})+[A-Za-z]{{2,24}}"
            r"(?![A-Za-z0-9-])",
            re.IGNORECASE,
        ),
    )

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """Addresses, when the text has an @ (or an "at" in brackets) at all."""
        if "@" in text or _AT_GATE.search(text):
            return super().matches(text)
        return iter(())

    def score(self, text: str, match: re.Match[str]) -> float | None:
        return 0.95


# A hyphen between groups of digits, with or without spaces around it.
_HYPHEN = r"[ \t]?-[ \t]?"


class BrNumberRecognizer(LabelledRecognizer):
    """Business registration numbers (8 digits, optional -000-MM-YY-C, hyphens spaced or
    not) after a BR label (0.9)."""

    name = "br_number"
    types: tuple[str, ...] = ("BR_NUMBER",)
    labels = BR_LABELS
    window = 20
    patterns = (
        re.compile(
            NUMBER_START
            + rf"[0-9]{{7}}(?:{_HYPHEN}[0-9]{{3}}(?:{_HYPHEN}[0-9]{{2}}{_HYPHEN}[0-9]{{2}}"
            rf"{_HYPHEN}[0-9A-Za-z])?)?"
            r"(?![0-9A-Za-z]|[.,/][0-9])"
        ),
    )

    def score(self, text: str, match: re.Match[str]) -> float | None:
        return 0.9


class BankAccountRecognizer(LabelledRecognizer):
    """Bank account numbers (9-15 digits, often 3-6-3) after a bank or account label.

    Grouped with hyphens or spaces (012-345678-001): 0.85; an ungrouped run: 0.8; a valid
    card number (銀行卡 3782 822463 10005): 0.75, so the card finding wins.
    """

    name = "bank_account"
    types: tuple[str, ...] = ("BANK_ACCOUNT",)
    labels = BANK_LABELS
    window = 25
    patterns = (
        re.compile(
            NUMBER_START + rf"(?:[0-9]{{1,5}}(?:{_HYPHEN}[0-9]{{1,9}}){{1,4}}"
            r"|[0-9]{2,5}(?: [0-9]{3,9}){1,3}"
            r"|[0-9]{8,14})" + NUMBER_END
        ),
    )

    def score(self, text: str, match: re.Match[str]) -> float | None:
        digits = compact(match[0])
        if not 9 <= len(digits) <= 15:
            return None
        if card_scheme(digits) and luhn_valid(digits):
            return 0.75
        return 0.8 if digits == match[0] else 0.85


class CreditCardRecognizer(PatternRecognizer):
    """Payment cards: 13-19 digits, grouped in 4s (or Amex 4-6-5) by spaces, hyphens or a
    line break, or not grouped; known issuer prefix, Luhn.

    Luhn valid: 1.0 with a card label, 0.85 without. UnionPay (62) numbers that fail Luhn are
    reported at 0.8 with a card label only.
    """

    name = "credit_card"
    types: tuple[str, ...] = ("CREDIT_CARD",)
    patterns = (
        re.compile(
            NUMBER_START + rf"(?:[0-9]{{3}}(?:{GAP}[0-9]{{4}}){{2}}{GAP}[0-9]{{1,4}}"
            rf"(?:{INLINE_GAP}[0-9]{{3}})?|[0-9]{{3}}{GAP}[0-9]{{6}}{GAP}[0-9]{{4,5}}"
            r"|[0-9]{12,18})" + NUMBER_END
        ),
    )

    def score(self, text: str, match: re.Match[str]) -> float | None:
        digits = compact(match[0])
        scheme = card_scheme(digits)
        if scheme is None:
            return None
        labelled = CARD_LABELS.near(text, match.start(), match.end(), 30)
        if luhn_valid(digits):
            return 1.0 if labelled else 0.85
        return 0.8 if scheme == "unionpay" and labelled else None


class IpAddressRecognizer(PatternRecognizer):
    """IPv4 and IPv6 addresses, validated with `ipaddress`.

    0.95 after an IP/server label; dropped after a version/paragraph label (v1.2.3.4, para
    3.1.2.4); numbers that look like section numbers (every part below 100, e.g. 2.3.1.4)
    0.4 without a label; other valid addresses 0.85. Loopback and unspecified: dropped.
    """

    name = "ip_address"
    types: tuple[str, ...] = ("IP_ADDRESS",)
    ipv4 = re.compile(
        r"[0-9](?<![0-9A-Za-z.][0-9])[0-9]{0,2}(?:\.[0-9]{1,3}){3}(?![0-9A-Za-z]|\.[0-9A-Za-z])"
    )
    ipv6 = re.compile(
        r"(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}"
        r"(?:(?<=:)[0-9]{1,3}(?:\.[0-9]{1,3}){3})?(?![0-9A-Za-z:]|\.[0-9A-Za-z])"
    )
    patterns = (ipv6, ipv4)

    #: Every IPv6 address has "::" or runs of hex groups between colons.
    ipv6_hint = re.compile(r":[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:")

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """IPv6 candidates only where the text has the colons an address needs."""
        if "::" in text or self.ipv6_hint.search(text):
            yield from super().matches(text)
        elif "." in text:
            yield from self.ipv4.finditer(text)

    def score(self, text: str, match: re.Match[str]) -> float | None:
        try:
            address = ipaddress.ip_address(match[0])
        except ValueError:
            return None
        if address.is_unspecified or address.is_loopback:
            return None
        label = IP_LABELS.before(text, match.start(), 20)
        if label:
            return 0.95 if label > 0 else None
        if address.version == 4 and _looks_like_section_number(match[0]):
            return 0.4
        return 0.85


def _looks_like_section_number(address: str) -> bool:
    parts = [int(part) for part in address.split(".")]
    return parts[0] != 10 and all(part < 100 for part in parts)


class DateOfBirthRecognizer(LabelledRecognizer):
    """Dates next to a birth label: after 出生日期, 生日, DOB, born on; before 出世/出生
    (佢1988年12月15號出世). 0.9 if someone alive could have been born on that day. Dates
    without such a label (meetings, deadlines, letters) are not personal data.
    """

    name = "date_of_birth"
    types: tuple[str, ...] = ("DATE_OF_BIRTH",)
    labels = BIRTH_LABELS
    window = 20
    patterns = (BIRTH_DATE,)

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """For each label, the date just before it (出世, 出生 only) or else the one after."""
        taken_until = 0
        for label in self.labels.for_value.finditer(text):
            date = _date_just_before(text, label.start()) if label[0] in _BORN_AFTER else None
            if date is None:
                date = self.labels.value_after(label, BIRTH_DATE, text, self.window, taken_until)
            if date is not None and date.start() >= taken_until:
                taken_until = date.end()
                yield date

    def score(self, text: str, match: re.Match[str]) -> float | None:
        return 0.9 if is_birth_date(match) else None


# Chinese puts the verb after the date: 1985年3月12日出世, 佢一九八五年十二月十九號出生.
_BORN_AFTER = {"出世", "出生", "出生於", "出生于"}


def _date_just_before(text: str, start: int) -> re.Match[str] | None:
    """The date that ends right before `start` (spaces aside), if any."""
    dates = list(BIRTH_DATE.finditer(text, max(0, start - 30), start))
    if not dates or text[dates[-1].end() : start].strip():
        return None
    return dates[-1]


def identifier_recognizers() -> list[Recognizer]:
    """One recognizer per identifier type, ready for `PiiDetector`."""
    return [
        HkidRecognizer(),
        PhoneRecognizer(),
        EmailRecognizer(),
        PassportRecognizer(),
        CnResidentIdRecognizer(),
        BrNumberRecognizer(),
        BankAccountRecognizer(),
        CreditCardRecognizer(),
        IpAddressRecognizer(),
        DateOfBirthRecognizer(),
    ]


__all__ = [
    "BankAccountRecognizer",
    "BrNumberRecognizer",
    "CnResidentIdRecognizer",
    "CreditCardRecognizer",
    "DateOfBirthRecognizer",
    "EmailRecognizer",
    "HkidRecognizer",
    "IpAddressRecognizer",
    "PassportRecognizer",
    "PhoneRecognizer",
    "identifier_recognizers",
]
