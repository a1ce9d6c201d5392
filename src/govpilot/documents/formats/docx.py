"""Word .docx: paragraphs and tables in true body order, headings and lists from styles,
then the text of headers, footers, footnotes, endnotes and comments.

Each block remembers its place (`model.Origin`) so that `docx_inplace` can write changed
text back into a copy of the same file. `read_blocks` is the one walk both use: it pairs
every block with the XML it came from (a paragraph, or a table's cells).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import docx
from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part, XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.styles.style import CharacterStyle
from docx.text.paragraph import Paragraph
from lxml import etree

from govpilot.documents.model import Block, Document, Origin, SourceFile
from govpilot.errors import CorruptDocument, GovpilotError

# Word stores English names for built-in styles whatever the UI language, but documents
# from WPS or LibreOffice in Chinese can carry the localised names.
_HEADING_STYLE = re.compile(r"^(?:heading|標題|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLES = frozenset({"title", "標題", "标题", "文件標題"})
_LIST_STYLE = re.compile(r"^List (Bullet|Number)(?: ([2-9]))?$", re.IGNORECASE)
# Parts of a paragraph whose text is not the paragraph's own: deleted revisions, the
# fallback copy of a drawing (its text is already in the Choice branch) and text boxes.
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_SKIPPED = frozenset([qn("w:del"), qn("w:moveFrom"), qn("w:txbxContent"), f"{_MC}Fallback"])
_TEXT_BOX = qn("w:txbxContent")
# Footnotes and endnotes that are only the separator lines Word draws above them.
_SEPARATORS = frozenset({"separator", "continuationSeparator", "continuationNotice"})

#: One table cell's text units: (text, its paragraph; None for a nested table).
Cell = list[tuple[str, BaseOxmlElement | None]]
#: What a block was read from: a paragraph, or a table's cells (None: no text of its own).
Target = BaseOxmlElement | list[list[Cell | None]]


@dataclass
class TextPart:
    """A part of the package holding text besides the body: header, footer, notes, comments."""

    element: BaseOxmlElement
    containers: list[BaseOxmlElement]
    #: Writes a changed element back into its part (notes are parts python-docx only holds
    #: as bytes); a no-op for parts it parses itself.
    save: Callable[[], None]


def load_docx(data: bytes, name: str) -> Document:
    """Read a Word .docx file into a Document."""
    try:
        word = docx.Document(io.BytesIO(data))
        read, body = _read_all(word)
    except GovpilotError:
        raise
    except Exception as exc:  # damaged packages fail in many ways inside python-docx/lxml
        raise CorruptDocument(
            f"'{name}' is damaged and could not be read as a Word document.",
            hint="Open it in Word, save a new copy as .docx and upload that.",
        ) from exc
    headings = [block for block, _ in read[:body] if block.kind == "heading"]
    title = headings[0].text if headings else (word.core_properties.title or "").strip()
    source = SourceFile("docx", data, blocks=len(read), title=title or None)
    blocks = [replace(block, origin=Origin(source, index)) for index, (block, _) in enumerate(read)]
    return Document(blocks, title=title or None, source_format="docx")


def read_blocks(
    word: WordDocument, parts: list[TextPart] | None = None
) -> list[tuple[Block, Target]]:
    """Every block of the document with what it was read from: the body, then the
    headers, footers, footnotes, endnotes and comments (`parts`, default `text_parts`)."""
    return _read_all(word, parts)[0]


def _read_all(
    word: WordDocument, parts: list[TextPart] | None = None
) -> tuple[list[tuple[Block, Target]], int]:
    """The blocks with their XML, and how many of them (the first) are the body's."""
    reader = _Reader(word)
    read = list(reader.blocks(word.element.body))
    body = len(read)
    for part in text_parts(word) if parts is None else parts:
        for container in part.containers:
            read.extend(reader.blocks(container))
    return read, body


def text_parts(word: WordDocument) -> list[TextPart]:
    """Headers and footers (each part once, in section order), notes and comments."""
    parts: list[TextPart] = []
    seen: set[int] = set()
    for section in word.sections:
        for area in (
            section.header,
            section.first_page_header,
            section.even_page_header,
            section.footer,
            section.first_page_footer,
            section.even_page_footer,
        ):
            if area.is_linked_to_previous:
                continue
            element = area._element
            if id(element) not in seen:
                seen.add(id(element))
                parts.append(TextPart(element, [element], lambda: None))
    for reltype, tag in ((RT.FOOTNOTES, "w:footnote"), (RT.ENDNOTES, "w:endnote")):
        for part in _related(word, reltype):
            parts.append(_notes(part, tag))
    for part in _related(word, RT.COMMENTS):
        element = _element_of(part)
        parts.append(TextPart(element, element.findall(qn("w:comment")), lambda: None))
    return parts


