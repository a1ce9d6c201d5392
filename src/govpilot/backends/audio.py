"""Audio files to 16 kHz mono samples, with PyAV (FFmpeg ships in its wheels).

Accepted: .wav .mp3 .m4a .aac .ogg .opus .flac .webm .mp4 (its audio track). Refused with
a clear error, before any recognition: a file that is not audio (or has no audio track),
a damaged or truncated one that decodes to nothing, and a recording longer than the limit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np

from govpilot.errors import CorruptDocument, InputTooLarge, UnsupportedFileType

AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".flac", ".webm", ".mp4")
SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class DecodedAudio:
    samples: np.ndarray  # float32, mono, 16 kHz
    seconds: float
    codec: str


def check_audio_name(filename: str) -> None:
    """Refuse a file whose name is not one of the audio types read here."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in AUDIO_SUFFIXES:
        raise UnsupportedFileType(
            f"{filename!r} is not an audio file govpilot reads",
            hint=f"use one of: {' '.join(AUDIO_SUFFIXES)}",
        )


def decode_audio(data: bytes, filename: str, *, max_seconds: float) -> DecodedAudio:
    """`data` decoded to 16 kHz mono float32; errors say what is wrong with the file."""
    import av  # imported here: only speech needs FFmpeg

    check_audio_name(filename)
    if not data:
        raise CorruptDocument(f"{filename!r} is empty", hint="record or export it again")
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise CorruptDocument(
            f"{filename!r} cannot be read as audio ({type(exc).__name__})",
            hint="check that it is a recording and not damaged; export it again as .wav or .mp3",
        ) from exc
    with container:
        streams = container.streams.audio
        if not streams:
            raise UnsupportedFileType(
                f"{filename!r} has no audio track", hint="give a recording with sound"
            )
        stream = streams[0]
        base = stream.time_base
        declared = float(stream.duration * base) if stream.duration and base else None
        if declared is None and container.duration:
            declared = container.duration / 1_000_000
        if declared is not None and declared > max_seconds:
            raise _too_long(filename, declared, max_seconds)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        chunks: list[np.ndarray] = []
        total = 0
        limit = int(max_seconds * SAMPLE_RATE)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += chunk.size
                if total > limit:
                    raise _too_long(filename, total / SAMPLE_RATE, max_seconds)
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError as exc:
            if not chunks:
                raise CorruptDocument(
                    f"{filename!r} is damaged: no sound could be decoded",
                    hint="export the recording again",
                ) from exc
            # A truncated file: keep what decoded (the end is lost, said in the notes).
        codec = stream.codec_context.name if stream.codec_context else "unknown"
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if samples.size == 0:
        raise CorruptDocument(
            f"{filename!r} holds no sound", hint="check the recording; it decodes to nothing"
        )
    return DecodedAudio(samples, samples.size / SAMPLE_RATE, codec)


def _too_long(filename: str, seconds: float, max_seconds: float) -> InputTooLarge:
    return InputTooLarge(
        f"{filename!r} is {seconds / 60:.0f} minutes long; the limit is "
        f"{max_seconds / 60:.0f} minutes",
        hint="split the recording, or ask your administrator to raise speech.max_minutes",
    )
