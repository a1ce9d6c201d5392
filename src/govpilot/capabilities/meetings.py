"""Meetings: a recording becomes a transcript the officer corrects, then minutes they approve.

`Meetings` is the façade the web page, the API and the CLI share:

- `upload` refuses what is not a usable recording at once (type, size, length), keeps the
  file as a stored upload (retention and erasure apply; the meeting goes with it) and
  queues a transcription job (`meeting_jobs`), which works through the recording in
  windows and saves each one, so a crashed job goes on from the last saved window.
- The transcript is corrected in place: a speaker label is renamed once for every
  segment, a segment's text or speaker is changed, two segments are merged, one is split.
  Each change names the version it was made on; a stale one is refused (Conflict).
- `write_minutes` queues a minutes job; the officer edits the draft and approves it; an
  edit after approval makes it a draft again. Exports: the minutes as .docx or .md, the
  transcript as .docx, .srt, .vtt, .txt or .json.

Who sees a meeting: whoever uploaded it, its department's administrators and platform
administrators; for anyone else it does not exist (NotFound). Every change is audited
(never the text itself).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Any

from govpilot.access import CallContext, Permission, Role, authorize
from govpilot.audit.events import AuditEvent, AuditSink
from govpilot.backends.audio import audio_seconds, check_audio_name
from govpilot.capabilities.meeting_exports import (
    MEDIA_TYPES,
    Export,
    download,
    minutes_export,
    transcript_export,
)
from govpilot.capabilities.meeting_store import Meeting, MeetingStore
from govpilot.capabilities.minutes import Minutes, check_minutes_options
from govpilot.capabilities.transcribe import check_language
from govpilot.errors import Conflict, InputError, InputTooLarge, NotFound
from govpilot.jobs.service import JobService
from govpilot.storage.meeting_tables import MeetingRow
from govpilot.storage.records import RecordStore

CAPABILITY = "minutes"
TRANSCRIBE_JOB = "meeting_transcribe"
MINUTES_JOB = "meeting_minutes"
MAX_TITLE = 200
MAX_SEGMENT_TEXT = 5_000
MAX_LIST = 200


class Meetings:
    """Recorded meetings of the departments, for every interface."""

    def __init__(
        self,
        store: MeetingStore,
        records: RecordStore,
        jobs: Callable[[], JobService],
        audit: AuditSink,
        *,
        max_seconds: float,
        max_bytes: int,
    ) -> None:
        self.store = store
        self.records = records
        self.jobs = jobs
        self.audit = audit
        self.max_seconds = max_seconds
        self.max_bytes = max_bytes

    # --- in ---------------------------------------------------------------------------

    def upload(
        self,
        ctx: CallContext,
        data: bytes,
        filename: str,
        *,
        title: str = "",
        language: str | None = None,
    ) -> Meeting:
        """Keep the recording and queue its transcription; refuses a file that is not a
        usable recording before anything is kept."""
        ctx = self._authorised(ctx)
        language = check_language(language)
        name = PurePath(filename or "recording").name
        check_audio_name(name)
        if len(data) > self.max_bytes:
            raise InputTooLarge(
                f"the recording is over the {self.max_bytes / 1024 / 1024:g} MB limit",
                hint="split it, or ask your administrator to raise speech.max_upload_mb",
            )
        if not data:
            raise InputError(f"{name!r} is empty", hint="record or export it again")
        title = (title or PurePath(name).stem).strip()[:MAX_TITLE]
        record_id = self.records.save_upload(
            ctx.department, ctx.actor, name, data, metadata={"kind": "meeting recording"}
        )
        try:
            path = self.recording_path(record_id)
            seconds = audio_seconds(path, name, max_seconds=self.max_seconds)
            meeting_id = uuid.uuid4().hex
            job_id = uuid.uuid4().hex
            row = self.store.row(
                id=meeting_id,
                department=ctx.department,
                owner_id=ctx.user_id,
                actor=ctx.actor,
                title=title,
                audio_record_id=record_id,
                audio_name=name,
                language=language,
                duration=seconds,
                transcribe_job_id=job_id,
            )
            self.jobs().queue_job(
                ctx,
                TRANSCRIBE_JOB,
                job_id=job_id,
                params={"meeting_id": meeting_id},
                input_name=name,
                input_record_id=record_id,
                also=lambda session: session.add(row),
            )
        except BaseException:
            self.records.delete(record_id)
            raise
        meeting = self._found(meeting_id)
        self._audit(ctx, meeting, "meeting.upload", seconds=round(seconds, 1))
        return meeting

    def retry(self, ctx: CallContext, meeting_id: str) -> Meeting:
        """Queue the transcription again after it failed; it goes on where it stopped."""
        meeting = self.get(ctx, meeting_id)
        if meeting.status != "failed":
            raise Conflict(f"the meeting is {meeting.status}", hint="only a failed one is retried")
        job_id = uuid.uuid4().hex
        self.jobs().queue_job(
            ctx,
            TRANSCRIBE_JOB,
            job_id=job_id,
            params={"meeting_id": meeting.id},
            input_name=meeting.audio_name,
            department=meeting.department,
            input_record_id=meeting.audio_record_id,
        )
        return self.store.change(meeting.id, _queued(job_id))

    # --- reading ----------------------------------------------------------------------

    def get(self, ctx: CallContext, meeting_id: str) -> Meeting:
        """One meeting the caller may see; NotFound otherwise."""
        meeting = self.store.get(meeting_id)
        missing = NotFound(f"no meeting {meeting_id!r}", hint="list your meetings to find it")
        # Another department's meeting does not exist for any of its roles (404, not 403).
        if meeting is None or not (
            ctx.role == Role.PLATFORM_ADMIN or ctx.department == meeting.department
        ):
            raise missing
        authorize(ctx, Permission.USE_COPILOT)
        if not _visible(ctx, meeting):
            raise missing
        return meeting

    def list(self, ctx: CallContext, *, limit: int = 50) -> list[Meeting]:
        """The caller's meetings, newest first (a department admin: the department's)."""
        authorize(ctx, Permission.USE_COPILOT)
        limit = max(1, min(limit, MAX_LIST))
        if ctx.role == Role.PLATFORM_ADMIN:
            return self.store.listed(None, None, limit)
        if ctx.role == Role.DEPARTMENT_ADMIN:
            return self.store.listed(ctx.department, None, limit)
        if ctx.user_id is None:
            return []
        return self.store.listed(ctx.department, ctx.user_id, limit)

    def audio(self, ctx: CallContext, meeting_id: str) -> tuple[Path, str]:
        """Where the recording lies, and its media type, for the page's audio player."""
        meeting = self.get(ctx, meeting_id)
        suffix = PurePath(meeting.audio_name).suffix.lower()
        return self.recording_path(meeting.audio_record_id), MEDIA_TYPES.get(
            suffix, "application/octet-stream"
        )

    # --- the transcript ---------------------------------------------------------------

    def rename_speaker(
        self, ctx: CallContext, meeting_id: str, label: str, name: str, *, version: int
    ) -> Meeting:
        """Name a speaker label ("Speaker 1" -> "Chairman") in every segment."""
        meeting = self._editable(ctx, meeting_id)
        name = " ".join(name.split())[:80]
        if label not in meeting.labels:
            raise InputError(f"there is no speaker {label!r}", hint="pick one of the transcript's")
        if not name:
            raise InputError("a speaker's name cannot be empty", hint="type the name")

        def apply(row: MeetingRow) -> None:
            row.speakers = {**(row.speakers or {}), label: name}

        changed = self.store.change(meeting.id, apply, version=version)
        self._audit(ctx, changed, "meeting.rename_speaker")
        return changed

    def edit_segment(
        self,
        ctx: CallContext,
        meeting_id: str,
        index: int,
        *,
        version: int,
        text: str | None = None,
        speaker: str | None = None,
    ) -> Meeting:
        """Correct one segment's text, or give it to another speaker (a label or a name)."""
        meeting = self._editable(ctx, meeting_id)
        _check_index(meeting, index)
        if text is not None:
            text = text.strip()
            if not text:
                raise InputError("a segment's text cannot be empty", hint="merge it instead")
            if len(text) > MAX_SEGMENT_TEXT:
                raise InputError(f"a segment holds at most {MAX_SEGMENT_TEXT} characters")
        label = _label_for(meeting, speaker) if speaker is not None else None

        def apply(row: MeetingRow) -> None:
            segments = [dict(s) for s in row.segments]
            if text is not None:
                segments[index]["text"] = text
            if label is not None:
                segments[index]["speaker"] = label
            row.segments = segments

        changed = self.store.change(meeting.id, apply, version=version)
        self._audit(ctx, changed, "meeting.edit", segment=index)
        return changed

    def merge(self, ctx: CallContext, meeting_id: str, index: int, *, version: int) -> Meeting:
        """Join segment `index` and the one after it (the first one's speaker stays)."""
        meeting = self._editable(ctx, meeting_id)
        _check_index(meeting, index)
        if index + 1 >= len(meeting.labelled):
            raise InputError("the last segment has nothing after it to merge with")

        def apply(row: MeetingRow) -> None:
            segments = [dict(s) for s in row.segments]
            first, second = segments[index], segments.pop(index + 1)
            joiner = " " if first["text"][-1:].isascii() and second["text"][:1].isascii() else ""
            first["text"] = f"{first['text']}{joiner}{second['text']}"
            first["end"] = second["end"]
            row.segments = segments

        changed = self.store.change(meeting.id, apply, version=version)
        self._audit(ctx, changed, "meeting.merge", segment=index)
        return changed

    def split(
        self, ctx: CallContext, meeting_id: str, index: int, at: int, *, version: int
    ) -> Meeting:
        """Cut segment `index` after its first `at` characters; the time is shared in
        proportion to the text (the officer moves the words, not the audio)."""
        meeting = self._editable(ctx, meeting_id)
        _check_index(meeting, index)
        text = meeting.labelled[index].text
        if not 0 < at < len(text):
            raise InputError(
                f"a segment of {len(text)} characters is split between 1 and {len(text) - 1}",
                hint="choose where the second part begins",
            )

        def apply(row: MeetingRow) -> None:
            segments = [dict(s) for s in row.segments]
            whole = segments[index]
            middle = round(whole["start"] + (whole["end"] - whole["start"]) * at / len(text), 2)
            head = {**whole, "text": text[:at].strip(), "end": middle}
            tail = {**whole, "text": text[at:].strip(), "start": middle}
            segments[index : index + 1] = [head, tail]
            row.segments = segments

        changed = self.store.change(meeting.id, apply, version=version)
        self._audit(ctx, changed, "meeting.split", segment=index)
        return changed

    # --- minutes ----------------------------------------------------------------------

    def write_minutes(
        self,
        ctx: CallContext,
        meeting_id: str,
        *,
        template: str = "formal",
        lang: str | None = None,
        model: str | None = None,
    ) -> Meeting:
        """Queue the minutes of the transcript as it stands (a draft replaces the last one)."""
        meeting = self.get(ctx, meeting_id)
        if meeting.status != "transcribed":
            raise Conflict("the transcript is not ready yet", hint="wait until it is transcribed")
        if not any(s.text for s in meeting.labelled):
            raise InputError("the transcript is empty: there is nothing to minute")
        if meeting.minutes_status == "writing":
            raise Conflict("the minutes are being written", hint="wait for them")
        check_minutes_options(template, lang or None)
        job_id = uuid.uuid4().hex
        params: dict[str, Any] = {"meeting_id": meeting.id, "template": template}
        if lang:
            params["lang"] = lang
        if model:
            params["model"] = model
        self.jobs().queue_job(
            ctx,
            MINUTES_JOB,
            job_id=job_id,
            params=params,
            input_name=meeting.audio_name,
            department=meeting.department,
        )

        def apply(row: MeetingRow) -> None:
            row.minutes_status, row.minutes_job_id, row.error = "writing", job_id, None

        return self.store.change(meeting.id, apply)

    def save_minutes(
        self, ctx: CallContext, meeting_id: str, minutes: dict[str, Any], *, version: int
    ) -> Meeting:
        """The officer's edit of the minutes; approved minutes become a draft again."""
        meeting = self._editable(ctx, meeting_id)
        if meeting.minutes is None:
            raise Conflict("there are no minutes to edit yet", hint="write them first")
        checked = Minutes.from_dict(minutes, meeting.segments).as_dict()

        def apply(row: MeetingRow) -> None:
            row.minutes, row.minutes_status = checked, "draft"
            row.minutes_approved_by = row.minutes_approved_at = None

        changed = self.store.change(meeting.id, apply, version=version)
        self._audit(ctx, changed, "minutes.edit")
        return changed

    def approve_minutes(self, ctx: CallContext, meeting_id: str, *, version: int) -> Meeting:
        """Approve the minutes as they stand, in the approver's name (audited)."""
        meeting = self._editable(ctx, meeting_id)
        if meeting.minutes is None or meeting.minutes_status != "draft":
            raise Conflict(
                f"the minutes are {meeting.minutes_status}", hint="only a draft is approved"
            )

        def apply(row: MeetingRow) -> None:
            row.minutes_status = "approved"
            row.minutes_approved_by = ctx.actor
            row.minutes_approved_at = self.store.clock()

        changed = self.store.change(meeting.id, apply, version=version)
        self._audit(ctx, changed, "minutes.approve")
        return changed

    # --- out --------------------------------------------------------------------------

    def export_transcript(self, ctx: CallContext, meeting_id: str, fmt: str) -> Export:
        """The transcript as .docx, .srt, .vtt, .txt or .json."""
        return transcript_export(self.get(ctx, meeting_id), fmt)

    def download(self, ctx: CallContext, meeting_id: str, name: str) -> Export:
        """One of the meeting's files by name ("minutes.docx", "transcript.srt" ...)."""
        return download(self.get(ctx, meeting_id), name)

    def export_minutes(self, ctx: CallContext, meeting_id: str, fmt: str = "docx") -> Export:
        """The minutes as they stand (draft or approved) as .docx or .md."""
        return minutes_export(self.get(ctx, meeting_id), fmt)

    def delete(self, ctx: CallContext, meeting_id: str) -> None:
        """Delete the meeting with its recording and transcript (audited)."""
        meeting = self._editable(ctx, meeting_id)
        for record_id in (meeting.transcript_record_id, meeting.audio_record_id):
            if record_id:
                self.records.delete(record_id)
        self._audit(ctx, meeting, "meeting.delete")

    # --- helpers ----------------------------------------------------------------------

    def _authorised(self, ctx: CallContext) -> CallContext:
        ctx = replace(ctx, capability=CAPABILITY)
        authorize(ctx, Permission.USE_COPILOT)
        return ctx

    def _editable(self, ctx: CallContext, meeting_id: str) -> Meeting:
        meeting = self.get(ctx, meeting_id)
        if meeting.status in ("queued", "transcribing"):
            raise Conflict("the recording is still being transcribed", hint="wait until done")
        return meeting

    def _found(self, meeting_id: str) -> Meeting:
        meeting = self.store.get(meeting_id)
        if meeting is None:
            raise NotFound(f"no meeting {meeting_id!r}")
        return meeting

    def recording_path(self, record_id: str) -> Path:
        """Where the stored recording `record_id` lies; NotFound once it is purged."""
        path = self.records.blob_file(self.records.get(record_id))
        if path is None or not path.is_file():
            raise NotFound("the recording is no longer kept", hint="it may have been purged")
        return path

    def _audit(self, ctx: CallContext, meeting: Meeting, action: str, **detail: Any) -> None:
        self.audit.record(
            AuditEvent(
                actor=ctx.actor,
                department=meeting.department,
                action=action,
                channel=ctx.channel,
                detail={"meeting": meeting.id, "version": meeting.version, **detail},
            )
        )