def _related(word: WordDocument, reltype: str) -> list[Part]:
    return [rel.target_part for rel in word.part.rels.values() if rel.reltype == reltype]


def _element_of(part: Part) -> BaseOxmlElement:
    return part.element if isinstance(part, XmlPart) else parse_xml(part.blob)


def _notes(part: Part, tag: str) -> TextPart:
    element = _element_of(part)
    notes = [n for n in element.findall(qn(tag)) if n.get(qn("w:type")) not in _SEPARATORS]

    def save() -> None:
        if not isinstance(part, XmlPart):
            part._blob = etree.tostring(  # the one way to change a part held as bytes
                element, xml_declaration=True, encoding="UTF-8", standalone=True
            )

    return TextPart(element, notes, save)


class _Reader:
    """Walks one Word document; caches style and numbering look-ups."""

    def __init__(self, word: WordDocument) -> None:
        self.word = word
        self._formats: dict[tuple[str, str], str | None] = {}
        try:
            self._numbering = word.part.numbering_part.element
        except (KeyError, NotImplementedError):
            self._numbering = None

    def blocks(self, container: BaseOxmlElement) -> Iterator[tuple[Block, Target]]:
        """Blocks of a body, cell, note or text box, in document order, with their XML."""
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                yield from self._paragraph(Paragraph(child, self.word))
            elif child.tag == qn("w:tbl"):
                yield from self._table(child)
            elif child.tag == qn("w:sdt"):  # content control: look inside it
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    yield from self.blocks(content)

    def _paragraph(self, paragraph: Paragraph) -> Iterator[tuple[Block, Target]]:
        text = paragraph_text(paragraph._p).strip()
        if text:
            style = paragraph.style
            level = _heading_level(paragraph, style)
            listed = None if level else self._list_info(paragraph, style)
            if level:
                yield Block("heading", " ".join(text.split()), level=level), paragraph._p
            elif listed:
                yield Block("list_item", text, level=listed[0], ordered=listed[1]), paragraph._p
            else:
                yield Block("paragraph", text), paragraph._p
        for box in _iter_skipping_fallback(paragraph._p, _TEXT_BOX):
            yield from self.blocks(box)

    def _table(self, tbl: BaseOxmlElement) -> Iterator[tuple[Block, Target]]:
        rows: list[tuple[str, ...]] = []
        cells: list[list[Cell | None]] = []
        for tr in tbl.findall(qn("w:tr")):
            row: list[str] = []
            targets: list[Cell | None] = []
            for tc in tr.findall(qn("w:tc")):
                # A vertically merged cell repeats nothing; the text sits in the first row.
                merged = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                continues = merged is not None and merged.get(qn("w:val"), "continue") == "continue"
                units = [] if continues else self._cell_units(tc)
                row.append("\n".join(text for text, _ in units))
                targets.append(None if continues else units)
                span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
                extra = max(
                    0, min(int(span.get(qn("w:val"), "1")) - 1 if span is not None else 0, 63)
                )
                row.extend([""] * extra)
                targets.extend([None] * extra)
            rows.append(tuple(row))
            cells.append(targets)
        if any(any(cell for cell in row) for row in rows):
            width = max(len(r) for r in rows)
            padded = tuple(r + ("",) * (width - len(r)) for r in rows)
            yield Block("table", rows=padded), [t + [None] * (width - len(t)) for t in cells]

    def _cell_units(self, tc: BaseOxmlElement) -> Cell:
        """The cell's lines: each paragraph's text (a nested table's as a whole)."""
        units: Cell = []
        for block, target in self.blocks(tc):
            if block.plain_text.strip():
                paragraph = target if isinstance(target, BaseOxmlElement) else None
                units.append((block.plain_text, paragraph))
        return units

    def _list_info(
        self, paragraph: Paragraph, style: CharacterStyle | None
    ) -> tuple[int, bool] | None:
        """(nesting level, ordered) when the paragraph is a list item."""
        style_name = style.name if style is not None and style.name else ""
        by_name = _LIST_STYLE.match(style_name)
        num_pr = _find_num_pr(paragraph._p, style)
        if num_pr is not None:
            num_id = _val(num_pr, "w:numId")
            ilvl = int(_val(num_pr, "w:ilvl") or 0)
            if num_id == "0":  # numbering switched off on this paragraph
                return None
            if num_id is not None:
                fmt = self._number_format(num_id, str(ilvl))
                ordered = fmt not in ("bullet", "none") if fmt else _ordered_by_name(by_name)
                style_level = int(by_name.group(2) or 1) - 1 if by_name else 0
                return min(style_level + ilvl, 8), ordered
        if by_name:
            return int(by_name.group(2) or 1) - 1, _ordered_by_name(by_name)
        return None

    def _number_format(self, num_id: str, ilvl: str) -> str | None:
        """The numFmt ('bullet', 'decimal', ...) of a list level, or None if undefined."""
        key = (num_id, ilvl)
        if key not in self._formats:
            self._formats[key] = self._lookup_format(num_id, ilvl)
        return self._formats[key]

    def _lookup_format(self, num_id: str, ilvl: str) -> str | None:
        if self._numbering is None or not num_id.isdigit():
            return None
        w = qn("w:val")
        abstract_id = next(
            (
                num.find(qn("w:abstractNumId")).get(w)
                for num in self._numbering.findall(qn("w:num"))
                if num.get(qn("w:numId")) == num_id and num.find(qn("w:abstractNumId")) is not None
            ),
            None,
        )
        for abstract in self._numbering.findall(qn("w:abstractNum")):
            if abstract.get(qn("w:abstractNumId")) != abstract_id:
                continue
            formats = {
                lvl.get(qn("w:ilvl")): lvl.find(qn("w:numFmt"))
                for lvl in abstract.findall(qn("w:lvl"))
            }
            # Single-level definitions (as in Word's 'List Number' style) cover deeper
            # levels with their first level.
            fmt = formats.get(ilvl, formats.get("0"))
            return fmt.get(w) if fmt is not None else None
        return None


