"""Meetings through the real job runtime, with a scripted recogniser and a scripted model:
upload and its refusals, windows saved as they finish, a failed job resumed where it
stopped, speaker names, edits with versions, minutes drafted, edited, approved, exported."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
import numpy as np
import pytest

from govpilot.access import CallContext
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.speech import SAMPLE_RATE, SpeechResult, SpeechSegment
from govpilot.capabilities.meetings import Meeting
from govpilot.capabilities.speaker_turns import label_speakers, voice_features
from govpilot.errors import Conflict, InputError, InputTooLarge, NotFound, UnsupportedFileType
from govpilot.language import Glossary
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from govpilot.testing import fake_settings, make_test_platform
from support.audio_support import wav_bytes

OFFICER = CallContext("chan.tm@had.gov.hk", "HAD", "web", role="officer")
OTHER = CallContext("lee.km@had.gov.hk", "HAD", "web", role="officer")
ADMIN = CallContext("admin@had.gov.hk", "HAD", "web", role="department_admin")
WINDOW = 2.0
TEXTS = ["我哋今日傾下個預算", "第二段講停車場", "第三段講跟進工作", "第四段講下次開會"]


@dataclass
class WindowRecogniser:
    """Hears one sentence per window; fails once on the call given (a crash mid-job)."""

    fail_on: int | None = None
    name: str = "window-asr"
    model_id: str = "window-asr-1"
    calls: list[dict[str, Any]] = field(default_factory=list)

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None = None,
        prompt: str | None = None,
        progress: Any = None,
    ) -> SpeechResult:
        n = len(self.calls)
        self.calls.append({"seconds": audio.size / SAMPLE_RATE, "language": language})
        if self.fail_on == n:
            self.fail_on = None
            raise RuntimeError("the recogniser crashed")
        seconds = audio.size / SAMPLE_RATE
        text = TEXTS[n % len(TEXTS)] + str(n)
        return SpeechResult(
            [SpeechSegment(0.1, seconds - 0.1, text, "zh", 0.9)], "zh", seconds, "w"
        )


def minutes_reply(messages: Any) -> str:
    return (
        "TITLE: 預算 [1]\n- 討論了預算安排 [1]\nDECISION: 通過預算 [1]\n"
        "ACTION: 準備文件 | OWNER: 陳先生 | DUE: 下星期 [1]"
    )


@pytest.fixture
def platform(
    tmp_path: Path, glossary: Glossary, scripted_detector: PiiDetector
) -> Iterator[Platform]:
    settings = fake_settings(tmp_path, department="HAD")
    settings.speech.window_seconds = WINDOW
    model = ScriptedModel(name="fake", responder=minutes_reply)
    platform = make_test_platform(
        settings, models=[model], detector=scripted_detector, glossary=glossary
    )
    platform.speech_recogniser = WindowRecogniser()
    platform.jobs = platform.new_job_service(workers=1).start()
    yield platform
    platform.jobs.shutdown()
    platform.database.dispose()


def restart_jobs(platform: Platform) -> None:
    """A new job service over the platform's current recogniser."""
    platform.__dict__.pop("transcriber", None)
    platform.job_service().shutdown()
    platform.jobs = platform.new_job_service(workers=1).start()


def transcribed(platform: Platform, meeting: Meeting, ctx: CallContext = OFFICER) -> Meeting:
    assert meeting.transcribe_job_id
    platform.job_service().wait(meeting.transcribe_job_id, timeout=30)
    return platform.meetings.get(ctx, meeting.id)


def test_a_recording_is_transcribed_window_by_window(platform: Platform) -> None:
    meeting = platform.meetings.upload(OFFICER, wav_bytes(7.0), "budget.wav", title="Budget")
    assert meeting.status == "queued" and meeting.duration == pytest.approx(7.0, abs=0.1)
    done = transcribed(platform, meeting)
    assert done.status == "transcribed", done.error
    assert len(done.labelled) == 4  # 2 + 2 + 2 + 1 seconds
    assert [round(s.start) for s in done.labelled] == [0, 2, 4, 6]
    assert all((s.speaker or "").startswith("Speaker ") for s in done.labelled)
    assert done.labelled[0].text.startswith("我哋今日傾下個預算")
    assert done.transcribed_until == pytest.approx(7.0, abs=0.1)
    job = platform.job_service().get(OFFICER, meeting.transcribe_job_id or "")
    assert job.status == "done" and job.progress_done == job.progress_total == 7
    [event] = platform.audit.events(None, action="transcribe")
    assert event.detail["segments"] == 4 and event.application_id
    record = platform.records.get(done.transcript_record_id or "")
    assert record.data_class == "transcripts" and "停車場" in record.content


