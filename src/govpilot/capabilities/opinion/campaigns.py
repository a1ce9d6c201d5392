"""Campaigns: the same letter sent many times, found and counted once.

Texts are compared by their character 5-grams after folding script, case, spaces and
punctuation, so a copy with a different greeting, a changed name, a typo or a sentence
added is still a copy. MinHash signatures (64 stable hashes) and banded locality-
sensitive hashing find candidate pairs without comparing every pair; each candidate is
then checked by the share of 5-grams the two texts have in common (Jaccard), and pairs
at or above `NEAR_COPY` are joined into groups. Greetings and sign-offs ("Dear Sir,",
"Regards, Mary Chan", 敬啟者, 謝謝) are left out first: every campaign shares them.
A text left on its own that holds `CONTAINED` of a grouped text (the letter with the
sender's own paragraph added) then joins that group, and only that one. A group of at
least `CAMPAIGN_SIZE` is a campaign; smaller ones are duplicates. The same input always
gives the same groups.

Texts with fewer than `MIN_SHINGLES` 5-grams ("Agree.") are not compared: many people
write them on their own. They are returned with that reason.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from govpilot.language import fold_script

NEAR_COPY = 0.5
#: A longer text holding this share of a grouped text's 5-grams is a copy with additions.
CONTAINED = 0.8
CAMPAIGN_SIZE = 5
MIN_SHINGLES = 12
_PERMUTATIONS = 64
_BANDS = 32  # of 2 rows: pairs at Jaccard 0.3 share a band with probability ~0.95
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20261207)
_A = _rng.integers(1, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, _PERMUTATIONS, dtype=np.uint64)


@dataclass(frozen=True)
class Group:
    """Texts that are copies of one another: the first one stands for them."""

    ids: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def representative(self) -> str:
        return self.ids[0]


@dataclass
class CampaignResult:
    campaigns: list[Group]
    duplicates: list[Group]
    #: (id, reason) of texts that were not compared.
    not_compared: list[tuple[str, str]] = field(default_factory=list)

    def campaign_of(self) -> dict[str, str]:
        """Each campaign member's id -> its campaign's representative id."""
        return {i: g.representative for g in self.campaigns for i in g.ids}


_GREETING = re.compile(
    r"^\s*(dear\b[^,:\n]{0,40}|to whom it may concern|hi|hello|敬啟者|"
    r"各位[^，：:]{0,10}|致[^，：:]{0,20})\s*[,:：，]\s*",
    re.I,
)
_SIGN_OFF = re.compile(
    r"[\s,.;，。]*(regards|best wishes|thanks|thank you|yours( sincerely| faithfully)?|"
    r"sincerely|謝謝|多謝|此致)[^.!?。！？]{0,60}$",
    re.I,
)


def letter_body(text: str) -> str:
    """The text without a greeting at its start or a sign-off with a name at its end: the
    parts every campaign shares with every other."""
    body = _GREETING.sub("", text, count=1)
    return _SIGN_OFF.sub("", body, count=1) or body


def shingles(text: str, size: int = 5) -> set[str]:
    """The character `size`-grams of `text`'s body (`letter_body`) with script, case,
    spaces and punctuation folded away."""
    folded = fold_script(letter_body(text)).lower()
    kept = "".join(
        c for c in folded if not unicodedata.category(c).startswith(("P", "S", "Z", "C"))
    )
    return {kept[i : i + size] for i in range(max(0, len(kept) - size + 1))}


def _signature(grams: set[str]) -> np.ndarray:
    hashes = np.fromiter((zlib.crc32(g.encode("utf-8")) for g in grams), dtype=np.uint64)
    mixed = (hashes[:, None] * _A[None, :] + _B[None, :]) % _PRIME
    return mixed.min(axis=0)


def _near(a: set[str], b: set[str]) -> bool:
    """The two share at least `NEAR_COPY` of their 5-grams (Jaccard). A symmetric measure:
    a short text quoted inside two letters does not join their campaigns."""
    return len(a & b) / len(a | b) >= NEAR_COPY


def find_campaigns(ids: Sequence[str], texts: Sequence[str]) -> CampaignResult:
    """Groups of near-copies among `texts` (with their `ids`, in the order given)."""
    grams = [shingles(t) for t in texts]
    result = CampaignResult([], [])
    usable = []
    for n, g in enumerate(grams):
        if len(g) < MIN_SHINGLES:
            result.not_compared.append((ids[n], "too short to tell a copy from agreement"))
        else:
            usable.append(n)
    buckets, keys = _buckets(grams, usable)
    groups = _Groups(len(texts))
    for band in buckets:
        for members in band.values():
            for i, x in enumerate(members):
                for y in members[i + 1 :]:
                    if groups.root(x) != groups.root(y) and _near(grams[x], grams[y]):
                        groups.join(x, y)
    _attach_longer_copies(grams, usable, buckets, keys, groups)
    found: dict[int, list[int]] = {}
    for n in usable:
        found.setdefault(groups.root(n), []).append(n)
    for members in sorted(found.values(), key=lambda m: (-len(m), m[0])):
        if len(members) < 2:
            continue
        group = Group(tuple(ids[n] for n in sorted(members)))
        (result.campaigns if len(members) >= CAMPAIGN_SIZE else result.duplicates).append(group)
    return result


class _Groups:
    """Union-find over item numbers."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.size = [1] * size

    def root(self, n: int) -> int:
        while self.parent[n] != n:
            self.parent[n] = self.parent[self.parent[n]]
            n = self.parent[n]
        return n

    def join(self, a: int, b: int) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            ra, rb = min(ra, rb), max(ra, rb)  # the same groups in any order
            self.parent[rb] = ra
            self.size[ra] += self.size[rb]


def _buckets(
    grams: Sequence[set[str]], usable: Sequence[int]
) -> tuple[list[dict[bytes, list[int]]], dict[int, list[bytes]]]:
    """For each band, the items whose signatures agree on it (buckets of two or more);
    and each item's key in every band."""
    signatures = {n: _signature(grams[n]) for n in usable}
    rows = _PERMUTATIONS // _BANDS
    bands: list[dict[bytes, list[int]]] = []
    keys: dict[int, list[bytes]] = {n: [] for n in usable}
    for band in range(_BANDS):
        buckets: dict[bytes, list[int]] = {}
        for n in usable:
            key = signatures[n][band * rows : (band + 1) * rows].tobytes()
            buckets.setdefault(key, []).append(n)
            keys[n].append(key)
        bands.append({k: v for k, v in buckets.items() if len(v) > 1})
    return bands, keys


def _attach_longer_copies(
    grams: Sequence[set[str]],
    usable: Sequence[int],
    buckets: list[dict[bytes, list[int]]],
    keys: dict[int, list[bytes]],
    groups: _Groups,
) -> None:
    """A text left on its own that holds nearly all of a grouped text (the letter with a
    paragraph of the sender's own added) joins that one group, its best. It joins one
    group only, so it never joins two campaigns."""
    alone = [n for n in usable if groups.size[groups.root(n)] == 1]
    for n in alone:
        best, best_share = -1, CONTAINED
        for band, key in zip(buckets, keys[n], strict=True):
            for m in band.get(key, ()):
                if m == n or groups.size[groups.root(m)] < 2 or len(grams[m]) >= len(grams[n]):
                    continue
                share = len(grams[m] & grams[n]) / len(grams[m])
                if share >= best_share:
                    best, best_share = m, share
        if best >= 0:
            groups.join(best, n)
