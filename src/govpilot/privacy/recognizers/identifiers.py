"""Recognizers for identifiers: HKID, phone numbers, e-mail, passports, mainland IDs, BR
numbers, bank accounts, payment cards, IP addresses and dates of birth.

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
nearest before a number (see `context`).
"""

from __future__ import annotations

import ipaddress
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import ClassVar

from govpilot.privacy.entities import Finding
from govpilot.privacy.recognizers.base import Recognizer
from govpilot.privacy.recognizers.checksums import (
    BIRTH_DATE,
    card_scheme,
    is_birth_date,
    is_real_date,
    is_valid_cn_resident_id,
    is_valid_hkid,
    luhn_valid,
)
from govpilot.privacy.recognizers.context import (
    BANK_LABELS,
    BIRTH_LABELS,
    BR_LABELS,
    CARD_LABELS,
    CN_ID_LABELS,
    HKID_LABELS,
    IP_LABELS,
    NOT_A_PHONE_AFTER,
    PASSPORT_LABELS,
    PHONE_LABELS,
    Labels,
    fold_width,
)

# Patterns start with the character they match first (a digit, a letter) and look behind
# it, rather than starting with a lookbehind: the regex engine then skips straight to the
# places a match can start, which makes a scan about twice as fast.
#
# A number is not glued to a Latin letter or digit, nor part of a longer number or amount:
# "1.23456789", "HAD/2024/12345678", "A-12345678", "#12345678", "$91234567", "12345678-9".
_NUMBER_START = r"[0-9](?<![0-9A-Za-z_/#$][0-9])(?<![0-9A-Za-z][.,/-][0-9])"
_NUMBER_END = r"(?![0-9A-Za-z]|[.,/-][0-9])"
_NOT_BEFORE_ALNUM = r"(?![0-9A-Za-z])"


class _PatternRecognizer(ABC):
    """Scans a text with its patterns and reports the matches `score` accepts."""

    name: str
    types: tuple[str, ...]
    #: Tried in order; a match overlapping one of an earlier pattern is skipped.
    patterns: ClassVar[tuple[re.Pattern[str], ...]]

    def find(self, text: str) -> Iterator[Finding]:
        """Every match whose score rule gives it a score."""
        text = fold_width(text)
        for match in self.matches(text):
            score = self.score(text, match)
            if score is not None:
                yield Finding(match.start(), match.end(), self.types[0], score, self.name)

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """Candidate matches, before scoring."""
        taken: list[tuple[int, int]] = []
        for pattern in self.patterns:
            found = list(pattern.finditer(text))
            for match in found:
                if not any(match.start() < end and start < match.end() for start, end in taken):
                    yield match
            taken += [match.span() for match in found]

    @abstractmethod
    def score(self, text: str, match: re.Match[str]) -> float | None:
        """How sure the match is personal data of this type; None to drop it."""


class _LabelledRecognizer(_PatternRecognizer):
    """Reports values only when they follow one of its labels within `window` characters."""

    labels: ClassVar[Labels]
    window: ClassVar[int] = 20

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """The first value after each label."""
        return self.labels.values_after(self.patterns[0], text, self.window)


