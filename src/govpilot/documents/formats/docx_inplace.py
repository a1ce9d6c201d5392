"""Writing a Document back into a copy of the .docx it was loaded from.

Translating or redacting a Word file changes its words, not its make-up. When every block
still points at its place in one source file (`model.Origin`), none added, dropped or
reordered, `render_in_place` opens a copy of that file and puts each changed string where
the old one was. Paragraph styles (a Heading 1 stays Heading 1), numbering, tables,
headers and footers, footnotes, comments, hyperlinks, pictures, fields and page setup are
all the file's own. Anything else gets None, and the caller builds a new file.

A paragraph's new text is shared out over its runs (`share_out`): where it still holds
stretches of the old text (a change of case, a prefix, the names and numbers a
translation keeps) the runs' boundaries follow them exactly; between those they fall in
proportion, on a space when one is near. So bold, italic and a link's text keep about the
words they had, and a link keeps its target.
"""

from __future__ import annotations

import io
from difflib import SequenceMatcher

import docx
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from govpilot.documents.formats.docx import Cell, read_blocks, text_elements, text_parts
from govpilot.documents.formats.docx_fonts import use_east_asian_font
from govpilot.documents.formats.textflow import has_cjk
from govpilot.documents.model import Block, Document, SourceFile

__all__ = ["render_in_place", "rewrite_paragraph", "share_out"]

_MIN_ANCHOR = 3  # shorter common stretches are chance (a shared letter), not kept text
_SNAP = 12  # how far from its proportional place a boundary may move to reach a space
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def render_in_place(doc: Document) -> bytes | None:
    """`doc` written into a copy of its source .docx; None when it has no single one."""
    source = _source_of(doc)
    if source is None:
        return None
    word = docx.Document(io.BytesIO(source.data))
    parts = text_parts(word)
    read = read_blocks(word, parts)
    if len(read) != len(doc.blocks) or any(
        _shape(block) != _shape(loaded) for block, (loaded, _) in zip(doc.blocks, read, strict=True)
    ):
        return None  # the file is not the one the blocks were read from
    before = "".join(loaded.plain_text for loaded, _ in read)
    for block, (loaded, target) in zip(doc.blocks, read, strict=True):
        if block.texts() == loaded.texts():
            continue
        if isinstance(target, list):
            _rewrite_table(target, loaded, block)
        else:
            rewrite_paragraph(target, block.text)
    for part in parts:
        part.save()
    _properties(word, source, doc)
    if has_cjk(doc.text + (doc.title or "")) and not has_cjk(before):
        use_east_asian_font(word)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _source_of(doc: Document) -> SourceFile | None:
    """The one .docx every block came from, in its order, if there is one."""
    if not doc.blocks or doc.blocks[0].origin is None:
        return None
    source = doc.blocks[0].origin.source
    if source.format != "docx" or source.blocks != len(doc.blocks):
        return None
    for index, block in enumerate(doc.blocks):
        if block.origin is None or block.origin.source is not source:
            return None
        if block.origin.index != index:
            return None
    return source


def _shape(block: Block) -> tuple[str, tuple[int, ...]]:
    return block.kind, tuple(len(row) for row in block.rows)


def _properties(word: WordDocument, source: SourceFile, doc: Document) -> None:
    """The new title where the file's metadata had the old one; no names of people."""
    core = word.core_properties
    if doc.title != source.title and (core.title or "").strip() == (source.title or ""):
        core.title = doc.title or ""
    # Who wrote or last changed the original is not for a translated or redacted copy.
    core.author = ""
    core.last_modified_by = ""
    core.comments = ""


def _rewrite_table(cells: list[list[Cell | None]], loaded: Block, block: Block) -> None:
    for targets, old_row, new_row in zip(cells, loaded.rows, block.rows, strict=True):
        for units, old, new in zip(targets, old_row, new_row, strict=True):
            if units is None or old == new or not units:
                continue
            # The cell's lines are its paragraphs' texts joined by newlines.
            pieces: list[str] = []
            for number, (text, _) in enumerate(units):
                pieces.extend(["\n", text] if number else [text])
            shared = share_out(pieces, new)
            texts = shared[0::2]
            for separator_at, separator in enumerate(shared[1::2]):
                if separator != "\n":  # text that landed on a line break joins the line
                    texts[separator_at] += separator.replace("\n", " ").rstrip()
            for (_, paragraph), text in zip(units, texts, strict=True):
                if paragraph is not None:  # a nested table keeps its own text
                    rewrite_paragraph(paragraph, text.strip())


