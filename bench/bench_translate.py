"""Translation benchmark: govpilot's pipeline beside the same embedded model prompted plainly.

    .venv/bin/python bench/bench_translate.py [--sentences 40] [--yue 40] [--start 0] [--out FILE]

Quality on ../shared/data (FLORES-200 dev, NTREX-128, UD Cantonese-HK, and a hand-written
glossary set in bench/data), chrF and BLEU with sacrebleu (tokenize "zh" for Chinese
targets), share of outputs with Simplified-only characters, share with ordinary English
words left untranslated, glossary terms rendered as the glossary says, seconds per
sentence; for NTREX, translated as one document, the share of names used in two or more
lines that are rendered one way. The baseline is one plain prompt to the same model, no
pipeline; "baseline + s2hk" is that output converted by OpenCC, to show what script
conversion alone gives. For Cantonese two more rows need no model: the input copied
unchanged, and the pipeline's word map (written_chinese.py) applied to the input.
--start skips that many lines of each set, to measure on lines not used while developing;
--sets runs a subset.
Throughput (full HTTP API vs raw llama.cpp) is in bench_throughput.py.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import sacrebleu
from rich.progress import track

from common import (
    ROOT,
    embedded_model,
    markdown_table,
    peak_rss_mb,
    read_lines,
    require_data,
)
from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.embedded import LlamaCppModel
from govpilot.backends.llm import ChatMessage, GenerationOptions
from govpilot.capabilities.translate import translate_document, translate_text
from govpilot.capabilities.translation_checks import leftover_english_words
from govpilot.capabilities.translation_terms import document_terms
from govpilot.capabilities.written_chinese import to_written_chinese
from govpilot.documents.model import Block, Document
from govpilot.gateway import ModelGateway
from govpilot.language import Glossary, has_simplified, to_hk_traditional

PLAIN_PROMPTS = {
    "en->zh-Hant": "Translate the following English text into Traditional Chinese:\n{text}",
    "zh-Hant->en": "Translate the following Traditional Chinese text into English:\n{text}",
    "yue->zh-Hant": "Translate the following Cantonese text into written Chinese:\n{text}",
}
SETS = ("flores-en-zh", "flores-zh-en", "ntrex", "ud", "glossary")
CTX = CallContext(actor="bench", department="bench", capability="bench.translate")


def plain(model: LlamaCppModel, task: str) -> Callable[[str], str]:
    """The baseline: one plain prompt, the model's answer as it comes."""

    def run(text: str) -> str:
        prompt = PLAIN_PROMPTS[task].format(text=text)
        answer = model.complete([ChatMessage("user", prompt)], GenerationOptions(max_tokens=300))
        return answer.text.strip()

    return run


def pipeline(gateway: ModelGateway, glossary: Glossary, target: str) -> Callable[[str], str]:
    def run(text: str) -> str:
        return translate_text(gateway, CTX, text, target, glossary=glossary)[0]  # type: ignore[arg-type]

    return run


def pipeline_document(
    gateway: ModelGateway, glossary: Glossary, target: str, sources: list[str]
) -> list[str]:
    """The whole set as one document (a paragraph per line), as a user's file would go."""
    doc = Document([Block("paragraph", s) for s in sources])
    out, _ = translate_document(gateway, CTX, doc, target, glossary=glossary)  # type: ignore[arg-type]
    return [b.text for b in out.blocks]


def consistency(sources: list[str], outputs: list[str]) -> dict:
    """Names used in two or more source lines, and the share rendered one way.

    A name counts as rendered one way when every output of a line holding it keeps the
    name itself or shares a run of at least two Chinese characters with the others (the
    longest such run is taken as its rendering). A heuristic, the same for every system.
    """
    terms = document_terms(sources, None, Glossary())
    same = 0
    for term in terms:
        outs = [o for s, o in zip(sources, outputs, strict=True) if term in s]
        if all(term in o for o in outs) or _shared_run(outs) >= 2:
            same += 1
    return {
        "repeated_names": len(terms),
        "consistent_%": round(100 * same / len(terms), 1) if terms else None,
    }


