"""Bot answer quality with the embedded model on DRCD, SQuAD v2 and a department guide.

Sets: DRCD dev (Traditional Chinese), SQuAD v2 (English; half unanswerable) and govdoc, a
hand-written fictional Social Welfare Department guide (bench/data/govdoc_ccv.json: 20
sections, 45 answerable questions in English, written Chinese and Cantonese, 15
unanswerable), and govhousing, a longer hand-written fictional Housing Department guide
(bench/data/govdoc_housing.json: 40 sections, 3,426 words, 120 answerable and 40
unanswerable questions). Every paragraph of a set is indexed as one collection (one chunk per
paragraph) in the real retriever (SqlRetriever with multilingual-e5 vectors in a cached
SQLite file; `--retriever memory` for the naive in-memory one). Each question is then
answered twice from the same retrieved passages, in the same process:

* govpilot: the bot pipeline (numbered quoted passages, [n] citations validated,
  NO_ANSWER / no-citation hand-over, relevance gate, HK Traditional output);
* baseline: the same model with a plain "answer from these passages" prompt, no
  hand-over logic and no checks (its citation is the top passage).

Figures, for answerable questions: the share answered right (the answer contains a gold
answer, script-folded, case and punctuation ignored), answered wrong, and handed over; token
F1 against the best gold answer (characters for Chinese, words for English; a hand-over
scores 0); for SQuAD v2's unanswerable questions, the share handed over (baseline: replies
that say the passages do not tell); answered questions citing the gold paragraph; time to
the first text the user sees (streamed; a hand-over shows at the end) and seconds per
answer. Each system has its own model instance (weights shared through mmap), so the bot's
fixed system prompt stays in llama.cpp's prefix cache as it does for a bot serving a queue
of questions; "cold" first-text times are not measured.

A sweep re-scores the bot's answers as if handed over when the model's first-token
probability of NO_ANSWER reached a threshold (`AnswerOptions.abstain_at`): pick the
threshold on `--split tune` (questions after the first `--limit` of the same sample order,
never the reported ones) and report on `--split eval`.

    python bench/bench_bots.py --limit 200 --checkpoint /tmp/bots.jsonl   # README (hours)
    python bench/bench_bots.py --limit 30 --split tune --baseline-every 0 # choose abstain_at
    python bench/bench_bots.py --limit 5                                  # smoke run

The index of each set is built once and kept in ~/.cache/govpilot/bench-bots (multilingual
e5 on 2 cores takes ~15 min for DRCD's articles).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot_scoring import contains_gold, figures_table, summarise, sweep, token_f1
from common import embedded_model, markdown_table, peak_rss_mb, require_data
from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.llm import ChatMessage, GenerationOptions
from govpilot.capabilities.chat import AnswerOptions, BotResponder, new_bot
from govpilot.gateway import ModelGateway
from govpilot.language import to_hk_traditional
from govpilot.prompts import load_prompt
from govpilot.retrieval.types import Chunk, Retriever, Scope

DEPARTMENT = "BENCH"
BASELINE_SYSTEM = "Answer the question using the passages below."
_NOT_TOLD = re.compile(
    r"not (?:mention|provide|contain|specif|state)|no information|cannot (?:find|determine|answer)"
    r"|沒有提及|未有提及|沒有提到|无法|無法|没有提到|不清楚",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    answers: tuple[str, ...]  # empty: unanswerable
    gold_chunk: str


def load_set(
    name: str, path: Path, limit: int, seed: int, split: str = "eval"
) -> tuple[list[Chunk], list[Question]]:
    """Sample `limit` questions (spread over articles), and every paragraph of the set.

    `split="tune"` takes the `limit` questions that follow the eval ones in the same order,
    from the same articles where they have more, so tuning never sees a reported question.
    """
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    by_article: list[list[Question]] = []
    chunks_of: list[list[Chunk]] = []
    for a, article in enumerate(data):
        chunks, questions = [], []
        for p, paragraph in enumerate(article["paragraphs"]):
            chunk_id = f"{name}-{a}-{p}"
            chunks.append(
                Chunk(
                    id=chunk_id,
                    collection_id=name,
                    department=DEPARTMENT,
                    document_id=f"{name}-{a}",
                    ordinal=p,
                    text=paragraph["context"],
                    source=f"{article['title']}.txt",
                    title=article["title"],
                    section=f"paragraph {p + 1}",
                    url=f"https://example.org/{name}/{a}#p{p + 1}",
                )
            )
            for qa in paragraph["qas"]:
                answers = tuple(dict.fromkeys(x["text"] for x in qa.get("answers", [])))
                if qa.get("is_impossible"):
                    answers = ()
                questions.append(Question(str(qa["id"]), qa["question"], answers, chunk_id))
        by_article.append(questions)
        chunks_of.append(chunks)
    rng = random.Random(seed)
    for questions in by_article:
        rng.shuffle(questions)
    order = list(range(len(data)))
    rng.shuffle(order)
    picked: list[Question] = []
    # Round-robin over articles: at most a few questions per article, many articles.
    wanted = limit if split == "eval" else 2 * limit
    while len(picked) < wanted and any(by_article[i] for i in order):
        for i in order:
            if by_article[i] and len(picked) < wanted:
                picked.append(by_article[i].pop())
    # Every paragraph of the set is indexed (DRCD dev: 1,000), whichever questions are asked:
    # more distractors than the questions' own articles, and one cached index for all runs.
    chunks = [c for article in chunks_of for c in article]
    return chunks, picked if split == "eval" else picked[limit:]


CACHE = Path.home() / ".cache" / "govpilot" / "bench-bots"


def build_retriever(kind: str, workdir: Path, key: str) -> tuple[Retriever, bool]:
    """The retriever, and whether it already holds the chunks (a cached SQL index)."""
    if kind == "memory":
        from govpilot.retrieval.memory import InMemoryRetriever

        return InMemoryRetriever(), False
    from govpilot.backends.embed import build_embedder
    from govpilot.config import RetrievalSettings
    from govpilot.retrieval.sql_retriever import SqlRetriever
    from govpilot.storage.db import Database

    CACHE.mkdir(parents=True, exist_ok=True)
    path, done = CACHE / f"{key}.db", CACHE / f"{key}.done"
    if not done.exists():
        path.unlink(missing_ok=True)
    database = Database(f"sqlite:///{path}")
    database.migrate()
    return SqlRetriever(database, build_embedder(RetrievalSettings())), done.exists()


def baseline_answer(
    gateway: ModelGateway, ctx: CallContext, question: str, passages: Sequence[str], zh: bool
) -> str:
    """The plain prompt: the same model, the same retrieved passages, no checks."""
    body = "\n\n".join(passages) + f"\n\nQuestion: {question}"
    messages = [ChatMessage("system", BASELINE_SYSTEM), ChatMessage("user", body)]
    text = gateway.complete(ctx, messages, GenerationOptions(max_tokens=300)).text
    return to_hk_traditional(text) if zh else text


@dataclass
class SetRun:
    """One set's index, bot and questions, and the rows of each system so far."""

    name: str
    questions: list[Question]
    zh: bool
    responder: BotResponder
    baseline: ModelGateway
    bot: Any
    scope: Scope
    index_seconds: float
    rows: dict[str, list[dict[str, Any]]]


