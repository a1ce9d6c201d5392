"""Versioned prompt templates kept as files, rendered into chat messages.

A template file `NAME.vN.txt` holds sections introduced by `### system`, `### user` or
`### assistant` lines; section bodies are Jinja2 templates. The highest version wins
unless one is asked for, and the version used is part of what callers can record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, StrictUndefined

from govpilot.backends.llm import ChatMessage
from govpilot.errors import NotFound

_SECTION = re.compile(r"^### (system|user|assistant)\s*$", re.MULTILINE)
_FILENAME = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>\d+)\.txt$")
_ENV = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)


@dataclass(frozen=True)
class PromptTemplate:
    """A named, versioned list of message templates."""

    name: str
    version: int
    sections: tuple[tuple[str, str], ...]

    @property
    def id(self) -> str:
        return f"{self.name}.v{self.version}"

    def render(self, **variables: Any) -> list[ChatMessage]:
        """The messages with variables filled in."""
        messages = []
        for role, body in self.sections:
            text = _ENV.from_string(body).render(**variables).strip()
            messages.append(ChatMessage(role, text))  # type: ignore[arg-type]
        return messages


def _parse(name: str, version: int, text: str) -> PromptTemplate:
    parts = _SECTION.split(text)
    # parts: [preamble, role, body, role, body, ...]; the preamble is a comment for humans.
    sections = tuple((parts[i], parts[i + 1].strip("\n")) for i in range(1, len(parts), 2))
    return PromptTemplate(name, version, sections)


@lru_cache(maxsize=64)
def load_prompt(name: str, version: int | None = None) -> PromptTemplate:
    """Load a packaged prompt template by name (latest version unless one is given)."""
    found: dict[int, str] = {}
    for entry in resources.files(__package__).iterdir():
        match = _FILENAME.match(entry.name)
        if match and match["name"] == name:
            found[int(match["version"])] = entry.read_text(encoding="utf-8")
    if not found:
        raise NotFound(f"no prompt template named {name!r}")
    chosen = version if version is not None else max(found)
    if chosen not in found:
        raise NotFound(f"prompt {name!r} has no version {chosen}", hint=f"have {sorted(found)}")
    return _parse(name, chosen, found[chosen])
