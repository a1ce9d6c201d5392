"""Minutes from a transcript with a scripted model: items, decisions and action items that
cite segments, time ranges, tracing and dropping of uncited points, the Word layout."""

from __future__ import annotations

import pytest

from govpilot.access import CallContext
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.speech import SpeechSegment
from govpilot.capabilities.minutes import parse_item, write_minutes
from govpilot.errors import EmptyDocument, InputError
from govpilot.gateway import ModelGateway

SEGMENTS = [
    SpeechSegment(0.0, 4.0, "我哋今日傾吓屯門圖書館延長開放時間", "yue", speaker="主席"),
    SpeechSegment(4.0, 9.5, "我建議由四月開始開到晚上九點", "yue", speaker="陳先生"),
    SpeechSegment(723.0, 790.0, "冇人反對，就咁決定", "yue", speaker="主席"),
    SpeechSegment(790.0, 800.0, "陳先生下個月交報告", "yue", speaker="主席"),
]
REPLY = (
    "標題：屯門圖書館的開放時間\n"
    "- 委員討論延長屯門圖書館的開放時間 [1]\n"
    "- 陳先生建議由四月起開放至晚上九時 [2]\n"
    "- 會議亦提及月球基地的預算 [99]\n"
    "決定：由四月起延長開放時間 [3]\n"
    "跟進：提交報告｜負責：陳先生｜限期：下個月 [4]\n"
)


def test_points_cite_segments_and_carry_their_time_ranges(
    gateway: ModelGateway, fake_model: ScriptedModel, ctx: CallContext
) -> None:
    fake_model.enqueue(REPLY)
    minutes = write_minutes(gateway, ctx, SEGMENTS, lang="zh-Hant")
    [item] = minutes.items
    assert item.title == "屯門圖書館的開放時間"
    kinds = [(p.kind, p.segments) for p in item.points]
    # The decision cites where it was taken [3]; what it decided was said in [1] and [2].
    assert kinds == [
        ("discussion", [1]),
        ("discussion", [2]),
        ("decision", [1, 2, 3]),
        ("action", [4]),
    ]
    assert minutes.dropped == 1  # the point that cited no real segment and matches none
    action = item.points[-1]
    assert (action.text, action.owner, action.due) == ("提交報告", "陳先生", "下個月")
    assert minutes.stamp(item.points[2]) == "[00:00:00-00:13:10]"
    assert minutes.stamp(item.points[3]) == "[00:13:10-00:13:20]"
    assert (
        "逐字稿" in fake_model.calls[-1].prompt
        and "[3] (00:12:03) 主席:" in fake_model.calls[-1].prompt
    )


def test_the_formal_document_has_every_section_and_an_action_table(
    gateway: ModelGateway, fake_model: ScriptedModel, ctx: CallContext
) -> None:
    fake_model.enqueue(REPLY)
    document = write_minutes(gateway, ctx, SEGMENTS, lang="zh-Hant").as_document()
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert headings[:5] == ["會議記錄", "出席者", "因事缺席者", "通過上次會議記錄", "續議事項"]
    assert "議項 1: 屯門圖書館的開放時間" in headings and headings[-1] == "下次會議日期"
    [table] = [b for b in document.blocks if b.kind == "table"]
    assert table.rows[1] == ("提交報告", "陳先生", "下個月", "[00:13:10-00:13:20]")
    assert any("主席, 陳先生" in b.text for b in document.blocks)


def test_english_minutes_trace_an_uncited_point_by_its_words(
    gateway: ModelGateway, fake_model: ScriptedModel, ctx: CallContext
) -> None:
    segments = [
        SpeechSegment(0.0, 5.0, "We should open the Tuen Mun library until nine at night.", "en"),
        SpeechSegment(5.0, 9.0, "The budget for the extra staff is two million dollars.", "en"),
    ]
    fake_model.enqueue(
        "TITLE: Library hours\n- The library could open until nine at night\n"
        "ACTION: Cost the extra staff | OWNER: to be confirmed | DUE: to be confirmed [2]\n"
    )
    minutes = write_minutes(gateway, ctx, segments, template="notes")
    assert minutes.lang == "en"
    first = minutes.items[0].points[0]
    assert first.segments == [1] and first.traced
    document = minutes.as_document()
    assert "Attendance" not in [b.text for b in document.blocks]  # the short form
    assert minutes.as_dict()["items"][0]["points"][1]["start"] == 5.0


def test_empty_transcripts_and_unknown_templates_are_refused(
    gateway: ModelGateway, ctx: CallContext
) -> None:
    with pytest.raises(EmptyDocument, match="nothing to minute"):
        write_minutes(gateway, ctx, [SpeechSegment(0, 1, "  ", "en")])
    with pytest.raises(InputError, match="no minutes template 'sonnet'"):
        write_minutes(gateway, ctx, SEGMENTS, template="sonnet")


def test_parse_item_reads_english_labels_in_any_case() -> None:
    item = parse_item("Title: Budget [1]\n- decision: Approved [1]\n- A point [2]\n", {1, 2})
    assert item.title == "Budget"
    assert [(p.kind, p.text) for p in item.points] == [
        ("decision", "Approved"),
        ("discussion", "A point"),
    ]


def test_minutes_templates_are_files_with_their_sections_in_order() -> None:
    from govpilot.capabilities.minutes_templates import MinutesTemplate, packaged_templates

    templates = packaged_templates()
    assert set(templates.names()) == {"formal", "notes"}
    formal = templates.get("formal", "zh-Hant")
    assert formal.title == "會議記錄"
    assert [what for _, what in formal.sections] == [
        "speakers",
        "tbc",
        "tbc",
        "tbc",
        "items",
        "actions",
        "tbc",
    ]
    assert [h for h, _ in templates.get("notes", "en").sections] == [
        "Items discussed",
        "Action items",
    ]
    bad = "---\nname: x\nlang: en\ntitle: X\n---\n## Items {items}\nJust a line\n"
    with pytest.raises(InputError, match="'Just a line' is not a section"):
        MinutesTemplate.parse(bad, "x.md")
    with pytest.raises(InputError, match=r"no \{items\} section"):
        MinutesTemplate.parse("---\nname: x\nlang: en\ntitle: X\n---\n## A {tbc}\n", "x.md")
