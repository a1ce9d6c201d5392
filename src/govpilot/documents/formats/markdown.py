"""Markdown (CommonMark + GFM tables): reading through markdown-it-py tokens, and writing."""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from govpilot.documents.formats.text import decode_text
from govpilot.documents.formats.textflow import join_wrapped, next_list_numbers
from govpilot.documents.model import Block, Document

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>(?:.*\n){0,60}?)---[ \t]*(?:\n|\Z)")
_TAG = re.compile(r"<[^>]*>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def load_markdown(data: bytes, name: str) -> Document:
    """Read a Markdown file into a Document."""
    text = decode_text(data, name).replace("\r\n", "\n")
    title = None
    front = _FRONT_MATTER.match(text)
    if front and re.search(r"^\w[\w-]*:", front["body"], re.MULTILINE):
        found = re.search(r"^title:[ \t]*(.+)$", front["body"], re.MULTILINE)
        title = found[1].strip().strip("'\"") if found else None
        text = text[front.end() :]
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    blocks = _blocks(parser.parse(text))
    if title is None:
        headings = [b for b in blocks if b.kind == "heading"]
        top = [b for b in headings if b.level == 1] or headings
        title = top[0].text if top else None
    return Document(blocks, title=title, source_format="md")


def _blocks(tokens: list[Token]) -> list[Block]:
    blocks: list[Block] = []
    lists: list[bool] = []  # one entry per open list: is it ordered?
    item_has_text: list[bool] = []  # one entry per open list item
    heading_level = 0
    rows: list[list[str]] | None = None
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading_level = int(token.tag[1:])
        elif kind == "heading_close":
            heading_level = 0
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            item_has_text.append(False)
        elif kind == "list_item_close":
            item_has_text.pop()
        elif kind == "table_open":
            rows = []
        elif kind == "table_close" and rows is not None:
            blocks.append(Block("table", rows=tuple(tuple(r) for r in rows)))
            rows = None
        elif kind == "tr_open" and rows is not None:
            rows.append([])
        elif kind == "inline" and rows is not None:
            rows[-1].append(_inline_text(token))
        elif kind == "inline":
            text = _inline_text(token)
            if heading_level:
                blocks.append(Block("heading", text, level=heading_level))
            elif item_has_text and not item_has_text[-1]:
                item_has_text[-1] = True
                level = len(lists) - 1
                blocks.append(Block("list_item", text, level=level, ordered=lists[-1]))
            elif text:
                blocks.append(Block("paragraph", text))
        elif kind in ("fence", "code_block") and token.content.strip():
            blocks.append(Block("paragraph", token.content.rstrip("\n")))
        elif kind == "html_block":
            text = html.unescape(_TAG.sub(" ", token.content))
            if text.strip():
                blocks.append(Block("paragraph", " ".join(text.split())))
    return blocks


def _inline_text(token: Token) -> str:
    lines: list[list[str]] = [[""]]  # hard-broken lines, each a list of soft-wrapped pieces
    for child in token.children or []:
        if child.type in ("text", "code_inline", "image"):  # an image's content is its alt
            lines[-1][-1] += child.content
        elif child.type == "softbreak":
            lines[-1].append("")
        elif child.type == "hardbreak" or (
            child.type == "html_inline" and _BR.fullmatch(child.content.strip())
        ):
            lines.append([""])
    return "\n".join(join_wrapped(pieces) for pieces in lines).strip()


def render_markdown(doc: Document) -> str:
    """A Document as Markdown: '#' headings, nested '-'/'1.' lists, pipe tables."""
    parts: list[str] = []
    counters: dict[int, int] = {}
    depth = -1  # nesting level of the previous list item; -1 outside a list
    for block in doc.blocks:
        if block.kind == "list_item":
            # Levels may only go one deeper at a time, else the item would become code.
            level = min(block.level, depth + 1)
            counters = next_list_numbers(counters if depth >= 0 else {}, level, block.ordered)
            marker = f"{counters[level]}." if block.ordered else "-"
            indent = "    " * level
            text = _escape(block.text).replace("\n", "\\\n" + indent + " " * (len(marker) + 1))
            line = f"{indent}{marker} {text}"
            if depth >= 0:
                parts[-1] += "\n" + line
            else:
                parts.append(line)
            depth = level
            continue
        depth = -1
        if block.kind == "heading":
            hashes = "#" * min(max(block.level, 1), 6)
            parts.append(f"{hashes} {_escape(' '.join(block.text.split()))}")
        elif block.kind == "table" and block.rows:
            parts.append(_table(block.rows))
        elif block.text.strip():
            parts.append(_escape(block.text.strip()).replace("\n", "\\\n"))
    return "\n\n".join(parts) + "\n"


def _table(rows: tuple[tuple[str, ...], ...]) -> str:
    width = max(len(row) for row in rows)
    lines = []
    for i, row in enumerate(rows):
        cells = [_cell(c) for c in row] + [""] * (width - len(row))
        lines.append("| " + " | ".join(cells) + " |")
        if i == 0:
            lines.append("|" + " --- |" * width)
    return "\n".join(lines)


def _cell(text: str) -> str:
    escaped = _escape(text.strip()).replace("|", "\\|")
    return "<br>".join(" ".join(line.split()) for line in escaped.split("\n"))


_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>]|&(?=#?\w+;))")
_LINE_START_SPECIAL = re.compile(r"^(\s*)([#>+=|-]|\d+[.)](?=\s|$))", re.MULTILINE)


def _escape(text: str) -> str:
    """Backslash-escape what Markdown would read as markup, so the text reloads unchanged."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LINE_START_SPECIAL.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    marker = match[2]
    if marker[0].isdigit():
        return f"{match[1]}{marker[:-1]}\\{marker[-1]}"
    return f"{match[1]}\\{marker}"