def test_a_failed_job_keeps_the_upload_and_resumes_from_the_last_window(
    platform: Platform,
) -> None:
    recogniser = WindowRecogniser(fail_on=2)
    platform.speech_recogniser = recogniser
    restart_jobs(platform)
    meeting = platform.meetings.upload(OFFICER, wav_bytes(7.0), "budget.wav")
    failed = transcribed(platform, meeting)
    assert failed.status == "failed" and "unexpected error" in (failed.error or "")
    assert len(failed.labelled) == 2 and failed.transcribed_until == pytest.approx(4.0, abs=0.3)
    retried = transcribed(platform, platform.meetings.retry(OFFICER, meeting.id))
    assert retried.status == "transcribed" and len(retried.labelled) == 4
    # The first two windows were not heard again: five calls in all, one of them failed.
    assert len(recogniser.calls) == 5
    assert sum(c["seconds"] for c in recogniser.calls[3:]) < 3.5


def test_bad_recordings_are_refused_before_anything_is_kept(platform: Platform) -> None:
    with pytest.raises(UnsupportedFileType):
        platform.meetings.upload(OFFICER, b"%PDF-1.7", "agenda.pdf")
    with pytest.raises(Exception, match="cannot be read as audio"):
        platform.meetings.upload(OFFICER, b"RIFF\x00\x00garbage" * 10, "broken.wav")
    platform.meetings.max_bytes = 100
    with pytest.raises(InputTooLarge, match="MB limit"):
        platform.meetings.upload(OFFICER, wav_bytes(1.0), "long.wav")
    with pytest.raises(InputError, match="language"):
        platform.meetings.upload(OFFICER, wav_bytes(1.0), "a.wav", language="fr")
    assert platform.meetings.list(OFFICER) == []
    assert platform.records.list(department="HAD") == []


def test_silence_gives_an_empty_transcript_and_a_note(platform: Platform) -> None:
    class Deaf(WindowRecogniser):
        def transcribe(self, audio: np.ndarray, **_: Any) -> SpeechResult:
            return SpeechResult([], "en", audio.size / SAMPLE_RATE, "w")

    platform.speech_recogniser = Deaf()
    restart_jobs(platform)
    meeting = transcribed(
        platform, platform.meetings.upload(OFFICER, wav_bytes(3.0, tone=False), "quiet.wav")
    )
    assert meeting.status == "transcribed" and meeting.labelled == []
    assert meeting.notes == ["no speech was heard in the recording"]
    with pytest.raises(InputError, match="nothing to minute"):
        platform.meetings.write_minutes(OFFICER, meeting.id)


def test_corrections_speaker_names_and_versions(platform: Platform) -> None:
    meeting = transcribed(platform, platform.meetings.upload(OFFICER, wav_bytes(7.0), "m.wav"))
    meetings = platform.meetings
    named = meetings.rename_speaker(
        OFFICER, meeting.id, "Speaker 1", "Chairman", version=meeting.version
    )
    assert {s.speaker for s in named.segments} == {"Chairman"}
    assert named.as_dict()["speakers"] == {"Speaker 1": "Chairman"}
    with pytest.raises(Conflict, match="changed meanwhile"):
        meetings.edit_segment(OFFICER, meeting.id, 0, text="old", version=meeting.version)
    edited = meetings.edit_segment(
        OFFICER, meeting.id, 1, text="第二段講泊車", speaker="Secretary", version=named.version
    )
    assert edited.segments[1].text == "第二段講泊車" and edited.segments[1].speaker == "Secretary"
    merged = meetings.merge(OFFICER, meeting.id, 2, version=edited.version)
    assert len(merged.labelled) == 3 and merged.labelled[2].end == pytest.approx(6.9, abs=0.2)
    split = meetings.split(OFFICER, meeting.id, 0, 4, version=merged.version)
    assert [s.text for s in split.labelled[:2]] == ["我哋今日", "傾下個預算0"]
    assert split.labelled[0].end == split.labelled[1].start
    with pytest.raises(InputError, match="no segment 9"):
        meetings.edit_segment(OFFICER, meeting.id, 8, text="x", version=split.version)
    with pytest.raises(NotFound):
        meetings.get(OTHER, meeting.id)  # another officer's meeting does not exist for them
    assert meetings.get(ADMIN, meeting.id).id == meeting.id
    actions = [
        e.action for e in reversed(platform.audit.events(None)) if e.action.startswith("meeting.")
    ]
    assert actions == [
        "meeting.upload",
        "meeting.rename_speaker",
        "meeting.edit",
        "meeting.merge",
        "meeting.split",
    ]


