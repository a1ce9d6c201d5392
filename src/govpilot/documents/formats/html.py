"""HTML pages: headings, paragraphs, nested lists and tables, without the page furniture."""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction

from govpilot.documents.formats.text import decode_text
from govpilot.documents.formats.textflow import collapse_whitespace
from govpilot.documents.model import Block, Document

# Scripts, styles and site furniture (menus, footers) are not the document's content.
_DROP = frozenset(
    "script style nav footer noscript template svg canvas iframe object button select head".split()  # noqa: SIM905
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_CONTAINERS = frozenset(
    "html body main article section div header aside blockquote figure figcaption form "  # noqa: SIM905
    "fieldset details summary address center dl dt dd".split()
)
_BLOCK_INSIDE_CELL = ["table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"]
_NOT_TEXT = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*['\"]?\s*[\w-]+", re.IGNORECASE)
_LINE = "\u2028"  # stands for a forced line break until whitespace has been collapsed


def load_html(data: bytes, name: str) -> Document:
    """Read an HTML page into a Document."""
    # BeautifulSoup honours a declared charset; without one it would guess Windows-1252,
    # which garbles Big5 pages, so undeclared pages go through our own detection.
    markup: str | bytes = data if _CHARSET.search(data[:4096]) else decode_text(data, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(markup, "lxml")
    title_tag = soup.find("title")
    page_title = collapse_whitespace(title_tag.get_text()) if title_tag else ""
    blocks: list[Block] = []
    root = soup.body or soup
    _walk(root, blocks)
    if not page_title:
        headings = [b for b in blocks if b.kind == "heading"]
        top = [b for b in headings if b.level == 1] or headings
        page_title = top[0].text if top else ""
    return Document(blocks, title=page_title or None, source_format="html")


def _walk(element: Tag, blocks: list[Block]) -> None:
    """Append the blocks of a container element, wrapping loose inline text as paragraphs."""
    inline: list[str] = []

    def flush() -> None:
        text = _finish("".join(inline))
        if text:
            blocks.append(Block("paragraph", text))
        inline.clear()

    for child in element.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, _NOT_TEXT):
                inline.append(str(child))
            continue
        if not isinstance(child, Tag) or _hidden(child):
            continue
        name = child.name
        if name in _HEADINGS:
            flush()
            text = _text(child)
            if text:
                blocks.append(Block("heading", text, level=_HEADINGS[name]))
        elif name == "p":
            flush()
            text = _text(child)
            if text:
                blocks.append(Block("paragraph", text))
        elif name in ("ul", "ol"):
            flush()
            _list(child, 0, blocks)
        elif name == "table":
            flush()
            _table(child, blocks)
        elif name == "pre":
            flush()
            if child.get_text().strip():
                blocks.append(Block("paragraph", child.get_text().strip("\n")))
        elif name == "hr":
            flush()
        elif name == "br":
            inline.append(_LINE)
        elif name in _CONTAINERS:
            flush()
            _walk(child, blocks)
        else:
            inline.append(_raw_text(child))
    flush()


def _list(element: Tag, level: int, blocks: list[Block]) -> None:
    ordered = element.name == "ol"
    for child in element.find_all(recursive=False):
        if _hidden(child):
            continue
        if child.name in ("ul", "ol"):  # a list nested without its <li>: common in old pages
            _list(child, level + 1, blocks)
            continue
        text = _finish(_raw_text(child, skip=("ul", "ol", "table")))
        if text:
            blocks.append(Block("list_item", text, level=level, ordered=ordered))
        for nested in _outermost(child, ("ul", "ol", "table")):
            if nested.name == "table":
                _table(nested, blocks)
            else:
                _list(nested, level + 1, blocks)


def _table(table: Tag, blocks: list[Block]) -> None:
    if table.find(_BLOCK_INSIDE_CELL):
        # A table used for page layout: its cells hold headings and lists, not data.
        for cell in table.find_all(["td", "th"]):
            if cell.find_parent("table") is table:
                _walk(cell, blocks)
        return
    rows: list[list[str]] = []
    spans: dict[int, int] = {}  # column -> rows still covered by a rowspan above
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        row: list[str] = []
        for cell in tr.find_all(["td", "th"], recursive=False):
            while spans.get(len(row), 0) > 0:
                spans[len(row)] -= 1
                row.append("")
            rowspan = _span(cell, "rowspan")
            for extra in range(_span(cell, "colspan")):
                if rowspan > 1:
                    spans[len(row)] = rowspan - 1
                row.append("" if extra else _finish(_raw_text(cell)))
        while spans.get(len(row), 0) > 0:
            spans[len(row)] -= 1
            row.append("")
        if any(row):
            rows.append(row)
    if rows:
        width = max(len(r) for r in rows)
        blocks.append(Block("table", rows=tuple(tuple(r + [""] * (width - len(r))) for r in rows)))


def _span(cell: Tag, attribute: str) -> int:
    value = cell.get(attribute)
    try:
        return max(1, min(int(str(value)), 100))
    except ValueError:
        return 1


def _outermost(element: Tag, names: tuple[str, ...]) -> list[Tag]:
    """Descendants named `names` that are not inside another such descendant."""
    found: list[Tag] = []
    for child in element.children:
        if isinstance(child, Tag) and not _hidden(child):
            if child.name in names:
                found.append(child)
            else:
                found.extend(_outermost(child, names))
    return found


def _raw_text(element: Tag, skip: tuple[str, ...] = ()) -> str:
    parts: list[str] = []
    for child in element.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, _NOT_TEXT):
                parts.append(str(child))
        elif isinstance(child, Tag) and child.name not in skip and not _hidden(child):
            if child.name == "br":
                parts.append(_LINE)
            elif child.name in ("p", "div", "li", "tr") or child.name in _HEADINGS:
                parts.append(_LINE + _raw_text(child, skip) + _LINE)
            elif child.name in ("td", "th"):
                parts.append(" " + _raw_text(child, skip) + " ")
            else:
                parts.append(_raw_text(child, skip))
    return "".join(parts)


def _text(element: Tag) -> str:
    return _finish(_raw_text(element))


def _finish(raw: str) -> str:
    lines = (collapse_whitespace(line) for line in raw.split(_LINE))
    return "\n".join(line for line in lines if line)


def _hidden(tag: Tag) -> bool:
    return tag.name in _DROP or tag.has_attr("hidden") or tag.get("aria-hidden") == "true"
