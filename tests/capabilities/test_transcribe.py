"""Voice to text with a scripted recogniser: decoding and its errors, clean-up of invented
and repeated text, Hong Kong script, per-segment language, audit, output formats."""

from __future__ import annotations

import json

import numpy as np
import pytest

from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.audio import decode_audio
from govpilot.backends.speech import ScriptedRecogniser, SpeechSegment
from govpilot.capabilities.transcribe import CANTONESE_PROMPT, Transcriber, clean_segments
from govpilot.capabilities.transcript_formats import format_of, render_transcript
from govpilot.errors import CorruptDocument, InputError, InputTooLarge, UnsupportedFileType
from support.audio_support import wav_bytes

CTX = CallContext("chan.tm@had.gov.hk", "HAD", "cli", role="officer")


def seg(start: float, end: float, text: str, language: str = "zh") -> SpeechSegment:
    return SpeechSegment(start, end, text, language, confidence=0.8)


def test_audio_is_decoded_to_16k_mono() -> None:
    decoded = decode_audio(wav_bytes(2.0), "meeting.wav", max_seconds=60)
    assert decoded.samples.dtype == np.float32 and decoded.samples.ndim == 1
    assert decoded.seconds == pytest.approx(2.0, abs=0.05)
    assert 0.2 < float(np.abs(decoded.samples).max()) < 0.5  # mixed down to one channel


@pytest.mark.parametrize(
    ("data", "name", "error", "words"),
    [
        (b"%PDF-1.7 not a recording", "minutes.pdf", UnsupportedFileType, "not an audio file"),
        (b"", "empty.wav", CorruptDocument, "is empty"),
        (b"RIFF\x00\x00garbage" * 10, "broken.wav", CorruptDocument, "cannot be read as audio"),
        (wav_bytes(3.0), "long.wav", InputTooLarge, "the limit is"),
    ],
)
def test_bad_recordings_get_a_clear_error(
    data: bytes, name: str, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        decode_audio(data, name, max_seconds=2.0)


def test_a_truncated_recording_keeps_what_decodes() -> None:
    whole = wav_bytes(2.0)
    cut = decode_audio(whole[: len(whole) // 2], "cut.wav", max_seconds=60)
    assert 0.5 < cut.seconds < 1.5


def test_clean_up_drops_invented_and_repeated_text_and_writes_hk_script() -> None:
    segments = [
        seg(0, 2, "我们今日讨论啲乜嘢"),
        seg(2, 4, "我们今日讨论啲乜嘢"),  # the window repeated
        seg(4, 6, "字幕由Amara.org社区提供"),  # heard on silence
        seg(6, 9, "好的好的好的好的好的"),
        seg(9, 11, "The meeting starts now.", "en"),
        seg(11, 12, "   "),
    ]
    kept, dropped = clean_segments(segments, "zh")
    assert [s.text for s in kept] == ["我們今日討論啲乜嘢", "好的", "The meeting starts now."]
    assert [s.language for s in kept] == ["yue", "zh", "en"]
    assert dropped == 3


def test_transcribe_primes_cantonese_and_audits_without_the_text() -> None:
    recogniser = ScriptedRecogniser([seg(0.0, 1.5, "佢哋听日开会")], language="zh")
    audit = MemoryAuditSink()
    transcriber = Transcriber(recogniser, audit, max_seconds=600, application_of=lambda c: "app1")
    transcript = transcriber.transcribe(CTX, wav_bytes(2.0), "m.wav", language="yue")
    assert recogniser.calls[0]["prompt"] == CANTONESE_PROMPT
    assert recogniser.calls[0]["language"] == "yue"
    assert transcript.text == "佢哋聽日開會" and transcript.language == "yue"
    [event] = audit.events
    assert (event.action, event.application_id, event.backend) == (
        "transcribe",
        "app1",
        "scripted-asr",
    )
    assert event.detail["segments"] == 1 and "佢" not in json.dumps(event.detail)


def test_silence_gives_an_empty_transcript_and_a_note() -> None:
    transcriber = Transcriber(ScriptedRecogniser([]), MemoryAuditSink(), max_seconds=600)
    transcript = transcriber.transcribe(CTX, wav_bytes(2.0, tone=False), "quiet.wav")
    assert transcript.segments == [] and transcript.text == ""
    assert "no speech was heard in the recording" in transcript.notes


def test_an_unknown_language_is_refused_before_decoding() -> None:
    recogniser = ScriptedRecogniser([])
    transcriber = Transcriber(recogniser, MemoryAuditSink(), max_seconds=600)
    with pytest.raises(InputError, match="language cannot be 'fr'"):
        transcriber.transcribe(CTX, b"not even audio", "x.wav", language="fr")
    assert recogniser.calls == []


def test_transcripts_render_as_srt_vtt_txt_and_json() -> None:
    recogniser = ScriptedRecogniser([seg(0.5, 2.25, "開會"), seg(62.0, 64.5, "Thank you.", "en")])
    transcript = Transcriber(recogniser, MemoryAuditSink(), max_seconds=600).transcribe(
        CTX, wav_bytes(65.0, rate=8000, channels=1), "m.wav"
    )
    srt = render_transcript(transcript, "srt")
    assert srt.startswith("1\n00:00:00,500 --> 00:00:02,250\n開會\n")
    assert "2\n00:01:02,000 --> 00:01:04,500\nThank you.\n" in srt
    assert render_transcript(transcript, "vtt").startswith("WEBVTT\n\n00:00:00.500 --> ")
    assert "[00:01:02-00:01:04] Thank you." in render_transcript(transcript, "txt")
    data = json.loads(render_transcript(transcript, "json"))
    assert data["segments"][0] == {
        "start": 0.5,
        "end": 2.25,
        "text": "開會",
        "language": "zh",
        "confidence": 0.8,
        "speaker": None,
    }
    assert format_of("out.SRT") == "srt"
    assert format_of("out.docx") == "docx"
    with pytest.raises(UnsupportedFileType):
        format_of("out.pdf")
