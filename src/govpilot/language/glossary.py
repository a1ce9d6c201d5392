"""Bilingual glossary of Hong Kong Government names: find terms, check and seed translations.

A glossary is a CSV file with the columns ``en,zh_hant,kind,note`` (``kind`` and ``note``
may be left empty). ``Glossary.load_default()`` reads the starter list shipped with
govpilot; department and user glossaries extend it with ``merge``, later ones winning.

Matching: English is case-insensitive, whole words, any whitespace between words, an
optional leading "the" and plural "s"; Chinese ignores script and Hong Kong variants
(数字政策办公室 and 衛生署 find 數字政策辦公室 and 衞生署). In both, the longest matches
are taken first and never overlap. ``check_output`` is strict about the expected Chinese:
the Hong Kong form itself must appear in the output.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from govpilot.errors import InputError, NotFound
from govpilot.language.script import fold_script, simplified_only_chars

__all__ = ["KINDS", "Glossary", "GlossaryReport", "Term", "TermCheck", "TermMatch"]

# "abbreviation" rows (FEHD = 食環署) are never chosen for zh -> en when a full name exists.
KINDS = frozenset(
    {"bureau", "department", "office", "title", "term", "council", "organisation", "place"}
    | {"abbreviation"}
)
_CHINESE = frozenset({"zh", "zh-Hant", "zh-Hans", "zh-HK", "yue"})
_EDGE = "A-Za-z0-9"


@dataclass(frozen=True)
class Term:
    """One glossary row: an English name and its Hong Kong Traditional Chinese rendering."""

    en: str
    zh_hant: str
    kind: str = "term"
    note: str = ""


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a text; `lang` is the language of the text at that place."""

    start: int
    end: int
    text: str
    term: Term
    lang: str  # "en" or "zh"

    @property
    def target(self) -> str:
        """The rendering in the other language."""
        return self.term.zh_hant if self.lang == "en" else self.term.en


@dataclass(frozen=True)
class TermCheck:
    """Whether one source occurrence of a term has its expected rendering in the output."""

    match: TermMatch
    expected: str
    found: bool

    @property
    def source_text(self) -> str:
        """The term as written in the source."""
        return self.match.text


@dataclass(frozen=True)
class GlossaryReport:
    """Hits and misses of glossary terms in a translation, one check per source occurrence."""

    checks: tuple[TermCheck, ...]

    @property
    def hits(self) -> list[TermCheck]:
        """Occurrences rendered as the glossary says."""
        return [c for c in self.checks if c.found]

    @property
    def misses(self) -> list[TermCheck]:
        """Occurrences whose expected rendering is missing from the output."""
        return [c for c in self.checks if not c.found]

    @property
    def hit_count(self) -> int:
        """Number of occurrences found."""
        return sum(c.found for c in self.checks)

    @property
    def recall(self) -> float:
        """Share of occurrences found; 1.0 when the source has no glossary terms."""
        return len(self.hits) / len(self.checks) if self.checks else 1.0


