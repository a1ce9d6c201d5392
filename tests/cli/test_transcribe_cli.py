"""`govpilot transcribe` in-process with a scripted recogniser: JSON, .srt, bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
import typer

from govpilot.backends.fake import ScriptedModel
from govpilot.backends.speech import ScriptedRecogniser, SpeechSegment
from govpilot.cli.speech import minutes, transcribe
from govpilot.platform import Platform
from govpilot.testing import fake_settings, make_test_platform
from support.audio_support import wav_bytes

app = typer.Typer()
app.command()(transcribe)
app.command()(minutes)


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    model = ScriptedModel(name="fake").respond_with(
        lambda messages: (
            "標題：開會時間\n- 會議討論明天開會 [1]\n跟進：發出通知｜負責：秘書｜限期：待定 [1]"
        )
    )
    platform = make_test_platform(fake_settings(tmp_path, department="HAD"), models=[model])
    platform.speech_recogniser = ScriptedRecogniser(
        [SpeechSegment(0.0, 1.2, "佢哋听日开会", "zh", 0.9)], language="zh"
    )
    yield platform
    platform.database.dispose()


@pytest.fixture
def cli_app() -> typer.Typer:
    return app


def test_transcribe_prints_json_and_writes_srt(invoke, tmp_path: Path, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    recording = tmp_path / "meeting.wav"
    recording.write_bytes(wav_bytes(2.0))
    out = tmp_path / "meeting.srt"
    result = invoke("transcribe", recording, "--language", "yue", "--json", "-o", out)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["text"] == "佢哋聽日開會" and data["language"] == "yue"
    assert data["segments"][0]["start"] == 0.0
    assert out.read_text(encoding="utf-8").startswith("1\n00:00:00,000 --> 00:00:01,200\n")
    [event] = platform.audit.events(action="transcribe")
    assert event.application_id == platform.register.list(platform.cli_context("governance"))[0].id


def test_transcribe_refuses_bad_input_plainly(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF-1.7")
    refused = invoke("transcribe", notes)
    assert refused.exit_code != 0 and "not an audio file" in refused.stderr
    missing = invoke("transcribe", tmp_path / "gone.wav")
    assert missing.exit_code != 0 and "does not exist" in missing.stderr
    recording = tmp_path / "m.wav"
    recording.write_bytes(wav_bytes(1.0))
    wrong = invoke("transcribe", recording, "-o", tmp_path / "m.pdf")
    assert wrong.exit_code != 0 and ".srt, .vtt, .txt, .json or .docx" in wrong.stderr
    word = invoke("transcribe", recording, "-o", tmp_path / "m.docx")
    assert word.exit_code == 0, word.stderr
    [table] = docx.Document(str(tmp_path / "m.docx")).tables
    assert [c.text for c in table.rows[1].cells] == ["00:00:00-00:00:01", "", "佢哋聽日開會"]
    language = invoke("transcribe", recording, "--language", "fr")
    assert language.exit_code != 0 and "language cannot be 'fr'" in language.stderr


def test_minutes_from_a_recording_and_from_its_transcript(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    recording = tmp_path / "meeting.wav"
    recording.write_bytes(wav_bytes(2.0))
    out = tmp_path / "minutes.docx"
    made = invoke("minutes", recording, "--language", "yue", "-o", out, "--json")
    assert made.exit_code == 0, made.stderr
    data = json.loads(made.stdout)
    assert data["lang"] == "zh-Hant" and data["items"][0]["title"] == "開會時間"
    assert data["items"][0]["points"][1]["owner"] == "秘書"
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "會議討論明天開會 [00:00:00-00:00:01]" in text and "下次會議日期" in text
    transcript = tmp_path / "meeting.json"
    transcript.write_text(invoke("transcribe", recording, "--json").stdout, encoding="utf-8")
    again = invoke("minutes", transcript, "--template", "notes", "-o", tmp_path / "notes.md")
    assert again.exit_code == 0, again.stderr
    assert "出席者" not in (tmp_path / "notes.md").read_text(encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"words": []}', encoding="utf-8")
    refused = invoke("minutes", broken, "-o", tmp_path / "x.docx")
    assert refused.exit_code != 0 and "is not a transcript" in refused.stderr
