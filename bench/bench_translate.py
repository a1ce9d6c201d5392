"""Translation benchmark: govpilot's pipeline beside the same embedded model prompted plainly.

    .venv/bin/python bench/bench_translate.py [--sentences 40] [--yue 40] [--out FILE]

Quality on ../shared/data (FLORES-200 dev, NTREX-128, UD Cantonese-HK, and a hand-written
glossary set in bench/data), chrF and BLEU with sacrebleu (tokenize "zh" for Chinese
targets), share of outputs with Simplified-only characters, share with ordinary English
words left untranslated, glossary terms rendered as the glossary says, seconds per
sentence. The baseline is one plain prompt to the same model, no pipeline; "baseline +
s2hk" is that output converted by OpenCC, to show what script conversion alone gives.
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
from govpilot.capabilities.translate import translate_text
from govpilot.capabilities.translation_checks import leftover_english_words
from govpilot.gateway import ModelGateway
from govpilot.language import Glossary, has_simplified, to_hk_traditional

PLAIN_PROMPTS = {
    "en->zh-Hant": "Translate the following English text into Traditional Chinese:\n{text}",
    "zh-Hant->en": "Translate the following Traditional Chinese text into English:\n{text}",
    "yue->zh-Hant": "Translate the following Cantonese text into written Chinese:\n{text}",
}
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
) -> list[dict]:
    target = "en" if task.endswith("->en") else "zh-Hant"
    zh = target == "zh-Hant"
    base_out, base_s = timed(f"{name} baseline", plain(model, task), sources)
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
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "translate.json")
    args = parser.parse_args()

    flores = require_data("flores200")
    ntrex = require_data("ntrex128")
    ud = require_data("ud_hk_yue_zh", "yue_zh_aligned.tsv")
    model = embedded_model()
    gateway = ModelGateway([model], MemoryAuditSink())
    glossary = Glossary.load_default()
    n = args.sentences
    en = read_lines(flores / "eng_Latn.devtest", n)
    zh = read_lines(flores / "zho_Hant.devtest", n)
    ntrex_en = read_lines(ntrex / "newstest2019-src.eng.txt", n)
    ntrex_zh = read_lines(ntrex / "newstest2019-ref.zho_Hant.txt", n)
    pairs = [ln.split("\t") for ln in read_lines(ud, args.yue + 1)[1:]]
    yue, written = [p[2] for p in pairs], [p[3] for p in pairs]

    started = time.perf_counter()
    samples: list[dict] = []
    rows = []
    rows += run_pair("FLORES en→zh-Hant", "en->zh-Hant", en, zh, model, gateway, glossary, samples)
    rows += run_pair("FLORES zh-Hant→en", "zh-Hant->en", zh, en, model, gateway, glossary, samples)
    rows += run_pair(
        "NTREX en→zh-Hant", "en->zh-Hant", ntrex_en, ntrex_zh, model, gateway, glossary, samples
    )
    rows += run_pair(
        "UD yue→written zh", "yue->zh-Hant", yue, written, model, gateway, glossary, samples
    )
    identity = sacrebleu.corpus_chrf(yue, [written]).score
    rows.append(
        {"set": "UD yue→written zh", "system": "input copied unchanged", "chrF": round(identity, 1)}
    )
    gloss = glossary_rows(model, gateway, glossary)

    result = {
        "model": model.model_id,
        "sentences": n,
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
