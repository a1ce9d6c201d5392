"""The speech-recognition seam (`asr`): audio in, timed segments out.

A recogniser takes 16 kHz mono float32 samples and returns segments with start and end
times (seconds), text, language and a confidence. The embedded one is faster-whisper on
the packaged Whisper base weights (`backends.whisper`); tests pass `ScriptedRecogniser`.
Capabilities never import a concrete recogniser: the composition root builds one from
the settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

import numpy as np

SAMPLE_RATE = 16_000
#: Languages a caller may ask for; None (auto) lets the recogniser decide per recording.
LANGUAGES = ("yue", "zh", "en")
Progress = Callable[[float, float], None]


@dataclass(frozen=True)
class SpeechSegment:
    """One stretch of speech: where it is (seconds), what was said, in which language."""

    start: float
    end: float
    text: str
    language: str
    #: The recogniser's mean token probability (0-1); None when it cannot say.
    confidence: float | None = None
    speaker: str | None = None

    def with_text(self, text: str, **changes: Any) -> SpeechSegment:
        return replace(self, text=text, **changes)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"], data["end"] = round(self.start, 2), round(self.end, 2)
        if self.confidence is not None:
            data["confidence"] = round(self.confidence, 3)
        return data


@dataclass
class SpeechResult:
    """What a recogniser heard in one recording."""

    segments: list[SpeechSegment]
    language: str
    duration: float
    model_id: str
    #: Seconds of the recording the voice-activity detector kept (None: no VAD).
    speech_seconds: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.segments if s.text)


class SpeechRecogniser(Protocol):
    """Turns audio into timed text."""

    name: str
    model_id: str

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None = None,
        prompt: str | None = None,
        progress: Progress | None = None,
    ) -> SpeechResult:
        """Segments of `audio` (16 kHz mono float32); `language` None: detect it."""
        ...


@dataclass
class ScriptedRecogniser:
    """A recogniser for tests: returns the given segments, records what it was asked."""

    segments: Sequence[SpeechSegment] = ()
    language: str = "en"
    name: str = "scripted-asr"
    model_id: str = "scripted-asr"
    calls: list[dict[str, Any]] = field(default_factory=list)

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None = None,
        prompt: str | None = None,
        progress: Progress | None = None,
    ) -> SpeechResult:
        duration = len(audio) / SAMPLE_RATE
        self.calls.append({"seconds": duration, "language": language, "prompt": prompt})
        if progress is not None:
            progress(duration, duration)
        kept = [s for s in self.segments if s.start < duration]
        return SpeechResult(kept, language or self.language, duration, self.model_id)
