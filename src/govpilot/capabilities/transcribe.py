"""Voice to text: a recording becomes a timed transcript in Hong Kong written forms.

`Transcriber.transcribe` checks and decodes the file (`backends.audio`), runs the
department's recogniser, then cleans what came back:

- text Whisper is known to invent on silence or music (subtitle credits, "thanks for
  watching") and windows that only repeat one phrase are dropped, a phrase repeated many
  times inside a segment is kept once, and a segment that repeats the one before is
  dropped;
- Chinese is written in Hong Kong Traditional characters (OpenCC s2hk);
- each segment's language is told from its words: Cantonese (yue) where it has
  Cantonese-only words (係 嘅 咗 唔 ...), otherwise Chinese (zh) or English (en).

Asked for Cantonese, the recogniser is primed with a Cantonese sentence, which makes it
write spoken Cantonese (佢哋係) rather than Mandarin forms. Every run is audited (with the
register entry "Meeting minutes" as its application); a silent recording gives an empty
transcript and a note, never invented text.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from govpilot.access import CallContext, Permission, authorize
from govpilot.audit.events import AuditEvent, AuditSink, Outcome
from govpilot.backends.audio import decode_audio
from govpilot.backends.speech import LANGUAGES, SpeechRecogniser, SpeechResult, SpeechSegment
from govpilot.errors import InputError
from govpilot.language import detect_language, fold_script, to_hk_traditional

CAPABILITY = "transcribe"
#: Primes Whisper to write Cantonese as it is spoken (Whisper base has no Cantonese token).
CANTONESE_PROMPT = "以下係一段廣東話嘅錄音，佢哋講嘅嘢照寫。"
#: Text Whisper writes on silence, music and applause (folded to Simplified, lower case).
_INVENTED = tuple(
    fold_script(phrase).lower()
    for phrase in (
        "字幕由Amara.org社區提供",
        "請不吝點贊訂閱轉發打賞",
        "優優獨播劇場",
        "明鏡與點點欄目",
        "謝謝觀看",
        "多謝收看",
        "字幕志願者",
        "thank you for watching",
        "thanks for watching",
        "please subscribe",
    )
)
_LOOP = re.compile(r"(.{1,12}?)\1{3,}", re.DOTALL)
_CANTONESE_ONLY = re.compile(r"[係嘅咗唔佢喺啲嚟咩冇嘢睇噉咁啱嗰哋乜嘞喇囉]")
Progress = Callable[[float, float], None]


@dataclass
class Transcript:
    """A recording's segments after clean-up, with what was done to them."""

    segments: list[SpeechSegment]
    language: str
    duration: float
    model_id: str
    notes: list[str] = field(default_factory=list)
    #: Segments the clean-up dropped (repeated, or text heard on silence).
    dropped: int = 0

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.segments)

    def as_dict(self) -> dict[str, Any]:
        """The JSON of `govpilot transcribe --json` and the API."""
        return {
            "text": self.text,
            "language": self.language,
            "duration": round(self.duration, 2),
            "model_id": self.model_id,
            "segments": [s.as_dict() for s in self.segments],
            "notes": list(self.notes),
        }


def check_language(language: str | None) -> str | None:
    """yue, zh, en, or None for auto (also "auto"); InputError naming the choices."""
    if language in (None, "", "auto"):
        return None
    if language not in LANGUAGES:
        raise InputError(
            f"language cannot be {language!r}", hint=f"use auto or one of: {', '.join(LANGUAGES)}"
        )
    return language


def segment_language(text: str, heard: str) -> str:
    """yue, zh or en for one segment's text (the recogniser's guess when it cannot tell)."""
    found = detect_language(text)
    if found == "en":
        return "en"
    if found in ("zh-Hant", "zh-Hans", "yue", "mixed"):
        return "yue" if _CANTONESE_ONLY.search(text) else "zh"
    return "yue" if heard == "yue" else ("zh" if heard.startswith("zh") else heard or "en")


