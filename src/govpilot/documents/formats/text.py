"""Plain text: encoding detection (UTF-8/16, Big5-HKSCS, GB18030), reading and writing."""

from __future__ import annotations

import codecs
import re

from govpilot.documents.formats.textflow import (
    SENTENCE_ENDS,
    ListMarker,
    display_width,
    indent_width,
    join_wrapped,
    next_list_numbers,
    split_list_marker,
)
from govpilot.documents.model import Block, Document
from govpilot.errors import CorruptDocument

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Hong Kong files are Big5 (with HKSCS) far more often than GB; try those first.
_LEGACY_CHINESE = ("big5hkscs", "cp950", "gb18030")
# Very frequent characters in Traditional and Simplified Chinese. Text decoded with the
# wrong codec turns into rare characters, so the codec whose result hits these most wins.
_COMMON_HANZI = frozenset(
    "的一是不了在人有我他這个這們们中來来上大為为和國国地到以說说時时要就出會会可也你對对"
    "生能而子那得於于著着下自之年過过發发後后作裡里用道行所然家種种事成方多經经麼么去法學学"
    "如都同現现當当沒没動动面起看定天分還还進进好小部其些主樣样理心本前開开但因只從从想實实"
    "日者意無无力與与長长把機机十民第公此已工使情明性知全三又關关點点正業业外將将兩两高間间"
    "由問问很最重並并物手應应向頭头文體体政美相見见被利二等產产或新己制果加月話话合回特代內"
    "内信表化給给位次度門门任常先海通教原東东聲声提立及比員员解水名真論论處处走義义各入幾几"
    "口認认條条平系氣气題题活更別别打女變变四神總总何電电數数安少報报才結结反受目太量再感建"
    "務务做接必場场件計计管期市直資资區区保至形社便空決决治展科司五基書书非則则港府局署請请"
    "香服辦办議议證证費费環环境項项申條例須须於本及據据"
)
_WORD_CHARS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def decode_text(data: bytes, name: str) -> str:
    """Decode text bytes: BOM, then UTF-8, then UTF-16 without BOM, then Big5/GB18030."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), name)
            except UnicodeDecodeError as exc:
                raise _unreadable(name) from exc
    utf16 = utf16_without_bom(data)
    if utf16 is not None:  # checked before UTF-8, which would accept the zero bytes
        try:
            return _checked(data.decode(utf16), name)
        except UnicodeDecodeError as exc:
            raise _unreadable(name) from exc
    try:
        return _checked(data.decode("utf-8"), name)
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in _LEGACY_CHINESE:
        try:
            candidates.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    # max() keeps the first of equal scores, so Big5 wins ties.
    best = max(candidates, key=_hanzi_score) if candidates else None
    if best is None or _hanzi_score(best) < 0.2:
        # Mostly-ASCII text with a few smart quotes or accents is Windows-1252 English,
        # which Big5 would otherwise swallow as rare characters.
        high = sum(1 for byte in data if byte >= 0x80)
        if high <= len(data) // 10:
            return _checked(data.decode("cp1252", errors="replace"), name)
    if best is None:
        raise _unreadable(name)
    return _checked(best, name)


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes look like UTF-16 text without a BOM."""
    head = data[:4096]
    zeros = head.count(0)
    if not zeros:
        return None
    # Latin characters in UTF-16 have a zero high byte: all zeros fall on one side.
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) < 0.9 * zeros or max(even, odd) < len(head) // 8:
        return None
    return "utf-16-le" if odd > even else "utf-16-be"


def _hanzi_score(text: str) -> float:
    hanzi = _WORD_CHARS.findall(text)
    if not hanzi:
        return 0.0
    return sum(1 for c in hanzi if c in _COMMON_HANZI) / len(hanzi)


