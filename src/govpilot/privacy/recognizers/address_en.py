"""Hong Kong addresses written in English: flat, floor, block, building, street, district.

An address is a chain of parts joined by commas, spaces or line breaks, e.g.
"Flat 12, 5/F, Block B, Kwai Chung Estate, Kwai Chung, N.T.", reported whole. How sure the
recognizer is depends on the parts:

* a flat, floor, block or street number with at least one more part -> 0.9 (0.95 with 3+);
* a numbered street alone ("123 Nathan Road") or a flat with a floor -> 0.85;
* a named building or estate with a district or block, no number -> 0.75;
* New Territories land: "Lot 2427 in D.D. 109" (a lot in a demarcation district) and a
  house or lot followed by a village not in the lists ("House 87, Ha Tsuen, Yuen Long")
  count like a flat and a street;
* a building or street after "live at", "address:", "reside" ... -> 0.6;
* anything else (a district, "Nathan Road", "Room 1234", "5/F" alone) is not reported:
  a place on its own says where something is, not where someone lives.

Lines with addresses written in capitals ("13/F, HOI KING MANSION, 563B PEI HO STREET")
are read again with their all-capital words recased (Hoi King Mansion), offsets unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from govpilot.privacy.entities import Finding, resolve_overlaps
from govpilot.privacy.recognizers.hk_lexicon import (
    BUILDING_WORDS_EN,
    STREET_WORDS_EN,
    alternation,
    data_lines,
)

__all__ = ["EnglishAddressRecognizer"]

_ID = r"[A-Z0-9]{1,5}(?:\s*[-–]\s*[A-Z0-9]{1,5})?\b"
_UNIT = (
    rf"(?:(?i:flat|room|rm|unit|shop|suite|apartment|apt|workshop|office)\.?\s*(?:No\.?\s*)?{_ID})"
)
_FLOOR = (
    r"(?:(?:\d{1,3}|G|LG|UG|M|B\d?)\s*/\s*F\b|(?:\d{1,3}(?:st|nd|rd|th)|Ground|Upper Ground|"
    r"Lower Ground|Mezzanine|Top)\s+(?i:floor)\b|(?i:floor)\s+\d{1,3}\b)"
)
_BLOCK = r"(?:(?:Block|Blk|Tower|Twr|Phase|Wing|House)\.?\s*[A-Z0-9]{1,3}\b)"
# New Territories land: Lot 2427, Lot No. 1234 s.A RP; in D.D. 109 / DD109 / Demarcation
# District No. 109.
_LOT = r"(?:(?i:lot)\s*(?:No\.?\s*)?\d{1,5}[A-Z]?(?:\s*(?:s\.?\s*[A-Z]|R\.?P\.?)(?![A-Za-z]))*)"
_DD = (
    r"(?:(?:(?i:in|of)\s+)?(?:D\.\s?D\.|DD|(?i:demarcation district))\s*(?:No\.?\s*)?" r"\d{1,3}\b)"
)
_NAME_WORD = r"[A-Z][A-Za-z'’\-]*"
# Dr and St are left out of the street words when no number comes first: "Dear Dr", "St Paul".
_STREET_WORDS = "|".join(sorted(STREET_WORDS_EN - {"Dr", "St"}, key=len, reverse=True))
_NUMBER = r"(?:No\.?\s*)?\d{1,4}[A-Z]?(?:\s*[-–]\s*\d{1,4}[A-Z]?)?"
_ABBREVIATED = r"(?:Rd|St|Ave|Dr)\."
_NUMBERED_STREET = (
    rf"(?:{_NUMBER}\s+(?:{_NAME_WORD}\s+){{1,4}}(?:{_ABBREVIATED}|(?:{_STREET_WORDS}|Dr|St)\b))"
)
_STREET = rf"(?:(?:{_NAME_WORD}\s+){{1,4}}(?:(?:Rd|Ave)\.|(?:{_STREET_WORDS})\b))"
_BUILDING_WORDS = "|".join(sorted(BUILDING_WORDS_EN, key=len, reverse=True))
_BUILDING = rf"(?:(?:{_NAME_WORD}\s+){{1,4}}(?:{_BUILDING_WORDS})\b)"
_REGION = r"(?:Hong Kong|H\.K\.|HK|Kowloon|KLN|Kln|New Territories|N\.T\.|NT)(?![A-Za-z])"
_SEP = re.compile(r"[ \t]*(?:[,，;]|\n)?[ \t]*\n?[ \t]*")
_CUE = re.compile(
    r"(?i:\b(?:live|living|lives|reside|residing|resides|stay|staying|moved)\s+(?:at|in)"
    r"|\baddress(?:\s+is)?\s*:?|\bmy home (?:is )?(?:at|in))\s*$"
)
_STRONG = {"unit", "floor", "block", "numbered", "lot", "dd"}
# A village or area the lists do not know, between a house or lot and a district:
# "House 87, Ha Tsuen, Yuen Long", or the rest of a longer name: "D.D. 109, Tai Po Tsai,".
_VILLAGE_GAP = re.compile(
    r"(?:[ \t]*,[ \t]*|[ \t]+)[A-Z][A-Za-z'’\-]*(?:[ \t]+[A-Z][A-Za-z'’\-]*){0,3}"
    r"[ \t]*,[ \t]*\n?[ \t]*"
)
# All-capital words kept as they are when an address in capitals is recased.
_KEEP_CAPS = frozenset({"HK", "NT", "KLN", "LG", "UG", "DD", "RP", "BR", "HKSAR"})
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’]+(?=[^A-Za-z]|$)")
_CAPS_RUN = re.compile(r"\b[A-Z]{2,}[ ,]+[A-Z]{2,}\b")


# Texts that may hold New Territories land get the lot and D.D. parts too (they cost a
# fifth more time on every text).
_LAND_HINT = re.compile(r"(?i:\blot\b|\bD\.?\s?D(?![A-Za-z])|\bdemarcation\b)")


@cache
def _part_re(land: bool = False) -> re.Pattern[str]:
    districts = alternation(data_lines("hk_places_en.txt"))
    # Parts start at the start of a word (not "rm" in "Form"); the lookahead lets the engine
    # skip other positions at once, which makes the search three times faster.
    return re.compile(
        r"(?<![A-Za-z\d])(?=[A-Za-z\d])(?:"
        + (rf"(?P<lot>{_LOT})|(?P<dd>{_DD})|" if land else "")
        + rf"(?P<unit>{_UNIT})|(?P<floor>{_FLOOR})|(?P<block>{_BLOCK})"
        rf"|(?P<numbered>{_NUMBERED_STREET})|(?P<building>{_BUILDING})|(?P<street>{_STREET})"
        rf"|(?P<district>\b(?:{districts})\b|{_REGION}))"
    )


def _score(kinds: list[str], cued: bool) -> float:
    strong = [k for k in kinds if k in _STRONG]
    if strong and len(kinds) >= 3:
        return 0.95
    if strong and len(kinds) == 2:
        if set(kinds) <= {"unit", "block"} and "unit" in kinds:
            return 0.85  # Flat 3, Block B: no building or street named
        return 0.9 if {"floor", "numbered"} & set(kinds) or "district" in kinds else 0.85
    if kinds == ["numbered"]:
        return 0.85
    if "building" in kinds and len(kinds) >= 2:
        return 0.75
    if kinds and kinds[0] in ("building", "street") and cued:
        return 0.6
    return 0.0


def _find(text: str) -> list[Finding]:
    part_re = _part_re(_LAND_HINT.search(text) is not None)
    parts = [(m.start(), m.end(), m.lastgroup or "") for m in part_re.finditer(text)]
    found: list[Finding] = []
    i = 0
    while i < len(parts):
        j = i
        kinds = [parts[i][2]]
        while j + 1 < len(parts):
            gap_start, gap_end = parts[j][1], parts[j + 1][0]
            if _SEP.fullmatch(text, gap_start, gap_end):
                kinds.append(parts[j + 1][2])
            elif (
                parts[j + 1][2] == "district"
                and _STRONG.intersection(kinds)
                and _VILLAGE_GAP.fullmatch(text, gap_start, gap_end)
            ):
                kinds += ["village", "district"]
            else:
                break
            j += 1
        # A chain that starts with districts only ("Sha Tin, N.T.") counts from its first
        # real part; trailing districts stay in the span.
        while kinds and kinds[0] == "district" and len(kinds) > 1:
            i, kinds = i + 1, kinds[1:]
        start, end = parts[i][0], parts[j][1]
        cued = _CUE.search(text, max(0, start - 30), start) is not None
        score = _score(kinds, cued)
        if score:
            found.append(Finding(start, end, "ADDRESS", score, "en_address"))
        i = j + 1
    return found


def _recased(text: str) -> str:
    """HOI KING MANSION -> Hoi King Mansion, same length; HK, NT, KLN kept."""
    return _CAPS_WORD.sub(
        lambda m: m.group() if m.group() in _KEEP_CAPS else m.group()[0] + m.group()[1:].lower(),
        text,
    )


@lru_cache(maxsize=64)
def _find_cached(text: str) -> tuple[Finding, ...]:
    found = _find(text)
    # Lines with words in capitals are read again, recased.
    read: set[int] = set()
    for caps in _CAPS_RUN.finditer(text):
        start = text.rfind("\n", 0, caps.start()) + 1
        if start in read:
            continue
        read.add(start)
        end = text.find("\n", caps.end())
        end = len(text) if end < 0 else end
        found += [
            Finding(start + f.start, start + f.end, f.type, f.score, f.recognizer)
            for f in _find(_recased(text[start:end]))
        ]
    return tuple(resolve_overlaps(found))


class EnglishAddressRecognizer:
    """Hong Kong addresses in English, from the flat number to the district."""

    name = "en_address"
    types: tuple[str, ...] = ("ADDRESS",)

    def find(self, text: str) -> Iterable[Finding]:
        """ADDRESS findings: whole addresses, not lone districts or streets."""
        if not re.search(r"[A-Z]", text):
            return ()
        return _find_cached(text)
