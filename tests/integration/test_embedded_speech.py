"""The real embedded speech model (Whisper base on faster-whisper) on one short clip, and
`govpilot transcribe` in its own process.

Marked `embedded`; CI runs it with GOVPILOT_REQUIRE_EMBEDDED=1, which turns a model that
`govpilot setup` has not assembled into a failure, not a skip.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.speech_weights import WHISPER_MODEL_ID, whisper_dir
from govpilot.backends.whisper import FasterWhisperRecogniser
from govpilot.capabilities.transcribe import Transcriber
from govpilot.config import Settings

pytestmark = pytest.mark.embedded

CLIP = Path(__file__).parent / "data" / "1089-134686-0001.flac"  # LibriSpeech, CC BY 4.0
_SCRIPT = Path(sys.executable).with_name("govpilot")
GOVPILOT = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "govpilot.cli.main"]
CTX = CallContext("chan.tm@had.gov.hk", "HAD", "cli", role="officer")


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    path = whisper_dir(Settings().models_dir)
    if not (path / "model.verified").is_file():
        message = f"speech model not found at {path}; run `govpilot setup` first"
        if os.environ.get("GOVPILOT_REQUIRE_EMBEDDED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return Transcriber(FasterWhisperRecogniser(path), MemoryAuditSink(), max_seconds=600)


def test_a_librispeech_clip_is_transcribed_with_times(transcriber: Transcriber) -> None:
    transcript = transcriber.transcribe(CTX, CLIP.read_bytes(), CLIP.name, language="en")
    words = transcript.text.lower().replace(",", "").replace(".", "").split()
    expected = ["stuff", "it", "into", "you", "his", "belly", "counselled", "him"]
    assert len(set(words) & set(expected)) >= 5, transcript.text  # base says 'stuffed'
    first = transcript.segments[0]
    assert 0 <= first.start < first.end <= transcript.duration + 0.5
    assert first.language == "en" and transcript.model_id == WHISPER_MODEL_ID


def test_silence_is_not_given_invented_text(transcriber: Transcriber) -> None:
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16_000)
        noise = (np.random.default_rng(1).normal(0, 30, 16_000 * 8)).astype("<i2")
        handle.writeframes(noise.tobytes())  # eight seconds of faint room noise
    transcript = transcriber.transcribe(CTX, out.getvalue(), "quiet.wav", language="yue")
    assert transcript.segments == [], transcript.text
    assert "no speech was heard in the recording" in transcript.notes


def test_the_cli_writes_srt_and_json(tmp_path: Path) -> None:
    out = tmp_path / "clip.srt"
    run = subprocess.run(
        [*GOVPILOT, "transcribe", str(CLIP), "--language", "en", "-o", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "GOVPILOT_HOME": str(Settings().home)},
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["language"] == "en" and data["segments"][0]["start"] >= 0
    assert out.read_text(encoding="utf-8").startswith("1\n00:00:0")
