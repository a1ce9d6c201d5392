"""Check digits and plausibility checks that turn a look-alike number into a real identifier.

Every function here takes a candidate (already cut out of the text) and answers yes or no;
none of them searches text. The algorithms are the published ones:

- HKID: weighted sum mod 11 over the prefix letters (A=10 .. Z=35, a missing first letter
  counts as a space worth 36) and the six digits; the check character is 0-9 or A (= 10).
- Mainland resident ID: ISO 7064 MOD 11-2 over 17 digits; the check character is 0-9 or X.
- Payment cards: the Luhn algorithm, plus the issuer prefixes (IIN) and lengths of the
  card schemes seen in Hong Kong.
- Dates of birth: `BIRTH_DATE` reads the ways people write one (1985年3月12日, 12/03/1985,
  12 March 1985, 一九八五年三月十二日) and `is_birth_date` keeps real days up to today.
"""

from __future__ import annotations

import datetime as dt
import re

_HKID_SPACE_VALUE = 36
_HKID_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_ID_CHECK_CHARS = "10X98765432"
_OLDEST_BIRTH_YEAR = 1900


def hkid_check_character(prefix: str, digits: str) -> str:
    """The check character ('0'-'9' or 'A') for an HKID with this prefix and six digits."""
    letters = prefix.upper()
    if not (1 <= len(letters) <= 2 and letters.isascii() and letters.isalpha()):
        raise ValueError(f"HKID prefix must be one or two letters, got {prefix!r}")
    if not (len(digits) == 6 and digits.isascii() and digits.isdigit()):
        raise ValueError(f"HKID needs six digits after the prefix, got {digits!r}")
    values = [ord(letter) - ord("A") + 10 for letter in letters]
    if len(values) == 1:
        values.insert(0, _HKID_SPACE_VALUE)
    values.extend(int(digit) for digit in digits)
    total = sum(weight * value for weight, value in zip(_HKID_WEIGHTS, values, strict=True))
    check = (11 - total % 11) % 11
    return "A" if check == 10 else str(check)


def is_valid_hkid(prefix: str, digits: str, check: str) -> bool:
    """Whether `check` is the right check character for the HKID `prefix` + `digits`."""
    try:
        return hkid_check_character(prefix, digits) == check.upper()
    except ValueError:
        return False