def prepare_set(
    name: str,
    chunks: list[Chunk],
    questions: list[Question],
    retriever: Retriever,
    options: AnswerOptions,
    zh: bool,
    indexed: bool,
) -> SetRun:
    started = time.perf_counter()
    if not indexed:
        retriever.add(chunks)
    index_s = time.perf_counter() - started
    bot = new_bot(f"bench-{name}", DEPARTMENT, [name], languages=["en", "zh-Hant"])
    responder = BotResponder(_gateway(), retriever, options)
    rows: dict[str, list[dict[str, Any]]] = {"govpilot": [], "baseline": []}
    scope = Scope(DEPARTMENT, (name,))
    return SetRun(name, questions, zh, responder, _gateway(), bot, scope, index_s, rows)


def _gateway() -> ModelGateway:
    """A gateway over its own instance of the embedded model (its own prefix cache)."""
    return ModelGateway([embedded_model(context_tokens=4096)], MemoryAuditSink())


def _streamed(run: SetRun, question: str, ctx: CallContext) -> tuple[Any, float]:
    """The bot's answer, streamed, and the seconds until the user saw its first text."""
    started = time.perf_counter()
    first: float | None = None
    pieces = run.responder.stream(run.bot, question, ctx)
    while True:
        try:
            next(pieces)
        except StopIteration as done:
            result = done.value
            break
        if first is None:
            first = time.perf_counter() - started
    return result, first if first is not None else time.perf_counter() - started