def test_minutes_are_drafted_edited_approved_and_exported(platform: Platform) -> None:
    meeting = transcribed(
        platform, platform.meetings.upload(OFFICER, wav_bytes(7.0), "m.wav", title="Budget meeting")
    )
    meetings = platform.meetings
    named = meetings.rename_speaker(
        OFFICER, meeting.id, "Speaker 1", "陳主席", version=meeting.version
    )
    writing = meetings.write_minutes(OFFICER, meeting.id, template="formal", lang="zh-Hant")
    assert writing.minutes_status == "writing"
    platform.job_service().wait(writing.minutes_job_id or "", timeout=30)
    drafted = meetings.get(OFFICER, meeting.id)
    assert drafted.minutes_status == "draft", drafted.error
    assert drafted.minutes is not None
    [item] = drafted.minutes["items"]
    assert item["title"] == "預算" and item["points"][0]["start"] == pytest.approx(0.1)
    item["points"][0]["text"] = "討論了來年預算"
    item["points"].pop(1)  # the officer deletes the decision
    saved = meetings.save_minutes(OFFICER, meeting.id, drafted.minutes, version=drafted.version)
    approved = meetings.approve_minutes(OFFICER, meeting.id, version=saved.version)
    assert approved.minutes_status == "approved" and approved.minutes_approved_by == OFFICER.actor
    with pytest.raises(Conflict):
        meetings.approve_minutes(OFFICER, meeting.id, version=approved.version)
    export = meetings.export_minutes(OFFICER, meeting.id, "docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(export.data)).paragraphs)
    assert "討論了來年預算 [00:00:00-00:00:01]" in text and "通過預算" not in text
    assert "陳主席" in text  # the attendance lists the named speakers
    srt = meetings.export_transcript(OFFICER, meeting.id, "srt").data.decode()
    assert "陳主席: 我哋今日傾下個預算" in srt
    body = json.loads(meetings.export_transcript(OFFICER, meeting.id, "json").data)
    assert body["segments"][0]["speaker"] == "陳主席"
    assert named.version < approved.version
    assert [
        e.action for e in reversed(platform.audit.events(None)) if e.action.startswith("minutes.")
    ] == [
        "minutes.edit",
        "minutes.approve",
    ]


def test_speakers_are_told_apart_by_their_voices() -> None:
    rng = np.random.default_rng(7)
    low, high = rng.normal(0, 1, 24), rng.normal(0, 1, 24) + 6
    voices = [list(v + rng.normal(0, 0.2, 24)) for v in (low, high, low, high, low, low)]
    labels = label_speakers(voices)
    assert labels == ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2", "Speaker 1", "Speaker 1"]
    assert label_speakers([None, None]) == ["Speaker 1", "Speaker 1"]
    assert voice_features(np.zeros(1000, np.float32)) is None  # under 0.3 s


def test_deleting_a_meeting_removes_its_recording_and_transcript(platform: Platform) -> None:
    meeting = transcribed(platform, platform.meetings.upload(OFFICER, wav_bytes(3.0), "m.wav"))
    assert len(platform.records.list(department="HAD")) == 2  # the recording, the transcript
    with pytest.raises(NotFound):
        platform.meetings.delete(OTHER, meeting.id)
    platform.meetings.delete(OFFICER, meeting.id)
    with pytest.raises(NotFound):
        platform.meetings.get(OFFICER, meeting.id)
    assert platform.records.list(department="HAD") == []
    [event] = platform.audit.events(None, action="meeting.delete")
    assert event.detail["meeting"] == meeting.id
