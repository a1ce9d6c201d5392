"""Opinion analysis, first stages: reading responses (columns, encodings, reasons per
row) and finding campaigns of near-copies."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from govpilot.capabilities.opinion.campaigns import find_campaigns, shingles
from govpilot.capabilities.opinion.responses import MAX_RESPONSE_CHARS, read_responses
from govpilot.errors import CorruptDocument, InputError, UnsupportedFileType

LETTER = (
    "I strongly oppose the proposed reclamation at Lung Mei. The beach is home to over 200 "
    "marine species and the plan ignores the findings of independent ecologists."
)


def test_a_csv_is_read_with_its_optional_columns_and_languages() -> None:
    data = (
        "id,text,district,respondent_type\n"
        "1,I support the new cycle track.,Sha Tin,individual\n"
        "2,我反對興建焚化爐，會影響附近居民。,Tuen Mun,individual\n"
        "3,呢個計劃唔係幾掂，浪費公帑,Kwun Tong,group\n"
    ).encode()
    result = read_responses(data, "consultation.csv")
    assert [r.id for r in result.responses] == ["1", "2", "3"]
    assert [r.language for r in result.responses] == ["en", "zh-Hant", "yue"]
    assert result.responses[0].district == "Sha Tin" and result.problems == []


def test_big5_files_from_older_systems_are_read_and_said_so() -> None:
    data = "id,text\n1,我支持延長圖書館開放時間\n".encode("big5hkscs")
    result = read_responses(data, "old-system.csv")
    assert result.encoding == "big5hkscs"
    assert result.responses[0].text == "我支持延長圖書館開放時間"


def test_missing_columns_are_named_with_what_was_found() -> None:
    with pytest.raises(InputError, match="no 'text' column") as raised:
        read_responses(b"id,comment\n1,hello\n", "wrong.csv")
    assert "id, comment" in (raised.value.hint or "")


def test_each_unusable_row_has_its_reason_and_nothing_is_lost() -> None:
    long_text = "長" * (MAX_RESPONSE_CHARS + 10)
    lines = ["id,text", "1,", "2,Fine 👍", "2,again", f"3,{long_text}"]
    result = read_responses("\n".join(lines).encode(), "mixed.csv")
    reasons = {(p.id, p.reason.split(":")[0]) for p in result.problems}
    assert ("1", "the text is empty") in reasons
    assert ("2", "this id is used twice") in reasons
    assert any(p.id == "3" and "are analysed" in p.reason for p in result.problems)
    assert [r.id for r in result.responses] == ["2", "3"]
    assert len(result.responses[1].text) == MAX_RESPONSE_CHARS


def test_xlsx_and_jsonl_are_read_and_bad_files_refused() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["response_id", "response"])
    sheet.append([7, "Ban gambling adverts during matches."])
    out = io.BytesIO()
    book.save(out)
    assert read_responses(out.getvalue(), "r.xlsx").responses[0].id == "7"
    jsonl = json.dumps({"response_id": 1, "response": "Yes"}).encode()
    assert read_responses(jsonl, "r.jsonl").responses[0].text == "Yes"
    with pytest.raises(UnsupportedFileType):
        read_responses(b"x", "r.pdf")
    with pytest.raises(InputError, match="empty"):
        read_responses(b"  ", "r.csv")
    with pytest.raises(CorruptDocument, match="line 2 is not JSON"):
        read_responses(b'{"id": 1, "text": "a"}\n{oops', "r.jsonl")
    with pytest.raises(CorruptDocument, match="cannot be read as a spreadsheet"):
        read_responses(b"PK\x03\x04 broken", "r.xlsx")


def test_copies_of_one_letter_are_one_campaign() -> None:
    copies = [
        LETTER,
        "Dear Sir, " + LETTER + " Yours, Mary Chan",
        LETTER.replace("strongly", "very strongly"),
        LETTER.upper(),
        LETTER.replace("200", "two hundred") + " Please listen to us.",
        LETTER[:-40] + " the plan ignores ecologists.",
    ]
    others = [
        "The cycle track should continue to Tai Po and have more bike parking.",
        "我支持延長圖書館開放時間，晚上溫習的學生需要地方。",
        "Please build more public toilets in the country parks near the trail heads.",
        "Agree.",
    ]
    ids = [f"c{n}" for n in range(len(copies))] + [f"o{n}" for n in range(len(others))]
    result = find_campaigns(ids, copies + others)
    [campaign] = result.campaigns
    assert campaign.ids == tuple(f"c{n}" for n in range(6)) and campaign.representative == "c0"
    assert result.duplicates == []
    assert result.not_compared == [("o3", "too short to tell a copy from agreement")]
    again = find_campaigns(ids, copies + others)
    assert again.campaigns == result.campaigns  # the same input, the same groups


def test_shingles_fold_script_case_and_punctuation() -> None:
    assert shingles("發展局，") == shingles("发展局")
    assert shingles("Ban the ads, NOW!") == shingles("ban the ads now")
    assert shingles("Dear Sir, ban the ads. Regards, Mary Chan") == shingles("Ban the ads.")


def test_a_csv_with_line_breaks_and_quotes_in_its_texts_is_read_whole() -> None:
    import csv as csv_module
    import io as io_module

    out = io_module.StringIO()
    writer = csv_module.writer(out)
    writer.writerow(["id", "text", "question"])
    for n in range(300):
        writer.writerow([n, f'Line one, "quoted".\nLine two of {n}.', "Q1"])
    read = read_responses(out.getvalue().encode("utf-8"), "responses.csv")
    assert len(read.responses) == 300 and not read.problems
    assert {r.question for r in read.responses} == {"Q1"}
    assert read.responses[5].text == 'Line one, "quoted".\nLine two of 5.'
