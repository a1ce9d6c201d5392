"""A long synthetic Cantonese meeting end to end: time, peak memory, CER, invented text.

    .venv/bin/python bench/bench_long_meeting.py [--minutes 60] [--runs ours,stock]
        [--write-minutes] [--out FILE]

The meeting is assembled from the ../shared/data/asr_yue clips (each clip a different
recording, so a different "speaker"), in a fixed shuffled order, repeated until it lasts
`--minutes`, with 1-4 s of quiet room noise between clips and, every six clips, 8-20 s of
synthetic music (chords with a beat) where nothing is said. Each run is its own process,
so its peak memory (max RSS) is its own:

- ours: the real job path. `Meetings.upload` keeps the file and queues the job; the queue
  worker transcribes it in five-minute windows (VAD, beam 5, clean-up, Hong Kong script,
  Cantonese priming), saving each, then labels speakers. `--write-minutes` also writes the
  formal minutes with the embedded model and times that.
- stock (baseline): faster-whisper as it comes on the same weights, the whole recording
  decoded into memory and given in one call (int8, greedy, no VAD, language detected).

Measured: wall time and real-time factor, peak RSS, CER over the clips (a segment counts
for the clip its middle falls in; script folded, punctuation dropped), characters written
where nothing was said (silence or music), and for ours the speaker labels' purity and
coverage against the clips.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

from bench_asr import DATA, clips, edit_distance, tokens
from common import ROOT, markdown_table
from govpilot.backends.audio import SAMPLE_RATE, decode_audio

SEED = 2026


def _music(seconds: float, rng: random.Random) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    root = rng.choice([196.0, 220.0, 247.0, 262.0])
    chord = sum(np.sin(2 * np.pi * root * r * t) for r in (1.0, 1.25, 1.5, 2.0))
    beat = 0.5 + 0.5 * (np.sin(2 * np.pi * 2.0 * t) > 0)
    return (0.05 * chord * beat).astype(np.float32)


def assemble(minutes: float, path: Path) -> list[dict[str, Any]]:
    """Write the meeting to `path` (16 kHz mono WAV); where each clip lies, with its text."""
    rng = random.Random(SEED)
    noise = np.random.default_rng(SEED)
    sources = clips("asr_yue")
    audio = [
        (p.name, ref, decode_audio(p.read_bytes(), p.name, max_seconds=3600).samples)
        for p, ref in sources
    ]
    order = list(range(len(audio)))
    truth: list[dict[str, Any]] = []
    music: list[tuple[float, float]] = []
    position = 0
    target = int(minutes * 60 * SAMPLE_RATE)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)

        def write(samples: np.ndarray) -> None:
            nonlocal position
            floor = noise.normal(0, 0.003, samples.size).astype(np.float32)
            pcm = np.clip(samples + floor, -1, 1)
            out.writeframes((pcm * 32767).astype("<i2").tobytes())
            position += samples.size

        count = 0
        while position < target:
            rng.shuffle(order)
            for index in order:
                name, reference, samples = audio[index]
                start = position / SAMPLE_RATE
                write(samples * rng.uniform(0.7, 1.0))
                truth.append(
                    {"clip": name, "start": start, "end": position / SAMPLE_RATE, "ref": reference}
                )
                write(np.zeros(int(rng.uniform(1, 4) * SAMPLE_RATE), np.float32))
                count += 1
                if count % 6 == 0:
                    start = position / SAMPLE_RATE
                    write(_music(rng.uniform(8, 20), rng))
                    music.append((start, position / SAMPLE_RATE))
                if position >= target:
                    break
    return _blocks(truth, music)


def _blocks(truth: list[dict[str, Any]], music: list[tuple[float, float]]) -> list[dict[str, Any]]:
    """The clips between two music stretches as one block (a segment rarely spans music),
    and the music stretches themselves (reference "")."""
    blocks: list[dict[str, Any]] = []
    for clip in truth:
        if blocks and not any(blocks[-1]["end"] <= m[0] < clip["start"] for m in music):
            blocks[-1]["end"] = clip["end"]
            blocks[-1]["ref"] += clip["ref"]
            blocks[-1]["clips"].append((clip["start"], clip["end"], clip["clip"]))
        else:
            blocks.append({**clip, "clips": [(clip["start"], clip["end"], clip["clip"])]})
    stretches = [{"start": a, "end": b, "ref": "", "music": True, "clips": []} for a, b in music]
    return sorted(blocks + stretches, key=lambda b: b["start"])


def score(segments: list[dict[str, Any]], truth: list[dict[str, Any]]) -> dict[str, Any]:
    """CER per block of clips (a segment goes to the block its middle falls in), the
    characters written during music, and the speaker labels against the clips."""
    heard: dict[int, list[str]] = {}
    pairs: list[tuple[str, str]] = []
    invented = 0
    starts = [t["start"] for t in truth]
    for segment in segments:
        middle = (segment["start"] + segment["end"]) / 2
        n = max(0, int(np.searchsorted(starts, middle, side="right")) - 1)
        if truth[n].get("music"):
            invented += len(tokens(segment["text"], "char"))
            continue
        heard.setdefault(n, []).append(segment["text"])
        clip = next((c for a, b, c in truth[n]["clips"] if a - 0.5 <= middle <= b + 0.5), None)
        if clip and segment.get("speaker"):
            pairs.append((clip, segment["speaker"]))
    errors = total = 0
    for n, block in enumerate(truth):
        ref = tokens(block["ref"], "char")
        errors += edit_distance(tokens("".join(heard.get(n, [])), "char"), ref)
        total += len(ref)
    result: dict[str, Any] = {
        "cer": round(errors / max(1, total), 3),
        "invented_chars": invented,
    }
    if pairs:
        result.update(_speaker_scores(pairs))
    return result


def _speaker_scores(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    by_label: dict[str, list[str]] = {}
    by_clip: dict[str, list[str]] = {}
    for clip, label in pairs:
        by_label.setdefault(label, []).append(clip)
        by_clip.setdefault(clip, []).append(label)
    purity = sum(max(v.count(c) for c in set(v)) for v in by_label.values()) / len(pairs)
    coverage = sum(max(v.count(c) for c in set(v)) for v in by_clip.values()) / len(pairs)
    return {
        "speaker_purity": round(purity, 3),
        "speaker_coverage": round(coverage, 3),
        "speakers_found": len(by_label),
        "speakers_true": len(by_clip),
    }


def run_ours(path: Path, write_minutes: bool) -> dict[str, Any]:
    from govpilot.access import CallContext
    from govpilot.backends.speech_weights import assemble_whisper
    from govpilot.backends.weights import default_gguf_path
    from govpilot.config import ModelConfig, Settings, SpeechSettings
    from govpilot.platform import Platform

    defaults = Settings()
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(
            home=Path(home),
            models=[
                ModelConfig(
                    name="embedded",
                    backend="embedded",
                    gguf_path=default_gguf_path(defaults.models_dir),
                )
            ],
            speech=SpeechSettings(model_dir=assemble_whisper(defaults.models_dir)),
        )
        platform = Platform.from_settings(settings)
        ctx = CallContext("bench@govpilot", "BENCH", "minutes", channel="web", role="officer")
        started = time.perf_counter()
        meeting = platform.meetings.upload(
            ctx, path.read_bytes(), "meeting.wav", title="Bench meeting", language="yue"
        )
        job = platform.job_service().wait(meeting.transcribe_job_id or "", timeout=6 * 3600)
        seconds = time.perf_counter() - started
        done = platform.meetings.get(ctx, meeting.id)
        result: dict[str, Any] = {
            "run": "govpilot (job, windows, VAD, clean-up)",
            "status": job.status,
            "transcribe_s": round(seconds, 1),
            "segments": [s.as_dict() for s in done.labelled],
            "audio_s": done.duration,
            "transcribe_peak_rss_mb": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            ),
        }
        if write_minutes:
            started = time.perf_counter()
            writing = platform.meetings.write_minutes(ctx, meeting.id, lang="zh-Hant")
            platform.job_service().wait(writing.minutes_job_id or "", timeout=6 * 3600)
            minutes = platform.meetings.get(ctx, meeting.id).minutes or {}
            result["minutes_s"] = round(time.perf_counter() - started, 1)
            points = [p for item in minutes.get("items", []) for p in item["points"]]
            result["minute_points"] = len(points)
        platform.shutdown()
        return result


def run_stock(path: Path) -> dict[str, Any]:
    from govpilot.backends.speech_weights import assemble_whisper
    from govpilot.backends.whisper import FasterWhisperRecogniser
    from govpilot.config import Settings

    recogniser = FasterWhisperRecogniser(
        assemble_whisper(Settings().models_dir), vad=False, beam_size=1
    )
    started = time.perf_counter()
    samples = decode_audio(path.read_bytes(), path.name, max_seconds=6 * 3600).samples
    heard = recogniser.transcribe(samples)
    return {
        "run": "stock faster-whisper (baseline: one call, no VAD)",
        "status": "done",
        "transcribe_s": round(time.perf_counter() - started, 1),
        "segments": [s.as_dict() for s in heard.segments],
        "audio_s": heard.duration,
    }


def child(args: argparse.Namespace) -> None:
    result = (
        run_ours(args.audio, args.write_minutes) if args.only == "ours" else run_stock(args.audio)
    )
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--runs", default="ours,stock")
    parser.add_argument("--write-minutes", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/long_meeting.json")
    parser.add_argument("--only", choices=["ours", "stock"], help=argparse.SUPPRESS)
    parser.add_argument("--audio", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        child(args)
        return
    results = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "meeting.wav"
        truth = assemble(args.minutes, path)
        clips_used = sum(len(block["clips"]) for block in truth)
        print(f"assembled {args.minutes:g} min from {clips_used} clips ({DATA / 'asr_yue'})")
        for run in args.runs.split(","):
            command = [sys.executable, __file__, "--only", run, "--audio", str(path)]
            if args.write_minutes:
                command.append("--write-minutes")
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr[-3000:], file=sys.stderr)
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            result.update(score(result.pop("segments"), truth))
            result["rtf"] = round(result["transcribe_s"] / max(1.0, result["audio_s"]), 3)
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"minutes": args.minutes, "cpus": os.cpu_count(), "results": results}, indent=2)
        + "\n"
    )
    print(
        markdown_table(
            [
                "run",
                "audio min",
                "time s",
                "RTF",
                "peak RSS MB (transcribing)",
                "CER",
                "chars in music",
            ],
            [
                [
                    r["run"],
                    round(r["audio_s"] / 60, 1),
                    r["transcribe_s"],
                    r["rtf"],
                    r.get("transcribe_peak_rss_mb", r["peak_rss_mb"]),
                    r["cer"],
                    r["invented_chars"],
                ]
                for r in results
            ],
        )
    )


if __name__ == "__main__":
    main()