class HkidRecognizer(_PatternRecognizer):
    """HKID: A123456(3), A1234563, A123456 (3), AB987654(3); check character validated.

    Valid: 1.0 next to an ID label (身份證, HKID), 0.9 with brackets, 0.85 without, 0.4 when
    the nearest label says it is something else ("model no.", 型號). An invalid check
    character is reported only right after an ID label, at 0.6 (a mistyped HKID in a form is
    still someone's HKID); otherwise it is dropped.
    """

    name = "hkid"
    types: tuple[str, ...] = ("HKID",)
    patterns = (
        re.compile(
            r"(?P<prefix>[A-Za-z](?<![0-9A-Za-z][A-Za-z])[A-Za-z]?)(?P<digits>[0-9]{6})"
            r"(?:\s?\((?P<bracketed>[0-9Aa])\)|(?P<bare>[0-9Aa])" + _NOT_BEFORE_ALNUM + ")"
        ),
    )

    def score(self, text: str, match: re.Match[str]) -> float | None:
        check = match["bracketed"] or match["bare"]
        if not is_valid_hkid(match["prefix"], match["digits"], check):
            return 0.6 if HKID_LABELS.before(text, match.start(), 12) > 0 else None
        label = HKID_LABELS.before(text, match.start(), 30)
        if label < 0:
            return 0.4
        if label > 0 or HKID_LABELS.after(text, match.end(), 15):
            return 1.0
        return 0.9 if match["bracketed"] else 0.85


class PhoneRecognizer(_PatternRecognizer):
    """Hong Kong numbers (8 digits, optional +852) and mainland mobiles (11 digits, 1[3-9]).

    +852 / +86 in front: 0.95 / 0.9. Otherwise the nearest label before the number decides:
    電話/Tel/手提 make it a phone (0.95; a mainland mobile 0.85), 個案編號/Ref/HK$ make it
    something else (dropped). A bare HK number scores by its first digit: 2/3/5/6/7/9 0.6,
    8 0.5, 0/1/4 (not in use) 0.3; a bare mainland mobile 0.4. Bare year ranges (2023-2024)
    and compact dates (20240312) are dropped.
    """

    name = "phone"
    types: tuple[str, ...] = ("PHONE",)
    international = re.compile(
        # +852 9123 4567, (852) 2123-4567, (+852)..., 00852 ..., +86 138 0013 8000
        r"(?:\+|0(?<![0-9]0)0|\((?P<bracket>)\+?)\s?"
        r"(?:852(?(bracket)\))[\s-]?(?P<hk>[0-9]{4}[ -]?[0-9]{4})"
        r"|86(?(bracket)\))[\s-]?1[3-9][0-9][\s-]?[0-9]{4}[\s-]?[0-9]{4})"
        r"(?![0-9A-Za-z]|[.,-][0-9])"
    )
    mainland = re.compile(
        # 13800138000, 138 0013 8000, 138-0013-8000
        r"1(?<![0-9A-Za-z_#$+]1)(?<![0-9][.,-]1)[3-9][0-9](?P<cn_sep>[ -]?)[0-9]{4}(?P=cn_sep)"
        r"[0-9]{4}(?![0-9A-Za-z]|[.,-][0-9])"
    )
    local = re.compile(
        # 9123 4567, 9123-4567, 91234567, 85291234567; not part of a card number grouped in
        # fours (5555 5555 5555 4444), nor of a longer number or reference.
        r"[0-9](?<![0-9A-Za-z_#$+][0-9])(?<![0-9][.,-][0-9])(?<![A-Za-z][-/][0-9])"
        r"(?<![0-9]{4} [0-9])"
        r"(?:(?<=8)52[\s-]?(?P<prefixed>[0-9]{4}[ -]?[0-9]{4})|[0-9]{3}(?P<sep>[ -]?)[0-9]{4})"
        r"(?![0-9A-Za-z]|[.,-][0-9]| [0-9]{4})"
    )
    patterns = (international, mainland, local)

    def score(self, text: str, match: re.Match[str]) -> float | None:
        if NOT_A_PHONE_AFTER.match(text, match.end()) or not _fits_phone_list(text, match):
            return None
        if match.re is self.international:
            return _prefixed_phone_score(match["hk"]) if match["hk"] else 0.9
        if match.re is self.local and match["prefixed"]:
            return _prefixed_phone_score(match["prefixed"])
        label = PHONE_LABELS.before(text, match.start(), 25)
        if label < 0:
            return None
        if match.re is self.mainland:
            return 0.85 if label > 0 else 0.4
        number = match[0].replace(match["sep"], "") if match["sep"] else match[0]
        if label > 0:
            return 0.95 if number[0] in "2356789" else 0.45
        if _looks_like_years_or_date(number, bool(match["sep"])):
            return None
        return _BARE_PHONE_SCORES[number[0]]


