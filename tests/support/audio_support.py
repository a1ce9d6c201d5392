"""Recordings made in memory for the speech tests."""

from __future__ import annotations

import io
import wave

import numpy as np


def wav_bytes(seconds: float, *, rate: int = 44_100, channels: int = 2, tone: bool = True) -> bytes:
    """A WAV recording: a 440 Hz tone (or silence), stereo at 44.1 kHz by default."""
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.3 * np.sin(2 * np.pi * 440 * t) if tone else np.zeros_like(t)
    frames = (np.repeat(signal[:, None], channels, axis=1) * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(frames.tobytes())
    return out.getvalue()
