"""Redaction operators: mask, typed placeholder, reversible pseudonym, salted hash.

`apply_operator` replaces every finding in a text and returns where each replacement went,
so callers can report offsets in the input and restore pseudonyms in a model's answer.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from govpilot.errors import InputError
from govpilot.privacy.entities import Finding

OperatorName = Literal["mask", "placeholder", "pseudonymise", "hash"]
OPERATORS: tuple[OperatorName, ...] = ("mask", "placeholder", "pseudonymise", "hash")

#: Other names people give the operators (the US spelling; "redact" for the default).
_OPERATOR_ALIASES = {"pseudonymize": "pseudonymise", "redact": "placeholder"}
_NOT_DIGIT = re.compile(r"\D")
_SEPARATORS = re.compile(r"[\s\-()（）.]")


def parse_operator(name: str) -> OperatorName:
    """The operator called `name` (any case; the US spelling accepted); InputError if none."""
    key = _OPERATOR_ALIASES.get(name.strip().lower(), name.strip().lower())
    for candidate in OPERATORS:
        if candidate == key:
            return candidate
    raise InputError(f"unknown operator {name!r}", hint=f"use one of: {', '.join(OPERATORS)}")


def normalise_value(pii_type: str, value: str) -> str:
    """The canonical form of a value, so one person's data matches however it was written.

    `A123456(3)` and `a1234563` are one HKID; `+852 9123-4567` and `91234567` one phone.
    """
    value = unicodedata.normalize("NFKC", value).strip()
    if pii_type == "PHONE":
        digits = _NOT_DIGIT.sub("", value)
        return digits[-8:] if len(digits) > 8 and digits.startswith("852") else digits
    if pii_type in {"CREDIT_CARD", "BANK_ACCOUNT", "BR_NUMBER"}:
        return _NOT_DIGIT.sub("", value)
    if pii_type in {"HKID", "PASSPORT", "ID_CN"}:
        return _SEPARATORS.sub("", value).upper()
    if pii_type == "EMAIL":
        return value.lower()
    return " ".join(value.split()).casefold()


def salted_hash(pii_type: str, value: str, salt: bytes) -> str:
    """HMAC-SHA256 of the normalised value: equal inputs match, the value cannot be read back."""
    message = f"{pii_type}:{normalise_value(pii_type, value)}".encode()
    return hmac.new(salt, message, hashlib.sha256).hexdigest()


class PseudonymVault:
    """Reversible, consistent placeholders: 陳大文 -> [PERSON_1] everywhere in one vault.

    One vault spans a conversation or a document, so follow-up prompts refer to the same
    person by the same placeholder. It lives in memory only and is never stored.
    """

    def __init__(self) -> None:
        self._token_by_key: dict[tuple[str, str], str] = {}
        self._value_by_token: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._value_by_token)

    def token_for(self, pii_type: str, value: str) -> str:
        """The placeholder for this value, creating the next numbered one if it is new."""
        key = (pii_type, normalise_value(pii_type, value))
        token = self._token_by_key.get(key)
        if token is None:
            self._counts[pii_type] = self._counts.get(pii_type, 0) + 1
            token = f"[{pii_type}_{self._counts[pii_type]}]"
            self._token_by_key[key] = token
            self._value_by_token[token] = value
        return token

    def restore(self, text: str) -> str:
        """Put the original values back wherever the model repeated a placeholder.

        Models sometimes drop the brackets or use full-width ones; those forms are accepted.
        """
        if not self._value_by_token or "_" not in text:
            return text

        def back(match: re.Match[str]) -> str:
            token = f"[{match.group(1)}_{match.group(2)}]"
            return self._value_by_token.get(token, match.group(0))

        return _TOKEN.sub(back, text)


# `\b` does not fire between a placeholder and Chinese text (陳[PERSON_1]先生), so lookarounds.
_TOKEN = re.compile(r"[\[【［]?(?<![A-Za-z0-9_])([A-Z][A-Z_]*?)_(\d+)(?![0-9])[\]】］]?")


@dataclass(frozen=True)
class Replacement:
    """One finding and the text that replaced it, with its span in the output text."""

    finding: Finding
    replacement: str
    out_start: int
    out_end: int


@dataclass
class Redaction:
    """A text with its personal data replaced, and what was replaced where."""

    text: str
    replacements: list[Replacement] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [r.finding for r in self.replacements]


def replacement_for(
    operator: OperatorName,
    finding: Finding,
    value: str,
    *,
    vault: PseudonymVault | None = None,
    salt: bytes | None = None,
) -> str:
    """What one operator writes in place of one value."""
    if operator == "mask":
        return "".join(" " if ch.isspace() else "*" for ch in value)
    if operator == "placeholder":
        return f"[{finding.type}]"
    if operator == "pseudonymise":
        if vault is None:
            raise ValueError("the pseudonymise operator needs a PseudonymVault")
        return vault.token_for(finding.type, value)
    if operator == "hash":
        if not salt:
            raise ValueError("the hash operator needs a salt")
        return f"[{finding.type}:{salted_hash(finding.type, value, salt)[:12]}]"
    raise ValueError(f"unknown operator {operator!r}; choose one of {', '.join(OPERATORS)}")


def apply_operator(
    text: str,
    findings: Sequence[Finding],
    operator: OperatorName,
    *,
    vault: PseudonymVault | None = None,
    salt: bytes | None = None,
) -> Redaction:
    """Replace each (non-overlapping, sorted) finding in `text` with the operator's output."""
    pieces: list[str] = []
    replacements: list[Replacement] = []
    cursor = 0
    out_len = 0
    for finding in sorted(findings):
        if finding.start < cursor:
            raise ValueError("findings overlap; resolve them first (resolve_overlaps)")
        before = text[cursor : finding.start]
        new = replacement_for(
            operator, finding, text[finding.start : finding.end], vault=vault, salt=salt
        )
        pieces.extend((before, new))
        out_start = out_len + len(before)
        out_len = out_start + len(new)
        replacements.append(Replacement(finding, new, out_start, out_len))
        cursor = finding.end
    pieces.append(text[cursor:])
    return Redaction("".join(pieces), replacements)