def _visible(ctx: CallContext, meeting: Meeting) -> bool:
    """Within the meeting's department (`Meetings.get` checks that first): its uploader and
    the department's administrators; platform administrators everywhere."""
    if ctx.role in (Role.PLATFORM_ADMIN, Role.DEPARTMENT_ADMIN):
        return True
    if ctx.user_id is not None:
        return meeting.owner_id == ctx.user_id
    return meeting.owner_id is None and meeting.actor == ctx.actor


def _check_index(meeting: Meeting, index: int) -> None:
    if not 0 <= index < len(meeting.labelled):
        raise InputError(
            f"there is no segment {index + 1}",
            hint=f"the transcript has {len(meeting.labelled)} segments",
        )


def _label_for(meeting: Meeting, speaker: str) -> str:
    """The label of the speaker called `speaker` (its label or its name); a new label
    when it is neither, so a voice the machine missed can be given its own."""
    speaker = " ".join(speaker.split())[:80]
    if not speaker:
        raise InputError("say who spoke", hint="pick a speaker or type a new name")
    for label in meeting.labels:
        if speaker in (label, meeting.speaker_name(label)):
            return label
    return speaker


def _queued(job_id: str) -> Callable[[MeetingRow], None]:
    def apply(row: MeetingRow) -> None:
        row.status, row.transcribe_job_id, row.error = "queued", job_id, None

    return apply


__all__ = ["MINUTES_JOB", "TRANSCRIBE_JOB", "Export", "Meeting", "Meetings"]
