"""Recognizers for identity documents: HKID, passports and mainland resident IDs.

They read the forms people write, not only the printed one: "A123456(7)", "A 123456 (7)",
"A123456 7", "AB 987654 3", "a123456-7", "Ａ１２３４５６（７）", "A123456\\n(7)", "A1234\\n56(7)";
"H 1234 5678"; "440301 19900307 123X". Spans cover the whole identifier as written; the
check digit is computed on the identifier without its spaces, hyphens and line breaks.
Scores follow the scale in `identifiers`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from govpilot.privacy.recognizers.checksums import is_valid_cn_resident_id, is_valid_hkid
from govpilot.privacy.recognizers.context import CN_ID_LABELS, HKID_LABELS, PASSPORT_LABELS
from govpilot.privacy.recognizers.patterns import (
    GAP,
    INLINE_GAP,
    NOT_BEFORE_ALNUM,
    PatternRecognizer,
    compact,
    has_line_break,
)

# A line break where a form field wrapped, inside the six digits ("A1234\n56(7)").
_WRAPPED_SIX = "|".join(rf"[0-9]{{{k}}}[ \t]?\r?\n[ \t]?[0-9]{{{6 - k}}}" for k in range(1, 6))
# Six digits as one run, 3-3 or 2-2-2 ("123 456", "12-34-56"), or wrapped.
_SIX_DIGITS = (
    r"(?:[0-9]{6}|[0-9]{3}[ -][0-9]{3}|[0-9]{2}(?P<pair>[ -])[0-9]{2}(?P=pair)[0-9]{2}"
    rf"|{_WRAPPED_SIX})"
)
# Eight digits as one run or 4-4.
_EIGHT_DIGITS = r"(?:[0-9]{8}|[0-9]{4}[ -][0-9]{4})"
# A reference that goes on after the number: "CR 123456(7)/2024", "A123456(7)-01".
_NOT_A_REFERENCE_TAIL = r"(?![ \t]?[/.-][ \t]?[0-9])"


class HkidRecognizer(PatternRecognizer):
    """HKID: one or two letters, six digits, a check character (0-9 or A), written whole
    (A123456(3), A1234563) or split by spaces, hyphens or a line break (A 123456 (3),
    AB 987654 3, A123456-3, A123456[3]), in any case and width; check character validated.

    Valid: 1.0 next to an ID label (身份證, 身分證, HKID, ID no.), 0.9 with brackets, 0.85
    without, 0.4 when the nearest label says it is something else ("model no.", 型號,
    "case", 訂單, 參考編號, passport). A split form that could be ordinary words and numbers
    is 0.45 without a label: a two-letter word not in capitals as the prefix ("is 123456
    7"), a line break inside with no brackets. An invalid check character is reported only
    right after an ID label, at 0.6 (a mistyped HKID in a form is still someone's HKID);
    otherwise it is dropped.
    """

    name = "hkid"
    types: tuple[str, ...] = ("HKID",)
    patterns = (
        re.compile(
            r"(?P<prefix>[A-Za-z](?<![0-9A-Za-z][A-Za-z])[A-Za-z]?)"
            rf"(?P<gap>{GAP})?(?P<digits>{_SIX_DIGITS})"
            rf"(?:(?P<check_gap>{GAP})?(?:\((?P<bracketed>[0-9Aa])\)|\[(?P<squared>[0-9Aa])\])"
            rf"|{INLINE_GAP}(?P<spaced>[0-9Aa]){NOT_BEFORE_ALNUM}"
            rf"|(?P<bare>[0-9Aa]){NOT_BEFORE_ALNUM})" + _NOT_A_REFERENCE_TAIL
        ),
    )

    def score(self, text: str, match: re.Match[str]) -> float | None:
        check = match["bracketed"] or match["squared"] or match["spaced"] or match["bare"]
        if not is_valid_hkid(match["prefix"], compact(match["digits"]), check):
            return 0.6 if HKID_LABELS.before(text, match.start(), 20) > 0 else None
        label = HKID_LABELS.before(text, match.start(), 30)
        if label < 0:
            return 0.4
        if label > 0 or HKID_LABELS.after(text, match.end(), 15):
            return 1.0
        bracketed = bool(match["bracketed"] or match["squared"])
        if _could_be_words_and_numbers(match, bracketed):
            return 0.45
        return 0.9 if bracketed else 0.85


# Two-letter English words that can stand before a number ("is 123456 7").
_SHORT_WORDS = frozenset(
    {"am", "an", "as", "at", "be", "by", "do", "go", "he", "hi", "if", "in", "is", "it", "me"}
    | {"my", "no", "of", "ok", "on", "or", "so", "to", "up", "us", "we"}
)


def _could_be_words_and_numbers(match: re.Match[str], bracketed: bool) -> bool:
    """A split HKID that may be a short word and a number: "is 123456 7", "No\\n123456 7"."""
    prefix = match["prefix"]
    if match["gap"] and prefix.lower() in _SHORT_WORDS and not prefix.isupper():
        return True
    if match["spaced"] == "a" and not prefix.islower():
        return True
    return has_line_break(match[0]) and not bracketed


class PassportRecognizer(PatternRecognizer):
    """HKSAR passports H/K + 8 digits, also split (H 1234 5678): 0.95 after 護照/passport;
    without a label 0.6 written whole, 0.4 split (Block K 2123 4567 is an address and a
    phone). After a passport label also mainland E12345678 / EA1234567 (0.9, above a
    look-alike HKID's 0.85) and other letters-and-digits numbers such as the Philippines'
    P1234567A (0.75)."""

    name = "passport"
    types: tuple[str, ...] = ("PASSPORT",)
    patterns = (
        re.compile(
            rf"[HKhk](?<![0-9A-Za-z][HKhk])(?P<gap>{GAP})?{_EIGHT_DIGITS}" + NOT_BEFORE_ALNUM
        ),
    )
    labelled_pattern = re.compile(
        r"[A-Za-z](?<![0-9A-Za-z][A-Za-z])"
        rf"(?:(?<=[EGeg])(?:{INLINE_GAP})?(?P<mainland>{_EIGHT_DIGITS})"
        r"|(?<=[Ee])(?P<mainland_new>[A-Za-z][0-9]{7})"
        r"|(?<=[A-Z])[A-Z]?[0-9]{6,8}[A-Z]?)" + NOT_BEFORE_ALNUM
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
        if PASSPORT_LABELS.near(text, match.start(), match.end(), 30):
            return 0.95
        return 0.4 if compact(match[0]) != match[0] else 0.6


class CnResidentIdRecognizer(PatternRecognizer):
    """Mainland resident ID: 18 characters with a birth date, MOD 11-2 check character,
    written whole or 6-8-4 (440301 19900307 123X, 440301-19900307-123X).

    Valid: 1.0 next to an ID label, 0.9 without. Invalid check character: 0.6 next to an ID
    label (a mistyped ID), otherwise dropped.
    """

    name = "cn_resident_id"
    types: tuple[str, ...] = ("ID_CN",)
    patterns = (
        re.compile(
            r"[1-9](?<![0-9A-Za-z][1-9])[0-9]{5}(?P<sep>[ -])?(?:18|19|20)[0-9]{2}"
            r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?(sep)(?P=sep))[0-9]{3}[0-9Xx]"
            + NOT_BEFORE_ALNUM
        ),
    )

    def score(self, text: str, match: re.Match[str]) -> float | None:
        labelled = CN_ID_LABELS.near(text, match.start(), match.end(), 30)
        if is_valid_cn_resident_id(compact(match[0])):
            return 1.0 if labelled else 0.9
        return 0.6 if labelled else None


__all__ = ["CnResidentIdRecognizer", "HkidRecognizer", "PassportRecognizer"]
