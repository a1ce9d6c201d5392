"""`govpilot opinion check FILE`: what a consultation's file holds, as JSON and as text."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from govpilot.cli.opinion import opinion_app

LETTER = (
    "I strongly oppose the proposed reclamation at Lung Mei. The beach is home to over 200 "
    "marine species and the plan ignores the findings of independent ecologists."
)


def test_check_reports_languages_problems_and_campaigns(tmp_path: Path) -> None:
    rows = ["id,text"] + [f'{n},"Dear Sir, {LETTER} Regards, Resident {n}"' for n in range(6)]
    rows += ["10,我支持延長圖書館開放時間。", "11,", "12,呢個計劃唔係幾掂，浪費公帑"]
    path = tmp_path / "consultation.csv"
    path.write_text("\n".join(rows) + "\n", encoding="big5hkscs")
    runner = CliRunner()
    result = runner.invoke(opinion_app, ["check", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["encoding"] == "big5hkscs" and report["responses"] == 8
    assert report["languages"] == {"en": 6, "zh-Hant": 1, "yue": 1}
    assert report["problems"] == [{"row": 9, "id": "11", "reason": "the text is empty"}]
    assert report["campaigns"] == [
        {"representative": "0", "size": 6, "ids": ["0", "1", "2", "3", "4", "5"]}
    ]
    text = runner.invoke(opinion_app, ["check", str(path)])
    assert (
        "8 responses (big5hkscs)" in text.stdout and "row 9 (11): the text is empty" in text.stdout
    )


def test_check_says_which_column_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("id,comment\n1,hello\n", encoding="utf-8")
    result = CliRunner().invoke(opinion_app, ["check", str(path)])
    assert result.exit_code != 0
    assert "no 'text' column" in result.stderr and "id, comment" in result.stderr
