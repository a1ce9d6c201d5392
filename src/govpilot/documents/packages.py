"""Zip packages (.docx, .xlsx, .pptx) measured before any parser unpacks them.

A few hundred kilobytes of zip can unpack to gigabytes (a "zip bomb"), and python-docx or
openpyxl read whole parts into memory before they look at them. `check_package` refuses
such a file in two steps, both before parsing:

1. the sizes the package declares for its parts, added up: no decompression at all;
2. the bytes its parts really inflate to, counted as they come and stopped at the limit,
   because the declared sizes are written by whoever made the file and can lie.

Either way the caller gets InputTooLarge saying the file is "too large when unpacked",
not a parser error reported as damage. Step 2 inflates at most `limit` bytes, so refusing
any package takes a fraction of a second.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from govpilot.errors import InputTooLarge

__all__ = ["DEFAULT_MAX_UNPACKED_BYTES", "MAX_PACKAGE_PARTS", "check_package"]

#: The unpacked limit when the caller names none (Settings.max_unpacked_mb by default).
DEFAULT_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: More parts than any real Office file has; a zip of millions of tiny ones is refused too.
MAX_PACKAGE_PARTS = 10_000

_CHUNK = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIGNATURE = 0x04034B50
_HINT = (
    "A file this large when unpacked is often a 'zip bomb'. If it is a real document,"
    " save a smaller copy (compress its pictures, or split it into parts) and upload that,"
    " or ask an administrator to raise max_unpacked_mb."
)


def check_package(data: bytes, name: str, max_unpacked_bytes: int | None = None) -> None:
    """Refuse a zip package whose parts unpack to more than `max_unpacked_bytes`.

    Not a zip at all, or one too damaged to list, passes: the format's loader says so in
    its own words.
    """
    limit = DEFAULT_MAX_UNPACKED_BYTES if max_unpacked_bytes is None else max_unpacked_bytes
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    if len(parts) > MAX_PACKAGE_PARTS:
        raise InputTooLarge(
            f"'{name}' is too large when unpacked: it has {len(parts):,} parts,"
            f" over the limit of {MAX_PACKAGE_PARTS:,}.",
            hint=_HINT,
        )
    declared = sum(part.file_size for part in parts)
    if declared > limit:
        raise _too_large(name, f"{_mb(declared)} MB", limit)
    inflated = 0
    for part in parts:
        inflated += _inflated_size(archive, data, part, limit - inflated)
        if inflated > limit:
            raise _too_large(name, "more than", limit)


def _inflated_size(
    archive: zipfile.ZipFile, data: bytes, part: zipfile.ZipInfo, budget: int
) -> int:
    """How many bytes `part` really inflates to, counting no further than `budget` + 1."""
    if part.flag_bits & 0x1:  # encrypted: the loader refuses it as such
        return 0
    if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return _read_size(archive, part, budget)
    raw = _raw_member(data, part)
    if part.compress_type == zipfile.ZIP_STORED:
        return len(raw)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    pending: bytes | memoryview = raw
    try:
        while pending and total <= budget:
            total += len(inflater.decompress(pending, _CHUNK))
            pending = inflater.unconsumed_tail
        if total <= budget:
            total += len(inflater.flush())
    except zlib.error:
        return total  # damaged data: the loader reports it
    return total


def _raw_member(data: bytes, part: zipfile.ZipInfo) -> memoryview:
    """The compressed bytes of `part`, found through its local header."""
    start = part.header_offset
    header = data[start : start + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        return memoryview(b"")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_SIGNATURE:
        return memoryview(b"")
    begin = start + _LOCAL_HEADER.size + fields[9] + fields[10]
    return memoryview(data)[begin : begin + part.compress_size]


def _read_size(archive: zipfile.ZipFile, part: zipfile.ZipInfo, budget: int) -> int:
    """Bytes read from a part of another compression (bzip2, lzma), up to `budget` + 1."""
    total = 0
    try:
        with archive.open(part) as stream:
            while total <= budget:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
        return total
    return total


def _too_large(name: str, measured: str, limit: int) -> InputTooLarge:
    # "801 MB, over the 200 MB limit" or "more than the 200 MB limit"
    over = f"{measured} the" if measured == "more than" else f"{measured}, over the"
    return InputTooLarge(
        f"'{name}' is too large when unpacked: {over} {_mb(limit)} MB limit.", hint=_HINT
    )


def _mb(size: int) -> str:
    """Megabytes for a message: 801, 2.5, 0.01."""
    value = size / (1024 * 1024)
    text = f"{value:,.0f}" if value >= 10 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"
    return text.removesuffix(".0")
