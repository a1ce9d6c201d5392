"""Speech to text on ../shared/data/asr_en (WER), asr_yue and asr_zh (CER), embedded model.

    .venv/bin/python bench/bench_asr.py [--sets asr_yue,asr_zh,asr_en] [--out FILE]

(`asr_en:librispeech` is the set's two LibriSpeech test-clean clips on their own.)

Three runs over the same clips in this process, on the packaged Whisper base weights:

- stock (baseline): faster-whisper as it comes, int8, greedy, no VAD, language detected,
  no clean-up: the anchor the issue measured (CER 0.39 Cantonese, 0.44 Mandarin);
- govpilot, language auto: `Transcriber` (VAD, beam 5, clean-up, Hong Kong script);
- govpilot, language given: as an officer sets it for a meeting (yue / zh / en), which
  also primes Cantonese with a Cantonese sentence.

CER folds Traditional to Simplified (the references are Simplified) and drops spaces and
punctuation; WER lower-cases and drops punctuation. Real-time factor = decode seconds /
audio seconds on this machine's cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from common import ROOT, markdown_table
from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.audio import decode_audio
from govpilot.backends.speech_weights import assemble_whisper
from govpilot.backends.whisper import FasterWhisperRecogniser
from govpilot.capabilities.transcribe import Transcriber
from govpilot.config import Settings
from govpilot.language import fold_script

DATA = ROOT.parent / "shared" / "data"
LANGUAGE = {"asr_yue": "yue", "asr_zh": "zh", "asr_en": "en", "asr_en:librispeech": "en"}
CTX = CallContext("bench@govpilot", "BENCH", "transcribe", role="officer")


def edit_distance(a: list[str], b: list[str]) -> int:
    """Levenshtein distance between two token lists."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _strip(text: str) -> str:
    return "".join(c for c in text if not unicodedata.category(c).startswith(("P", "S", "Z")))


def tokens(text: str, unit: str) -> list[str]:
    """Characters (CER, script folded) or lower-case words (WER), punctuation removed."""
    if unit == "char":
        return list(_strip(fold_script(text)).replace(" ", ""))
    words = re.sub(r"[^\w\s']", " ", text.lower()).split()
    return words


def clips(name: str) -> list[tuple[Path, str]]:
    """(recording, reference) of a set; "asr_en:librispeech" is its LibriSpeech clips."""
    base, _, only = name.partition(":")
    folder = DATA / base
    with (folder / "transcripts.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(folder / r["file"], r["transcript"]) for r in rows if only in r["file"]]


def run(label: str, transcribe: Any, name: str) -> dict[str, Any]:
    unit = "word" if name.startswith("asr_en") else "char"
    errors = total = 0
    audio_s = decode_s = 0.0
    for path, reference in clips(name):
        decoded = decode_audio(path.read_bytes(), path.name, max_seconds=4 * 3600)
        started = time.perf_counter()
        text = transcribe(path, decoded.samples)
        decode_s += time.perf_counter() - started
        audio_s += decoded.seconds
        ref = tokens(reference, unit)
        errors += edit_distance(tokens(text, unit), ref)
        total += len(ref)
    return {
        "run": label,
        "set": name,
        "metric": "WER" if unit == "word" else "CER",
        "error_rate": round(errors / max(1, total), 3),
        "rtf": round(decode_s / max(audio_s, 1e-9), 3),
        "audio_seconds": round(audio_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="asr_yue,asr_zh,asr_en,asr_en:librispeech")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/asr.json")
    args = parser.parse_args()
    model_dir = assemble_whisper(Settings().models_dir)
    stock = FasterWhisperRecogniser(model_dir, vad=False, beam_size=1)
    ours = FasterWhisperRecogniser(model_dir)
    transcriber = Transcriber(ours, MemoryAuditSink(), max_seconds=4 * 3600)

    def stock_run(path: Path, samples: Any) -> str:
        return stock.transcribe(samples).text

    def ours_run(language: str | None) -> Any:
        def go(path: Path, samples: Any) -> str:
            return transcriber.transcribe(CTX, path.read_bytes(), path.name, language=language).text

        return go

    results = []
    with tempfile.TemporaryDirectory():
        for name in args.sets.split(","):
            results.append(run("stock faster-whisper (baseline)", stock_run, name))
            results.append(run("govpilot, language auto", ours_run(None), name))
            results.append(run("govpilot, language given", ours_run(LANGUAGE[name]), name))
            print(json.dumps(results[-3:], ensure_ascii=False), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"results": results, "cpus": os.cpu_count()}, indent=2) + "\n")
    print(
        markdown_table(
            ["set", "metric", "run", "error rate", "real-time factor"],
            [[r["set"], r["metric"], r["run"], r["error_rate"], r["rtf"]] for r in results],
        )
    )


if __name__ == "__main__":
    main()