def _prefixed_phone_score(number: str) -> float:
    return 0.95 if number[0] in "2356789" else 0.4


_PHONE_BEFORE_SLASH = re.compile(r"(?<![0-9])[0-9]{4}[ -]?[0-9]{4}\s?/\s?$")
_PHONE_AFTER_SLASH = re.compile(r"\s?/\s?[0-9]{4}[ -]?[0-9]{4}(?![0-9])")
_BARE_PHONE_SCORES = {**dict.fromkeys("235679", 0.6), "8": 0.5, **dict.fromkeys("014", 0.3)}


def _fits_phone_list(text: str, match: re.Match[str]) -> bool:
    """A slash next to a number is fine between phone numbers (2123 4567/9123 4567) but not
    in references (HAD/2024/12345678, 12345678/2024)."""
    start, end = match.span()
    before_slash = start > 0 and text[start - 1] == "/"
    if before_slash and not _PHONE_BEFORE_SLASH.search(text, max(0, start - 12), start):
        return False
    after_slash = text.startswith("/", end) and end + 1 < len(text) and text[end + 1].isdigit()
    return not after_slash or _PHONE_AFTER_SLASH.match(text, end) is not None


def _looks_like_years_or_date(number: str, separated: bool) -> bool:
    """2023-2024 (a year range), 20240312 or 12031985 (a date written without separators)."""
    first, second = number[:4], number[4:]
    if separated:
        return first[:2] in ("19", "20") and second[:2] in ("19", "20")
    year_first = is_real_date(int(first), int(second[:2]), int(second[2:]))
    year_last = is_real_date(int(second), int(first[2:]), int(first[:2]))
    return (year_first and first[:2] in ("19", "20")) or (year_last and second[:2] in ("19", "20"))


class EmailRecognizer(_PatternRecognizer):
    """E-mail addresses, also glued to Chinese text: 電郵chan.taiman@gmail.com。 (0.95)."""

    name = "email"
    types: tuple[str, ...] = ("EMAIL",)
    patterns = (
        re.compile(
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
            r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])"
        ),
    )

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """Addresses, when the text has an @ at all."""
        return super().matches(text) if "@" in text else iter(())

    def score(self, text: str, match: re.Match[str]) -> float | None:
        return 0.95


class PassportRecognizer(_PatternRecognizer):
    """HKSAR passports H/K + 8 digits (0.95 after 護照/passport, else 0.6); after a passport
    label also mainland E12345678 / EA1234567 (0.9, above a look-alike HKID's 0.85) and
    other letters-and-digits numbers such as the Philippines' P1234567A (0.75)."""

    name = "passport"
    types: tuple[str, ...] = ("PASSPORT",)
    patterns = (re.compile(r"[HKhk](?<![0-9A-Za-z][HKhk])[0-9]{8}" + _NOT_BEFORE_ALNUM),)
    labelled_pattern = re.compile(
        r"[A-Z](?<![0-9A-Za-z][A-Z])"
        r"(?:(?<=[EG])(?P<mainland>[0-9]{8})|(?<=E)(?P<mainland_new>[A-Z][0-9]{7})"
        r"|[A-Z]?[0-9]{6,8}[A-Z]?)" + _NOT_BEFORE_ALNUM
    )

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """HKSAR passport numbers anywhere, other formats after a passport label."""
        found = list(super().matches(text))
        yield from found
        hk_spans = {match.span() for match in found}
        for match in PASSPORT_LABELS.values_after(self.labelled_pattern, text, 25):
            if match.span() not in hk_spans:
                yield match

    def score(self, text: str, match: re.Match[str]) -> float | None:
        if match.re is self.labelled_pattern:
            return 0.9 if match["mainland"] or match["mainland_new"] else 0.75
        return 0.95 if PASSPORT_LABELS.near(text, match.start(), match.end(), 30) else 0.6


