"""Zip bombs for tests, built in a fraction of a second: real Office packages whose main part
is a few hundred megabytes of spaces, deflated once and repeated.

    bomb = docx_bomb(800 * MB)                 # ~1.6 MB that unpacks to 800 MB
    liar = docx_bomb(800 * MB, declare=4096)   # the same, its headers claiming 4 kB
    sheet = xlsx_bomb(800 * MB)                # an Excel workbook, the same way

After a full flush a deflate stream starts afresh, so one compressed block of spaces,
repeated, is a valid stream of many blocks: nothing of the 800 MB is ever in memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import docx

MB = 1024 * 1024
_BLOCK = MB
_DOC_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document'
    b' xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    b"<w:p><w:r><w:t>Notice</w:t></w:r></w:p>"
)
_DOC_END = b"</w:body></w:document>"
_SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet'
    b' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = b"</sheetData></worksheet>"


def deflated(start: bytes, filler_size: int, end: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of `start` + `filler_size` spaces + `end`."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = b" " * _BLOCK
    head = packer.compress(start) + packer.flush(zlib.Z_FULL_FLUSH)
    piece = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    blocks = filler_size // _BLOCK
    tail = packer.compress(end) + packer.flush()
    crc = zlib.crc32(start)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(end, crc)
    return head + piece * blocks + tail, crc, len(start) + blocks * _BLOCK + len(end)


def write_zip(parts: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip of (name, stored bytes, method, CRC-32, declared size) entries, written by hand
    so that the declared sizes can be anything."""
    out = io.BytesIO()
    central = []
    for name, stored, method, crc, declared in parts:
        offset = out.tell()
        encoded = name.encode()
        common = (method, 0, 0, crc, len(stored), declared, len(encoded), 0)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, *common) + encoded + stored)
        entry = struct.pack("<IHHH", 0x02014B50, 20, 20, 0)
        entry += struct.pack("<HHHIIIHH", *common) + struct.pack("<HHHII", 0, 0, 0, 0, offset)
        central.append(entry + encoded)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    count = len(central)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def docx_bomb(unpacked: int, *, declare: int | None = None) -> bytes:
    """A .docx whose word/document.xml unpacks to about `unpacked` bytes.

    `declare` makes the zip headers claim that size for it instead (a lying package).
    """
    template = io.BytesIO()
    docx.Document().save(template)
    return _bomb(template.getvalue(), "word/document.xml", _DOC_START, _DOC_END, unpacked, declare)


def xlsx_bomb(unpacked: int, *, declare: int | None = None) -> bytes:
    """An .xlsx whose first sheet unpacks to about `unpacked` bytes."""
    import openpyxl

    template = io.BytesIO()
    openpyxl.Workbook().save(template)
    return _bomb(
        template.getvalue(), "xl/worksheets/sheet1.xml", _SHEET_START, _SHEET_END, unpacked, declare
    )


def _bomb(
    template: bytes, part: str, start: bytes, end: bytes, unpacked: int, declare: int | None
) -> bytes:
    parts = []
    with zipfile.ZipFile(io.BytesIO(template)) as package:
        for info in package.infolist():
            if info.filename != part:
                data = package.read(info)
                packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
                packed = packer.compress(data) + packer.flush()
                crc = zlib.crc32(data)
                parts.append((info.filename, packed, zipfile.ZIP_DEFLATED, crc, len(data)))
    body, crc, size = deflated(start, unpacked, end)
    declared = size if declare is None else declare
    parts.append((part, body, zipfile.ZIP_DEFLATED, crc, declared))
    return write_zip(parts)
