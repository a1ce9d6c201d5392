"""Plain text, Markdown and HTML loading."""

from __future__ import annotations

import pytest

from govpilot.documents import load_bytes
from govpilot.errors import CorruptDocument, EmptyDocument


def kinds(doc):
    return [(b.kind, b.level, b.ordered) for b in doc.blocks]


# --- plain text -------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32"])
def test_txt_encodings(encoding):
    text = "Notice to residents\n\n香港特別行政區政府公告。\n"
    doc = load_bytes(text.encode(encoding), "notice.txt")
    assert doc.source_format == "txt"
    assert [b.text for b in doc.blocks] == ["Notice to residents", "香港特別行政區政府公告。"]


@pytest.mark.parametrize("encoding", ["big5", "big5hkscs", "cp950"])
def test_txt_big5_is_detected(encoding):
    text = "數字政策辦公室\n\n本署會於下星期發表施政報告的詳細內容，歡迎市民查閱。\n"
    doc = load_bytes(text.encode(encoding), "big5.txt")
    assert doc.text == text.strip()
    assert doc.title == "數字政策辦公室"


def test_txt_gb18030_is_detected():
    text = "数字政策办公室将于下星期发表施政报告的详细内容，欢迎市民查阅。"
    doc = load_bytes(text.encode("gb18030"), "gb.txt")
    assert doc.text == text


def test_txt_hkscs_character():
    text = "深水埗的居民會議記錄。"  # 埗 is an HKSCS character
    assert load_bytes(text.encode("big5hkscs"), "hk.txt").text == text


def test_txt_paragraphs_and_list_items():
    text = (
        "Paragraph one is here.\n\n"
        "- bullet one\n* bullet two\n  - nested bullet\n"
        "1. first\n2. second\n(a) alpha\n(b) beta\n"
        "一、第一點\n二、第二點\n"
    )
    doc = load_bytes(text.encode(), "list.txt")
    assert kinds(doc) == [
        ("paragraph", 0, False),
        ("list_item", 0, False),
        ("list_item", 0, False),
        ("list_item", 1, False),
        *[("list_item", 0, True)] * 6,
    ]
    assert [b.text for b in doc.blocks[1:4]] == ["bullet one", "bullet two", "nested bullet"]
    assert [b.text for b in doc.blocks[-2:]] == ["第一點", "第二點"]


def test_txt_hard_wrapped_paragraph_is_joined_but_address_keeps_lines():
    wrapped = (
        "The Government will consult the public on the proposals set out in this\n"
        "paper before the end of the year and report back to the Legislative Council.\n"
    )
    address = "Room 101\n2 Tim Mei Avenue\nTamar"
    doc = load_bytes((wrapped + "\n" + address).encode(), "letter.txt")
    assert doc.blocks[0].text.startswith("The Government will consult")
    assert "\n" not in doc.blocks[0].text and "this paper" in doc.blocks[0].text
    assert doc.blocks[1].text == address


def test_txt_years_and_sentences_are_not_list_items():
    doc = load_bytes(b"2024. was a busy year.\n\nThe end.", "years.txt")
    assert [b.kind for b in doc.blocks] == ["paragraph", "paragraph"]


@pytest.mark.parametrize("content", [b"", b"   \n\n\t ", "\ufeff".encode()])
def test_empty_txt(content):
    with pytest.raises(EmptyDocument):
        load_bytes(content, "empty.txt")


def test_binary_named_txt_is_corrupt():
    with pytest.raises(CorruptDocument, match="binary"):
        load_bytes(bytes(range(256)) * 4, "data.txt")


# --- markdown ---------------------------------------------------------------------------

MARKDOWN = """\
# Policy Address 2024

Opening paragraph with *emphasis*, `code` and a [link](https://www.gov.hk)
over two lines.

## Measures

- Housing
  - Public rental
    1. Phase one
- Transport

1. First step
2. Second step

| District | Units |
|----------|------:|
| Kwun Tong | 1,200 |
| Sha Tin | 900 \\| approx |

### 中文小節

香港特別行政區
政府。
"""


