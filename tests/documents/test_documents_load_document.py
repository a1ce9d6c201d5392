"""load_document: file types, content sniffing, size limits and paths."""

from __future__ import annotations

import io

import docx
import pytest

import govpilot.documents as documents
from govpilot.documents import load_bytes, load_document
from govpilot.errors import (
    CorruptDocument,
    EmptyDocument,
    InputError,
    InputTooLarge,
    UnsupportedFileType,
)


def test_public_api_is_exported():
    assert sorted(documents.__all__) == sorted(
        [
            "Block",
            "Document",
            "SUPPORTED_INPUT_SUFFIXES",
            "check_output_path",
            "SUPPORTED_OUTPUT_SUFFIXES",
            "load_bytes",
            "load_document",
            "render_document",
            "write_document",
        ]
    )
    for name in documents.__all__:
        assert getattr(documents, name) is not None


@pytest.mark.parametrize(
    ("filename", "hint_part"),
    [
        ("setup.exe", ".txt, .md, .html, .docx, .pdf"),
        ("budget.xlsx", "Spreadsheets are not supported yet"),
        ("minutes.doc", "save it as .docx"),
        ("photo.png", ".txt, .md, .html, .docx, .pdf"),
    ],
)
def test_unsupported_extensions(filename, hint_part):
    with pytest.raises(UnsupportedFileType) as caught:
        load_bytes(b"anything", filename)
    assert hint_part in (caught.value.hint or "")
    assert "\n" not in str(caught.value)


def test_type_is_sniffed_when_there_is_no_extension():
    word = docx.Document()
    word.add_paragraph("From Word")
    buffer = io.BytesIO()
    word.save(buffer)
    assert load_bytes(buffer.getvalue(), "blob").source_format == "docx"
    assert load_bytes(b"<!DOCTYPE html><p>Web</p>", "blob").source_format == "html"
    assert load_bytes("純文字".encode(), "blob").source_format == "txt"
    with pytest.raises(UnsupportedFileType):
        load_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "blob")


@pytest.mark.parametrize(
    ("data", "filename", "says"),
    [
        (b"%PDF-1.7\n...", "notes.txt", "is a PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "notes.md", "is an image"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "page.html", "is a program"),
    ],
)
def test_text_extensions_with_other_content(data, filename, says):
    with pytest.raises(CorruptDocument, match=says):
        load_bytes(data, filename)


def test_html_content_in_txt_is_read_as_text():
    doc = load_bytes(b"<p>kept as typed</p>", "snippet.txt")
    assert doc.text == "<p>kept as typed</p>"


def test_size_limit_gives_megabytes():
    data = b"x" * (3 * 1024 * 1024)
    with pytest.raises(InputTooLarge, match=r"3 MB, over the 2 MB limit"):
        load_document(data, filename="big.txt", max_bytes=2 * 1024 * 1024)


def test_size_limit_checked_before_reading_a_path(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"y" * 2048)
    with pytest.raises(InputTooLarge):
        load_document(path, max_bytes=1024)
    assert load_document(path, max_bytes=4096).text == "y" * 2048


def test_load_from_path_sets_source(tmp_path):
    path = tmp_path / "memo.md"
    path.write_text("# Memo\n\nBody.\n", encoding="utf-8")
    doc = load_document(path)
    assert doc.source == str(path)
    assert doc.title == "Memo"
    assert load_document(str(path), filename="renamed.md").source == "renamed.md"


def test_filename_overrides_the_stored_name(tmp_path):
    path = tmp_path / "0f3a9c"  # how a blob store keeps uploads
    path.write_bytes(b"Stored upload.")
    assert load_document(path, filename="letter.txt").source_format == "txt"


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_document(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="folder"):
        load_document(tmp_path)


def test_bytes_source_is_the_filename():
    assert load_bytes(b"Hello.", "hello.txt").source == "hello.txt"


def test_empty_docx_bytes():
    with pytest.raises(EmptyDocument):
        load_bytes(b"", "empty.docx")
