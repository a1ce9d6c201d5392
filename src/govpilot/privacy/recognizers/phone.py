"""Phone numbers: Hong Kong (8 digits, with or without 852) and mainland mobiles (11 digits).

Hong Kong numbers are read in the groupings people use: 91234567, 9123 4567, 9123-4567,
91 23 45 67, 9123 45 67, 912 34 567, a line break between the halves; after +852, 852-, (852),
(+852), 00852 or ＋８５２; in any width. Scores follow the scale in `identifiers`.
"""

from __future__ import annotations

import re

from govpilot.privacy.recognizers.checksums import is_real_date
from govpilot.privacy.recognizers.context import NOT_A_PHONE_AFTER, PHONE_LABELS
from govpilot.privacy.recognizers.patterns import (
    GAP,
    PatternRecognizer,
    compact,
    has_line_break,
)


def _hk_number_rest(guard_pairs: bool) -> str:
    """An 8-digit Hong Kong number after its first digit, grouped 4-4, 4-2-2, 3-2-3 or 2-2-2-2;
    pairs not followed by more digit groups ("12 34 56 78 90" is not a phone number).

    `guard_pairs`: nor preceded by one.
    """
    pair_guard = r"(?<![0-9][ -][0-9]{2})" if guard_pairs else ""
    return (
        rf"(?:[0-9]{{3}}(?P<sep>{GAP})?[0-9]{{4}}"
        r"|[0-9]{3}(?P<quad>[ -])[0-9]{2}(?P=quad)[0-9]{2}(?![ -][0-9])"
        r"|[0-9]{2}(?P<tri>[ -])[0-9]{2}(?P=tri)[0-9]{3}(?![ -][0-9])"
        rf"|[0-9]{pair_guard}(?P<pair>[ -])[0-9]{{2}}(?P=pair)[0-9]{{2}}(?P=pair)[0-9]{{2}}"
        r"(?![ -][0-9]))"
    )


# Not part of a longer number, amount or reference, nor of a card number grouped in fours.
_HK_END = r"(?![0-9A-Za-z]|[.,-][0-9]| [0-9]{4})"


class PhoneRecognizer(PatternRecognizer):
    """Hong Kong numbers (8 digits, optional +852) and mainland mobiles (11 digits, 1[3-9]).

    +852 / +86 in front: 0.95 / 0.9. Otherwise the nearest label before the number decides:
    電話/Tel/手提 make it a phone (0.95; a mainland mobile 0.85), 個案編號/Ref/HK$ make it
    something else (dropped). A bare HK number scores by its first digit: 2/3/5/6/7/9 0.6,
    8 0.5, 0/1/4 (not in use) 0.3; a bare mainland mobile 0.4. Without a label or prefix,
    numbers in pairs (91 23 45 67, 9123 45 67, 912 34 567: also scores, ages, counts) are 0.4, and
    numbers split by a line break, bare year ranges (2023-2024) and compact dates (20240312)
    are dropped.
    """

    name = "phone"
    types: tuple[str, ...] = ("PHONE",)
    international = re.compile(
        # +852 9123 4567, (852) 2123-4567, (+852)..., 00852 ..., +86 138 0013 8000
        r"(?:\+[ \t]?|0(?<![0-9]0)0|\((?P<bracket>)\+?[ \t]?)"
        r"(?:852(?(bracket)[ \t]?\))[ \t]?-?[ \t]?(?P<number>[0-9]" + _hk_number_rest(False) + ")"
        r"|86(?(bracket)\))[\s-]?1[3-9][0-9][\s-]?[0-9]{4}[\s-]?[0-9]{4})" + _HK_END
    )
    mainland = re.compile(
        # 13800138000, 138 0013 8000, 138-0013-8000
        r"1(?<![0-9A-Za-z_#$+]1)(?<![0-9][.,-]1)[3-9][0-9](?P<cn_sep>[ -]?)[0-9]{4}(?P=cn_sep)"
        r"[0-9]{4}(?![0-9A-Za-z]|[.,-][0-9])"
    )
    # 852 9123 4567, 852-9123-4567, 85291234567
    prefixed = re.compile(
        r"8(?<![0-9A-Za-z_#$+]8)(?<![0-9][.,-]8)(?<![A-Za-z][-/]8)(?<![0-9]{4} 8)"
        r"52[ \t]?-?[ \t]?(?P<number>[0-9]" + _hk_number_rest(False) + ")" + _HK_END
    )
    local = re.compile(
        # 9123 4567, 9123-4567, 91234567, 91 23 45 67; not part of a card number grouped in
        # fours (5555 5555 5555 4444), nor of a longer number or reference.
        r"[0-9](?<![0-9A-Za-z_#$+][0-9])(?<![0-9][.,-][0-9])(?<![A-Za-z][-/][0-9])"
        r"(?<![0-9]{4} [0-9])" + _hk_number_rest(True) + _HK_END
    )
    patterns = (international, mainland, prefixed, local)

    def score(self, text: str, match: re.Match[str]) -> float | None:
        if NOT_A_PHONE_AFTER.match(text, match.end()) or not _fits_phone_list(text, match):
            return None
        if match.re is self.international:
            return _prefixed_phone_score(match["number"]) if match["number"] else 0.9
        if match.re is self.prefixed:
            return _prefixed_phone_score(match["number"])
        label = PHONE_LABELS.before(text, match.start(), 25)
        if label < 0:
            return None
        if match.re is self.mainland:
            return 0.85 if label > 0 else 0.4
        number = compact(match[0])
        if label > 0:
            return 0.95 if number[0] in "2356789" else 0.45
        if has_line_break(match[0]):
            return None
        if match["pair"] or match["quad"] or match["tri"]:
            return 0.4
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


__all__ = ["PhoneRecognizer"]