def _checked(text: str, name: str) -> str:
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > max(2, len(text) // 100):
        raise CorruptDocument(
            f"'{name}' contains binary data, not text.",
            hint="Check that you picked the right file, or save it as UTF-8 text.",
        )
    return text


def _unreadable(name: str) -> CorruptDocument:
    return CorruptDocument(
        f"'{name}' is not in a text encoding govpilot can read.",
        hint="Save it as UTF-8 text (or Big5) and upload it again.",
    )


def load_text(data: bytes, name: str) -> Document:
    """Read a plain-text file into a Document."""
    text = decode_text(data, name)
    blocks = parse_plain_text(text)
    return Document(blocks, title=_guess_title(blocks), source_format="txt")


def parse_plain_text(text: str) -> list[Block]:
    """Blocks from plain text: paragraphs on blank lines, list items, underlined headings."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    blocks: list[Block] = []
    for chunk in re.split(r"\n[ \t\u3000]*\n", text):
        # Keep trailing tabs: they are the empty last cells of a tab-separated table.
        lines = [line.rstrip(" \u3000") for line in chunk.split("\n") if line.strip()]
        if lines:
            blocks.extend(_chunk_blocks(lines))
    return blocks


def _chunk_blocks(lines: list[str]) -> list[Block]:
    if len(lines) >= 2 and re.fullmatch(r"\s*(=+|-+)\s*", lines[-1]) and len(lines[-1]) >= 3:
        level = 1 if "=" in lines[-1] else 2
        return [Block("heading", join_wrapped(lines[:-1]), level=level)]
    if len(lines) >= 2 and all("\t" in line for line in lines):
        rows = tuple(tuple(cell.strip() for cell in line.split("\t")) for line in lines)
        if len({len(row) for row in rows}) == 1:
            return [Block("table", rows=rows)]
    blocks: list[Block] = []
    current: list[str] = []
    marker: ListMarker | None = None
    for line in lines:
        found = split_list_marker(line)
        if found is not None:
            _flush(blocks, current, marker)
            marker, current = found, [found.text]
        elif current and _starts_new_block(current[-1], line, marker):
            _flush(blocks, current, marker)
            marker, current = None, [line]
        else:
            current.append(line)
    _flush(blocks, current, marker)
    return blocks


def _flush(blocks: list[Block], lines: list[str], marker: ListMarker | None) -> None:
    if not lines:
        return
    if marker is None:
        blocks.append(Block("paragraph", _paragraph_text(lines)))
    else:
        level = min(marker.indent // 2, 8)
        blocks.append(Block("list_item", join_wrapped(lines), level=level, ordered=marker.ordered))


def _starts_new_block(previous: str, line: str, marker: ListMarker | None) -> bool:
    ends_sentence = previous.rstrip()[-1:] in SENTENCE_ENDS
    if marker is not None:
        # A wrapped list item continues on an indented line or mid-sentence.
        return ends_sentence and indent_width(line) <= marker.indent
    # Chinese text often has one paragraph per line, marked only by a leading indent.
    return ends_sentence and indent_width(line) >= 2


def _paragraph_text(lines: list[str]) -> str:
    # Re-flow only text that was wrapped to a width; short lines (addresses, letter
    # sign-offs) keep their line breaks.
    widths = [display_width(line.strip()) for line in lines]
    wrapped = len(lines) > 1 and max(widths) >= 50 and min(widths[:-1]) >= 0.6 * max(widths)
    if wrapped:
        return join_wrapped(lines)
    return "\n".join(line.strip() for line in lines)


def _guess_title(blocks: list[Block]) -> str | None:
    for block in blocks:
        if block.kind == "heading":
            return block.text
    # Otherwise a short first line that is not a sentence reads as the title.
    first = blocks[0] if blocks else None
    if first is None or first.kind != "paragraph" or "\n" in first.text:
        return None
    short = len(first.text) <= 80
    return first.text if short and first.text[-1:] not in _NOT_TITLE_ENDS else None


_NOT_TITLE_ENDS = SENTENCE_ENDS | set(",，、")


def render_text(doc: Document) -> str:
    """A Document as plain text: underlined headings, indented list items, tab-separated tables."""
    parts: list[str] = []
    counters: dict[int, int] = {}
    previous: Block | None = None
    for block in doc.blocks:
        if block.kind == "list_item":
            in_list = previous is not None and previous.kind == "list_item"
            counters = next_list_numbers(counters if in_list else {}, block.level, block.ordered)
            marker = f"{counters[block.level]}." if block.ordered else "-"
            line = f"{'  ' * block.level}{marker} {block.text.replace(chr(10), ' ')}"
            if in_list:
                parts[-1] += "\n" + line
            else:
                parts.append(line)
        elif block.kind == "heading":
            text = " ".join(block.text.split())
            underline = "=" if block.level <= 1 else "-"
            parts.append(f"{text}\n{underline * max(3, display_width(text))}")
        elif block.kind == "table":
            parts.append("\n".join("\t".join(_cell(c) for c in row) for row in block.rows))
        elif block.text.strip():
            parts.append(block.text.strip())
        previous = block
    return "\n\n".join(parts) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split())
