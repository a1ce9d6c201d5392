"""The transcription-server recogniser against a real server: govpilot's own
POST /v1/audio/transcriptions (with a scripted recogniser behind it), over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from govpilot.access import Role
from govpilot.backends.registry import build_recogniser
from govpilot.backends.speech import ScriptedRecogniser, SpeechSegment
from govpilot.backends.speech_openai import OpenAITranscriptionRecogniser
from govpilot.errors import ConfigError, ModelUnavailable
from govpilot.platform import Platform
from govpilot.server import create_app
from govpilot.testing import add_api_key, add_user, fake_settings, make_test_platform
from support.served_app import ServedApp

TONE = (0.2 * np.sin(np.arange(16_000 * 3) / 16_000 * 2 * np.pi * 220)).astype(np.float32)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, ScriptedRecogniser]]:
    platform: Platform = make_test_platform(fake_settings(tmp_path, department="HAD"))
    behind = ScriptedRecogniser(
        [
            SpeechSegment(0.0, 1.4, "會議現在開始", "zh", 0.9),
            SpeechSegment(1.6, 2.9, "The first item is the budget.", "en", 0.8),
        ]
    )
    platform.speech_recogniser = behind
    user = add_user(platform, "asr@had.gov.hk", department="HAD", role=Role.OFFICER)
    key = add_api_key(platform, user)
    with ServedApp(create_app(platform)) as served:
        yield f"{served.url}/v1", key, behind
    platform.database.dispose()


def test_segments_and_times_come_back_from_the_server(
    server: tuple[str, str, ScriptedRecogniser],
) -> None:
    url, key, behind = server
    recogniser = OpenAITranscriptionRecogniser(url, api_key=key)
    result = recogniser.transcribe(TONE, language="yue", prompt="以下係廣東話")
    assert [(s.start, s.end, s.text) for s in result.segments] == [
        (0.0, 1.4, "會議現在開始"),
        (1.6, 2.9, "The first item is the budget."),
    ]
    assert result.duration == pytest.approx(3.0)
    assert behind.calls[0]["language"] == "yue"  # the form fields reached the server
    assert behind.calls[0]["seconds"] == pytest.approx(3.0, abs=0.01)  # the WAV it sent


def test_a_refused_key_and_a_dead_server_are_clear_errors(
    server: tuple[str, str, ScriptedRecogniser],
) -> None:
    url, _, _ = server
    with pytest.raises(ModelUnavailable, match="answered 401"):
        OpenAITranscriptionRecogniser(url, api_key="wrong").transcribe(TONE)
    with pytest.raises(ModelUnavailable, match="cannot be reached"):
        OpenAITranscriptionRecogniser("http://127.0.0.1:9/v1", timeout_s=2).transcribe(TONE)


def test_settings_choose_the_recogniser(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    assert build_recogniser(settings).name == "whisper"  # the embedded default
    settings.speech.backend = "openai"
    with pytest.raises(ConfigError, match="no base_url"):
        build_recogniser(settings)
    settings.speech.base_url = "http://asr.internal:8000"
    built = build_recogniser(settings)
    assert isinstance(built, OpenAITranscriptionRecogniser)
    assert built.base_url == "http://asr.internal:8000/v1"
