"""Writing a Document as Word .docx with real heading, list and table styles.

A document loaded from a .docx is written into a copy of that file instead
(`docx_inplace`), keeping everything the file had; this builds one from scratch for
documents from elsewhere (Markdown, PDF, HTML, text, drafts and summaries).
"""

from __future__ import annotations

import io

import docx
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from govpilot.documents.formats.docx_fonts import use_east_asian_font
from govpilot.documents.formats.docx_inplace import render_in_place
from govpilot.documents.formats.textflow import has_cjk
from govpilot.documents.model import Block, Document

_MAX_LIST_STYLE_LEVEL = 3  # the default template has 'List Bullet', '... 2' and '... 3'
_TABLE_STYLE = "Table Grid"


def render_docx(doc: Document) -> bytes:
    """A Document as the bytes of a .docx file: its own file changed in place if it has one."""
    in_place = render_in_place(doc)
    if in_place is not None:
        return in_place
    word = docx.Document()
    if has_cjk(doc.text + (doc.title or "")):
        use_east_asian_font(word)
    if doc.title:
        word.core_properties.title = doc.title
    numbering = _Numbering(word)
    title_written = False
    for block in doc.blocks:
        paragraph, style, depth = None, "", 0
        if block.kind == "heading":
            as_title = not title_written and block.level <= 1 and block.text == doc.title
            title_written = title_written or as_title
            style = "Title" if as_title else f"Heading {min(max(block.level, 1), 9)}"
            word.add_paragraph(" ".join(block.text.split()), style=style)
        elif block.kind == "list_item":
            kind = "Number" if block.ordered else "Bullet"
            depth = min(max(block.level, 0) + 1, _MAX_LIST_STYLE_LEVEL)
            style = f"List {kind}" if depth == 1 else f"List {kind} {depth}"
            paragraph = word.add_paragraph(block.text, style=style)
        elif block.kind == "table":
            _add_table(word, block)
        elif block.text.strip():
            word.add_paragraph(block.text.strip())
        numbering.follow(block, paragraph, style, depth)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _add_table(word: WordDocument, block: Block) -> None:
    if not block.rows:
        return
    width = max(len(row) for row in block.rows)
    table = word.add_table(rows=len(block.rows), cols=width)
    table.style = word.styles[_TABLE_STYLE]
    for row, cells in zip(table.rows, block.rows, strict=True):
        for cell, text in zip(row.cells, cells, strict=False):
            cell.text = text


class _Numbering:
    """Restarts 'List Number' numbering for each separate numbered list.

    Every paragraph with a 'List Number' style shares one Word list, so a second list
    would carry on at 4, 5, 6. Each new list gets its own numbering instance that points
    at the style's definition and starts again at 1.
    """

    def __init__(self, word: WordDocument) -> None:
        self.word = word
        self.open_lists: dict[int, int] = {}  # list style depth -> numId of the list in progress

    def follow(self, block: Block, paragraph: Paragraph | None, style: str, depth: int) -> None:
        """Track where numbered lists end; give a numbered item its list's numbering."""
        if block.kind != "list_item":
            self.open_lists.clear()
            return
        # An item ends every deeper list, and a bullet ends a numbered list at its depth.
        for deeper in [
            d for d in self.open_lists if d > depth or (d == depth and not block.ordered)
        ]:
            del self.open_lists[deeper]
        if not block.ordered or paragraph is None:
            return
        if depth not in self.open_lists:
            num_id = self._new_list(style)
            if num_id is None:
                return
            self.open_lists[depth] = num_id
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = self.open_lists[depth]

    def _new_list(self, style: str) -> int | None:
        style_num = self.word.styles[style].element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        num_id = style_num.find(qn("w:numId")) if style_num is not None else None
        if num_id is None:
            return None
        numbering = self.word.part.numbering_part.element
        existing = numbering.num_having_numId(int(num_id.get(qn("w:val"))))
        num = numbering.add_num(existing.abstractNumId.val)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return int(num.numId)