def _en_key(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def _langs(source_lang: str) -> tuple[str, ...]:
    if source_lang == "en":
        return ("en",)
    if source_lang in _CHINESE:
        return ("zh",)
    if source_lang == "mixed":
        return ("en", "zh")
    raise InputError(
        f"unknown source language {source_lang!r}",
        hint="use 'en', 'zh-Hant', 'zh-Hans', 'yue' or 'mixed'",
    )


class Glossary:
    """An immutable set of terms keyed by their English name (case-insensitive)."""

    def __init__(self, terms: Iterable[Term] = ()) -> None:
        by_en: dict[str, Term] = {}
        for term in terms:
            key = _en_key(term.en)
            by_en.pop(key, None)  # an override moves to the end, so it also wins in Chinese
            by_en[key] = term
        self._by_en = by_en
        by_zh: dict[str, Term] = {}
        for term in by_en.values():
            old = by_zh.get(fold_script(term.zh_hant))
            if old is None or term.kind != "abbreviation" or old.kind == "abbreviation":
                by_zh[fold_script(term.zh_hant)] = term
        self._by_zh = by_zh

    def __len__(self) -> int:
        return len(self._by_en)

    def __iter__(self) -> Iterator[Term]:
        return iter(self._by_en.values())

    def __repr__(self) -> str:
        return f"Glossary({len(self)} terms)"

    @classmethod
    def load_default(cls) -> Glossary:
        """The starter glossary of Hong Kong Government names shipped with govpilot."""
        return _default()

    @classmethod
    def from_csv(cls, path: str | Path) -> Glossary:
        """Read a glossary CSV (en,zh_hant,kind,note); errors name the file and line."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"glossary file {path} does not exist") from None
        except OSError as exc:
            raise InputError(f"cannot read glossary file {path}: {exc}") from exc
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise InputError(
                f"{path}, line {line}: not UTF-8 text", hint="save the glossary as UTF-8 CSV"
            ) from None
        return cls(_parse_csv(text, str(path)))

    def merge(self, *others: Glossary) -> Glossary:
        """A new glossary with the terms of `others` added; later glossaries override."""
        return Glossary([t for g in (self, *others) for t in g])

    def lookup(self, name: str) -> Term | None:
        """The term whose English (any case) or Chinese (any script) name is `name`."""
        return self._by_en.get(_en_key(name)) or self._by_zh.get(fold_script(name.strip()))

    @cached_property
    def _en_pattern(self) -> re.Pattern[str]:
        names = sorted(self._by_en.values(), key=lambda t: len(t.en), reverse=True)
        alts = "|".join(r"\s+".join(map(re.escape, _en_key(t.en).split())) for t in names)
        # A lookahead returns, at every word start, the longest term starting there.
        return re.compile(rf"(?<![{_EDGE}])(?=((?:the\s+)?(?:{alts})s?)(?![{_EDGE}]))", re.I)

    @cached_property
    def _zh_pattern(self) -> re.Pattern[str]:
        alts = "|".join(map(re.escape, sorted(self._by_zh, key=len, reverse=True)))
        return re.compile(f"(?=({alts}))")

    def _en_term(self, surface: str) -> Term | None:
        key = _en_key(surface)
        for candidate in (key, key.removeprefix("the ")):
            term = self._by_en.get(candidate) or self._by_en.get(candidate.removesuffix("s"))
            if term:
                return term
        return None

    def _candidates(self, text: str, lang: str) -> Iterator[TermMatch]:
        if lang == "en":
            for m in self._en_pattern.finditer(text.replace("’", "'")):
                term = self._en_term(m.group(1))
                if term:
                    yield TermMatch(m.start(1), m.end(1), text[m.start(1) : m.end(1)], term, lang)
        elif self._by_zh:
            for m in self._zh_pattern.finditer(fold_script(text)):
                term = self._by_zh[m.group(1)]
                yield TermMatch(m.start(1), m.end(1), text[m.start(1) : m.end(1)], term, lang)

    def find_terms(self, text: str, source_lang: str) -> list[TermMatch]:
        """Non-overlapping glossary terms in `text`, longest first, returned in text order."""
        if not self._by_en:
            return []
        candidates = [m for lang in _langs(source_lang) for m in self._candidates(text, lang)]
        candidates.sort(key=lambda m: (m.start - m.end, m.start))
        taken: list[TermMatch] = []
        used = bytearray(len(text))
        for m in candidates:
            if not any(used[m.start : m.end]):
                taken.append(m)
                used[m.start : m.end] = b"\1" * (m.end - m.start)
        return sorted(taken, key=lambda m: m.start)

    def check_output(self, source_text: str, output_text: str, source_lang: str) -> GlossaryReport:
        """For each term occurrence in the source, is its glossary rendering in the output?

        The n-th occurrence of a term counts as found when the output holds the expected
        rendering at least n times (as a whole glossary match, so 房屋局 inside 房屋局局長
        does not count for Housing Bureau).
        """
        found: Counter[tuple[str, str]] = Counter()
        for m in self.find_terms(output_text, "mixed"):
            if m.term.en == m.term.zh_hant:
                # Same in both languages (1823): it renders itself in either direction.
                found[("zh", m.term.zh_hant)] += 1
                found[("en", _en_key(m.term.en))] += 1
                continue
            # Chinese must be the exact Hong Kong form; English may differ in case.
            found[(m.lang, m.text if m.lang == "zh" else _en_key(m.term.en))] += 1
        checks = []
        for m in self.find_terms(source_text, source_lang):
            key = ("zh", m.target) if m.lang == "en" else ("en", _en_key(m.target))
            checks.append(TermCheck(m, m.target, found[key] > 0))
            found[key] -= 1
        return GlossaryReport(tuple(checks))

    def apply_to_source(
        self, text: str, source_lang: str, *, mark: tuple[str, str] = ("", "")
    ) -> tuple[str, list[TermMatch]]:
        """Replace each term in `text` by its rendering in the other language (prompt seeding).

        `mark` wraps each rendering (e.g. in 【】). Returns the new text and the matches,
        whose offsets refer to the original `text`.
        """
        matches = self.find_terms(text, source_lang)
        parts, pos = [], 0
        for m in matches:
            parts += [text[pos : m.start], mark[0] + m.target + mark[1]]
            pos = m.end
        parts.append(text[pos:])
        return "".join(parts), matches


@lru_cache(maxsize=1)
def _default() -> Glossary:
    data = resources.files("govpilot").joinpath("data", "glossary_hk_gov.csv")
    return Glossary(_parse_csv(data.read_text(encoding="utf-8-sig"), "glossary_hk_gov.csv"))


def _parse_csv(text: str, source: str) -> list[Term]:
    """Terms from CSV text; any problem raises InputError naming `source` and the line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)

    def fail(message: str, hint: str | None = None) -> InputError:
        return InputError(f"{source}, line {reader.line_num}: {message}", hint=hint)

    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if "en" not in header or "zh_hant" not in header:
            raise fail(
                "the header must name the columns en,zh_hant,kind,note",
                hint="add the header line en,zh_hant,kind,note",
            )
        col = {
            name: header.index(name) for name in ("en", "zh_hant", "kind", "note") if name in header
        }
        terms: list[Term] = []
        seen: dict[str, int] = {}
        for row in reader:
            if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue
            if len(row) > len(header):
                raise fail(
                    f"{len(row)} fields, but the header has {len(header)}",
                    hint="quote names that contain commas",
                )
            cells = {name: row[i].strip() if i < len(row) else "" for name, i in col.items()}
            en, zh, kind = cells["en"], cells["zh_hant"], cells.get("kind") or "term"
            if not en or not zh:
                raise fail("both en and zh_hant must be filled in")
            if kind not in KINDS:
                raise fail(f"unknown kind {kind!r}", hint=f"use one of {', '.join(sorted(KINDS))}")
            simplified = "".join(dict.fromkeys(simplified_only_chars(zh)))
            if simplified:
                raise fail(
                    f"zh_hant {zh!r} has Simplified characters {simplified}",
                    hint="write the Chinese in Hong Kong Traditional characters",
                )
            key = _en_key(en)
            if key in seen:
                raise fail(f"{en!r} is already defined on line {seen[key]}")
            seen[key] = reader.line_num
            terms.append(Term(en, zh, kind, cells.get("note", "")))
    except csv.Error as exc:
        raise fail(f"malformed CSV: {exc}") from None
    return terms
