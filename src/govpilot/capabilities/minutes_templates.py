"""Minutes templates: Markdown files like the draft templates, one per form and language.

A template's front matter names it (`name`, `lang`, `title`, `description`); its body is
the minutes' sections in order, one a line: `## Heading {what}`, where `what` is

- `items`: the items discussed, each with its points and decisions, every one with its
  time range;
- `actions`: the action items as a table (action, owner, due, when said);
- `speakers`: the speakers heard in the recording, then "to be confirmed";
- `tbc`: what a recording cannot tell, marked "to be confirmed" for the officer.

The package ships `formal` (a Government meeting) and `notes` (items and action items) in
English and Traditional Chinese (`templates/minutes/`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from govpilot.capabilities.draft import DraftTemplate
from govpilot.errors import InputError, NotFound

SECTION_KINDS = ("items", "actions", "speakers", "tbc")
_SECTION = re.compile(r"^##\s+(?P<heading>.+?)\s*\{(?P<what>[a-z]+)\}\s*$")


@dataclass(frozen=True)
class MinutesTemplate:
    """One form of minutes in one language: its title and its sections in order."""

    name: str
    lang: str
    title: str
    description: str
    #: (heading, what) in order; `what` is one of SECTION_KINDS.
    sections: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, text: str, path: str) -> MinutesTemplate:
        """Read a template file; InputError names the line that is not a section."""
        head = DraftTemplate.parse(text, path)
        sections = []
        for line in head.body.splitlines():
            if not line.strip():
                continue
            match = _SECTION.match(line.strip())
            if not match or match["what"] not in SECTION_KINDS:
                raise InputError(
                    f"minutes template {path}: {line.strip()!r} is not a section",
                    hint=f"write '## Heading {{what}}', what one of {', '.join(SECTION_KINDS)}",
                )
            sections.append((match["heading"], match["what"]))
        if not any(what == "items" for _, what in sections):
            raise InputError(f"minutes template {path} has no {{items}} section")
        return cls(head.name, head.lang, head.title, head.description, tuple(sections))


@dataclass(frozen=True)
class MinutesTemplates:
    """The minutes templates by name and language."""

    templates: tuple[MinutesTemplate, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.name for t in self.templates))

    def get(self, name: str, lang: str) -> MinutesTemplate:
        for template in self.templates:
            if template.name == name and template.lang == lang:
                return template
        raise NotFound(
            f"no minutes template {name!r} in {lang}", hint=f"use one of: {', '.join(self.names())}"
        )


@cache
def packaged_templates() -> MinutesTemplates:
    """The templates shipped in `govpilot/templates/minutes/`."""
    folder = files("govpilot.templates").joinpath("minutes")
    found = [
        MinutesTemplate.parse(entry.read_text(encoding="utf-8"), f"minutes/{entry.name}")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".md")
    ]
    return MinutesTemplates(tuple(found))
