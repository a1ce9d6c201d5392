"""OpenAI-compatible POST /v1/audio/transcriptions with a scripted recogniser."""

from __future__ import annotations

import pytest
from api_support import app_client

from govpilot.backends.speech import ScriptedRecogniser, SpeechSegment
from govpilot.platform import Platform
from support.audio_support import wav_bytes

pytestmark = pytest.mark.anyio


@pytest.fixture
def scripted(platform: Platform) -> ScriptedRecogniser:
    recogniser = ScriptedRecogniser(
        [SpeechSegment(0.0, 1.5, "佢哋听日开会", "zh", 0.9)], language="zh"
    )
    platform.speech_recogniser = recogniser
    platform.__dict__.pop("transcriber", None)
    return recogniser


async def test_transcriptions_in_every_response_format(
    platform: Platform, scripted: ScriptedRecogniser
) -> None:
    files = {"file": ("meeting.wav", wav_bytes(2.0), "audio/wav")}
    async with app_client(platform, "o@had.gov.hk") as client:
        plain = await client.post("/v1/audio/transcriptions", files=files)
        assert plain.status_code == 200, plain.text
        assert plain.json() == {"text": "佢哋聽日開會"}
        verbose = await client.post(
            "/v1/audio/transcriptions",
            files=files,
            data={"response_format": "verbose_json", "language": "yue"},
        )
        body = verbose.json()
        assert body["language"] == "yue" and body["segments"][0]["end"] == 1.5
        srt = await client.post(
            "/v1/audio/transcriptions", files=files, data={"response_format": "srt"}
        )
        assert srt.text.startswith("1\n00:00:00,000 --> 00:00:01,500\n")
    assert scripted.calls[1]["language"] == "yue"
    [*_, event] = platform.audit.events(None, action="transcribe")
    assert event.actor == "o@had.gov.hk"


async def test_not_audio_and_oversized_recordings_are_refused(
    platform: Platform, scripted: ScriptedRecogniser
) -> None:
    async with app_client(platform, "o@had.gov.hk") as client:
        pdf = await client.post(
            "/v1/audio/transcriptions",
            files={"file": ("notes.pdf", b"%PDF-1.7", "application/pdf")},
        )
        assert pdf.status_code == 415 and "not an audio file" in pdf.text
        platform.settings.speech.max_upload_mb = 0.01
        big = await client.post(
            "/v1/audio/transcriptions", files={"file": ("long.wav", wav_bytes(2.0), "audio/wav")}
        )
        assert big.status_code == 413 and "0.01 MB limit" in big.text
    assert scripted.calls == []