def _shared_run(texts: list[str]) -> int:
    first, best = texts[0], 0
    for i in range(len(first)):
        for j in range(i + best + 1, len(first) + 1):
            run = first[i:j]
            if not all("\u3400" <= c <= "\u9fff" for c in run):
                break
            if all(run in t for t in texts[1:]):
                best = j - i
            else:
                break
    return best


def timed(label: str, fn: Callable[[str], str], sources: list[str]) -> tuple[list[str], float]:
    started = time.perf_counter()
    outputs = [fn(s) for s in track(sources, description=label, transient=True)]
    return outputs, (time.perf_counter() - started) / max(1, len(sources))


def score(outputs: list[str], refs: list[str], sources: list[str], zh: bool) -> dict:
    tokenize = "zh" if zh else "13a"
    row = {
        "chrF": round(sacrebleu.corpus_chrf(outputs, [refs]).score, 1),
        "BLEU": round(sacrebleu.corpus_bleu(outputs, [refs], tokenize=tokenize).score, 1),
    }
    if zh:
        row["simplified_%"] = round(100 * sum(map(has_simplified, outputs)) / len(outputs), 1)
        left = [bool(leftover_english_words(o, s)) for o, s in zip(outputs, sources, strict=True)]
        row["untranslated_%"] = round(100 * sum(left) / len(outputs), 1)
    return row


def run_pair(
    name: str,
    task: str,
    sources: list[str],
    refs: list[str],
    model,
    gateway,
    glossary,
    samples: list,
    *,
    as_document: bool = False,
) -> list[dict]:
    target = "en" if task.endswith("->en") else "zh-Hant"
    zh = target == "zh-Hant"
    base_out, base_s = timed(f"{name} baseline", plain(model, task), sources)
    if as_document:
        started = time.perf_counter()
        pipe_out = pipeline_document(gateway, glossary, target, sources)
        pipe_s = (time.perf_counter() - started) / max(1, len(sources))
    else:
        pipe_out, pipe_s = timed(f"{name} govpilot", pipeline(gateway, glossary, target), sources)
    rows = [
        {
            "set": name,
            "system": "plain prompt (baseline)",
            **score(base_out, refs, sources, zh),
            "s/sentence": round(base_s, 2),
        }
    ]
    if zh:
        converted = [to_hk_traditional(o) for o in base_out]
        rows.append(
            {
                "set": name,
                "system": "baseline + s2hk",
                **score(converted, refs, sources, zh),
                "s/sentence": round(base_s, 2),
            }
        )
    rows.append(
        {
            "set": name,
            "system": "govpilot pipeline",
            **score(pipe_out, refs, sources, zh),
            "s/sentence": round(pipe_s, 2),
        }
    )
    if as_document:
        outputs = {
            "plain prompt (baseline)": base_out,
            "baseline + s2hk": base_out,
            "govpilot pipeline": pipe_out,
        }
        for row in rows:
            row.update(consistency(sources, outputs[row["system"]]))
    samples.extend(
        {"set": name, "source": s, "baseline": b, "govpilot": p, "reference": r}
        for s, b, p, r in list(zip(sources, base_out, pipe_out, refs, strict=True))[:3]
    )
    return rows