def answer_one(
    run: SetRun,
    q: Question,
    retriever: Retriever,
    k: int,
    with_baseline: bool,
) -> dict[str, dict[str, Any]]:
    """Ask the bot (and the baseline) one question; the rows it adds, by system."""
    ctx = CallContext("bench", DEPARTMENT, "bot", channel="bench")
    t0 = time.perf_counter()
    result, first_text = _streamed(run, q.text, ctx)
    t1 = time.perf_counter()
    hits = retriever.search(q.text, run.scope, k)
    cited_ids = {
        hit.chunk.id for hit in hits for c in result.citations if hit.citation == c.citation
    }
    added = {
        "govpilot": {
            "id": q.id,
            "answerable": bool(q.answers),
            "handed_over": result.handed_over,
            "contains": contains_gold(result.text, q.answers) if q.answers else False,
            "f1": 0.0 if result.handed_over else token_f1(result.text, q.answers),
            "cites_gold": q.gold_chunk in cited_ids,
            "seconds": t1 - t0,
            "first_text_s": first_text,
            "reason": result.reason,
            "confidence": result.confidence,
            "answer": result.text,
        }
    }
    if with_baseline:
        t2 = time.perf_counter()
        zh = run.zh or bool(re.search(r"[\u3400-\u9fff]", q.text))
        plain = baseline_answer(run.baseline, ctx, q.text, [h.chunk.text for h in hits], zh)
        added["baseline"] = {
            "id": q.id,
            "answerable": bool(q.answers),
            "handed_over": bool(_NOT_TOLD.search(plain)),
            "contains": contains_gold(plain, q.answers) if q.answers else False,
            "f1": token_f1(plain, q.answers),
            "answer": plain,
            "cites_gold": bool(hits) and hits[0].chunk.id == q.gold_chunk,
            "seconds": time.perf_counter() - t2,
        }
    for system, row in added.items():
        run.rows[system].append(row)
    return added


def set_result(run: SetRun) -> dict[str, Any]:
    return scored(run.name, run.rows, run.responder.options.abstain_at, run.index_seconds)


def scored(
    name: str, rows: dict[str, list[dict[str, Any]]], abstain_at: float, index_s: float = 0.0
) -> dict[str, Any]:
    """One set's figures from its rows (a run's, or a checkpoint's)."""
    asked = rows["govpilot"]
    systems = {system: summarise(r) for system, r in rows.items() if r}
    if rows.get("baseline") and len(rows["baseline"]) < len(asked):
        # The baseline ran on every Nth question: the bot on those same ones, paired.
        paired = {r["id"] for r in rows["baseline"]}
        systems["govpilot, baseline's questions"] = summarise(
            [r for r in asked if r["id"] in paired]
        )
    return {
        "set": name,
        "questions": len(asked),
        "answerable": sum(1 for r in asked if r["answerable"]),
        "unanswerable": sum(1 for r in asked if not r["answerable"]),
        "baseline_questions": len(rows.get("baseline", [])),
        "index_seconds": round(index_s, 1),
        "systems": systems,
        "abstain_sweep": sweep(asked, abstain_at),
    }


