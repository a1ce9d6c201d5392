"""Build the Hong Kong PII benchmark set: bench/data/hk_pii.jsonl (synthetic, template-based).

    .venv/bin/python bench/make_hk_pii.py [--out FILE] [--check]

How it was made. No openly licensed Hong Kong PII corpus exists (see ../shared/data/README.md),
so this set is synthetic. About 135 short texts with personal data and 55 without were written
by hand for this benchmark (bench/hk_pii/templates.py), in the style of 1823 and departmental
complaints, formal letters to and from departments, social workers' case notes, WhatsApp-style
chat and forms, in English, Traditional Chinese, Cantonese, Simplified Chinese and
code-switched English/Cantonese. Each has slots; every slot is filled at random (fixed seed,
Python's `random`) from hand-written word lists (bench/hk_pii/lexicon.py) and generators
(bench/hk_pii/identifiers.py, bench/hk_pii/fillers.py), and each personal-data slot becomes a
gold span with exact offsets. Nothing was generated, filtered or checked with govpilot's
detector, Presidio or any language model, and the templates were written without looking at
the recognizers.

Identifiers have valid check digits: HKID (mod 11, one- and two-letter prefixes, written
A123456(3), A1234563, A123456 (3), with full-width brackets in Chinese text, sometimes in
lower case), mainland resident ID (18 characters, ISO 7064 MOD 11-2, valid birth date and a
real region code), credit cards (Luhn; Visa, Mastercard, Amex, UnionPay; grouped or not).
Phones are HK numbers (8 digits starting 2/3/5/6/9; +852, (852), 852- prefixes; spaces or
hyphens) and mainland mobiles. Passports (HKSAR H/K + 8 digits, Philippine, mainland), BR
numbers, bank accounts (3-6-3, bank-code, BOCHK and ungrouped styles) and dates of birth
(many formats) always appear with a word of context, as they do in real text. Addresses are
English and Chinese, flat/floor/block/building/estate/street/district, public-housing
"Room 1203, X House, Y Estate" style, village lots, multi-line letter headers, short chat
forms ("寶達邨華樂樓") and mainland addresses.

What is annotated: the personal data itself, without labels ("HKID", "電話：") or titles.
Names exclude honorifics: "Mr [Chan]", "[陳]先生", "[陳]生", "[陳]太"; a nickname
("[阿明]") is a name. Addresses run from the first to the last component written. Not
annotated, on purpose (look-alikes): case and file references, 1823 case numbers, amounts,
years, ages, room numbers (Room 1234, 會議室1234), the 1823 and 999 hotlines, LegCo paper
numbers, dates that are not birthdays, departments, districts and streets named without an
address, paragraph numbers shaped like IPv4, version numbers, and HKID- or card-shaped
product codes and tracking numbers whose check digit is wrong. About a third of the records
with personal data carry a look-alike sentence too; the rest of the look-alikes form
records of their own with no personal data at all.

Limits: template text is the same across the renderings of one template, so the set
measures coverage of formats and contexts, not of free writing; real text has typos,
OCR noise, longer documents and names in contexts no template imagined. Place names are
real but buildings and numbers are made up; person names are common names combined at
random. Genre and language labels are the template's. The same seed always gives the same
file; `--check` verifies the committed file against a fresh build.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from hk_pii.fillers import FILLERS, PII_SLOTS
from hk_pii.templates import LOOKALIKE_TEMPLATES, PII_TEMPLATES

SEED = 20240612
RENDERINGS_PER_TEMPLATE = 5
LOOKALIKE_RECORDS = 150
LOOKALIKE_SHARE = 0.35
OUT = Path(__file__).resolve().parent / "data" / "hk_pii.jsonl"
SLOT = re.compile(r"\{([^{}]+)\}")

# ---------------------------------------------------------------------------- records


def render(template: str, lang: str, rng: random.Random) -> tuple[str, list[dict]]:
    """Fill a template's slots; personal-data slots become gold spans."""
    parts: list[str] = []
    entities: list[dict] = []
    length = pos = 0
    for match in SLOT.finditer(template):
        literal = template[pos : match.start()]
        parts.append(literal)
        length += len(literal)
        key = match.group(1)
        if key.startswith("~"):
            value = rng.choice(key[1:].split("|"))
        else:
            value = FILLERS[key](rng, lang)
            if key in PII_SLOTS:
                entities.append(
                    {"type": PII_SLOTS[key], "start": length, "end": length + len(value)}
                )
        parts.append(value)
        length += len(value)
        pos = match.end()
    parts.append(template[pos:])
    return "".join(parts), entities


def _script(lang: str) -> str:
    return {"en": "en", "zh-Hans": "zh-Hans", "mixed": "mixed"}.get(lang, "zh-Hant")