def _invented(text: str) -> bool:
    folded = fold_script(text).lower().replace(" ", "")
    return any(phrase.replace(" ", "") in folded for phrase in _INVENTED)


def clean_segments(segments: list[SpeechSegment], heard: str) -> tuple[list[SpeechSegment], int]:
    """The segments cleaned as the module says; and how many were dropped."""
    kept: list[SpeechSegment] = []
    dropped = 0
    for segment in segments:
        text = _LOOP.sub(r"\1", segment.text).strip()
        if not text or _invented(text) or (kept and kept[-1].text == to_hk_traditional(text)):
            dropped += 1
            continue
        text = to_hk_traditional(text)
        kept.append(segment.with_text(text, language=segment_language(text, heard)))
    return kept, dropped


@dataclass
class Transcriber:
    """Recordings to transcripts for the CLI, API, web and jobs."""

    recogniser: SpeechRecogniser
    audit: AuditSink
    max_seconds: float
    #: The register's `application_of` (None: audit events name no application).
    application_of: Callable[[CallContext], str] | None = None

    def transcribe(
        self,
        ctx: CallContext,
        data: bytes,
        filename: str,
        *,
        language: str | None = None,
        progress: Progress | None = None,
    ) -> Transcript:
        """The transcript of the recording `data` named `filename`."""
        ctx = replace(ctx, capability=CAPABILITY)
        authorize(ctx, Permission.USE_COPILOT)
        language = check_language(language)
        decoded = decode_audio(data, filename, max_seconds=self.max_seconds)
        started = time.perf_counter()
        try:
            transcript = self.recognise(decoded.samples, language=language, progress=progress)
        except Exception:
            self.audit_run(ctx, decoded.seconds, started, None)
            raise
        self.audit_run(ctx, decoded.seconds, started, transcript)
        return transcript

    def recognise(
        self,
        samples: np.ndarray,
        *,
        language: str | None = None,
        offset: float = 0.0,
        progress: Progress | None = None,
    ) -> Transcript:
        """`samples` (a stretch `offset` seconds into a recording) recognised and cleaned;
        neither authorised nor audited: `transcribe` and the meeting jobs do that."""
        prompt = CANTONESE_PROMPT if language == "yue" else None
        heard = self.recogniser.transcribe(
            samples, language=language, prompt=prompt, progress=progress
        )
        transcript = self._clean(heard, language)
        if offset:
            transcript.segments = [
                replace(s, start=s.start + offset, end=s.end + offset) for s in transcript.segments
            ]
        return transcript

    def _clean(self, heard: SpeechResult, language: str | None) -> Transcript:
        segments, dropped = clean_segments(heard.segments, language or heard.language)
        notes = list(heard.notes)
        if dropped:
            notes.append(f"{dropped} segment(s) dropped: repeated, or text heard on silence")
        if not segments:
            notes.append("no speech was heard in the recording")
        languages = [s.language for s in segments]
        main = max(set(languages), key=languages.count) if languages else (language or "")
        return Transcript(segments, main, heard.duration, heard.model_id, notes, dropped)

    def audit_run(
        self, ctx: CallContext, seconds: float, started: float, transcript: Transcript | None
    ) -> None:
        """The "transcribe" audit event of one recording (`transcript` None: it failed)."""
        outcome: Outcome = "ok" if transcript is not None else "error"
        detail: dict[str, Any] = {"audio_seconds": round(seconds, 1)}
        if transcript is not None:
            detail.update(segments=len(transcript.segments), language=transcript.language)
        self.audit.record(
            AuditEvent(
                actor=ctx.actor,
                department=ctx.department,
                action=CAPABILITY,
                outcome=outcome,
                backend=self.recogniser.name,
                model_name=self.recogniser.name,
                model_id=self.recogniser.model_id,
                latency_ms=int((time.perf_counter() - started) * 1000),
                channel=ctx.channel,
                detail=detail,
                application_id=self.application_of(ctx) if self.application_of else None,
            )
        )
