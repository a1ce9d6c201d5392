"""`govpilot opinion check | import | analyse | report`: what a file holds; a consultation
imported, analysed here with progress, and its report written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
import typer
from typer.testing import CliRunner

from govpilot.backends.fake import ScriptedModel
from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.cli.main import app
from govpilot.cli.opinion import opinion_app
from govpilot.platform import Platform
from govpilot.testing import fake_settings, make_test_platform
from support.opinion_support import consultation_csv, reply, tiny_sentiment

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


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    model = ScriptedModel(name="fake").respond_with(reply)
    platform = make_test_platform(fake_settings(tmp_path, department="HAB"), models=[model])
    embedder = HashingEmbedder()
    platform.opinion_embedder = embedder
    platform.opinion_sentiment = tiny_sentiment(embedder)
    yield platform
    platform.database.dispose()


@pytest.fixture
def cli_app() -> typer.Typer:
    return app


def test_import_analyse_and_report_from_the_command_line(  # type: ignore[no-untyped-def]
    invoke, tmp_path: Path
) -> None:
    source = tmp_path / "promenade.csv"
    source.write_bytes(consultation_csv())
    imported = invoke("opinion", "import", source, "--consultation", "Promenade")
    assert imported.exit_code == 0, imported.stderr
    assert "18 responses stored" in imported.stdout and "1 campaign(s)" in imported.stdout
    analysed = invoke("opinion", "analyse", "Promenade", "--themes", "4", "--json")
    assert analysed.exit_code == 0, analysed.stderr
    result = json.loads(analysed.stdout)
    assert 2 <= len(result["themes"]) <= 4
    assert {"id", "label", "stance", "count"} <= set(result["themes"][0])
    ids = {t["id"] for t in result["themes"]}
    for response in result["responses"]:
        assert set(response["themes"]) <= ids
        assert response["stance"] in ("support", "oppose", "mixed", "unclear")
    assert sum(r["campaign"] == "C0" for r in result["responses"]) == 6
    report = tmp_path / "report.docx"
    written = invoke("opinion", "report", "Promenade", "-o", report)
    assert written.exit_code == 0, written.stderr
    text = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert result["themes"][0]["label"] in text
    wrong = invoke("opinion", "report", "Promenade", "-o", tmp_path / "report.pdf")
    assert wrong.exit_code != 0 and ".docx" in wrong.stderr
    missing = invoke("opinion", "analyse", "Nothing")
    assert missing.exit_code != 0 and "import it first" in missing.stderr
