"""Chinese script: Hong Kong Traditional conversion and Simplified-character checks (OpenCC).

Which characters count as Simplified-only is read from OpenCC's own tables. A character is
*Simplified-only* when (1) it is a key of ``STCharacters.ocd2`` none of whose Traditional
candidates is the character itself, and (2) it is not the Hong Kong or Taiwan form of its own
Traditional conversion (t2hk / t2tw of s2t(c) is not c). So 这 (-> 這) is flagged, while
后 (-> 後 后), 面 (-> 面 麪), 里 (-> 裏 里 哩) and 干 (-> 幹 乾 干 榦) are not: they are also
correct Traditional characters; nor are 秘 税 温 群, Hong Kong's forms of 祕 稅 溫 羣. The
symmetric rule (1) over ``TSCharacters.ocd2`` gives the Traditional-only characters.
OpenCC ships the tables only as binary ``.ocd2`` files, so the keys are found by converting
every CJK code point once, and the candidate lists are read from the file's value section
(see ``_ocd2_candidates``). With OpenCC 1.4.2 this gives 3,775 Simplified-only and 4,098
Traditional-only characters in about 0.25 s, once per process.
"""

from __future__ import annotations

import logging
import os
import re
import struct
from collections import defaultdict
from functools import cache, lru_cache

import opencc

__all__ = [
    "fold_script",
    "has_simplified",
    "simplified_only_chars",
    "to_hk_traditional",
    "traditional_only_chars",
]

log = logging.getLogger(__name__)

# Han blocks that hold OpenCC keys: Ext A, the URO, Ext B, Ext C-F and I, Ext G-H.
_HAN_BLOCKS = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EE5F),
    (0x30000, 0x323AF),
)
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]+")


@cache
def _converter(name: str) -> opencc.OpenCC:
    """An OpenCC converter by config name; older bindings want the '.json' suffix."""
    for config in (name, f"{name}.json"):
        try:
            return opencc.OpenCC(config)
        except Exception:  # the C extension raises plain RuntimeError/ValueError variants
            continue
    raise RuntimeError(f"OpenCC config {name!r} not found; reinstall the 'opencc' package")


