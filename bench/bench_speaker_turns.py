"""Speaker turns without a speaker model: how well `speaker_turns` tells voices apart.

    .venv/bin/python bench/bench_speaker_turns.py [--out FILE]

Mixes of two and of three clips of the evaluation sets, and one of every clip at once
(asr_en, asr_yue, asr_zh; a large meeting); each clip is a different recording, cut into
2.5 s pieces, interleaved as in a quick exchange. Purity: share of pieces whose label's
majority clip is theirs (a label holds one voice); coverage: share of pieces whose clip's
majority label is theirs (a voice keeps one label). Baselines: one label for everyone
(a transcript without speaker turns), and a new label for every piece (turns from pauses
alone, when every turn is taken as a new speaker).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np

from bench_asr import DATA
from common import ROOT, markdown_table
from govpilot.backends.audio import decode_audio
from govpilot.capabilities.speaker_turns import label_speakers, voice_features

CLIPS = [
    "asr_en/audio/sensevoice_en.wav",
    "asr_en/audio/librispeech_1089-134686-0000.flac",
    "asr_yue/audio/yue-1.wav",
    "asr_yue/audio/yue-3.wav",
    "asr_yue/audio/yue-5.wav",
    "asr_yue/audio/yue-12.wav",
]
PIECE = 2.5


def _all_cantonese() -> list[str]:
    return sorted(f"asr_yue/audio/{p.name}" for p in (DATA / "asr_yue" / "audio").iterdir())


def _pieces(samples: np.ndarray) -> list[np.ndarray]:
    size = int(PIECE * 16_000)
    return [samples[i : i + size] for i in range(0, samples.size - size // 2, size)]


def _scores(truth: list[int], labels: list[str]) -> tuple[float, float, int]:
    def majority(groups: dict[object, list[object]]) -> float:
        return sum(max(v.count(x) for x in set(v)) for v in groups.values()) / len(truth)

    by_label: dict[object, list[object]] = {}
    by_voice: dict[object, list[object]] = {}
    for voice, label in zip(truth, labels, strict=True):
        by_label.setdefault(label, []).append(voice)
        by_voice.setdefault(voice, []).append(label)
    return majority(by_label), majority(by_voice), len(by_label)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/speaker_turns.json")
    args = parser.parse_args()
    names = [*CLIPS, *(c for c in _all_cantonese() if c not in CLIPS)]
    audio = [decode_audio((DATA / c).read_bytes(), c, max_seconds=600).samples for c in names]
    mixes = [
        tuple(range(len(names))),  # every clip at once: a large meeting
        *itertools.combinations(range(len(CLIPS)), 2),
        *itertools.combinations(range(len(CLIPS)), 3),
    ]
    runs: dict[tuple[str, str], list[tuple[float, float, int, int]]] = {}
    started = time.perf_counter()
    for mix in mixes:
        pieces = [_pieces(audio[i]) for i in mix]
        order = [
            (j, p)
            for k in range(max(map(len, pieces)))
            for j, ps in enumerate(pieces)
            if k < len(ps)
            for p in [ps[k]]
        ]
        truth = [j for j, _ in order]
        labels = label_speakers([voice_features(p) for _, p in order])
        group = f"all {len(mix)} voices" if len(mix) > 3 else "2 or 3 voices"
        for name, found in (
            ("voice features (govpilot)", labels),
            ("one label for all (baseline)", ["A"] * len(truth)),
            ("a new label at every turn (baseline)", [str(n) for n in range(len(truth))]),
        ):
            runs.setdefault((group, name), []).append((*_scores(truth, found), len(mix)))
    seconds = time.perf_counter() - started
    rows = []
    for (group, name), scores in runs.items():
        table = np.array(scores)
        rows.append(
            {
                "mixes of": group,
                "run": name,
                "mixes": len(scores),
                "purity": round(float(table[:, 0].mean()), 3),
                "coverage": round(float(table[:, 1].mean()), 3),
                "labels_found": round(float(table[:, 2].mean()), 1),
                "voices": round(float(table[:, 3].mean()), 1),
            }
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"results": rows, "seconds": round(seconds, 1)}, indent=2) + "\n"
    )
    print(
        markdown_table(
            ["mixes of", "run", "mixes", "purity", "coverage", "labels found", "voices"],
            [
                [
                    r["mixes of"],
                    r["run"],
                    r["mixes"],
                    r["purity"],
                    r["coverage"],
                    r["labels_found"],
                    r["voices"],
                ]
                for r in rows
            ],
        )
    )


if __name__ == "__main__":
    main()
