"""Draft letters, memos, press releases and LegCo reply outlines from instructions.

Templates are Markdown files with a small front matter (name, language, title,
description); the body tells the model the structure and tone. The packaged ones live in
`govpilot/templates/`; users and departments add their own folders in settings, and a
template there with the same name and language replaces the packaged one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from govpilot.access import CallContext
from govpilot.backends.llm import GenerationOptions
from govpilot.documents.model import Block, Document
from govpilot.errors import EmptyDocument, InputError, NotFound
from govpilot.gateway import ModelGateway
from govpilot.language import Glossary, detect_language, to_hk_traditional
from govpilot.prompts import load_prompt

LANGS = ("en", "zh-Hant")
_FRONT = re.compile(r"^---\n(?P<head>.*?)\n---\n(?P<body>.*)$", re.S)
REFERENCE_CHARS = 6000  # what the embedded model's context can hold beside the template


@dataclass(frozen=True)
class DraftTemplate:
    """One template: what to write and how."""

    name: str
    lang: str
    title: str
    description: str
    body: str
    path: str

    @classmethod
    def parse(cls, text: str, path: str) -> DraftTemplate:
        """Read a template file's front matter and body."""
        match = _FRONT.match(text.replace("\r\n", "\n"))
        if not match:
            raise InputError(f"template {path} has no front matter", hint="start it with ---")
        head: dict[str, str] = {}
        for line in match["head"].splitlines():
            if ":" in line:
                key, value = line.split(":", 1)
                head[key.strip()] = value.strip()
        missing = [k for k in ("name", "lang", "title") if not head.get(k)]
        if missing:
            raise InputError(f"template {path} lacks {', '.join(missing)} in its front matter")
        if head["lang"] not in LANGS:
            raise InputError(f"template {path}: lang must be one of {', '.join(LANGS)}")
        return cls(
            head["name"],
            head["lang"],
            head["title"],
            head.get("description", ""),
            match["body"].strip(),
            path,
        )


class TemplateLibrary:
    """All templates available to a user: packaged ones, then configured folders."""

    def __init__(self, templates: Sequence[DraftTemplate]) -> None:
        self._by_key: dict[tuple[str, str], DraftTemplate] = {}
        for template in templates:
            self._by_key[(template.name, template.lang)] = template

    @classmethod
    def load(cls, extra_dirs: Sequence[Path] = ()) -> TemplateLibrary:
        """Packaged templates plus every *.md in the given folders (later ones win)."""
        found = []
        for entry in resources.files("govpilot.templates").iterdir():
            if entry.name.endswith(".md"):
                found.append(DraftTemplate.parse(entry.read_text("utf-8"), entry.name))
        for folder in extra_dirs:
            if folder.is_dir():
                for path in sorted(folder.glob("*.md")):
                    found.append(DraftTemplate.parse(path.read_text("utf-8"), str(path)))
        return cls(found)

    def names(self) -> list[str]:
        return sorted({name for name, _ in self._by_key})

    def all(self) -> list[DraftTemplate]:
        return sorted(self._by_key.values(), key=lambda t: (t.name, t.lang))

    def get(self, name: str, lang: str) -> DraftTemplate:
        """The template in that language, else the same template in the other one."""
        for candidate in (lang, *[x for x in LANGS if x != lang]):
            if (name, candidate) in self._by_key:
                return self._by_key[(name, candidate)]
        raise NotFound(f"no draft template named {name!r}", hint=f"have: {', '.join(self.names())}")


@dataclass
class Draft:
    """A drafted text as a structured document, with what produced it."""

    document: Document
    template: str
    lang: str
    model_id: str
    glossary_misses: list[str]
    #: The review item holding the draft for approval ({"item", "status"}); None: not held.
    approval: dict[str, str] | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            # Held for approval: nothing of it leaves until a reviewer releases it.
            "text": "" if self.approval is not None else self.document.text,
            "template": self.template,
            "lang": self.lang,
            "model_id": self.model_id,
            "glossary_misses": self.glossary_misses,
            "approval": self.approval,
        }


def draft_text(
    gateway: ModelGateway,
    ctx: CallContext,
    templates: TemplateLibrary,
    template_name: str,
    instructions: str,
    *,
    glossary: Glossary,
    references: Sequence[Document] = (),
    lang: str | None = None,
    model: str | None = None,
) -> Draft:
    """Write a draft from instructions (and reference documents) following a template."""
    if not instructions.strip():
        raise EmptyDocument("the instructions are empty", hint="say what the draft should cover")
    if lang is None:
        lang = "en" if detect_language(instructions) in ("en", "unknown", "mixed") else "zh-Hant"
    if lang not in LANGS:
        raise InputError(f"cannot draft in {lang!r}", hint="use --lang en or --lang zh-Hant")
    template = templates.get(template_name, lang)
    reference_text = _reference_excerpt(references)
    messages = load_prompt("draft").render(
        template=template, lang=lang, instructions=instructions.strip(), references=reference_text
    )
    completion = gateway.complete(
        ctx, messages, GenerationOptions(max_tokens=900, temperature=0.2), model=model
    )
    text = completion.text.strip()
    if lang == "zh-Hant":
        text = to_hk_traditional(text)
    misses = _glossary_misses(glossary, instructions, text, lang)
    return Draft(
        markdown_to_document(text, title=template.title),
        template.name,
        lang,
        completion.model_id,
        misses,
    )


def _reference_excerpt(references: Sequence[Document]) -> str:
    parts = []
    for index, doc in enumerate(references, 1):
        name = doc.title or doc.source or f"reference {index}"
        parts.append(f"[Reference {index}: {name}]\n{doc.text}")
    text = "\n\n".join(parts)
    return text[:REFERENCE_CHARS]


def _glossary_misses(glossary: Glossary, instructions: str, text: str, lang: str) -> list[str]:
    # Terms named in the instructions must appear as the glossary renders them.
    source_lang = "zh" if detect_language(instructions) in ("zh-Hant", "zh-Hans", "yue") else "en"
    target_lang = "zh" if lang == "zh-Hant" else "en"
    if source_lang == target_lang:
        return []
    report = glossary.check_output(instructions, text, source_lang)
    return [m.expected for m in report.misses]


def join_lines(lines: Sequence[str]) -> str:
    """Join wrapped lines: a space between Latin words, nothing between Chinese characters."""
    out = ""
    for line in lines:
        if out and not (_is_cjk(out[-1]) or _is_cjk(line[:1])):
            out += " "
        out += line
    return out.strip()


def _is_cjk(ch: str) -> bool:
    return bool(ch) and ("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")


def markdown_to_document(text: str, *, title: str | None = None) -> Document:
    """Turn the model's light Markdown (headings, lists, paragraphs) into a Document."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", join_lines(paragraph)))
            paragraph.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        bullet = re.match(r"^(\s*)([-*•]|\d+[.)])\s+(.*)$", line)
        if not line.strip():
            flush()
        elif heading:
            flush()
            blocks.append(Block("heading", heading[2].strip("* "), level=len(heading[1])))
        elif bullet:
            flush()
            ordered = bullet[2][0].isdigit()
            level = len(bullet[1].expandtabs(4)) // 2
            blocks.append(Block("list_item", bullet[3].strip(), level=level, ordered=ordered))
        else:
            paragraph.append(line.strip())
    flush()
    return Document(blocks, title=title, source_format="md")
