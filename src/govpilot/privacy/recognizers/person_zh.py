"""Chinese person names (Traditional, Simplified, Cantonese): a surname list driven by context.

A Chinese name is a surname (陳, 歐陽) and one or two given-name characters. Most surname
characters are also ordinary characters (王國, 高興, 黃色, 方面), so a name is reported
only with evidence around it, strongest first:

* a title or role after it: 陳大文先生, 李醫生, 張美玲議員 -> 0.9 (the title is left out);
  a sign-off counts as a title: 陳大文謹啟, （陳大文代行）;
* a cue before it: 本人、我叫、我係、申請人：、投訴人、聯絡人, family and case-work words
  (老公、個仔、我阿爸、案主、來訪者、僱主) ... 陳大文 -> 0.85;
* data about a person right after it: 陳大文（身份證號碼..., 陳大文（56歲）, 陳大文，女，,
  陳大文的身份證 / 嘅個案 / 的網上帳戶, or a request: 請陳大文確認 -> 0.8;
* a list next to a name found so far: 陳大文、李小明及張美美 -> 0.8; two names joined by
  、 with no other cue -> 0.7;
* nothing around it: a common surname and two characters both common in given names
  (陳家明), not a dictionary word -> 0.6.

A surname with only a title (陳生、陳太、李小姐、黃Sir、司徒婆婆) points to a person but
names no one in full: it is reported with the title included (the title is what makes it a
name) at 0.6, weak but above the detector's 0.5 threshold, so redaction hides it by
default. A surname given on its own after 姓 (我姓陳。) and a Cantonese nickname, 阿 and
one given-name character at the edge of a clause (阿欣個電話, Hi 阿明，, 我個仔阿偉成日...),
not a kinship word (阿媽, 阿伯) or a transliteration (阿拉伯, 尼阿美), are reported at 0.7.

Candidates that are words in jieba's dictionary (林業, 陳述, 周末, 張貼) or that continue a
word before them (社區, 由於) are rejected, and so are spans inside a Hong Kong place name
(黃大仙, 何文田). All matching runs on `fold_script(text)`, one Simplified character for
each character of the text, so one set of lists serves both scripts. The lists and
character sets are in `person_zh_lexicon`; this module weighs the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from govpilot.language import fold_script
from govpilot.privacy.entities import Finding, resolve_overlaps
from govpilot.privacy.recognizers.hk_lexicon import HAN_RE
from govpilot.privacy.recognizers.person_zh_lexicon import (
    ADVERB_SURNAME,
    AFTER_NICKNAME,
    AFTER_XING,
    BEFORE_NAME,
    BEFORE_NICKNAME,
    FUNCTION_SURNAMES,
    KIN,
    NAME_DOTS,
    NO_BARE_SURNAME,
    NOT_AFTER_SHENG,
    NOT_AFTER_TAI,
    NOT_BEFORE_XING,
    NOT_GIVEN,
    SEPARATORS,
    TITLES_AFTER_AU,
    ChineseNameLexicon,
    chinese_name_lexicon,
)

__all__ = ["ChinesePersonRecognizer"]


class _Scan:
    """One pass over one folded text."""

    def __init__(self, lex: ChineseNameLexicon, folded: str) -> None:
        self.lex = lex
        self.t = folded
        self.in_place = bytearray(len(folded))
        for m in lex.place_re.finditer(folded):
            self.in_place[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        self.cue_ends: set[int] = set()
        for m in lex.cue_re.finditer(folded):
            cue = m.group().rstrip(" \t\n:：为是係系")
            start, end = m.start(), m.start() + len(cue)
            # 由於, 林業主任: a cue that makes a word with the character before or after it
            # (由于, 林业, 主任) is part of another word, not a cue.
            # 母親王大文: 親王 is a word too, but a rarer one than the cue.
            overlap = self.freq(folded[end - 1 : end + 1])
            if (
                end == m.end()
                and overlap >= 100
                and not (len(cue) >= 2 and self.freq(cue) > 2 * overlap)
            ):
                continue
            if start > 0 and self.freq(folded[start - 1 : start + 1]) >= 100:
                continue
            self.cue_ends.add(m.end())

    # -- small predicates -------------------------------------------------------------
    def freq(self, word: str) -> int:
        return self.lex.words.get(word, (0, ""))[0]

    def is_han(self, i: int) -> bool:
        return 0 <= i < len(self.t) and HAN_RE.match(self.t[i]) is not None

    def can_be_given(self, i: int) -> bool:
        t = self.t
        return (
            self.is_han(i)
            and t[i] not in NOT_GIVEN
            and not self.in_place[i]
            and self.lex.title_re.match(t, i) is None
        )

    def given_len(self, g: int) -> int:
        """How many characters after a surname at `g - 1` look like a given name (0-2)."""
        if not self.can_be_given(g):
            return 0
        if not self.can_be_given(g + 1):
            return 1
        # 王偉強烈: 強烈 is a word, so the name most likely stops before it.
        if self.freq(self.t[g + 1 : g + 3]) >= 1000 and self.is_han(g + 2):
            return 1
        return 2

    def plausible(
        self,
        start: int,
        end: int,
        given: int,
        *,
        strict: bool,
        cue: bool = False,
        name_word_ok: bool = False,
        strong: bool = False,
    ) -> bool:
        """Not a word (林業, 陳述, 蘇格蘭), not the tail of a word before it (社區), not in a place.

        `strict` adds the checks for weak evidence: no longer dictionary word at all, not
        even one tagged as a name (龍捲風), and a two-character given name that is a common
        word (任天堂) is rejected. With `strict` or `cue`, so is a surname that makes a common
        word with the first given character (周末, 包括). With `strong` evidence around the
        name, a word made with the character before it does not count when that character
        is one that names often follow (查下馬樂怡嘅個案: 下馬 is a word, but 查下 is the verb).
        """
        t = self.t
        name = t[start:end]
        if any(self.in_place[start:end]):
            return False
        freq, tag = self.lex.words.get(name, (0, ""))
        is_name = tag.startswith("nr")
        if freq and (strict or not is_name or (len(name) == 2 and not name_word_ok)):
            return False
        if strict and given == 2:
            freq, tag = self.lex.words.get(t[end - 2 : end], (0, ""))
            if freq >= 500 and not tag.startswith("nr"):
                return False
        if (strict or cue) and given == 2 and self.freq(t[start : end - 1]) >= 1000:
            return False
        return not (
            start > 0
            and start not in self.cue_ends
            and self.is_han(start - 1)
            and not (strong and t[start - 1] in BEFORE_NAME)
            and self.freq(t[start - 1 : start + 1]) >= 100
        )

    # -- the evidence -------------------------------------------------------------------
    def titled(self, i: int, s: int) -> Finding | None:
        """Surname at i (length s) followed by 0-2 given characters and a title."""
        t = self.t
        g = i + s
        for length in (2, 1):
            if all(self.can_be_given(g + k) for k in range(length)):
                title = self.lex.title_re.match(t, g + length)
                if title is None:
                    continue
                courtesy = title.group() in self.lex.courtesy_titles
                if self.plausible(i, g + length, length, strict=not courtesy, strong=courtesy):
                    score = 0.9 if courtesy else 0.85
                    return Finding(i, g + length, "PERSON", score, "zh_person_title")
        surname = t[i:g]
        bare = self.lex.bare_title_re.match(t, g)
        if bare is None or surname in NO_BARE_SURNAME:
            return None
        if surname == fold_script("區") and bare.group() not in TITLES_AFTER_AU:
            return None
        end = bare.end()
        after = t[end] if end < len(t) else ""
        if bare.group() == "生" and after in NOT_AFTER_SHENG:
            return None
        if bare.group() == "太" and after in NOT_AFTER_TAI:
            return None
        if bare.group().isascii() and after.isascii() and after.isalpha():
            return None
        # 陸生 is also a word (陸生生物, terrestrial) that jieba tags as a name: it is Mr Luk
        # when a clause goes on after it (陸生話...) or nothing Chinese follows. 司徒, 歐陽
        # are words only as the surname itself.
        ends_clause = not self.is_han(end) or t[end] in AFTER_NICKNAME
        if not self.plausible(i, end, 0, strict=False, name_word_ok=ends_clause):
            return None
        if s == 1 and self.freq(t[i : i + 2]) >= 100:
            return None
        return Finding(i, end, "PERSON", 0.6, "zh_person_title")

    def cued(self, i: int, s: int) -> Finding | None:
        if i not in self.cue_ends or self.t[i : i + s] in FUNCTION_SURNAMES:
            return None
        if self.t[i : i + s] == ADVERB_SURNAME and self.freq(self.t[i + 1 : i + 3]) >= 100:
            return None
        length = self.given_len(i + s)
        end = i + s + length
        if length and self.plausible(i, end, length, strict=False, cue=True, strong=True):
            return Finding(i, end, "PERSON", 0.85, "zh_person_cue")
        return None

    def context_after(self, i: int, s: int) -> Finding | None:
        """Surname and 1-2 given characters followed by data about a person (_AFTER_NAME),
        or asked to do something after 請 (請陳大文確認)."""
        t = self.t
        g = i + s
        please = i > 0 and t[i - 1] == fold_script("請") and t[i : i + s] not in FUNCTION_SURNAMES
        for length in (2, 1):
            if not all(self.can_be_given(g + k) for k in range(length)):
                continue
            end = g + length
            if self.lex.after_re.match(t, end) is None and not (
                please and self.lex.please_re.match(t, end)
            ):
                continue
            if self.plausible(i, end, length, strict=False, cue=True, strong=True):
                return Finding(i, end, "PERSON", 0.8, "zh_person_context")
        return None

    def surname_alone(self, i: int, s: int) -> Finding | None:
        """姓陳: a surname right after 姓, with nothing of a given name after it."""
        t = self.t
        if i < 1 or t[i - 1] != "姓" or (i >= 2 and t[i - 2] in NOT_BEFORE_XING):
            return None
        after = t[i + s : i + s + 1]
        if after and self.is_han(i + s) and after not in AFTER_XING:
            return None
        return Finding(i, i + s, "PERSON", 0.7, "zh_person_surname")

    def bare(self, i: int, s: int) -> Finding | None:
        """A common surname and two name-like characters with nothing around them."""
        t = self.t
        if s != 1 or t[i] not in self.lex.common_surnames or self.given_len(i + 1) != 2:
            return None
        if not all(c in self.lex.given_chars for c in t[i + 1 : i + 3]):
            return None
        if self.can_be_given(i + 3) and t[i + 3] in self.lex.given_chars:
            return None  # four name-like characters in a row: more likely a phrase
        if self.freq(t[i + 2 : i + 4]) >= 100 or self.freq(t[i + 1 : i + 3]) >= 1000:
            return None
        if self.plausible(i, i + 3, 2, strict=True) and self.freq(t[i : i + 2]) < 100:
            return Finding(i, i + 3, "PERSON", 0.6, "zh_person_bare")
        return None

    def item_at(self, start: int) -> Finding | None:
        """A list item starting at `start`: surname + 1-2 given characters."""
        t = self.t
        for s in (2, 1):
            if start >= 0 and t[start : start + s] in self._surnames_here(start):
                length = self.given_len(start + s)
                end = start + s + length
                if length and self.plausible(start, end, length, strict=True):
                    return Finding(start, end, "PERSON", 0.8, "zh_person_list")
        return None

    def item_before(self, end: int) -> Finding | None:
        """A list item ending at `end`: the longest surname + given that fits."""
        for length in (4, 3, 2):
            found = self.item_at(end - length)
            if end - length >= 0 and found is not None and found.end == end:
                return found
        return None

    def _surnames_here(self, i: int) -> set[str]:
        return {m for m in (self.t[i : i + 2], self.t[i : i + 1]) if m in self.lex.surnames}


def _find_in_folded(lex: ChineseNameLexicon, folded: str) -> list[Finding]:
    scan = _Scan(lex, folded)
    found: list[Finding] = []
    for m in lex.surname_re.finditer(folded):
        i, s = m.start(), len(m.group(1))
        if scan.in_place[i] or (i > 0 and folded[i - 1] in "阿老小"):
            continue
        hit = (
            scan.titled(i, s)
            or scan.cued(i, s)
            or scan.context_after(i, s)
            or scan.surname_alone(i, s)
            or scan.bare(i, s)
        )
        if hit is not None:
            found.append(hit)
    found += _nicknames(scan)
    found = _extend_lists(scan, found)
    return resolve_overlaps(found)


def _nicknames(scan: _Scan) -> list[Finding]:
    """阿 + one given-name character at the end of a word run: 阿明話, 阿欣，, Hi 阿娥."""
    t = scan.t
    found: list[Finding] = []
    for m in re.finditer("阿", t):
        i = m.start()
        nick = t[i + 1 : i + 2]
        if (
            not nick
            or nick in KIN
            or nick not in scan.lex.given_chars
            or not scan.can_be_given(i + 1)
        ):
            continue
        if t[i : i + 2] in scan.lex.words or scan.in_place[i]:
            continue  # 阿姨, 阿里: words of their own
        if i > 0 and scan.is_han(i - 1) and t[i - 1] not in BEFORE_NICKNAME:
            continue
        if t[i - 1 : i] in NAME_DOTS or t[i + 2 : i + 3] in NAME_DOTS:
            continue  # 艾伯特·阿諾·艾爾: part of a transliterated name
        after = t[i + 2 : i + 3]
        if after and scan.is_han(i + 2) and after not in AFTER_NICKNAME:
            continue
        found.append(Finding(i, i + 2, "PERSON", 0.7, "zh_person_nickname"))
    return found


def _extend_lists(scan: _Scan, found: list[Finding]) -> list[Finding]:
    """Names joined to a found name by 、 / 及 / 和 ..., and pairs of names joined by 、."""
    t = scan.t
    best = {(f.start, f.end): f for f in found}

    def keep(f: Finding, score: float) -> bool:
        old = best.get((f.start, f.end))
        if old is not None and old.score >= score:
            return False
        best[(f.start, f.end)] = Finding(f.start, f.end, "PERSON", score, "zh_person_list")
        return True

    for sep in re.finditer("、", t):
        left, right = scan.item_before(sep.start()), scan.item_at(sep.end())
        if left and right and left.length >= 3 and right.length >= 3:
            keep(left, 0.7)
            keep(right, 0.7)
    queue = list(best.values())
    while queue:
        f = queue.pop()
        score = max(0.6, min(0.8, f.score))
        neighbours: list[Finding | None] = []
        end = f.end
        title = scan.lex.title_re.match(t, end)
        if title is not None:
            end = title.end()
        if end < len(t) and t[end] in SEPARATORS:
            neighbours.append(scan.item_at(end + 1))
        if f.start > 0 and t[f.start - 1] in SEPARATORS:
            neighbours.append(scan.item_before(f.start - 1))
        for n in neighbours:
            if n is not None and keep(n, score):
                queue.append(best[(n.start, n.end)])
    return list(best.values())


@lru_cache(maxsize=64)
def _find_cached(text: str) -> tuple[Finding, ...]:
    return tuple(_find_in_folded(chinese_name_lexicon(), fold_script(text)))


class ChinesePersonRecognizer:
    """Chinese names with a title, a cue, a list or a common-name shape around them."""

    name = "zh_person"
    types: tuple[str, ...] = ("PERSON",)

    def find(self, text: str) -> Iterable[Finding]:
        """PERSON findings in the Chinese parts of `text`."""
        if not HAN_RE.search(text):
            return ()
        return _find_cached(text)
