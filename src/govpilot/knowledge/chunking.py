"""Cut documents into chunks that follow their structure and keep what a citation needs.

A chunk never crosses a heading: each section's paragraphs and lists are packed together up
to `max_chars`, cut between sentences when one paragraph alone is too long. A table is its
own chunk (or several for a long table), each row written as "column: value" pairs so that a
row read alone still says what its numbers mean. A FAQ entry is one chunk: question and
answer. Every chunk keeps its section path ("Eligibility > Income limits") and page.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from govpilot.documents.model import Block, Document
from govpilot.knowledge.faq import FaqEntry
from govpilot.language import split_sentences
from govpilot.retrieval.types import Chunk

__all__ = ["ChunkDraft", "chunk_document", "chunk_faq", "chunk_id", "make_chunks", "render_table"]

_SECTION_SEPARATOR = " > "
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ChunkDraft:
    """A chunk's text and place before it is given ids: what chunking produces."""

    text: str
    kind: str = "paragraph"
    section: str = ""
    page: int | None = None
    url: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


def chunk_id(document_id: str, ordinal: int, text: str) -> str:
    """A stable id: the same document, position and text always give the same id."""
    digest = hashlib.sha256(f"{document_id}\0{ordinal}\0{text}".encode())
    return digest.hexdigest()[:32]


def make_chunks(
    drafts: Sequence[ChunkDraft],
    *,
    collection_id: str,
    department: str,
    document_id: str,
    source: str,
    title: str,
    url: str | None = None,
) -> list[Chunk]:
    """Chunks with ids and the document's citation fields (a draft's own url wins)."""
    return [
        Chunk(
            id=chunk_id(document_id, ordinal, draft.text),
            collection_id=collection_id,
            department=department,
            document_id=document_id,
            ordinal=ordinal,
            text=draft.text,
            kind=draft.kind,
            source=source,
            title=title,
            section=draft.section,
            page=draft.page,
            url=draft.url or url,
            metadata=dict(draft.metadata),
        )
        for ordinal, draft in enumerate(drafts)
    ]


def chunk_document(document: Document, max_chars: int = 800) -> list[ChunkDraft]:
    """Chunks of a loaded document, in reading order."""
    chunker = _Chunker(max_chars, document.title or "")
    for block in document.blocks:
        chunker.feed(block)
    chunker.flush()
    return chunker.drafts


def chunk_faq(entries: Iterable[FaqEntry], max_chars: int = 800) -> list[ChunkDraft]:
    """One chunk per FAQ entry (a very long answer is cut, the question repeated)."""
    drafts: list[ChunkDraft] = []
    for entry in entries:
        section = _SECTION_SEPARATOR.join(p for p in (entry.category, entry.question) if p)
        metadata = {"question": entry.question, "row": str(entry.row)}
        if entry.sheet:
            metadata["sheet"] = entry.sheet
        # A FAQ answer is one unit; only one far over the target size is cut.
        limit = max(max_chars * 2, len(entry.question) + 100)
        pieces = _pack_sentences(entry.answer, limit - len(entry.question) - 1)
        for part, piece in enumerate(pieces or [""]):
            meta = dict(metadata, part=str(part + 1)) if len(pieces) > 1 else metadata
            text = f"{entry.question}\n{piece}".strip()
            drafts.append(ChunkDraft(text, "faq", section, None, entry.url, meta))
    return drafts


