"""The meeting jobs a queue worker runs: transcribe a recording, write its minutes.

Transcription works through the stored recording in windows of about five minutes
(`backends.audio.audio_windows`, cut at a quiet moment), so a long meeting never sits in
memory whole. Each window's segments and the time reached are saved before the next one
starts: a job stopped or crashed anywhere is taken up by the next attempt from the last
saved window, and nothing is recognised twice. Progress is in seconds of the recording.
When the last window is saved, speakers are labelled from the voices (`speaker_turns`;
a recogniser that gives speakers keeps its own), the transcript's text is kept as a
"transcripts" record, and one "transcribe" audit event is written.

Minutes are written by `MinutesWriter` from the transcript as the officer corrected it
(speaker names included), item by item with progress, and saved as a draft.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from govpilot.access import CallContext
from govpilot.backends.audio import WINDOW_SECONDS, audio_windows
from govpilot.backends.speech import SAMPLE_RATE
from govpilot.capabilities.meeting_exports import transcript_of
from govpilot.capabilities.meeting_store import Meeting, MeetingStore, stored_segment
from govpilot.capabilities.meetings import Meetings
from govpilot.capabilities.minutes import MinutesWriter
from govpilot.capabilities.speaker_turns import label_speakers, voice_features
from govpilot.capabilities.transcribe import CAPABILITY as TRANSCRIBE
from govpilot.capabilities.transcribe import Transcriber, Transcript
from govpilot.errors import NotFound
from govpilot.jobs.models import Job
from govpilot.jobs.work import Finished, Progress
from govpilot.storage.meeting_tables import MeetingRow

Change = Callable[[MeetingRow], None]


class TranscribeMeeting:
    """The handler of `meeting_transcribe` jobs."""

    def __init__(
        self, meetings: Meetings, transcriber: Transcriber, *, window: float = WINDOW_SECONDS
    ) -> None:
        self.meetings = meetings
        self.store: MeetingStore = meetings.store
        self.transcriber = transcriber
        self.window = window

    def perform(self, ctx: CallContext, job: Job, progress: Progress) -> Finished:
        meeting = self._meeting(job)
        ctx = replace(ctx, capability=TRANSCRIBE)
        path = self.meetings.recording_path(meeting.audio_record_id)
        total = max(1, int(meeting.duration))
        started = time.perf_counter()
        self.store.change(meeting.id, _status("transcribing"))
        progress(int(meeting.transcribed_until), total)
        heard = 0.0
        try:
            for offset, samples in audio_windows(
                path,
                meeting.audio_name,
                max_seconds=self.meetings.max_seconds,
                start=meeting.transcribed_until,
                window=self.window,
            ):
                part = self.transcriber.recognise(samples, language=meeting.language, offset=offset)
                until = offset + samples.size / SAMPLE_RATE
                heard += samples.size / SAMPLE_RATE
                self.store.change(meeting.id, _saved(part, samples, offset, until))
                progress(min(int(until), total), total)
        except Exception:
            self.transcriber.audit_run(ctx, heard, started, None)
            raise
        labelled = self.store.change(meeting.id, _labelled)
        record_id = self.meetings.records.save_text(
            "transcripts",
            labelled.department,
            labelled.actor,
            "\n".join(s.text for s in labelled.labelled),
            title=labelled.title,
            metadata={"meeting": labelled.id, "segments": len(labelled.labelled)},
        )
        # One change makes it "transcribed" and links the record, so the version an officer
        # sees with the finished transcript is the one their first correction must name.
        model_id = self.transcriber.recogniser.model_id
        done = self.store.change(meeting.id, _finished(model_id, record_id))
        self.transcriber.audit_run(ctx, heard, started, transcript_of(done))
        progress(total, total)
        return Finished()

    def abandon(self, job: Job, reason: str, *, cancelled: bool = False) -> None:
        error = "the transcription was cancelled" if cancelled else reason
        try:
            self.store.change(str(job.params.get("meeting_id")), _failed(error))
        except NotFound:  # the meeting was deleted meanwhile
            return

    def _meeting(self, job: Job) -> Meeting:
        meeting = self.store.get(str(job.params.get("meeting_id")))
        if meeting is None:
            raise NotFound("the meeting was deleted", hint="upload the recording again")
        return meeting


class WriteMeetingMinutes:
    """The handler of `meeting_minutes` jobs."""

    def __init__(self, store: MeetingStore, writer: MinutesWriter) -> None:
        self.store = store
        self.writer = writer

    def perform(self, ctx: CallContext, job: Job, progress: Progress) -> Finished:
        meeting = self.store.get(str(job.params.get("meeting_id")))
        if meeting is None:
            raise NotFound("the meeting was deleted")
        minutes = self.writer(
            ctx,
            meeting.segments,
            template=str(job.params.get("template", "formal")),
            lang=job.params.get("lang"),
            model=job.params.get("model"),
            progress=progress,
        )
        saved = minutes.as_dict()

        def apply(row: MeetingRow) -> None:
            row.minutes, row.minutes_status = saved, "draft"
            row.minutes_approved_by = row.minutes_approved_at = None

        self.store.change(meeting.id, apply)
        return Finished()

    def abandon(self, job: Job, reason: str, *, cancelled: bool = False) -> None:
        def apply(row: MeetingRow) -> None:
            row.minutes_status = "draft" if row.minutes else "none"
            row.error = None if cancelled else f"The minutes could not be written: {reason}"

        try:
            self.store.change(str(job.params.get("meeting_id")), apply)
        except NotFound:
            return


def _status(status: str) -> Change:
    def apply(row: MeetingRow) -> None:
        row.status, row.error = status, None

    return apply


def _saved(part: Transcript, samples: np.ndarray, offset: float, until: float) -> Change:
    """Save one window: its segments with their voices, how far it reached, what it dropped."""
    stored: list[dict[str, Any]] = []
    for segment in part.segments:
        first = max(0, round((segment.start - offset) * SAMPLE_RATE))
        last = min(samples.size, round((segment.end - offset) * SAMPLE_RATE))
        stored.append(stored_segment(segment, voice_features(samples[first:last])))

    def apply(row: MeetingRow) -> None:
        row.segments = [*row.segments, *stored]
        row.transcribed_until = until
        row.dropped = (row.dropped or 0) + part.dropped

    return apply


def _labelled(row: MeetingRow) -> None:
    """Give the segments speaker labels (if the recogniser gave none) and notes."""
    segments = [dict(s) for s in row.segments]
    if segments and not any(s.get("speaker") for s in segments):
        labels = label_speakers([s.get("voice") for s in segments])
        for segment, label in zip(segments, labels, strict=True):
            segment["speaker"] = label
    notes: list[str] = []
    if row.dropped:
        notes.append(f"{row.dropped} segment(s) dropped: repeated, or text heard on silence")
    if not segments:
        notes.append("no speech was heard in the recording")
    row.segments, row.notes = segments, notes


def _finished(model_id: str, record_id: str) -> Change:
    def apply(row: MeetingRow) -> None:
        row.status, row.model_id, row.error = "transcribed", model_id, None
        row.transcribed_until = max(row.transcribed_until, row.duration)
        row.transcript_record_id = record_id

    return apply


def _failed(error: str) -> Change:
    def apply(row: MeetingRow) -> None:
        if row.status != "transcribed":
            row.status = "failed"
            row.error = error

    return apply
