"""Markdown and text writers, round trips, and atomic writing to disk."""

from __future__ import annotations

import os

import pytest

from govpilot.documents import (
    SUPPORTED_OUTPUT_SUFFIXES,
    Block,
    Document,
    load_bytes,
    load_document,
    render_document,
    write_document,
)
from govpilot.documents.formats import markdown as markdown_format
from govpilot.errors import InputError, UnsupportedFileType

SAMPLE = Document(
    [
        Block("heading", "Policy Address", level=1),
        Block("paragraph", "Text with *stars*, _underscores_, [brackets] and <tags> & more."),
        Block("paragraph", "# not a heading\n- not a list\n1. not numbered"),
        Block("heading", "Measures", level=2),
        Block("list_item", "Housing"),
        Block("list_item", "Public rental", level=1),
        Block("list_item", "Phase one", level=2, ordered=True),
        Block("list_item", "Phase two", level=2, ordered=True),
        Block("list_item", "Transport"),
        Block("list_item", "First", ordered=True),
        Block("list_item", "Second", ordered=True),
        Block("table", rows=(("District", "Units"), ("Kwun | Tong", "1,200"), ("沙田", ""))),
        Block("heading", "中文標題", level=3),
        Block("paragraph", "香港特別行政區政府。"),
    ],
    title="Policy Address",
)


def structure(doc: Document) -> list[tuple]:
    return [(b.kind, b.level, b.ordered, b.text, b.rows) for b in doc.blocks]


def test_markdown_round_trip_keeps_structure_and_text():
    markdown = render_document(SAMPLE, "md").decode()
    assert "# Policy Address" in markdown
    assert "        1. Phase one" in markdown
    assert r"| Kwun \| Tong | 1,200 |" in markdown
    assert structure(load_bytes(markdown.encode(), "out.md")) == structure(SAMPLE)


def test_markdown_numbers_each_list_from_one():
    doc = Document(
        [
            Block("list_item", "a", ordered=True),
            Block("list_item", "b", ordered=True),
            Block("paragraph", "break"),
            Block("list_item", "c", ordered=True),
        ]
    )
    assert markdown_format.render_markdown(doc) == "1. a\n2. b\n\nbreak\n\n1. c\n"


def test_text_writer_round_trip():
    # Plain text has no escapes, so leave out the paragraph that looks like markup.
    doc = Document([b for b in SAMPLE.blocks if not b.text.startswith("# not")], SAMPLE.title)
    text = render_document(doc, "txt").decode()
    assert "Policy Address\n==============" in text
    assert "District\tUnits" in text
    reloaded = load_bytes(text.encode(), "out.txt")
    # Underlines give two heading levels: '=' for level 1, '-' for the rest.
    expected = [
        (kind, min(level, 2) if kind == "heading" else level, ordered, text, rows)
        for kind, level, ordered, text, rows in structure(doc)
    ]
    assert structure(reloaded) == expected
    assert reloaded.title == "Policy Address"


@pytest.mark.parametrize("suffix", SUPPORTED_OUTPUT_SUFFIXES)
def test_write_document_by_extension(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    write_document(SAMPLE, path)
    reloaded = load_document(path)
    assert reloaded.source_format == suffix.lstrip(".")
    assert [b.kind for b in reloaded.blocks if b.kind == "table"] == ["table"]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left


def test_explicit_format_overrides_extension(tmp_path):
    path = tmp_path / "download.bin"
    write_document(SAMPLE, path, fmt="markdown")
    assert path.read_text(encoding="utf-8").startswith("# Policy Address")


@pytest.mark.parametrize("target", ["out.pdf", "out.html", "noextension"])
def test_unsupported_output_lists_supported(tmp_path, target):
    with pytest.raises(UnsupportedFileType) as caught:
        write_document(SAMPLE, tmp_path / target)
    assert ".docx, .md, .txt" in (caught.value.hint or "")
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "report.md"
    path.write_text("old content", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_document(SAMPLE, path)
    assert path.read_text(encoding="utf-8") == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_write_into_missing_folder(tmp_path):
    with pytest.raises(InputError, match="Folder not found"):
        write_document(SAMPLE, tmp_path / "missing" / "out.md")


def test_written_file_gets_normal_permissions(tmp_path):
    path = tmp_path / "out.txt"
    write_document(SAMPLE, path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_render_document_accepts_dotted_and_named_formats():
    assert render_document(SAMPLE, ".txt") == render_document(SAMPLE, "text")
    assert render_document(SAMPLE, "DOCX")[:2] == b"PK"


def test_check_output_path_fails_before_any_work(tmp_path):
    import pytest

    from govpilot.documents import check_output_path
    from govpilot.errors import InputError, UnsupportedFileType

    check_output_path(tmp_path / "out.docx")
    with pytest.raises(UnsupportedFileType):
        check_output_path(tmp_path / "out.pdf")
    with pytest.raises(InputError, match="does not exist"):
        check_output_path(tmp_path / "missing" / "out.md")