def glossary_rows(model, gateway, glossary: Glossary) -> list[dict]:
    path = ROOT / "bench" / "data" / "glossary_sentences.txt"
    sources = [ln for ln in path.read_text("utf-8").splitlines() if ln and not ln.startswith("#")]
    rows = []
    systems = [
        (
            "plain prompt (baseline) + s2hk",
            lambda s: to_hk_traditional(plain(model, "en->zh-Hant")(s)),
        ),
        ("govpilot pipeline", pipeline(gateway, glossary, "zh-Hant")),
    ]
    for label, fn in systems:
        outputs, seconds = timed(f"glossary {label}", fn, sources)
        hits = total = 0
        for source, output in zip(sources, outputs, strict=True):
            report = glossary.check_output(source, output, "en")
            hits += report.hit_count
            total += len(report.checks)
        rows.append(
            {
                "set": "glossary (24 sentences)",
                "system": label,
                "terms": total,
                "rendered_as_glossary_%": round(100 * hits / max(1, total), 1),
                "s/sentence": round(seconds, 2),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=40, help="FLORES / NTREX sentences")
    parser.add_argument("--yue", type=int, default=40, help="UD Cantonese pairs")
    parser.add_argument("--start", type=int, default=0, help="skip this many lines of each set")
    parser.add_argument(
        "--sets",
        default=",".join(SETS),
        help=f"comma-separated subset of {','.join(SETS)} (a short run on a shared machine)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "translate.json")
    args = parser.parse_args()

    flores = require_data("flores200")
    ntrex = require_data("ntrex128")
    ud = require_data("ud_hk_yue_zh", "yue_zh_aligned.tsv")
    model = embedded_model()
    gateway = ModelGateway([model], MemoryAuditSink())
    glossary = Glossary.load_default()
    n, k = args.sentences, args.start
    en = read_lines(flores / "eng_Latn.devtest", k + n)[k:]
    zh = read_lines(flores / "zho_Hant.devtest", k + n)[k:]
    ntrex_en = read_lines(ntrex / "newstest2019-src.eng.txt", k + n)[k:]
    ntrex_zh = read_lines(ntrex / "newstest2019-ref.zho_Hant.txt", k + n)[k:]
    pairs = [ln.split("\t") for ln in read_lines(ud, k + args.yue + 1)[k + 1 :]]
    yue, written = [p[2] for p in pairs], [p[3] for p in pairs]

    started = time.perf_counter()
    samples: list[dict] = []
    rows = []
    sets = set(args.sets.split(","))
    if "flores-en-zh" in sets:
        rows += run_pair(
            "FLORES en→zh-Hant", "en->zh-Hant", en, zh, model, gateway, glossary, samples
        )
    if "flores-zh-en" in sets:
        rows += run_pair(
            "FLORES zh-Hant→en", "zh-Hant->en", zh, en, model, gateway, glossary, samples
        )
    if "ntrex" in sets:
        # News lines in order: translated as one document, so names are rendered once.
        rows += run_pair(
            "NTREX en→zh-Hant (document)",
            "en->zh-Hant",
            ntrex_en,
            ntrex_zh,
            model,
            gateway,
            glossary,
            samples,
            as_document=True,
        )
    if "ud" in sets:
        rows += run_pair(
            "UD yue→written zh", "yue->zh-Hant", yue, written, model, gateway, glossary, samples
        )
        for label, outputs in (
            ("input copied unchanged", yue),
            ("word map only (no model)", [to_written_chinese(s) for s in yue]),
        ):
            rows.append(
                {"set": "UD yue→written zh", "system": label, **score(outputs, written, yue, True)}
            )
    gloss = glossary_rows(model, gateway, glossary) if "glossary" in sets else []

    result = {
        "model": model.model_id,
        "sentences": n,
        "start": k,
        "yue_pairs": len(yue),
        "quality": rows,
        "glossary": gloss,
        "peak_rss_mb": round(peak_rss_mb()),
        "minutes": round((time.perf_counter() - started) / 60, 1),
        "samples": samples,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
    cols = ["set", "system", "chrF", "BLEU", "simplified_%", "untranslated_%", "s/sentence"]
    cols += ["repeated_names", "consistent_%"]
    print(markdown_table(cols, [[r.get(c, "") for c in cols] for r in rows]))
    print()
    gcols = ["set", "system", "terms", "rendered_as_glossary_%", "s/sentence"]
    print(markdown_table(gcols, [[r[c] for c in gcols] for r in gloss]))
    print(
        f"\nmodel {model.model_id}; peak RSS {result['peak_rss_mb']} MB; "
        f"{result['minutes']} min; full results in {args.out}"
    )


if __name__ == "__main__":
    main()