def render_table(rows: Sequence[Sequence[str]]) -> list[str]:
    """One line per data row, each value labelled with its column's header."""
    rows = [[_SPACE.sub(" ", cell).strip() for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    if not body or sum(1 for cell in header if cell) < max(1, len(header) // 2):
        return [" | ".join(cell for cell in row if cell) for row in rows]
    lines = []
    for row in body:
        pairs = [
            f"{header[i]}: {cell}" if i < len(header) and header[i] else cell
            for i, cell in enumerate(row)
            if cell
        ]
        lines.append("; ".join(pairs))
    return lines


class _Chunker:
    """Walks the blocks once, keeping the heading path and the text waiting to be cut."""

    def __init__(self, max_chars: int, title: str) -> None:
        self.max_chars = max_chars
        self.title = _norm(title)
        self.headings: list[tuple[int, str]] = []
        self.drafts: list[ChunkDraft] = []
        self.parts: list[str] = []
        self.kinds: set[str] = set()
        self.page: int | None = None
        self.last_page: int | None = None
        self.pending_heading = ""
        self.list_numbers: dict[int, int] = {}

    @property
    def section(self) -> str:
        path = [text for _, text in self.headings]
        # The document's title heading would prefix every path and repeat the title.
        if path and self.title and _norm(path[0]) == self.title:
            path = path[1:]
        return _SECTION_SEPARATOR.join(path)

    def feed(self, block: Block) -> None:
        if block.kind == "heading":
            self.flush()
            while self.headings and self.headings[-1][0] >= block.level:
                self.headings.pop()
            self.headings.append((block.level, _SPACE.sub(" ", block.text).strip()))
            self.pending_heading = self.headings[-1][1]
            return
        if block.kind == "table":
            self.flush()
            self._table(block)
            return
        if block.kind == "list_item":
            self._add(self._list_text(block), "list", block.page, joined_to_list=True)
            return
        self.list_numbers.clear()
        self._add(block.text.strip(), "paragraph", block.page)

    def _list_text(self, block: Block) -> str:
        for deeper in [level for level in self.list_numbers if level > block.level]:
            del self.list_numbers[deeper]
        if block.ordered:
            self.list_numbers[block.level] = self.list_numbers.get(block.level, 0) + 1
            marker = f"{self.list_numbers[block.level]}."
        else:
            marker = "-"
        return f"{'  ' * block.level}{marker} {block.text.strip()}"

    def _add(self, text: str, kind: str, page: int | None, joined_to_list: bool = False) -> None:
        if not text.strip():
            return
        heading = self._take_heading()
        if heading:
            text = f"{heading}\n{text}"
        separator = "\n" if joined_to_list and "list" in self.kinds else "\n\n"
        if self.parts and self._length() + len(separator) + len(text) > self.max_chars:
            self.flush()
        if len(text) > self.max_chars:
            pieces = _pack_sentences(text, self.max_chars)
            for piece in pieces[:-1]:
                self._append(piece, kind, page, "\n\n")
                self.flush()
            text = pieces[-1] if pieces else ""
        self._append(text, kind, page, separator)

    def _append(self, text: str, kind: str, page: int | None, separator: str) -> None:
        if self.parts:
            self.parts.append(separator)
        else:
            self.page = page
        self.parts.append(text)
        self.kinds.add(kind)
        if page is not None:
            self.last_page = page

    def _take_heading(self) -> str:
        heading, self.pending_heading = self.pending_heading, ""
        return heading

    def _length(self) -> int:
        return sum(len(part) for part in self.parts)

    def flush(self) -> None:
        text = "".join(self.parts).strip()
        if text:
            kind = "list" if "list" in self.kinds else "paragraph"
            metadata = {}
            if self.page is not None and self.last_page not in (None, self.page):
                metadata["page_end"] = str(self.last_page)
            self.drafts.append(ChunkDraft(text, kind, self.section, self.page, None, metadata))
        self.parts, self.kinds = [], set()
        self.page = self.last_page = None

    def _table(self, block: Block) -> None:
        lines = render_table(block.rows)
        heading = self._take_heading()
        group: list[str] = [heading] if heading else []
        size = len(heading)
        first_row = 1
        for number, line in enumerate(lines, 1):
            if group and size + len(line) + 1 > self.max_chars and number > first_row:
                self._emit_table(group, block.page, first_row, number - 1)
                group, size, first_row = [], 0, number
            group.append(line)
            size += len(line) + 1
        if lines:
            self._emit_table(group, block.page, first_row, len(lines))

    def _emit_table(self, lines: list[str], page: int | None, first: int, last: int) -> None:
        metadata = {"rows": f"{first}-{last}" if first != last else str(first)}
        text = "\n".join(lines)
        self.drafts.append(ChunkDraft(text, "table", self.section, page, None, metadata))


def _pack_sentences(text: str, limit: int) -> list[str]:
    """`text` cut between sentences into pieces of at most `limit` characters where possible."""
    limit = max(limit, 50)
    pieces: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        for part in _hard_split(sentence, limit):
            if current and len(current) + len(part) > limit:
                pieces.append(current.strip())
                current = ""
            current += part
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _hard_split(sentence: str, limit: int) -> list[str]:
    """A sentence longer than `limit`, cut at spaces (or anywhere, for Chinese)."""
    parts: list[str] = []
    while len(sentence) > limit:
        cut = sentence.rfind(" ", limit // 2, limit)
        cut = cut + 1 if cut > 0 else limit
        parts.append(sentence[:cut])
        sentence = sentence[cut:]
    parts.append(sentence)
    return parts


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()