class CnResidentIdRecognizer(_PatternRecognizer):
    """Mainland resident ID: 18 characters with a birth date, MOD 11-2 check character.

    Valid: 1.0 next to an ID label, 0.9 without. Invalid check character: 0.6 next to an ID
    label (a mistyped ID), otherwise dropped.
    """

    name = "cn_resident_id"
    types: tuple[str, ...] = ("ID_CN",)
    patterns = (
        re.compile(
            r"[1-9](?<![0-9A-Za-z][1-9])[0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
            r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]" + _NOT_BEFORE_ALNUM
        ),
    )

    def score(self, text: str, match: re.Match[str]) -> float | None:
        labelled = CN_ID_LABELS.near(text, match.start(), match.end(), 30)
        if is_valid_cn_resident_id(match[0]):
            return 1.0 if labelled else 0.9
        return 0.6 if labelled else None


class BrNumberRecognizer(_LabelledRecognizer):
    """Business registration numbers (8 digits, optional -000-MM-YY-C) after a BR label (0.9)."""

    name = "br_number"
    types: tuple[str, ...] = ("BR_NUMBER",)
    labels = BR_LABELS
    window = 20
    patterns = (
        re.compile(
            _NUMBER_START + r"[0-9]{7}(?:-[0-9]{3}(?:-[0-9]{2}-[0-9]{2}-[0-9A-Za-z])?)?"
            r"(?![0-9A-Za-z]|[.,/][0-9])"
        ),
    )

    def score(self, text: str, match: re.Match[str]) -> float | None:
        return 0.9


class BankAccountRecognizer(_LabelledRecognizer):
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
            _NUMBER_START + r"(?:[0-9]{1,5}(?:-[0-9]{1,9}){1,4}|[0-9]{2,5}(?: [0-9]{3,9}){1,3}"
            r"|[0-9]{8,14})" + _NUMBER_END
        ),
    )

    def score(self, text: str, match: re.Match[str]) -> float | None:
        digits = match[0].replace(" ", "").replace("-", "")
        if not 9 <= len(digits) <= 15:
            return None
        if card_scheme(digits) and luhn_valid(digits):
            return 0.75
        return 0.8 if digits == match[0] else 0.85


class CreditCardRecognizer(_PatternRecognizer):
    """Payment cards: 13-19 digits, grouped in 4s (or Amex 4-6-5), known issuer prefix, Luhn.

    Luhn valid: 1.0 with a card label, 0.85 without. UnionPay (62) numbers that fail Luhn are
    reported at 0.8 with a card label only.
    """

    name = "credit_card"
    types: tuple[str, ...] = ("CREDIT_CARD",)
    patterns = (
        re.compile(
            _NUMBER_START + r"(?:[0-9]{3}(?P<sep>[ -])[0-9]{4}(?P=sep)[0-9]{4}(?P=sep)[0-9]{1,4}"
            r"(?:(?P=sep)[0-9]{3})?|[0-9]{3}(?P<amex>[ -])[0-9]{6}(?P=amex)[0-9]{4,5}"
            r"|[0-9]{12,18})" + _NUMBER_END
        ),
    )

    def score(self, text: str, match: re.Match[str]) -> float | None:
        digits = match[0].replace(" ", "").replace("-", "")
        scheme = card_scheme(digits)
        if scheme is None:
            return None
        labelled = CARD_LABELS.near(text, match.start(), match.end(), 30)
        if luhn_valid(digits):
            return 1.0 if labelled else 0.85
        return 0.8 if scheme == "unionpay" and labelled else None


class IpAddressRecognizer(_PatternRecognizer):
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


class DateOfBirthRecognizer(_LabelledRecognizer):
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