def _lookalikes_for(lang: str) -> list[tuple[str, str, str]]:
    if lang == "mixed":
        return [t for t in LOOKALIKE_TEMPLATES if t[1] != "zh-Hans"]
    return [t for t in LOOKALIKE_TEMPLATES if _script(t[1]) == _script(lang)]


def _join(left: str, right: str, lang: str, rng: random.Random) -> str:
    """Two pieces as one text: a line break unless `left` ends a sentence and neither is a form."""
    if "\n" in left + right or not left.endswith(("。", "！", "？", "」", ".", "!", "?")):
        return left + "\n" + right
    return left + rng.choice(["\n", " " if lang in ("en", "mixed") else ""]) + right


def build_records(seed: int = SEED) -> list[dict]:
    """The whole set, always the same for the same seed."""
    rng = random.Random(seed)
    records: list[dict] = []
    for genre, lang, template in PII_TEMPLATES:
        for _ in range(RENDERINGS_PER_TEMPLATE):
            text, entities = render(template, lang, rng)
            if rng.random() < LOOKALIKE_SHARE:
                extra, _ = render(rng.choice(_lookalikes_for(lang))[2], lang, rng)
                if rng.random() < 0.5:
                    text = _join(text, extra, lang, rng)
                else:
                    joined = _join(extra, text, lang, rng)
                    shift = len(joined) - len(text)
                    text = joined
                    entities = [
                        {**e, "start": e["start"] + shift, "end": e["end"] + shift}
                        for e in entities
                    ]
            records.append(
                {
                    "genre": genre,
                    "lang": lang,
                    "lookalike": False,
                    "text": text,
                    "entities": entities,
                }
            )
    for _ in range(LOOKALIKE_RECORDS):
        genre, lang, first = rng.choice(LOOKALIKE_TEMPLATES)
        pool = [t[2] for t in LOOKALIKE_TEMPLATES if t[1] == lang and t[2] != first]
        chosen = [first, *rng.sample(pool, k=rng.randint(0, 2))]
        text = render(chosen[0], lang, rng)[0]
        for template in chosen[1:]:
            text = _join(text, render(template, lang, rng)[0], lang, rng)
        records.append(
            {"genre": genre, "lang": lang, "lookalike": True, "text": text, "entities": []}
        )
    rng.shuffle(records)
    return [{"id": f"hkpii-{i:04d}", **r} for i, r in enumerate(records, 1)]


def lang_group(lang: str) -> str:
    """en, zh (Traditional, Simplified, Cantonese) or mixed."""
    return "en" if lang == "en" else "mixed" if lang == "mixed" else "zh"


def latency_prompts(
    records: list[dict], per_mix: int = 60, length: int = 2000, seed: int = SEED
) -> list[dict]:
    """Prompts of exactly `length` characters made of whole records, all different.

    "en" and "zh" prompts are English-heavy and Chinese-heavy (about 85% of their records
    in that language, the rest code-switched); "mixed" draws from every record.
    """
    rng = random.Random(seed + 1)
    by_group: dict[str, list[dict]] = {"en": [], "zh": [], "mixed": []}
    for record in records:
        by_group[lang_group(record["lang"])].append(record)
    prompts, seen = [], set()
    for mix in ("en", "zh", "mixed"):
        made = 0
        while made < per_mix:
            pieces: list[str] = []
            while len("\n\n".join(pieces)) < length:
                if mix == "mixed":
                    pool = records
                else:
                    pool = by_group[mix] if rng.random() < 0.85 else by_group["mixed"]
                pieces.append(rng.choice(pool)["text"])
            text = "\n\n".join(pieces)[:length]
            if text not in seen:
                seen.add(text)
                prompts.append({"id": f"{mix}-{made:03d}", "mix": mix, "text": text})
                made += 1
    return prompts


def to_jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_or_check(out: Path, content: str, *, check: bool) -> None:
    """Write a generated set, or (check) exit 1 unless the file already holds it."""
    if check:
        same = out.is_file() and out.read_text("utf-8") == content
        print(f"{out}: {'up to date' if same else 'OUT OF DATE (rerun without --check)'}")
        sys.exit(0 if same else 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(content, "utf-8")


def load(path: Path = OUT) -> list[dict]:
    """The records of a hk_pii.jsonl file."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="verify the file is up to date")
    args = parser.parse_args()
    write_or_check(args.out, to_jsonl(build_records()), check=args.check)
    records = load(args.out)
    spans = sum(len(r["entities"]) for r in records)
    print(f"wrote {len(records)} records, {spans} gold spans, to {args.out}")


if __name__ == "__main__":
    main()