def paragraph_text(p: BaseOxmlElement) -> str:
    """A paragraph's visible text, including inserted revisions, links and fields."""
    return "".join(text for _, text in text_elements(p))


def text_elements(p: BaseOxmlElement) -> list[tuple[BaseOxmlElement, str]]:
    """The elements of a paragraph that make its text (w:t, tabs, breaks), with their text."""
    found: list[tuple[BaseOxmlElement, str]] = []
    for element in _iter_skipping_fallback(p, None):
        tag = element.tag
        if tag == qn("w:t"):
            found.append((element, element.text or ""))
        elif tag == qn("w:tab") and element.getparent().tag == qn("w:r"):  # not a tab stop
            found.append((element, "\t"))
        elif tag in (qn("w:br"), qn("w:cr")) and element.get(qn("w:type")) != "page":
            found.append((element, "\n"))
        elif tag == qn("w:noBreakHyphen"):
            found.append((element, "-"))
    return found


def _iter_skipping_fallback(
    element: BaseOxmlElement, wanted: str | None
) -> Iterator[BaseOxmlElement]:
    """Descendants in order, not entering skipped parts; only `wanted` tags when given."""
    for child in element.iterchildren():
        if wanted is not None and child.tag == wanted:
            yield child
        elif child.tag in _SKIPPED:
            continue
        else:
            if wanted is None:
                yield child
            yield from _iter_skipping_fallback(child, wanted)


def _heading_level(paragraph: Paragraph, style: CharacterStyle | None) -> int | None:
    seen = 0
    while style is not None and seen < 10:  # custom heading styles are based on built-ins
        name = (style.name or "").strip()
        if name.lower() in _TITLE_STYLES:
            return 1
        match = _HEADING_STYLE.match(name)
        if match:
            return int(match.group(1))
        style, seen = style.base_style, seen + 1
    outline = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    if outline is not None and (outline.get(qn("w:val")) or "").isdigit():
        level = int(outline.get(qn("w:val")))
        return level + 1 if level < 9 else None  # 9 means "body text"
    return None


def _find_num_pr(p: BaseOxmlElement, style: CharacterStyle | None) -> BaseOxmlElement | None:
    num_pr = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    seen = 0
    while num_pr is None and style is not None and seen < 10:
        num_pr = style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        style, seen = style.base_style, seen + 1
    return num_pr


def _val(element: BaseOxmlElement, child: str) -> str | None:
    found = element.find(qn(child))
    return None if found is None else found.get(qn("w:val"))


def _ordered_by_name(match: re.Match[str] | None) -> bool:
    return bool(match and match.group(1).lower() == "number")
