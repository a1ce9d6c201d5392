"""Word lists for the person and address recognizers, read once from `privacy/data/*.txt`.

Chinese entries are written in Traditional script and folded with `fold_script`, the same
one-for-one mapping the recognizers apply to the text, so 陳 in a list matches 陈 in a text
and offsets found in the folded text apply to the original.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from govpilot.language import fold_script

# Han blocks, the supplementary planes included: 輋 folds to 𪨶 (U+2AA36).
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
HAN_RE = re.compile(f"[{HAN}]")


@cache
def data_lines(name: str) -> tuple[str, ...]:
    """The entries of one data file: stripped lines, blank lines and # comments left out."""
    text = (files("govpilot.privacy") / "data" / name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(dict.fromkeys(line for line in lines if line and not line.startswith("#")))


@cache
def folded_lines(name: str) -> frozenset[str]:
    """Entries of a Chinese data file, folded to the script-blind form."""
    return frozenset(fold_script(line) for line in data_lines(name))


@cache
def lower_lines(name: str) -> frozenset[str]:
    """Entries of a Latin data file, lower-cased."""
    return frozenset(line.lower() for line in data_lines(name))


def words(text: str) -> tuple[str, ...]:
    """A word list written in code as one space-separated string."""
    return tuple(text.split())


def alternation(words: frozenset[str] | tuple[str, ...]) -> str:
    """A regex alternation of literal words, longest first so the longest one wins."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def first_chars(*word_lists: frozenset[str] | tuple[str, ...]) -> str:
    """A lookahead for the first characters of the words: put before an alternation that
    is searched for, it lets the regex engine skip most positions at once (a search of a
    long alternation otherwise tries every word at every position of the text)."""
    chars = sorted({w[0] for words in word_lists for w in words if w})
    return "(?=[" + "".join(re.escape(c) for c in chars) + "])"


#: Words that end an English building or street name (Kwai Chung Estate, Nathan Road).
BUILDING_WORDS_EN = frozenset(
    words(
        "Estate Court Mansion Mansions House Building Bldg Centre Center Garden Gardens Plaza "
        "Tower Towers Villa Villas Heights Place Square City Village Lodge Apartments Residence "
        "Park Hall Complex Castle Terrace Mall Arcade Bay Chuen Pavilion Manor Height Crest "
        "Palace Towers Quarters Hostel Hotel Haven Peak Point Hill"
    )
)
STREET_WORDS_EN = frozenset(
    words(
        "Road Rd Street St Avenue Ave Lane Path Terrace Drive Dr Crescent Circuit Boulevard "
        "Highway Way Close Praya Bund Rise Row Walk"
    )
)
#: Words that end the name of an organisation, a facility or a thing, not of a person.
ORG_WORDS_EN = frozenset(
    words(
        "Department Dept Bureau Office Authority Council Commission Committee Board Company Co "
        "Limited Ltd Corporation Corp Inc Bank Hospital Clinic School College University "
        "Institute Police Station Church Temple Government Association Society Foundation "
        "Group Club Team Services Service Agency Division Section Branch Unit Party Fund Trust "
        "Republic Kingdom Island Harbour River Mountain Airport Port Pier Ferry Line Railway "
        "Tribunal Court Registry Library Museum Stadium Market Academy Centre Center Network "
        "Project Programme Program Scheme Ordinance Act Regulation Report Policy Fund Festival "
        "Road Street Avenue Lane Path Drive Estate Building House Tower Garden Gardens Plaza "
        "Mall Park Square Hall Village Court Mansion Bay Hill Limited Holdings International "
        "Express Telecom Airways Airlines Studio Studios Restaurant Cafe Kitchen Shop Store "
        "Pharmacy Supermarket Motors Technology Technologies Systems Solutions Partners "
        "Logistics Renovation Engineering Trading Construction Consultants Consultancy "
        "Decoration Transport Transportation Security Cleaning Property Properties Management "
        "Enterprise Enterprises Industries Industrial Development Developments Investment "
        "Investments Finance Financial Insurance Electrical Printing Design Media Travel "
        "Tutorial Education Catering Garment Garments Textiles Electronics Shipping Freight "
        "Manufacturing Contractors Contractor Builders Products Beauty Salon Bakery"
    )
)
