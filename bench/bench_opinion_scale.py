"""Opinion analysis at scale: N responses imported and analysed end to end on this machine.

    .venv/bin/python bench/bench_opinion_scale.py [--responses 10000] [--out FILE]

The responses are built here, seeded, from real texts: every sentence of
../shared/data/consultation_themefinder (English), consultation_polis (English and
Traditional Chinese) and sentiment_yue_openrice (Cantonese) goes into a pool, and each
response is two to four sentences drawn from it, so no two responses are copies (a
campaign would be analysed once and flatter the figure). 2% of them are copies of five
campaign letters. One question. (Responses of two to four sentences: with one, a sentence
said twice is a pair of copies.)

The run is what `govpilot opinion import` and `govpilot opinion analyse` do, with the
embedded models (Qwen2.5-Coder-1.5B through the gateway, multilingual-e5-small, the
shipped sentiment classifier), in a fresh GOVPILOT_HOME: redaction and storage, campaigns,
sentence vectors, stance (the model reads `opinion.stance_sample` responses), sentiment,
themes and their names. It prints seconds per stage, the model calls made, and the peak
memory; progress is written to the output file as it goes, so a stopped run still says
how far it got.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_asr import DATA
from common import ROOT, markdown_table, peak_rss_mb
from govpilot.config import Settings

_SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")


def pool() -> list[str]:
    texts: list[str] = []
    generation = DATA / "consultation_themefinder/generation/eval_sentiments.csv"
    with generation.open(encoding="utf-8") as handle:
        texts += [row["response"] for row in csv.DictReader(handle)]
    for folder in sorted((DATA / "consultation_polis").iterdir()):
        comments = folder / "comments.csv"
        if comments.is_file():
            with comments.open(encoding="utf-8") as handle:
                texts += [r["comment-body"] for r in csv.DictReader(handle) if r["comment-body"]]
    with (DATA / "sentiment_yue_openrice/valid.tsv").open(encoding="utf-8") as handle:
        texts += [r["text_a"][:400] for r in csv.DictReader(handle, delimiter="\t")]
    sentences = [s.strip() for t in texts for s in _SENTENCE.split(t) if len(s.strip()) > 15]
    return list(dict.fromkeys(sentences))


def build(count: int, question: str = "", seed: int = 7) -> str:
    """The CSV (written by the csv module: texts hold line breaks and quotes)."""
    rng = random.Random(seed)
    sentences = pool()
    letters = [" ".join(rng.sample(sentences, 4)) for _ in range(5)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "text", "district", "date", "question"])
    districts = ["Central and Western", "Sha Tin", "Kwun Tong", "Yuen Long", "Islands"]
    for i in range(count):
        if rng.random() < 0.02:
            text = rng.choice(letters) + f" Regards, resident {i}"
        else:
            text = " ".join(rng.sample(sentences, rng.randint(2, 4)))
        writer.writerow([f"S{i}", text, rng.choice(districts), f"2026-0{1 + i % 6}-01", question])
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/opinion_scale.json")
    args = parser.parse_args()
    question = (DATA / "consultation_themefinder/generation/expanded_question.txt").read_text()
    home = Path(tempfile.mkdtemp(prefix="govpilot-opinion-scale-"))
    (home / "models").symlink_to(Settings().models_dir)
    os.environ["GOVPILOT_HOME"] = str(home)
    from govpilot.capabilities.opinion.opinion_jobs import analyse_consultation
    from govpilot.platform import Platform

    data = build(args.responses, question.strip())
    platform = Platform.from_settings(Settings())
    ctx = platform.cli_context("opinion")
    result: dict[str, Any] = {"responses": args.responses, "stages": {}, "done": False}
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def save() -> None:
        result["seconds"] = round(time.perf_counter() - started, 1)
        result["peak_rss_mb"] = round(peak_rss_mb())
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")

    consultation = platform.consultations.import_file(
        ctx, data.encode("utf-8"), "scale.csv", name="scale"
    )
    result["stages"]["import (redact, store, campaigns)"] = round(time.perf_counter() - started, 1)
    result["campaigns"] = len(consultation.summary["campaigns"])
    save()
    consultation = platform.consultations.begin(ctx, consultation.id)
    last = [time.perf_counter(), 0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 60:
            last[0] = now
            result["progress"] = f"{done}/{total}"
            save()

    from govpilot.capabilities.opinion import analysis

    original_embed = analysis._embed

    def timed_embed(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        out = original_embed(*a, **k)
        marks["vectors"] = time.perf_counter() - t
        return out

    analysis._embed = timed_embed  # type: ignore[assignment]
    analysing = time.perf_counter()
    calls_before = len(platform.audit.events(None, action="opinion"))
    analyse_consultation(
        platform.consultations.store,
        platform.gateway,
        ctx,
        platform.opinion_vectors(),
        platform.sentiment_model(),
        consultation,
        progress,
        stance_sample=platform.settings.opinion.stance_sample,
    )
    result["stages"]["vectors (e5, every sentence)"] = round(marks.get("vectors", 0), 1)
    result["stages"]["analysis in all"] = round(time.perf_counter() - analysing, 1)
    calls = len(platform.audit.events(None, action="opinion")) - calls_before
    result["model calls"] = calls
    result["themes"] = len(platform.consultations.store.themes(consultation.id))
    result["done"] = True
    save()
    print(
        markdown_table(
            ["stage", "seconds"],
            [[k, v] for k, v in result["stages"].items()] + [["end to end", result["seconds"]]],
        )
    )
    print(
        f"{args.responses} responses, {result['themes']} themes, {calls} model calls, "
        f"peak memory {result['peak_rss_mb']} MB"
    )


if __name__ == "__main__":
    main()