def _ocd2_candidates(path: str) -> list[list[str]] | None:
    """Candidate lists of every entry of an OpenCC .ocd2 dictionary, or None if unreadable.

    An .ocd2 file is a header, a marisa trie of the keys and then OpenCC's SerializedValues
    block: uint32 item count, uint32 pool size, a pool of NUL-terminated UTF-8 values, then
    per item a uint16 value count and one uint16 byte length per value. The trie is not
    parsed: the block is found as the only offset whose sizes add up to the end of the file.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    size = len(data)
    for offset in range(size - 8, 0, -1):
        n_items, pool_size = struct.unpack_from("<II", data, offset)
        tail = offset + 8 + pool_size
        if n_items == 0 or tail + 2 * n_items > size or data[tail - 1] != 0:
            continue
        pool = data[offset + 8 : tail]
        if tail + 2 * n_items + 2 * pool.count(0) != size:
            continue
        values = [v.decode("utf-8", "replace") for v in pool.split(b"\0")[:-1]]
        items, pos, k = [], tail, 0
        for _ in range(n_items):
            (count,) = struct.unpack_from("<H", data, pos)
            pos += 2 + 2 * count
            items.append(values[k : k + count])
            k += count
        if pos == size and k == len(values):
            return items
    return None


def _one_way_set(config: str, table: str) -> frozenset[str]:
    """Characters that `config` changes and whose entry in `table` never maps to itself."""
    conv = _converter(config)
    chars = [chr(c) for start, end in _HAN_BLOCKS for c in range(start, end + 1)]
    # One call for all code points; newlines keep phrase matching inside one character.
    out = conv.convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):
        raise RuntimeError(f"OpenCC {config} changed the line count; cannot build script tables")
    changed = {c: o for c, o in zip(chars, out, strict=True) if o != c}
    table_path = os.path.join(os.path.dirname(conv.config), table)
    items = _ocd2_candidates(table_path)
    if items is None:
        log.warning("cannot read %s; treating every character %s changes as one-way", table, config)
        return frozenset(changed)
    # A key converts to its first candidate, so its own entry is among those starting with it.
    by_first: dict[str, list[list[str]]] = defaultdict(list)
    for cands in items:
        if cands:
            by_first[cands[0]].append(cands)
    return frozenset(
        c for c, first in changed.items() if not any(c in cands for cands in by_first[first])
    )


@lru_cache(maxsize=1)
def _simplified_only() -> frozenset[str]:
    one_way = sorted(_one_way_set("s2t", "STCharacters.ocd2"))
    # OpenCC's standard Traditional is not Hong Kong's: 秘 税 温 户 群 床 are the HK or Taiwan
    # forms of its 祕 稅 溫 戶 羣 牀. A character that t2hk or t2tw gives back is valid.
    trad = _converter("s2t").convert("\n".join(one_way))
    hk = _converter("t2hk").convert(trad).split("\n")
    tw = _converter("t2tw").convert(trad).split("\n")
    return frozenset(c for c, h, w in zip(one_way, hk, tw, strict=True) if c not in (h, w))


@lru_cache(maxsize=1)
def _traditional_only() -> frozenset[str]:
    return _one_way_set("t2s", "TSCharacters.ocd2")


def simplified_only_chars(text: str) -> list[str]:
    """Characters of `text` that are not valid Traditional Chinese, in order, with repeats."""
    table = _simplified_only()
    return [ch for ch in text if ch in table]


def traditional_only_chars(text: str) -> list[str]:
    """Characters of `text` that are not valid Simplified Chinese, in order, with repeats."""
    table = _traditional_only()
    return [ch for ch in text if ch in table]


def has_simplified(text: str) -> bool:
    """True if `text` contains at least one Simplified-only character."""
    table = _simplified_only()
    return any(ch in table for ch in text)


def _fix_slips(run: str) -> str:
    """Replace only the Simplified-only characters of a mostly Traditional run."""
    table = _simplified_only()
    conv = _converter("s2hk")
    converted: str = conv.convert(run)
    if len(converted) == len(run):
        # Converting the whole run lets phrases pick the right form for each slip.
        return "".join(
            new if old in table else old for old, new in zip(run, converted, strict=True)
        )
    return "".join(conv.convert(ch) if ch in table else ch for ch in run)


def _convert_line(line: str) -> str:
    n_simp = len(simplified_only_chars(line))
    if n_simp == 0:
        # Already Traditional (or script-neutral): s2hk would turn 干預 into 幹預, 鄰里 into 鄰裏.
        return line
    if n_simp >= len(traditional_only_chars(line)):
        conv = _converter("s2hk")
        return _HAN_RUN.sub(lambda m: conv.convert(m.group(0)), line)
    # Mostly Traditional with a few Simplified slips (typical of a small model): characters the
    # writer chose in Traditional context stay as written.
    return _HAN_RUN.sub(lambda m: _fix_slips(m.group(0)), line)


def to_hk_traditional(text: str) -> str:
    """Convert Simplified Chinese in `text` to Hong Kong Traditional (OpenCC s2hk).

    Each line is judged on its own. A line with no Simplified-only character is returned
    exactly as written. A line with more Simplified-only than Traditional-only characters goes
    through s2hk, so phrases decide ambiguous characters (这里 -> 這裏, 干预 -> 干預). In a
    mostly Traditional line only the Simplified-only characters are replaced. Only Han
    characters are ever changed.
    """
    if not text:
        return text
    converted = "".join(_convert_line(line) for line in text.splitlines(keepends=True))
    return converted.translate(_HK_GOVERNMENT_FORMS)


# OpenCC's HK variants follow the character-shape list, which writes 兌-component
# characters as 説 税 閲; Hong Kong Government text writes 說 稅 閱 (稅務局, 閱覽室).
_HK_GOVERNMENT_FORMS = str.maketrans("説税閲脱鋭悦兑蜕", "說稅閱脫銳悅兌蛻")


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    # hk2t first so that Hong Kong forms (衞 説) fold like the standard ones (衛 說).
    chars = [chr(c) for start, end in _HAN_BLOCKS[:2] for c in range(start, end + 1)]
    standard = _converter("hk2t").convert("\n".join(chars))
    out = _converter("t2s").convert(standard).split("\n")
    return {ord(c): f for c, f in zip(chars, out, strict=True) if f != c and len(f) == 1}


def fold_script(text: str) -> str:
    """Map Traditional-only characters to Simplified one for one, for script-blind matching.

    The result has the same length as `text`, so offsets found in it apply to `text`:
    數字政策辦公室, 数字政策办公室 and 衛生署 / 衞生署 fold to the same string.
    """
    return text.translate(_fold_table())
