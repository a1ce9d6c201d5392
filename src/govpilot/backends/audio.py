"""Audio files to 16 kHz mono samples, with PyAV (FFmpeg ships in its wheels).

Accepted: .wav .mp3 .m4a .aac .ogg .opus .flac .webm .mp4 (its audio track). Refused with
a clear error, before any recognition: a file that is not audio (or has no audio track),
a damaged or truncated one that decodes to nothing, and a recording longer than the limit.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from govpilot.errors import CorruptDocument, InputTooLarge, UnsupportedFileType

AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".flac", ".webm", ".mp4")
SAMPLE_RATE = 16_000
#: Seconds of audio a long recording is transcribed in at a time (one checkpoint each).
WINDOW_SECONDS = 300.0
#: The stretch at the end of a window searched for a quiet place to cut.
CUT_SEARCH_SECONDS = 10.0


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
    if not data:
        raise CorruptDocument(f"{filename!r} is empty", hint="record or export it again")
    chunks: list[np.ndarray] = []
    codec = "unknown"
    with _opened(io.BytesIO(data), filename, max_seconds) as (container, stream, _declared):
        codec = stream.codec_context.name if stream.codec_context else "unknown"
        chunks.extend(_samples(container, stream, filename, max_seconds))
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if samples.size == 0:
        raise CorruptDocument(
            f"{filename!r} holds no sound", hint="check the recording; it decodes to nothing"
        )
    return DecodedAudio(samples, samples.size / SAMPLE_RATE, codec)


def audio_seconds(path: Path, filename: str, *, max_seconds: float) -> float:
    """How long the recording at `path` says it is (0.0 when it does not say); refuses a
    file that is not audio, has no audio track or is declared longer than the limit."""
    with _opened(path, filename, max_seconds) as (_container, _stream, declared):
        return declared or 0.0


def audio_windows(
    path: Path,
    filename: str,
    *,
    max_seconds: float,
    start: float = 0.0,
    window: float = WINDOW_SECONDS,
) -> Iterator[tuple[float, np.ndarray]]:
    """The recording at `path` from `start` seconds, in windows of about `window` seconds:
    (offset, 16 kHz mono samples) each, so a long recording never sits in memory whole.

    Each window ends at the quietest quarter second of its last `CUT_SEARCH_SECONDS`, so
    a cut rarely falls inside a word; the next window starts there.
    """
    size = int(window * SAMPLE_RATE)
    skip = int(start * SAMPLE_RATE)
    position = 0  # samples decoded so far, from the beginning of the recording
    buffer: list[np.ndarray] = []
    held = 0
    with _opened(path, filename, max_seconds) as (container, stream, _declared):
        for chunk in _samples(container, stream, filename, max_seconds):
            if position + chunk.size <= skip:
                position += chunk.size
                continue
            if position < skip:
                chunk = chunk[skip - position :]
                position = skip
            buffer.append(chunk)
            held += chunk.size
            position += chunk.size
            while held >= size:
                samples = np.concatenate(buffer)
                cut = quiet_cut(samples[:size])
                yield (position - held) / SAMPLE_RATE, samples[:cut]
                rest = samples[cut:]
                buffer, held = [rest], rest.size
    if held:
        yield (position - held) / SAMPLE_RATE, np.concatenate(buffer)


def quiet_cut(samples: np.ndarray) -> int:
    """Where to end a window of `samples`: the start of its quietest quarter second among
    the last `CUT_SEARCH_SECONDS` (the end itself if the window is shorter)."""
    frame = SAMPLE_RATE // 4
    search = int(CUT_SEARCH_SECONDS * SAMPLE_RATE)
    if samples.size < 2 * search:
        return int(samples.size)
    tail = samples[-search:]
    frames = tail[: tail.size - tail.size % frame].reshape(-1, frame)
    quietest = int(np.argmin(np.sqrt(np.mean(frames**2, axis=1))))
    return int(samples.size - search + quietest * frame + frame // 2)


@contextmanager
def _opened(
    source: io.BytesIO | Path, filename: str, max_seconds: float
) -> Iterator[tuple[Any, Any, float | None]]:
    """The container and its first audio stream, with its declared length in seconds."""
    import av  # imported here: only speech needs FFmpeg

    check_audio_name(filename)
    try:
        container = av.open(source if isinstance(source, io.BytesIO) else str(source), mode="r")
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
        yield container, stream, declared


def _samples(
    container: Any, stream: Any, filename: str, max_seconds: float
) -> Iterator[np.ndarray]:
    """The stream's sound as 16 kHz mono float32 chunks, as it decodes; a truncated file
    ends where its sound does, a file with none is CorruptDocument."""
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    total = 0
    limit = int(max_seconds * SAMPLE_RATE)
    try:
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunk = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                total += chunk.size
                yield chunk
            if total > limit:
                raise _too_long(filename, total / SAMPLE_RATE, max_seconds)
        for out in resampler.resample(None):
            yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
    except av.FFmpegError as exc:
        if not total:
            raise CorruptDocument(
                f"{filename!r} is damaged: no sound could be decoded",
                hint="export the recording again",
            ) from exc
        # A truncated file: keep what decoded (the end is lost).


def _too_long(filename: str, seconds: float, max_seconds: float) -> InputTooLarge:
    return InputTooLarge(
        f"{filename!r} is {seconds / 60:.0f} minutes long; the limit is "
        f"{max_seconds / 60:.0f} minutes",
        hint="split the recording, or ask your administrator to raise speech.max_minutes",
    )
