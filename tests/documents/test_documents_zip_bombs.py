"""Zip bombs and oversized packages: refused within a second, before parsing, as "too large
when unpacked" (InputTooLarge, 413), never reported as a damaged file."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest

from govpilot.config import Settings
from govpilot.documents import load_bytes, load_document
from govpilot.documents.packages import (
    DEFAULT_MAX_UNPACKED_BYTES,
    MAX_PACKAGE_PARTS,
    check_package,
)
from govpilot.errors import InputTooLarge
from govpilot.knowledge.sources import parse_source
from support.zip_bombs import MB, docx_bomb, xlsx_bomb

TOO_LARGE = "too large when unpacked"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """The issue's file: well under a megabyte or two that unpacks to 800 MB."""
    return docx_bomb(800 * MB)


def test_an_800_mb_docx_bomb_is_refused_within_a_second(bomb: bytes) -> None:
    assert len(bomb) < 2 * MB
    start = time.perf_counter()
    with pytest.raises(InputTooLarge) as refused:
        load_bytes(bomb, "notice.docx")
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    # 800 MB of text plus the package's other parts (styles, theme, ...)
    assert re.fullmatch(
        r"'notice\.docx' is too large when unpacked: 80[01] MB, over the 200 MB limit\.",
        refused.value.message,
    )
    assert refused.value.hint and "max_unpacked_mb" in refused.value.hint
    assert refused.value.status_code == 413


def test_headers_that_understate_the_size_are_caught_while_inflating() -> None:
    """The zip claims 4 kB; the bytes it really inflates to are counted and cut off."""
    liar = docx_bomb(800 * MB, declare=4096)
    declared = {i.filename: i.file_size for i in zipfile.ZipFile(io.BytesIO(liar)).infolist()}
    assert declared["word/document.xml"] == 4096
    start = time.perf_counter()
    with pytest.raises(InputTooLarge, match=TOO_LARGE) as refused:
        load_bytes(liar, "notice.docx", max_unpacked_bytes=50 * MB)
    assert time.perf_counter() - start < 1.0
    assert "more than the 50 MB limit" in refused.value.message


def test_a_document_under_the_limit_is_read_as_usual() -> None:
    document = load_bytes(docx_bomb(2 * MB), "notice.docx")
    assert document.text.strip() == "Notice"


def test_the_limit_is_the_callers() -> None:
    with pytest.raises(InputTooLarge, match=r": 2\.\d MB, over the 1 MB limit"):
        load_bytes(docx_bomb(2 * MB), "notice.docx", max_unpacked_bytes=MB)


def test_the_limit_comes_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVPILOT_MAX_UNPACKED_MB", "1.5")
    settings = Settings()
    assert settings.max_unpacked_bytes == int(1.5 * MB)
    assert Settings.model_fields["max_unpacked_mb"].default * MB == DEFAULT_MAX_UNPACKED_BYTES


def test_a_path_is_measured_too(tmp_path: Path, bomb: bytes) -> None:
    path = tmp_path / "notice.docx"
    path.write_bytes(bomb)
    with pytest.raises(InputTooLarge, match=TOO_LARGE):
        load_document(path, max_bytes=20 * MB)


def test_a_package_of_too_many_parts_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for number in range(MAX_PACKAGE_PARTS + 1):
            package.writestr(f"p/{number}", b"")
    with pytest.raises(InputTooLarge, match=f"{MAX_PACKAGE_PARTS + 1:,} parts"):
        check_package(buffer.getvalue(), "many.docx")


def test_not_a_zip_is_left_to_the_loader() -> None:
    check_package(b"not a zip", "x.docx")  # the Word loader says it is damaged


def test_an_xlsx_bomb_is_refused_before_openpyxl_reads_it() -> None:
    sheet = xlsx_bomb(800 * MB)
    start = time.perf_counter()
    with pytest.raises(InputTooLarge, match=TOO_LARGE):
        parse_source(sheet, "faq.xlsx", ocr=None)
    assert time.perf_counter() - start < 1.0


def test_a_knowledge_docx_bomb_is_refused_with_the_knowledge_limit(bomb: bytes) -> None:
    with pytest.raises(InputTooLarge, match="over the 100 MB limit"):
        parse_source(bomb, "notice.docx", ocr=None, max_unpacked_bytes=100 * MB)
