"""Build the identifier-forms set: bench/data/hk_id_forms.jsonl (synthetic, seeded).

    .venv/bin/python bench/make_id_forms.py [--out FILE] [--seed N] [--check]

What it measures. Whether each identifier type is found in each of the ways people write
it (bench/hk_pii/id_forms.py: split by spaces or hyphens, with or without brackets,
full-width, lower case, a line break inside, +852 / 852- / (852) / 00852 prefixes, ...),
in English, Traditional Chinese and Cantonese sentences (bench/hk_pii/id_form_templates.py),
and whether numbers that only look like identifiers (case references such as
"CR 123456(7)/2024", court actions "HCA 1234/2023", amounts, dates, order and reference
numbers) stay unreported.

How. For every type, form and language, `RENDERINGS` sentences are drawn at random (fixed
seed) and filled with a fresh identifier in that form; its exact span is the gold span
(the identifier as written, without its label). Look-alike records are made from the
look-alike sentences with random numbers (HKID-shaped ones get a random check character,
so about one in eleven is even valid) and have no gold spans.

Limits. The forms and sentences were written by the engineer who taught the recognizers
these forms, so the set checks coverage of the forms listed, not writing nobody listed;
bench/make_hk_pii.py is the set written without looking at the recognizers. Dates of
birth, addresses and names are left to that set.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from hk_pii.id_form_templates import LOOKALIKES, SENTENCES
from hk_pii.id_forms import FORMS
from make_hk_pii import load as load_jsonl
from make_hk_pii import to_jsonl, write_or_check

SEED = 20240613
RENDERINGS = 2
LOOKALIKES_PER_SENTENCE = 6
LANGS = ("en", "zh-Hant", "yue")
OUT = Path(__file__).resolve().parent / "data" / "hk_id_forms.jsonl"

_HKID_SHAPES = ("{p} {d}({c})", "{p}{d}({c})", "{p} {d} ({c})", "{p} {d} {c}", "{p}-{d}-{c}")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _lookalike_slots(rng: random.Random) -> dict[str, str]:
    letters = "ABCDEFGHJKLMNPRSTVWXYZ"
    prefix = rng.choice(letters) + rng.choice(letters)
    shape = rng.choice(_HKID_SHAPES)
    year = rng.randint(2015, 2025)
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    dates = [f"{day:02d} {month:02d} {year}", f"{year}-{month:02d}-{day:02d}"]
    dates += [f"{day:02d}/{month:02d}/{year}", f"{year}年{month}月{day}日"]
    amounts = [
        f"{rng.randint(100, 999)},{_digits(rng, 3)}",
        f"{rng.randint(1, 9)},{_digits(rng, 3)},{_digits(rng, 3)}.00",
    ]
    return {
        "hkid_shape": shape.format(p=prefix, d=_digits(rng, 6), c=rng.choice("0123456789A")),
        "case_year": str(year),
        "next_year": str(year + 1),
        "date": rng.choice(dates),
        "amount": rng.choice(amounts),
    }


def _fill_numbers(template: str, rng: random.Random) -> str:
    """`{n1}`, `{n2}`, `{n4}`, `{n6}`, `{n8}`: a fresh run of that many digits each time."""
    for size in ("1", "2", "4", "6", "8"):
        while "{n" + size + "}" in template:
            template = template.replace("{n" + size + "}", _digits(rng, int(size)), 1)
    return template


def build_records(seed: int = SEED) -> list[dict]:
    """The whole set, always the same for the same seed."""
    rng = random.Random(seed)
    records: list[dict] = []
    for pii_type, forms in FORMS.items():
        for form, write in forms.items():
            for lang in LANGS:
                for sentence in rng.sample(SENTENCES[pii_type][lang], k=RENDERINGS):
                    value = write(rng)
                    before, after = sentence.split("{v}")
                    entity = {
                        "type": pii_type,
                        "start": len(before),
                        "end": len(before) + len(value),
                    }
                    records.append(
                        {
                            "type": pii_type,
                            "form": form,
                            "lang": lang,
                            "lookalike": False,
                            "text": before + value + after,
                            "entities": [entity],
                        }
                    )
    for lang in LANGS:
        for sentence in LOOKALIKES[lang]:
            for _ in range(LOOKALIKES_PER_SENTENCE):
                text = _fill_numbers(sentence, rng).format(**_lookalike_slots(rng))
                records.append(
                    {
                        "type": None,
                        "form": "look-alike",
                        "lang": lang,
                        "lookalike": True,
                        "text": text,
                        "entities": [],
                    }
                )
    return [{"id": f"idform-{i:04d}", **r} for i, r in enumerate(records, 1)]


def load(path: Path = OUT) -> list[dict]:
    """The records of a hk_id_forms.jsonl file."""
    return load_jsonl(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", action="store_true", help="verify the file is up to date")
    args = parser.parse_args()
    write_or_check(args.out, to_jsonl(build_records(args.seed)), check=args.check)
    records = load(args.out)
    lookalikes = sum(r["lookalike"] for r in records)
    print(f"wrote {len(records)} records ({lookalikes} look-alikes) to {args.out}")


if __name__ == "__main__":
    main()
