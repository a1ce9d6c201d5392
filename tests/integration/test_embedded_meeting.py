"""A meeting through the real job runtime with both embedded models: Whisper base
transcribes a LibriSpeech clip as a meeting job, Qwen writes its minutes, the .docx has
the point with its time range.

Marked `embedded`; CI runs it with GOVPILOT_REQUIRE_EMBEDDED=1, which turns a model that
`govpilot setup` has not assembled into a failure, not a skip.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from govpilot.access import CallContext
from govpilot.backends.embedded import LlamaCppModel
from govpilot.backends.speech_weights import whisper_dir
from govpilot.backends.weights import default_gguf_path
from govpilot.backends.whisper import FasterWhisperRecogniser
from govpilot.config import Settings
from govpilot.platform import Platform
from govpilot.testing import fake_settings, make_test_platform

pytestmark = pytest.mark.embedded

CLIP = Path(__file__).parent / "data" / "1089-134686-0001.flac"  # LibriSpeech, CC BY 4.0
CTX = CallContext("chan.tm@had.gov.hk", "HAD", "web", role="officer")


def _required(path: Path, what: str) -> Path:
    if not path.exists():
        message = f"{what} not found at {path}; run `govpilot setup` first"
        if os.environ.get("GOVPILOT_REQUIRE_EMBEDDED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    models_dir = Settings().models_dir
    gguf = _required(default_gguf_path(models_dir), "embedded model")
    whisper = _required(whisper_dir(models_dir) / "model.verified", "speech model").parent
    settings = fake_settings(tmp_path, department="HAD", default_model="embedded")
    model = LlamaCppModel("embedded", gguf, context_tokens=2048)
    platform = make_test_platform(settings, models=[model])
    platform.speech_recogniser = FasterWhisperRecogniser(whisper)
    platform.jobs = platform.new_job_service(workers=1).start()
    yield platform
    platform.shutdown()
    platform.database.dispose()


def test_a_recording_becomes_minutes_with_the_embedded_models(platform: Platform) -> None:
    meetings = platform.meetings
    meeting = meetings.upload(CTX, CLIP.read_bytes(), CLIP.name, title="Stew", language="en")
    jobs = platform.job_service()
    assert jobs.wait(meeting.transcribe_job_id or "", timeout=120).status == "done"
    done = meetings.get(CTX, meeting.id)
    text = " ".join(s.text for s in done.labelled).lower()
    assert "belly" in text and done.labelled[0].speaker == "Speaker 1"
    named = meetings.rename_speaker(
        CTX, meeting.id, "Speaker 1", "Mr Dedalus", version=done.version
    )
    writing = meetings.write_minutes(CTX, named.id, template="notes", lang="en")
    assert jobs.wait(writing.minutes_job_id or "", timeout=300).status == "done"
    drafted = meetings.get(CTX, meeting.id)
    assert drafted.minutes_status == "draft", drafted.error
    points = [p for item in (drafted.minutes or {})["items"] for p in item["points"]]
    assert points and all(0.0 <= p["start"] <= p["end"] <= done.duration + 0.5 for p in points)
    export = meetings.export_minutes(CTX, meeting.id, "docx")
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(export.data)).paragraphs)
    assert "[00:00:00-00:00:0" in body