def rewrite_paragraph(p: BaseOxmlElement, new: str) -> None:
    """Put `new` in place of the paragraph's text, shared out over its runs."""
    items = text_elements(p)
    raw = "".join(text for _, text in items)
    stripped = raw.strip()
    lead = raw[: len(raw) - len(raw.lstrip())]
    trail = raw[len(lead) + len(stripped) :] if stripped else ""
    pieces = share_out([text for _, text in items], lead + new + trail)
    texts = [i for i, (element, _) in enumerate(items) if element.tag == qn("w:t")]
    if not texts:
        if new:
            run = OxmlElement("w:r")
            run.append(_text_element(new))
            p.append(run)
        return
    values = {i: pieces[i] for i in texts}
    for i, (_, text) in enumerate(items):
        if i in values or pieces[i] == text:
            continue  # a w:t, or a tab or break that is still where it was
        # Text that fell on a tab or break goes to the nearest w:t before it (or after).
        before = [t for t in texts if t < i]
        home = before[-1] if before else texts[0]
        values[home] = values[home] + pieces[i] if before else pieces[i] + values[home]
    for i, value in values.items():
        _set_text(items[i][0], value)


def share_out(pieces: list[str], new: str) -> list[str]:
    """`new` cut into as many pieces as `pieces`, where the old pieces' boundaries map to.

    The pieces joined are always `new`. Boundaries inside stretches both texts share
    (ignoring case) move with them; the others fall in proportion between those, moved
    to a space nearby when `new` has one.
    """
    old = "".join(pieces)
    if old == new:
        return list(pieces)
    if len(pieces) == 1:
        return [new]
    anchors = _anchors(old, new)
    cuts: list[int] = []
    position = 0
    for piece in pieces[:-1]:
        position += len(piece)
        cut = _map(position, anchors, new)
        cuts.append(min(max(cut, cuts[-1] if cuts else 0), len(new)))
    bounds = [0, *cuts, len(new)]
    return [new[bounds[i] : bounds[i + 1]] for i in range(len(pieces))]


def _anchors(old: str, new: str) -> list[tuple[int, int, int]]:
    """Stretches (old start, new start, length) the two texts share, in order."""
    matcher = SequenceMatcher(
        None, [c.lower()[:1] for c in old], [c.lower()[:1] for c in new], autojunk=False
    )
    blocks = [(a, b, size) for a, b, size in matcher.get_matching_blocks() if size >= _MIN_ANCHOR]
    return [(0, 0, 0), *blocks, (len(old), len(new), 0)]


def _map(position: int, anchors: list[tuple[int, int, int]], new: str) -> int:
    """Where an old text position falls in the new text."""
    for a, b, size in anchors:
        if a <= position <= a + size and size:
            return b + position - a
    before = max((x for x in anchors if x[0] + x[2] <= position), key=lambda x: x[0])
    after = min((x for x in anchors if x[0] >= position), key=lambda x: x[0])
    old_from, new_from = before[0] + before[2], before[1] + before[2]
    old_span, new_span = after[0] - old_from, after[1] - new_from
    guess = new_from + (round((position - old_from) * new_span / old_span) if old_span else 0)
    return _near_space(new, guess, new_from, new_from + max(new_span, 0))


def _near_space(text: str, guess: int, low: int, high: int) -> int:
    """`guess`, moved to just after the nearest space between `low` and `high`."""
    for distance in range(_SNAP + 1):
        for at in (guess - distance, guess + distance):
            if low < at <= high and at <= len(text) and text[at - 1] == " ":
                return at
    return guess


def _set_text(element: BaseOxmlElement, value: str) -> None:
    element.text = value
    if value != value.strip():
        element.set(_XML_SPACE, "preserve")


def _text_element(value: str) -> BaseOxmlElement:
    element = OxmlElement("w:t")
    _set_text(element, value)
    return element
