"""Opinion analysis benchmarks, first stage: campaign detection (near-copies of a letter).

    .venv/bin/python bench/bench_opinion.py [--out FILE]

The set is built here, seeded: every comment of ../shared/data/consultation_polis (three
conversations, English and Chinese) and every response of consultation_themefinder are
the independent responses; 30 of them, and 10 Cantonese texts of sentiment_yue_openrice,
become campaign letters (no two of them, and no independent response and a letter, share
30% of their 5-grams: the source repeats itself, and such a response would be right to
join the campaign), each sent 5 to 80 times with the changes people make (a greeting,
a signature with a name, a sentence left out, one added from an independent response, a
few typos, case and punctuation changed). Precision: of the responses put in a
campaign, the share that belong to that campaign's letter; recall: of the letters'
copies, the share found in their campaign. Baseline: exact copies after folding case and spaces.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import time
from collections import Counter
from pathlib import Path

from bench_asr import DATA
from common import ROOT, markdown_table
from govpilot.capabilities.opinion.campaigns import CAMPAIGN_SIZE, find_campaigns, shingles

NAMES = ["Chan Tai Man", "Mary Wong", "李小明", "陳美玲", "K. Lee", "a Sha Tin resident"]
GREETINGS = ["Dear Sir or Madam, ", "To whom it may concern: ", "敬啟者：", "Hi, ", ""]


def independent() -> list[str]:
    texts = []
    for folder in sorted((DATA / "consultation_polis").iterdir()):
        comments = folder / "comments.csv"
        if comments.is_file():
            with comments.open(encoding="utf-8") as handle:
                texts += [r["comment-body"] for r in csv.DictReader(handle) if r["comment-body"]]
    responses = DATA / "consultation_themefinder/inputs/question_part_1/responses.jsonl"
    texts += [json.loads(line)["response"] for line in responses.read_text().splitlines()]
    return [t for t in dict.fromkeys(texts) if len(t) > 40]


def cantonese_letters() -> list[str]:
    with (DATA / "sentiment_yue_openrice/valid.tsv").open(encoding="utf-8") as handle:
        rows = [r["text_a"] for r in csv.DictReader(handle, delimiter="\t")]
    return [r[:300] for r in rows if len(r) > 120][:10]


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 10:
        return text
    i = rng.randrange(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def copy_of(letter: str, rng: random.Random, pool: list[str]) -> str:
    sentences = re.split(r"(?<=[.!?。！？])\s*", letter)
    sentences = [s for s in sentences if s]
    if len(sentences) > 3 and rng.random() < 0.4:
        sentences.pop(rng.randrange(len(sentences)))
    if rng.random() < 0.3:
        sentences.append(rng.choice(pool).split(".")[0][:80] + ".")
    text = " ".join(sentences)
    for _ in range(rng.randint(0, 3)):
        text = _typo(text, rng)
    if rng.random() < 0.2:
        text = text.lower()
    if rng.random() < 0.3:
        text = re.sub(r"[,.;:!?，。]", "", text)
    signature = f" {rng.choice(['Regards', 'Thanks', '謝謝'])}, {rng.choice(NAMES)}"
    return rng.choice(GREETINGS) + text + (signature if rng.random() < 0.7 else "")


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, len(a | b))


def _distinct(candidates: list[str], count: int) -> list[str]:
    """`count` texts no two of which share 30% of their 5-grams."""
    chosen: list[str] = []
    for text in candidates:
        grams = shingles(text)
        if all(_jaccard(grams, shingles(c)) < 0.3 for c in chosen):
            chosen.append(text)
        if len(chosen) == count:
            break
    return chosen


def build(seed: int = 7) -> tuple[list[str], list[str], dict[str, int]]:
    rng = random.Random(seed)
    pool = independent()
    letters = _distinct(rng.sample(pool, len(pool)), 30) + cantonese_letters()
    grams = {t: shingles(t) for t in pool}
    # Responses that are themselves near a letter (the source repeats itself) would be
    # right to join its campaign: they are left out of the set.
    others = [
        t
        for t in pool
        if t not in letters and all(_jaccard(grams[t], shingles(x)) < 0.3 for x in letters)
    ]
    ids, texts, truth = [], [], {}
    for n, text in enumerate(others):
        ids.append(f"r{n}")
        texts.append(text)
    for campaign, letter in enumerate(letters):
        for k in range(rng.randint(5, 80)):
            ids.append(f"c{campaign}-{k}")
            texts.append(letter if k == 0 else copy_of(letter, rng, others))
            truth[ids[-1]] = campaign
    order = list(range(len(ids)))
    rng.shuffle(order)
    return [ids[i] for i in order], [texts[i] for i in order], truth


def score(found: dict[str, str], truth: dict[str, int]) -> tuple[float, float]:
    groups: dict[str, list[str]] = {}
    for member, group in found.items():
        groups.setdefault(group, []).append(member)
    correct = 0
    for members in groups.values():
        labels = Counter(truth.get(m, -1) for m in members)
        label, count = labels.most_common(1)[0]
        correct += count if label != -1 else 0
    placed = len(found)
    precision = correct / placed if placed else 1.0
    return precision, correct / max(1, len(truth))


def exact(ids: list[str], texts: list[str]) -> dict[str, str]:
    groups: dict[str, list[str]] = {}
    for i, t in zip(ids, texts, strict=True):
        groups.setdefault(" ".join(t.lower().split()), []).append(i)
    return {m: g[0] for g in groups.values() if len(g) >= CAMPAIGN_SIZE for m in g}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/opinion.json")
    args = parser.parse_args()
    ids, texts, truth = build()
    rows = []
    for name, run in (
        (
            "govpilot: 5-gram MinHash, Jaccard >= NEAR_COPY",
            lambda: find_campaigns(ids, texts).campaign_of(),
        ),
        ("exact copies after folding case and spaces (baseline)", lambda: exact(ids, texts)),
    ):
        started = time.perf_counter()
        found = run()
        seconds = time.perf_counter() - started
        precision, recall = score(found, truth)
        rows.append(
            {
                "run": name,
                "responses": len(ids),
                "planted": len(truth),
                "precision": round(precision, 3),
                "recall": round(recall, 3),
                "seconds": round(seconds, 2),
            }
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"campaigns": rows}, indent=2) + "\n")
    print(
        markdown_table(
            ["run", "responses", "copies planted", "precision", "recall", "seconds"],
            [
                [r["run"], r["responses"], r["planted"], r["precision"], r["recall"], r["seconds"]]
                for r in rows
            ],
        )
    )


if __name__ == "__main__":
    main()
