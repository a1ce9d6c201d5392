"""A transcription server behind the speech seam: any server speaking OpenAI's
`POST {base_url}/audio/transcriptions` (whisper-large-v3 on vLLM or faster-whisper-server,
SenseVoice behind an adapter, another govpilot).

The recording goes as 16 kHz mono 16-bit WAV with `response_format=verbose_json`, so the
server's segments and their times come back; a server that answers only `{"text"}` gives
one segment over the whole recording. Errors become `ModelUnavailable` with the server's
address (never its key).
"""

from __future__ import annotations

import io
import math
import wave
from typing import Any

import httpx
import numpy as np

from govpilot.backends.openai_compat import normalise_base_url
from govpilot.backends.speech import SAMPLE_RATE, Progress, SpeechResult, SpeechSegment
from govpilot.errors import ModelUnavailable


def wav_of(samples: np.ndarray) -> bytes:
    """16 kHz mono float samples as a 16-bit PCM WAV file."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(pcm.tobytes())
    return out.getvalue()


class OpenAITranscriptionRecogniser:
    """Speech to text over HTTP, OpenAI's transcription API."""

    name = "openai-asr"

    def __init__(
        self,
        base_url: str,
        *,
        model: str = "whisper-1",
        api_key: str | None = None,
        timeout_s: float = 600.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = normalise_base_url(base_url)
        self.model_id = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout_s, transport=transport
        )

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None = None,
        prompt: str | None = None,
        progress: Progress | None = None,
    ) -> SpeechResult:
        duration = len(audio) / SAMPLE_RATE
        form = {"model": self.model_id, "response_format": "verbose_json"}
        if language:
            form["language"] = language
        if prompt:
            form["prompt"] = prompt
        try:
            response = self._client.post(
                "/audio/transcriptions",
                data=form,
                files={"file": ("recording.wav", wav_of(audio), "audio/wav")},
            )
        except httpx.HTTPError as exc:
            raise ModelUnavailable(
                f"the transcription server at {self.base_url} cannot be reached ({exc})",
                hint="check speech.base_url and that the server is running",
            ) from exc
        if response.status_code >= 400:
            raise ModelUnavailable(
                f"the transcription server at {self.base_url} answered "
                f"{response.status_code}: {response.text[:200]}",
                hint="check the server's logs and speech.model",
            )
        try:
            body: dict[str, Any] = response.json()
        except ValueError as exc:
            raise ModelUnavailable(
                f"the transcription server at {self.base_url} did not answer JSON"
            ) from exc
        heard = str(body.get("language") or language or "")
        segments = [
            SpeechSegment(
                float(s.get("start", 0.0)),
                float(s.get("end", duration)),
                str(s.get("text", "")).strip(),
                str(s.get("language") or heard),
                confidence=math.exp(float(s["avg_logprob"])) if "avg_logprob" in s else None,
                speaker=s.get("speaker"),
            )
            for s in body.get("segments") or []
        ]
        if not segments and str(body.get("text", "")).strip():
            segments = [SpeechSegment(0.0, duration, str(body["text"]).strip(), heard)]
        if progress is not None:
            progress(duration, duration)
        return SpeechResult(segments, heard, duration, self.model_id)
