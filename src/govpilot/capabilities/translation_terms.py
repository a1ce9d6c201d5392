"""Document terms: a document's title and repeated names rendered once, then the same everywhere.

A weak model translates each segment on its own, so a name used in five paragraphs can come
back five ways. Before the body is translated, the title (when it is short) and the
capitalised names used at least twice are rendered once (by the glossary when it knows
them, otherwise by the model) and added to a document glossary, which seeds and checks
every segment exactly as the department glossary does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from govpilot.capabilities.translation_checks import cjk_share
from govpilot.language import Glossary, Term

__all__ = ["TITLE_WORDS", "document_glossary", "document_terms"]

TITLE_WORDS = 6  # a longer title is a sentence, not a name
_SMALL = r"(?:of|and|for|on|the|in|to)"
# Two or more capitalised words, small words allowed between them: "Welsh Parliament",
# "Department of Licensing Reform". A sentence's first word is accepted too (it may be a name).
_NAME = re.compile(rf"(?<![A-Za-z])[A-Z][a-z]+(?:\s+(?:{_SMALL}\s+)*[A-Z][a-z]+)+(?![A-Za-z])")


def document_terms(texts: Iterable[str], title: str | None, glossary: Glossary) -> list[str]:
    """English terms to render once: the short title, then names used twice or more.

    Terms the glossary already covers (in whole or in part) are left to the glossary.
    """
    counts: Counter[str] = Counter()
    for text in texts:
        for m in _NAME.finditer(text):
            counts.update(_name_parts(m.group(0)))
    found = [name for name, n in counts.items() if n >= 2]
    if title and 0 < len(title.split()) <= TITLE_WORDS and re.search("[A-Za-z]", title):
        found.insert(0, title.strip())
    return [t for t in dict.fromkeys(found) if not glossary.find_terms(t, "en")]


def _name_parts(name: str) -> set[str]:
    """The name without a leading "The", and the names inside it after a small word
    ("Members of the Welsh Parliament" also counts as "Welsh Parliament")."""
    words = re.sub(r"^The\s+", "", name).split()
    parts = {" ".join(words)}
    for i, word in enumerate(words):
        if re.fullmatch(_SMALL, word):
            rest = words[i + 1 :]
            while rest and re.fullmatch(_SMALL, rest[0]):
                rest = rest[1:]
            if len(rest) >= 2:
                parts.add(" ".join(rest))
    return {p for p in parts if len(p.split()) >= 2}


def document_glossary(
    glossary: Glossary, terms: Iterable[str], render: Callable[[str], str]
) -> tuple[Glossary, dict[str, str]]:
    """`glossary` plus one row per term, rendered by `render`; answers not in Chinese are
    left out (the term is then translated in context each time)."""
    fixed: dict[str, str] = {}
    for term in terms:
        rendering = render(term).strip().rstrip("。.")
        if rendering and rendering != term and cjk_share(rendering) >= 0.5:
            fixed[term] = rendering
    if not fixed:
        return glossary, fixed
    rows = [Term(en, zh, "term", "rendered once for this document") for en, zh in fixed.items()]
    return glossary.merge(Glossary(rows)), fixed
