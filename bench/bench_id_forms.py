"""Identifier-forms benchmark: each identifier type in each written form, and look-alikes.

    .venv/bin/python bench/bench_id_forms.py [--no-presidio] [--seed N] [--out FILE]

Data: bench/data/hk_id_forms.jsonl (bench/make_id_forms.py says how it was made): HKID,
phone, e-mail, passport, mainland ID, BR number, bank account, card and IP address, each in
every form of bench/hk_pii/id_forms.py, in English, Traditional Chinese and Cantonese
sentences; plus look-alike records with no personal data. `--seed` scores a freshly
generated set instead (same forms and sentences, new numbers).

Systems: govpilot's `default_detector()` and, as in bench_privacy.py, stock Presidio with
the same type mapping (Presidio has no HKID, mainland ID or BR number recognizer).

Scoring: a finding matches a gold span of the same type when they overlap; "exact" needs
the same start and end too. Recall per type, per form and per language; precision per type
over the whole set; on the look-alike records every finding (of any type) is a false
positive, and "look-alike precision" is the share of look-alike records with no finding.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench_privacy import forbid_network, govpilot_system, presidio_analyzer, presidio_system
from common import ROOT, markdown_table
from hk_pii.id_forms import FORMS
from make_id_forms import OUT as DATA_PATH
from make_id_forms import build_records, load
from privacy_scoring import Detect, Span

TARGET_RECALL = 0.99
TARGET_LOOKALIKE_PRECISION = 0.99


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def score(records: list[dict], detect: Detect) -> dict[str, Any]:
    """Recall by type, form and language; precision by type; look-alike records clean."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    by_form: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    by_lang: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    missed: dict[str, list[str]] = defaultdict(list)
    false_positives: list[str] = []
    lookalike_hits: Counter[str] = Counter()
    lookalikes = lookalikes_clean = 0
    started = time.perf_counter()
    predictions = [detect(r["text"]) for r in records]
    seconds = time.perf_counter() - started
    for record, found in zip(records, predictions, strict=True):
        gold = [Span(e["start"], e["end"], e["type"]) for e in record["entities"]]
        for g in gold:
            hit = any(p.type == g.type and p.overlaps(g) for p in found)
            exact = g in found
            for counter in (counts[g.type], by_form[g.type, record["form"]]):
                counter.update(gold=1, hit=hit, exact=exact)
            by_lang[g.type, record["lang"]].update(gold=1, hit=hit)
            if not hit:
                missed[g.type].append(f"{record['id']} [{record['form']}]: {record['text']!r}")
        for p in found:
            counts[p.type].update(
                pred=1, pred_hit=any(g.type == p.type and g.overlaps(p) for g in gold)
            )
        if record["lookalike"]:
            lookalikes += 1
            lookalikes_clean += not found
            lookalike_hits.update(p.type for p in found)
            if found:
                spans = ", ".join(f"{p.type} {record['text'][p.start : p.end]!r}" for p in found)
                false_positives.append(f"{record['id']}: {record['text']!r} -> {spans}")
    per_type = {
        t: {
            "gold": c["gold"],
            "recall": _ratio(c["hit"], c["gold"]),
            "exact_recall": _ratio(c["exact"], c["gold"]),
            "predicted": c["pred"],
            "precision": _ratio(c["pred_hit"], c["pred"]),
        }
        for t, c in sorted(counts.items(), key=lambda item: _type_order(item[0]))
    }
    return {
        "per_type": per_type,
        "per_form": {
            f"{t} | {form}": {
                "gold": c["gold"],
                "recall": _ratio(c["hit"], c["gold"]),
                "exact_recall": _ratio(c["exact"], c["gold"]),
            }
            for (t, form), c in by_form.items()
        },
        "per_language": {
            f"{t} | {lang}": _ratio(c["hit"], c["gold"]) for (t, lang), c in by_lang.items()
        },
        "lookalike_records": lookalikes,
        "lookalike_records_clean": lookalikes_clean,
        "lookalike_precision": _ratio(lookalikes_clean, lookalikes),
        "lookalike_findings_by_type": dict(lookalike_hits),
        "missed": {t: v[:10] for t, v in missed.items()},
        "lookalike_false_positives": false_positives[:20],
        "chars_per_s": round(sum(len(r["text"]) for r in records) / seconds),
    }