def test_markdown_structure():
    doc = load_bytes(MARKDOWN.encode(), "policy.md")
    assert doc.source_format == "md"
    assert doc.title == "Policy Address 2024"
    assert kinds(doc) == [
        ("heading", 1, False),
        ("paragraph", 0, False),
        ("heading", 2, False),
        ("list_item", 0, False),
        ("list_item", 1, False),
        ("list_item", 2, True),
        ("list_item", 0, False),
        ("list_item", 0, True),
        ("list_item", 0, True),
        ("table", 0, False),
        ("heading", 3, False),
        ("paragraph", 0, False),
    ]
    assert doc.blocks[1].text == "Opening paragraph with emphasis, code and a link over two lines."
    assert doc.blocks[9].rows == (
        ("District", "Units"),
        ("Kwun Tong", "1,200"),
        ("Sha Tin", "900 | approx"),
    )
    assert doc.blocks[-1].text == "香港特別行政區政府。"  # no space where the line broke


def test_markdown_front_matter_title():
    doc = load_bytes(b"---\ntitle: 'Board paper'\nauthor: x\n---\n\nBody text.\n", "p.md")
    assert doc.title == "Board paper"
    assert [b.text for b in doc.blocks] == ["Body text."]


# --- html -------------------------------------------------------------------------------

HTML = """\
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>LCQ5: Public housing</title>
<style>p { color: red }</style><script>var tracking = 1;</script></head>
<body>
<nav><ul><li>Home</li><li>Press releases</li></ul></nav>
<h1>LCQ5:   Public housing</h1>
<p>Following is a question by the Hon Member
and a written reply.</p>
<div>Loose text in a div<br>with a line break</div>
<ul>
  <li>Item one
    <ol><li>Sub one</li><li>Sub two</li></ol>
  </li>
  <li><p>Item two</p></li>
</ul>
<h2>Table</h2>
<table>
  <thead><tr><th>Year</th><th>Flats</th></tr></thead>
  <tbody>
    <tr><td rowspan="2">2023</td><td>100</td></tr>
    <tr><td>200</td></tr>
    <tr><td colspan="2">Total 300</td></tr>
  </tbody>
</table>
<p>公屋輪候
時間</p>
<footer>Copyright 2024 GovHK</footer>
</body></html>
"""


def test_html_structure():
    doc = load_bytes(HTML.encode(), "lcq5.html")
    assert doc.source_format == "html"
    assert doc.title == "LCQ5: Public housing"
    assert kinds(doc) == [
        ("heading", 1, False),
        ("paragraph", 0, False),
        ("paragraph", 0, False),
        ("list_item", 0, False),
        ("list_item", 1, True),
        ("list_item", 1, True),
        ("list_item", 0, False),
        ("heading", 2, False),
        ("table", 0, False),
        ("paragraph", 0, False),
    ]
    assert doc.blocks[1].text == "Following is a question by the Hon Member and a written reply."
    assert doc.blocks[2].text == "Loose text in a div\nwith a line break"
    assert doc.blocks[8].rows == (
        ("Year", "Flats"),
        ("2023", "100"),
        ("", "200"),
        ("Total 300", ""),
    )
    assert doc.blocks[-1].text == "公屋輪候時間"
    assert "tracking" not in doc.text and "Press releases" not in doc.text
    assert "Copyright" not in doc.text


def test_html_title_falls_back_to_h1_and_big5_without_charset():
    page = "<html><body><h1>施政報告</h1><p>政府今日公布施政報告的內容。</p></body></html>"
    doc = load_bytes(page.encode("big5"), "page.htm")
    assert doc.title == "施政報告"
    assert doc.blocks[1].text == "政府今日公布施政報告的內容。"


def test_html_declared_charset_is_honoured():
    page = '<html><head><meta charset="big5"></head><body><p>香港政府</p></body></html>'
    assert load_bytes(page.encode("big5"), "page.html").text == "香港政府"


def test_html_with_only_furniture_is_empty():
    with pytest.raises(EmptyDocument):
        load_bytes(b"<html><body><nav>Menu</nav><script>x()</script></body></html>", "e.html")


def test_txt_windows_1252_english():
    text = "\u201cCaf\u00e9 licences\u201d \u2013 applications open on Monday."
    assert load_bytes(text.encode("cp1252"), "notice.txt").text == text
