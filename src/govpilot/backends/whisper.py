"""The embedded recogniser: faster-whisper (CTranslate2, int8 on the CPU) on the packaged
Whisper base weights, with its bundled Silero voice-activity detector.

With `vad` on, silence and music are cut before decoding, so a silent stretch yields no
text (Whisper invents text there otherwise). Each decoding window is independent
(`condition_on_previous_text` off), so one misheard window cannot start a loop that
repeats through the rest of a meeting. Whisper base knows no Cantonese language token:
Cantonese is decoded as Chinese, and `backends`' callers tell it apart from Mandarin by
the words (see `capabilities.transcribe`).
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from govpilot.backends.speech import SAMPLE_RATE, Progress, SpeechResult, SpeechSegment
from govpilot.backends.speech_weights import WHISPER_MODEL_ID, check_whisper_dir
from govpilot.errors import ModelUnavailable

#: Whisper's language codes for the ones govpilot asks for (base has no "yue").
_WHISPER_LANGUAGE = {"yue": "zh", "zh": "zh", "en": "en"}


class FasterWhisperRecogniser:
    """Whisper through faster-whisper; loaded on first use, one decode at a time."""

    name = "whisper"

    def __init__(
        self,
        model_dir: Path,
        *,
        vad: bool = True,
        beam_size: int = 5,
        threads: int | None = None,
        model_id: str = WHISPER_MODEL_ID,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.vad = vad
        self.beam_size = beam_size
        self.threads = threads or max(1, os.cpu_count() or 1)
        self.model_id = model_id
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            check_whisper_dir(self.model_dir)
            try:
                from faster_whisper import WhisperModel
            except ImportError as exc:  # pragma: no cover - an install without [embedded]
                raise ModelUnavailable(
                    "faster-whisper is not installed", hint="pip install -e '.[embedded]'"
                ) from exc
            self._model = WhisperModel(
                str(self.model_dir), device="cpu", compute_type="int8", cpu_threads=self.threads
            )
        return self._model

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None = None,
        prompt: str | None = None,
        progress: Progress | None = None,
    ) -> SpeechResult:
        duration = len(audio) / SAMPLE_RATE
        with self._lock:
            model = self._load()
            segments, info = model.transcribe(
                audio,
                language=_WHISPER_LANGUAGE.get(language or ""),
                beam_size=self.beam_size,
                initial_prompt=prompt,
                condition_on_previous_text=False,
                vad_filter=self.vad,
                vad_parameters={"min_silence_duration_ms": 500, "speech_pad_ms": 200},
            )
            found: list[SpeechSegment] = []
            for segment in segments:  # decoding happens as the generator is read
                found.append(
                    SpeechSegment(
                        start=float(segment.start),
                        end=float(segment.end),
                        text=segment.text.strip(),
                        language=info.language,
                        confidence=math.exp(float(segment.avg_logprob)),
                    )
                )
                if progress is not None:
                    progress(min(float(segment.end), duration), duration)
        if progress is not None:
            progress(duration, duration)
        kept = getattr(info, "duration_after_vad", None) if self.vad else None
        return SpeechResult(
            found,
            info.language,
            duration,
            self.model_id,
            speech_seconds=float(kept) if kept is not None else None,
        )
