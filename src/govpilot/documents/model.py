"""One structured document model shared by every loader, writer and capability.

A Document is an ordered list of blocks. Each block keeps the place it came from (page
number for PDFs, heading level, list nesting, table cells) so that answers can cite
places and writers can rebuild the same structure in another language. A block loaded
from a .docx also keeps its `origin` (the file and its place in it), which survives
`with_texts` and `map_texts`: the Word writer then changes that file in place, keeping
every style, list, table, header, footnote, link and picture, instead of rebuilding it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table"]


@dataclass(frozen=True, eq=False)
class SourceFile:
    """The bytes of the file a document was loaded from, kept to write it back in place."""

    format: str
    data: bytes = field(repr=False)
    #: How many blocks it was loaded as: a writer works in place only when all are there.
    blocks: int = 0
    #: The document's title as loaded.
    title: str | None = None


@dataclass(frozen=True)
class Origin:
    """Where a block came from: its file and its index among that file's blocks."""

    source: SourceFile
    index: int


@dataclass(frozen=True)
class Block:
    """One structural unit of a document.

    heading: `text`, `level` (1 = title-level); paragraph: `text`; list_item: `text`,
    `level` (nesting, 0 = top), `ordered`; table: `rows` (list of rows of cell strings).
    """

    kind: BlockKind
    text: str = ""
    level: int = 0
    ordered: bool = False
    rows: tuple[tuple[str, ...], ...] = ()
    page: int | None = None
    #: The file and place the block was loaded from (.docx only); not part of equality.
    origin: Origin | None = field(default=None, compare=False, repr=False)

    def texts(self) -> list[str]:
        """Every translatable string in this block, in reading order."""
        if self.kind == "table":
            return [cell for row in self.rows for cell in row]
        return [self.text]

    def with_texts(self, new_texts: list[str]) -> Block:
        """A copy with its strings replaced, in the order `texts()` gives them."""
        if self.kind != "table":
            (only,) = new_texts
            return replace(self, text=only)
        it = iter(new_texts)
        rows = tuple(tuple(next(it) for _ in row) for row in self.rows)
        return replace(self, rows=rows)

    @property
    def plain_text(self) -> str:
        """The block as plain text (table cells joined by tabs, rows by newlines)."""
        if self.kind == "table":
            return "\n".join("\t".join(row) for row in self.rows)
        return self.text


@dataclass
class Document:
    """A loaded document: title, blocks in reading order, and where it came from."""

    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    source: str | None = None
    source_format: str | None = None

    def __iter__(self) -> Iterator[Block]:
        return iter(self.blocks)

    @property
    def text(self) -> str:
        """All text, blocks separated by blank lines."""
        return "\n\n".join(b.plain_text for b in self.blocks if b.plain_text.strip())

    @property
    def is_empty(self) -> bool:
        return not any(b.plain_text.strip() for b in self.blocks)

    def map_texts(self, fn: Callable[[str], str]) -> Document:
        """A copy with `fn` applied to every string (structure kept)."""
        blocks = [b.with_texts([fn(t) for t in b.texts()]) for b in self.blocks]
        title = fn(self.title) if self.title else self.title
        return Document(blocks, title, self.source, self.source_format)

    @classmethod
    def from_text(cls, text: str, *, source: str | None = None) -> Document:
        """Paragraphs split on blank lines; a plain-text document."""
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
        blocks = [Block("paragraph", p) for p in paragraphs if p]
        return cls(blocks, source=source, source_format="txt")