def _type_order(name: str) -> int:
    names = list(FORMS)
    return names.index(name) if name in names else len(names)


def print_report(result: dict[str, Any]) -> None:
    systems = list(result["systems"])
    print(f"Identifier forms ({result['records']} records, {result['data']}; overlap match)\n")
    header = ["type", "forms", "gold"]
    for s in systems:
        header += [f"{s} R", f"{s} exact R", f"{s} P"]
    rows: list[list[object]] = []
    for t in FORMS:
        row: list[object] = [t, len(FORMS[t]), result["systems"][systems[0]]["per_type"][t]["gold"]]
        for s in systems:
            cell = result["systems"][s]["per_type"].get(t, {})
            row += [
                cell.get("recall", 0.0),
                cell.get("exact_recall", 0.0),
                cell.get("precision") or "–",
            ]
        rows.append(row)
    print(markdown_table(header, rows))

    print("\nLook-alike records (no personal data): share with no finding\n")
    rows = []
    for s in systems:
        r = result["systems"][s]
        by_type = ", ".join(f"{k} {v}" for k, v in sorted(r["lookalike_findings_by_type"].items()))
        rows.append(
            [
                s,
                f"{r['lookalike_records_clean']}/{r['lookalike_records']}",
                r["lookalike_precision"],
                by_type,
            ]
        )
    print(
        markdown_table(
            ["system", "clean records", "look-alike precision", "findings by type"], rows
        )
    )

    ours = result["systems"]["govpilot"]
    weak = [
        [k, v["gold"], v["recall"], v["exact_recall"]]
        for k, v in ours["per_form"].items()
        if (v["recall"] or 0) < 1 or (v["exact_recall"] or 0) < 1
    ]
    print("\ngovpilot: forms below 1.0 recall or exact recall\n")
    print(
        markdown_table(["type | form", "gold", "recall", "exact recall"], weak) if weak else "none"
    )
    for t, examples in ours["missed"].items():
        print(f"\nmissed {t}:\n  " + "\n  ".join(examples))
    if ours["lookalike_false_positives"]:
        print("\nlook-alike false positives:\n  " + "\n  ".join(ours["lookalike_false_positives"]))

    print("\nTargets (govpilot)\n")
    print(markdown_table(["target", "value", "met"], result["targets"]))
    attempts = len(result["network_attempts"])
    print(f"\n{result['minutes']} min; network attempts: {attempts}; results in {result['out']}")


def targets(ours: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for t in FORMS:
        recall = ours["per_type"][t]["recall"]
        rows.append(
            [
                f"{t} recall ≥ {TARGET_RECALL}",
                recall,
                "yes" if (recall or 0) >= TARGET_RECALL else "NO",
            ]
        )
    value = ours["lookalike_precision"]
    ok = (value or 0) >= TARGET_LOOKALIKE_PRECISION
    rows.append(
        [f"look-alike precision ≥ {TARGET_LOOKALIKE_PRECISION}", value, "yes" if ok else "NO"]
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-presidio", action="store_true", help="skip the Presidio baseline")
    parser.add_argument("--seed", type=int, help="score a freshly generated set with this seed")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "id_forms.json")
    args = parser.parse_args()

    attempts = forbid_network()
    started = time.perf_counter()
    records = build_records(args.seed) if args.seed is not None else load(DATA_PATH)
    systems: dict[str, Detect] = {"govpilot": govpilot_system()}
    if not args.no_presidio:
        systems["presidio"] = presidio_system(presidio_analyzer())
    results = {name: score(records, detect) for name, detect in systems.items()}
    out = args.out.resolve()
    result: dict[str, Any] = {
        "data": f"seed {args.seed}" if args.seed is not None else str(DATA_PATH.relative_to(ROOT)),
        "records": len(records),
        "systems": results,
        "targets": targets(results["govpilot"]),
        "network_attempts": attempts,
        "minutes": round((time.perf_counter() - started) / 60, 1),
        "out": str(out.relative_to(ROOT)) if out.is_relative_to(ROOT) else str(out),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
    print_report(result)


if __name__ == "__main__":
    main()