def rescore(checkpoint: Path, abstain_at: float, out: Path | None) -> None:
    """The figures of a checkpoint file (a run cut short, or one to score again)."""
    by_set: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for line in checkpoint.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        rows = by_set.setdefault(row.pop("set"), {"govpilot": [], "baseline": []})
        for system, values in row.items():
            rows[system].append(values)
    results = [scored(name, rows, abstain_at) for name, rows in by_set.items()]
    print(markdown_table(*figures_table(results)))
    report = {"checkpoint": str(checkpoint), "abstain_at": abstain_at, "results": results}
    if out:
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200, help="questions per set")
    parser.add_argument("--k", type=int, default=3, help="passages per answer")
    parser.add_argument("--retriever", choices=["sql", "memory"], default="sql")
    parser.add_argument("--sets", default="drcd,squad,govdoc")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--split", choices=["eval", "tune"], default="eval")
    parser.add_argument(
        "--abstain-at", type=float, default=None, help="AnswerOptions.abstain_at (default: ours)"
    )
    parser.add_argument("--prompt-version", type=int, default=None, help="bot_answer version")
    parser.add_argument(
        "--no-bridge", action="store_true", help="AnswerOptions.bridge_languages off (A/B)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--baseline-every",
        type=int,
        default=1,
        help="run the baseline on every Nth question (0: never)",
    )
    parser.add_argument(
        "--max-minutes", type=float, default=None, help="stop asking after this long"
    )
    parser.add_argument("--checkpoint", type=Path, help="append each question's rows (JSONL)")
    parser.add_argument("--rescore", type=Path, help="only score this checkpoint file")
    args = parser.parse_args()
    if args.rescore:
        at = AnswerOptions().abstain_at if args.abstain_at is None else args.abstain_at
        rescore(args.rescore, at, args.json)
        return

    options = AnswerOptions(
        top_k=args.k, prompt_version=args.prompt_version, bridge_languages=not args.no_bridge
    )
    if args.abstain_at is not None:
        options = replace(options, abstain_at=args.abstain_at)
    sources = {
        "drcd": (require_data("drcd", "DRCD_dev.json"), True),
        "squad": (require_data("squad_v2", "squad_v2_subset.json"), False),
        # Hand-written: a fictional department guide with English, Chinese and Cantonese
        # questions (bench/data/govdoc_ccv.json says how it was made).
        "govdoc": (Path(__file__).parent / "data" / "govdoc_ccv.json", False),
        # A longer one (40 sections, 3,426 words): a fictional Housing Department guide
        # with 120 answerable questions in English, written Chinese and Cantonese and 40
        # unanswerable ones (bench/data/govdoc_housing.json says how it was made).
        "govhousing": (Path(__file__).parent / "data" / "govdoc_housing.json", False),
        # For tuning only, never reported: a fictional Transport Department guide (30
        # sections; 90 answerable questions in three languages, 30 unanswerable).
        "govtransport": (Path(__file__).parent / "data" / "govdoc_transport_tune.json", False),
    }
    deadline = time.monotonic() + args.max_minutes * 60 if args.max_minutes else None
    checkpoint = args.checkpoint.open("a", encoding="utf-8") if args.checkpoint else None
    with tempfile.TemporaryDirectory() as tmp:
        runs, retrievers = [], {}
        for name in args.sets.split(","):
            path, zh = sources[name]
            chunks, questions = load_set(name, path, args.limit, args.seed, args.split)
            key = f"{name}-all"
            retriever, indexed = build_retriever(args.retriever, Path(tmp), key)
            run = prepare_set(name, chunks, questions, retriever, options, zh, indexed)
            if args.retriever == "sql":
                (CACHE / f"{key}.done").touch()
            runs.append(run)
            retrievers[name] = retriever
        # Sets take turns, so a run cut short by --max-minutes still covers each of them.
        for i in range(max(len(r.questions) for r in runs)):
            if deadline is not None and time.monotonic() > deadline:
                print(f"time budget reached after {i} rounds", file=sys.stderr)
                break
            for run in runs:
                if i >= len(run.questions):
                    continue
                q = run.questions[i]
                with_baseline = bool(args.baseline_every) and i % args.baseline_every == 0
                added = answer_one(run, q, retrievers[run.name], args.k, with_baseline)
                if checkpoint:
                    checkpoint.write(json.dumps({"set": run.name, **added}) + "\n")
                    checkpoint.flush()
                if not args.quiet:
                    print(progress_line(run, i, q, added), file=sys.stderr, flush=True)
        results = [set_result(r) for r in runs]
    report = {
        "model": "embedded",
        "retriever": args.retriever,
        "k": args.k,
        "limit": args.limit,
        "split": args.split,
        "abstain_at": options.abstain_at,
        "prompt": load_prompt("bot_answer", args.prompt_version).id,
        "baseline_every": args.baseline_every,
        "peak_rss_mb": round(peak_rss_mb()),
        "results": results,
    }
    print(markdown_table(*figures_table(results)))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


def progress_line(run: SetRun, i: int, q: Question, added: dict[str, dict[str, Any]]) -> str:
    ours = added["govpilot"]
    line = (
        f"{run.name} {i + 1}/{len(run.questions)} answerable={bool(q.answers)}"
        f" handed_over={ours['handed_over']} ({ours['reason']}) gold={ours['contains']}"
        f" conf={ours['confidence']} first={ours['first_text_s']:.1f}s {ours['seconds']:.1f}s"
    )
    if "baseline" in added:
        line += f" | baseline gold={added['baseline']['contains']}"
    return line


if __name__ == "__main__":
    main()
