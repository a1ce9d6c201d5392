"""Chunking follows structure: sections, paragraphs, lists, tables, FAQ entries, pages."""

from __future__ import annotations

from govpilot.documents import Block, Document, load_bytes
from govpilot.knowledge.chunking import chunk_document, chunk_faq, chunk_id, make_chunks
from govpilot.knowledge.faq import FaqEntry

LONG_SENTENCE = "Applicants must live in Hong Kong and meet the income limit for their household. "


def test_sections_follow_headings_and_skip_the_title() -> None:
    doc = Document(
        [
            Block("heading", "Public Housing Guide", level=1),
            Block("paragraph", "Intro text."),
            Block("heading", "Eligibility", level=2),
            Block("heading", "Income limits", level=3),
            Block("paragraph", "A family of four may earn up to $40,000 a month."),
            Block("heading", "How to apply", level=2),
            Block("paragraph", "Apply online."),
        ],
        title="Public Housing Guide",
    )
    drafts = chunk_document(doc)
    assert [d.section for d in drafts] == ["", "Eligibility > Income limits", "How to apply"]
    # A section's first chunk starts with its heading, so the text reads on its own.
    assert drafts[1].text.startswith("Income limits\nA family of four")
    assert drafts[2].text == "How to apply\nApply online."


def test_paragraphs_are_packed_up_to_the_size_and_never_across_sections() -> None:
    paragraphs = [Block("paragraph", f"Paragraph {i}. " + LONG_SENTENCE) for i in range(12)]
    doc = Document([Block("heading", "A", level=1), *paragraphs, Block("heading", "B", level=1)])
    doc.blocks.append(Block("paragraph", "Last."))
    drafts = chunk_document(doc, max_chars=400)
    a_chunks = [d for d in drafts if d.section == "A"]
    assert len(a_chunks) >= 3
    assert all(len(d.text) <= 400 for d in a_chunks)
    # Paragraphs are kept whole and in order.
    joined = "\n\n".join(d.text for d in a_chunks)
    for i in range(12):
        assert f"Paragraph {i}. " in joined
    assert drafts[-1].section == "B" and drafts[-1].text == "B\nLast."


def test_a_long_paragraph_is_cut_between_sentences() -> None:
    text = "".join(f"Sentence number {i} is about public housing. " for i in range(40))
    drafts = chunk_document(Document([Block("paragraph", text)]), max_chars=300)
    assert len(drafts) > 1
    for draft in drafts:
        assert len(draft.text) <= 300
        assert draft.text.endswith(".")
        assert draft.text.startswith("Sentence number")


def test_chinese_paragraph_is_cut_at_full_stops() -> None:
    text = "申請人必須在香港居住滿七年。" * 60
    drafts = chunk_document(Document([Block("paragraph", text)]), max_chars=200)
    assert len(drafts) > 1
    assert all(d.text.endswith("。") and len(d.text) <= 200 for d in drafts)


def test_tables_are_their_own_chunks_with_headers_on_every_row() -> None:
    rows = (("Household size", "Income limit"), ("1", "$12,940"), ("2", "$19,760"))
    doc = Document(
        [
            Block("heading", "Limits", level=1),
            Block("paragraph", "The limits are below."),
            Block("table", rows=rows, page=4),
            Block("paragraph", "After the table."),
        ]
    )
    drafts = chunk_document(doc)
    kinds = [d.kind for d in drafts]
    assert kinds == ["paragraph", "table", "paragraph"]
    table = drafts[1]
    assert (
        table.text
        == "Household size: 1; Income limit: $12,940\nHousehold size: 2; Income limit: $19,760"
    )
    assert table.page == 4 and table.section == "Limits"
    assert table.metadata["rows"] == "1-2"


def test_a_long_table_is_split_and_each_part_keeps_the_labels() -> None:
    rows = (
        ("District", "Office"),
        *((f"District {i}", f"Office at street {i}") for i in range(60)),
    )
    drafts = chunk_document(Document([Block("table", rows=rows)]), max_chars=300)
    assert len(drafts) > 2
    assert all(d.kind == "table" and len(d.text) <= 300 for d in drafts)
    assert all(line.startswith("District: ") for d in drafts for line in d.text.splitlines())


def test_list_items_are_grouped_with_markers_and_nesting() -> None:
    doc = Document(
        [
            Block("paragraph", "Bring these documents:"),
            Block("list_item", "HKID card", ordered=True),
            Block("list_item", "Proof of address", ordered=True),
            Block("list_item", "issued within 3 months", level=1),
            Block("list_item", "Income proof", ordered=True),
        ]
    )
    (draft,) = chunk_document(doc)
    assert draft.kind == "list"
    assert draft.text == (
        "Bring these documents:\n\n1. HKID card\n2. Proof of address\n"
        "  - issued within 3 months\n3. Income proof"
    )


def test_pages_come_from_blocks() -> None:
    doc = Document(
        [
            Block("paragraph", "On page one.", page=1),
            Block("paragraph", "Continues on page two.", page=2),
            Block("heading", "Next", level=1, page=3),
            Block("paragraph", "Page three.", page=3),
        ]
    )
    drafts = chunk_document(doc)
    assert [d.page for d in drafts] == [1, 3]
    assert drafts[0].metadata == {"page_end": "2"}


def test_faq_entries_are_one_chunk_each() -> None:
    entries = [
        FaqEntry(
            "How do I apply?", "Online at gov.hk.", "https://example.gov.hk/apply", "Apply", row=2
        ),
        FaqEntry("如何續期？", "請親臨辦事處。", None, "", row=3),
    ]
    drafts = chunk_faq(entries)
    assert [d.kind for d in drafts] == ["faq", "faq"]
    assert drafts[0].text == "How do I apply?\nOnline at gov.hk."
    assert drafts[0].section == "Apply > How do I apply?"
    assert drafts[0].url == "https://example.gov.hk/apply"
    assert drafts[1].section == "如何續期？" and drafts[1].metadata["row"] == "3"


def test_chunk_ids_are_stable_and_carry_citation_fields() -> None:
    drafts = chunk_document(
        Document([Block("paragraph", "One."), Block("table", rows=(("a",), ("b",)))])
    )
    first = make_chunks(
        drafts, collection_id="c", department="HD", document_id="d", source="a.md", title="A"
    )
    again = make_chunks(
        drafts, collection_id="c", department="HD", document_id="d", source="a.md", title="A"
    )
    assert [c.id for c in first] == [c.id for c in again]
    assert first[0].id == chunk_id("d", 0, "One.")
    assert len({c.id for c in first}) == 2
    assert (first[1].ordinal, first[1].source, first[1].title) == (1, "a.md", "A")


def test_html_page_through_the_foundation_loader() -> None:
    html = (
        b"<html><head><title>Rates</title></head><body><h1>Rates</h1>"
        b"<h2>Payment</h2><p>Pay by the due date.</p><ul><li>Online</li><li>By post</li></ul>"
        b"<table><tr><th>Quarter</th><th>Due</th></tr><tr><td>Q1</td><td>30 April</td></tr></table>"
        b"</body></html>"
    )
    drafts = chunk_document(load_bytes(html, "rates.html"))
    assert drafts[0].section == "Payment" and drafts[0].kind == "list"
    assert "- Online\n- By post" in drafts[0].text
    assert drafts[1].text == "Quarter: Q1; Due: 30 April"