def is_valid_cn_resident_id(number: str) -> bool:
    """Whether an 18-character mainland resident ID has a real birth date and check digit."""
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not is_plausible_birth_date(year, month, day):
        return False
    total = sum(w * int(d) for w, d in zip(_CN_ID_WEIGHTS, number[:17], strict=True))
    return _CN_ID_CHECK_CHARS[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    """Whether a string of ASCII digits passes the Luhn check used by payment cards."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_scheme(digits: str) -> str | None:
    """The card scheme whose issuer prefix and length fit `digits`, or None."""
    length = len(digits)
    two, four = int(digits[:2] or 0), int(digits[:4] or 0)
    if digits.startswith("4") and length in (13, 16, 19):
        return "visa"
    if (51 <= two <= 55 or 2221 <= four <= 2720) and length == 16:
        return "mastercard"
    if two in (34, 37) and length == 15:
        return "amex"
    if two == 62 and 16 <= length <= 19:
        return "unionpay"
    if 3528 <= four <= 3589 and 16 <= length <= 19:
        return "jcb"
    if (two in (36, 38) or 300 <= int(digits[:3] or 0) <= 305) and length == 14:
        return "diners"
    if (digits.startswith(("6011", "65")) or 644 <= int(digits[:3] or 0) <= 649) and (length == 16):
        return "discover"
    return None


def is_real_date(year: int, month: int, day: int) -> bool:
    """Whether year-month-day is a day on the calendar."""
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def is_plausible_birth_date(year: int, month: int, day: int) -> bool:
    """A real calendar day between 1900 and today: someone could have been born on it."""
    if not is_real_date(year, month, day):
        return False
    return year >= _OLDEST_BIRTH_YEAR and dt.date(year, month, day) <= dt.date.today()


_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_YEAR = r"(?:19|20)[0-9]{2}"
_HAN_DIGITS = {char: value for value, char in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0}

#: A date as people write birth dates, in English or Chinese, with two-digit years too
#: (59年12月14號, 12/03/85); parsed by `_date_parts`.
BIRTH_DATE = re.compile(
    r"(?<![0-9])(?:"
    rf"(?P<cy>{_YEAR}|[0-9]{{2}})\s*年\s*(?P<cm>[0-9]{{1,2}})\s*月(?:\s*(?P<cd>[0-9]{{1,2}})\s*[日號号])?"
    r"|(?P<hy>[〇零○一二三四五六七八九]{4})\s*年\s*(?P<hm>[一二三四五六七八九十]{1,2})\s*月"
    r"(?:\s*(?P<hd>[一二三四五六七八九十]{1,3})\s*[日號号])?"
    rf"|(?P<ny>{_YEAR})(?P<ns>[/.-])(?P<nm>[0-9]{{1,2}})(?P=ns)(?P<nd>[0-9]{{1,2}})"
    rf"|(?P<dd>[0-9]{{1,2}})(?P<ds>[/.-])(?P<dm>[0-9]{{1,2}})(?P=ds)(?P<dy>{_YEAR}|[0-9]{{2}})"
    rf"|(?P<ed>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?P<em>{_MONTH})\.?,?\s+(?P<ey>{_YEAR})"
    rf"|(?P<am>{_MONTH})\.?\s+(?P<ad>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<ay>{_YEAR})"
    r")(?![0-9])",
    re.IGNORECASE,
)


def _date_parts(match: re.Match[str]) -> list[tuple[int, int, int | None]]:
    """(year, month, day) readings of a `BIRTH_DATE` match; day None when only a month."""
    found = match.groupdict()
    if found["cy"]:
        day = found["cd"]
        return [(_full_year(found["cy"]), int(found["cm"]), int(day) if day else None)]
    if found["hy"]:
        year = int("".join(str(_HAN_DIGITS[char]) for char in found["hy"]))
        day = found["hd"]
        return [(year, _han_number(found["hm"]), _han_number(day) if day else None)]
    if found["ny"]:
        return [(int(found["ny"]), int(found["nm"]), int(found["nd"]))]
    if found["dy"]:
        first, second, year = int(found["dd"]), int(found["dm"]), _full_year(found["dy"])
        return [(year, second, first), (year, first, second)]
    if found["ey"]:
        return [(int(found["ey"]), _month_number(found["em"]), int(found["ed"]))]
    return [(int(found["ay"]), _month_number(found["am"]), int(found["ad"]))]


def _full_year(digits: str) -> int:
    """A year as written in a birth date: 1985, or 85 (1985) and 05 (2005)."""
    if len(digits) == 4:
        return int(digits)
    this_year = dt.date.today().year
    year = this_year // 100 * 100 + int(digits)
    return year if year <= this_year else year - 100


def _han_number(numeral: str) -> int:
    """一 to 三十一 as an integer (months and days only)."""
    if "十" not in numeral:
        return _HAN_DIGITS.get(numeral, 0)
    tens, _, units = numeral.partition("十")
    return _HAN_DIGITS.get(tens, 1) * 10 + _HAN_DIGITS.get(units, 0)


def _month_number(name: str) -> int:
    return _MONTH_NAMES.index(name[:3].lower()) + 1


def is_birth_date(match: re.Match[str]) -> bool:
    """Whether a `BIRTH_DATE` match is a day (or month) someone alive could be born on;
    12/03/1985 counts if either reading (12 March or 3 December) is plausible."""
    return any(is_plausible_birth_date(y, m, d or 1) for y, m, d in _date_parts(match))


__all__ = [
    "BIRTH_DATE",
    "card_scheme",
    "hkid_check_character",
    "is_birth_date",
    "is_plausible_birth_date",
    "is_real_date",
    "is_valid_cn_resident_id",
    "is_valid_hkid",
    "luhn_valid",
]
