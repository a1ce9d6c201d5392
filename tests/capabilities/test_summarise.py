from __future__ import annotations

import pytest

from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.fake import ScriptedModel
from govpilot.capabilities.summarise import (
    number_paragraphs,
    parse_points,
    summarise_documents,
    trace_by_overlap,
)
from govpilot.documents.model import Block, Document
from govpilot.errors import EmptyDocument, InputError
from govpilot.gateway import ModelGateway

DOC_A = Document(
    [
        Block("heading", "Housing", level=1),
        Block("paragraph", "The Housing Department will build 30,000 flats by 2030.", page=1),
        Block("paragraph", "Waiting times for public rental housing fell to 5.3 years.", page=2),
    ],
    source="housing.docx",
)
DOC_B = Document(
    [Block("paragraph", "Transport fares will rise by 2 per cent in July.")], source="transport.pdf"
)


def test_paragraphs_are_numbered_across_documents_with_their_places() -> None:
    sources = number_paragraphs([DOC_A, DOC_B])
    assert [s.number for s in sources] == [1, 2, 3]
    assert sources[1].page == 2 and sources[1].heading == "Housing"
    assert sources[2].citation() == "[3] transport.pdf"


def test_points_keep_valid_references_and_drop_invented_ones(
    gateway: ModelGateway, fake_model: ScriptedModel, ctx: CallContext
) -> None:
    fake_model.enqueue(
        "- 30,000 flats will be built by 2030. [1]\n- Fares rise 2% in July. [3][9]\n"
    )
    summary = summarise_documents(gateway, ctx, [DOC_A, DOC_B], lang="en", words=50)
    assert [p.refs for p in summary.points] == [[1], [3]]
    assert "[1] 30,000" not in fake_model.calls[0].prompt  # numbered as "[1] The Housing..."
    assert "[1] The Housing Department" in fake_model.calls[0].prompt
    doc = summary.as_document()
    assert doc.blocks[1].text.endswith("[1]")
    assert any("housing.docx" in b.text and "p. 1" in b.text for b in doc.blocks)


def test_points_without_references_are_traced_by_overlap(
    gateway: ModelGateway, fake_model: ScriptedModel, ctx: CallContext
) -> None:
    fake_model.enqueue("- Waiting times for public rental housing fell.")
    summary = summarise_documents(gateway, ctx, [DOC_A], lang="en", words=50)
    assert summary.points[0].refs == [2] and summary.points[0].traced


def test_chinese_summary_is_in_hong_kong_script(
    gateway: ModelGateway, fake_model: ScriptedModel, ctx: CallContext
) -> None:
    fake_model.enqueue("- 房屋署会在2030年前兴建三万个单位。[1]")
    summary = summarise_documents(gateway, ctx, [DOC_A], lang="zh-Hant", words=50)
    assert summary.points[0].text == "房屋署會在2030年前興建三萬個單位。"
    assert "繁體中文" in fake_model.calls[0].messages[0].content


def test_long_input_is_summarised_in_stages(ctx: CallContext) -> None:
    model = ScriptedModel(context_tokens=1024)

    def respond(messages):
        numbers = [n for n in range(1, 400) if f"[{n}]" in messages[-1].content]
        return f"- Point covering {len(numbers)} paragraphs. [{numbers[0]}][{numbers[-1]}]"

    model.respond_with(respond)
    doc = Document([Block("paragraph", f"Paragraph {i} " + "words " * 60) for i in range(60)])
    summary = summarise_documents(
        ModelGateway([model], MemoryAuditSink()), ctx, [doc], lang="en", words=100
    )
    assert summary.stages >= 2 and len(model.calls) > 2
    assert all(1 <= n <= 60 for p in summary.points for n in p.refs)


def test_length_target_drops_whole_points(
    gateway: ModelGateway, fake_model: ScriptedModel, ctx: CallContext
) -> None:
    fake_model.enqueue("\n".join(f"- {'word ' * 15}[1]" for _ in range(10)))
    summary = summarise_documents(gateway, ctx, [DOC_A], lang="en", words=40)
    assert len(summary.points) == 3


def test_parse_points_handles_ranges_and_chinese_commas() -> None:
    points = parse_points("1. 要點一 [1、2]\n- Point two [3-5]\n# heading", {1, 2, 3, 4, 5})
    assert [p.refs for p in points] == [[1, 2], [3, 4, 5]]
    assert points[0].text == "要點一"


def test_trace_by_overlap_works_for_chinese() -> None:
    sources = number_paragraphs(
        [
            Document(
                [Block("paragraph", "今日天氣晴朗。"), Block("paragraph", "房屋署公布輪候時間。")]
            )
        ]
    )
    assert trace_by_overlap("房屋署的輪候時間", sources) == [2]


def test_bad_requests(gateway: ModelGateway, ctx: CallContext) -> None:
    with pytest.raises(EmptyDocument):
        summarise_documents(gateway, ctx, [Document()], lang="en")
    with pytest.raises(InputError, match="too short"):
        summarise_documents(gateway, ctx, [DOC_A], words=5)
    with pytest.raises(InputError, match="cannot summarise in 'fr'"):
        summarise_documents(gateway, ctx, [DOC_A], lang="fr")
