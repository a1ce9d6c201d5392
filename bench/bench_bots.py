"""Bot answer quality with the embedded model on DRCD (Traditional Chinese) and SQuAD v2.

For each set, the paragraphs of the articles that the sampled questions come from are
indexed as one collection (one chunk per paragraph) in the real retriever (SqlRetriever
with multilingual-e5 vectors in a temporary SQLite file; `--retriever memory` for the
naive in-memory one). Each question is then answered twice from the same retrieved
passages, in the same process:

* govpilot: the bot pipeline (numbered quoted passages, [n] citations validated,
  NO_ANSWER / no-citation hand-over, relevance gate, HK Traditional output);
* baseline: the same model with a plain "answer from these passages" prompt, no
  hand-over logic and no checks (its citation is the top passage).

Figures: share of answerable questions whose answer contains a gold answer (script-folded,
case and punctuation ignored); token F1 against the best gold answer (characters for
Chinese, words for English; a hand-over scores 0); share of SQuAD v2 unanswerable questions
handed over (baseline: replies that say the passages do not tell); share of answered
questions with at least one citation of the gold paragraph; handed-over share of answerable
questions (false hand-overs); seconds per answer.

    python bench/bench_bots.py --limit 200          # the README figures (slow: ~1 h+)
    python bench/bench_bots.py --limit 5            # smoke run
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import embedded_model, markdown_table, peak_rss_mb, require_data
from govpilot.access import CallContext
from govpilot.audit.events import MemoryAuditSink
from govpilot.backends.llm import ChatMessage, GenerationOptions
from govpilot.capabilities.chat import AnswerOptions, BotResponder, new_bot
from govpilot.gateway import ModelGateway
from govpilot.language import fold_script, to_hk_traditional
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


def load_set(name: str, path: Path, limit: int, seed: int) -> tuple[list[Chunk], list[Question]]:
    """Sample `limit` questions (spread over articles) and every paragraph of their articles."""
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
    used: set[int] = set()
    # Round-robin over articles: at most a few questions per article, many articles.
    while len(picked) < limit and any(by_article[i] for i in order):
        for i in order:
            if by_article[i] and len(picked) < limit:
                picked.append(by_article[i].pop())
                used.add(i)
    chunks = [c for i in sorted(used) for c in chunks_of[i]]
    return chunks, picked


def build_retriever(kind: str, workdir: Path) -> Retriever:
    if kind == "memory":
        from govpilot.retrieval.memory import InMemoryRetriever

        return InMemoryRetriever()
    from govpilot.backends.embed import build_embedder
    from govpilot.config import RetrievalSettings
    from govpilot.retrieval.sql_retriever import SqlRetriever
    from govpilot.storage.db import Database

    database = Database(f"sqlite:///{workdir / 'bench.db'}")
    database.migrate()
    return SqlRetriever(database, build_embedder(RetrievalSettings()))


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", fold_script(text).lower())


def contains_gold(answer: str, golds: Sequence[str]) -> bool:
    folded = _norm(answer)
    return any(_norm(g) and _norm(g) in folded for g in golds)


def _units(text: str) -> list[str]:
    # SQuAD-style tokens: English words (articles dropped), and each Chinese character.
    folded = fold_script(re.sub(r"\s*\[\d+\]", "", text)).lower()
    units = re.findall(r"[\u3400-\u9fff]|[a-z0-9]+", folded)
    return [u for u in units if u not in ("a", "an", "the")]


def token_f1(answer: str, golds: Sequence[str]) -> float:
    """The best SQuAD/DRCD-style F1 of `answer` against a gold answer (characters for
    Chinese, words for English): partial credit where "contains gold" gives none, and less
    credit for long answers."""
    said = _units(answer)
    best = 0.0
    for gold in golds:
        wanted = _units(gold)
        common = sum((Counter(said) & Counter(wanted)).values())
        if common:
            precision, recall = common / len(said), common / len(wanted)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def baseline_answer(
    gateway: ModelGateway, ctx: CallContext, question: str, passages: Sequence[str], zh: bool
) -> str:
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
    bot: Any
    scope: Scope
    index_seconds: float
    rows: dict[str, list[dict[str, Any]]]


def prepare_set(
    name: str,
    chunks: list[Chunk],
    questions: list[Question],
    gateway: ModelGateway,
    retriever: Retriever,
    k: int,
    zh: bool,
) -> SetRun:
    started = time.perf_counter()
    retriever.add(chunks)
    index_s = time.perf_counter() - started
    bot = new_bot(f"bench-{name}", DEPARTMENT, [name], languages=["en", "zh-Hant"])
    responder = BotResponder(gateway, retriever, AnswerOptions(top_k=k))
    rows: dict[str, list[dict[str, Any]]] = {"govpilot": [], "baseline": []}
    return SetRun(name, questions, zh, responder, bot, Scope(DEPARTMENT, (name,)), index_s, rows)


def answer_one(
    run: SetRun,
    q: Question,
    gateway: ModelGateway,
    retriever: Retriever,
    k: int,
    with_baseline: bool,
) -> dict[str, dict[str, Any]]:
    """Ask the bot (and the baseline) one question; the rows it adds, by system."""
    ctx = CallContext("bench", DEPARTMENT, "bot", channel="bench")
    t0 = time.perf_counter()
    result = run.responder.answer(run.bot, q.text, ctx)
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
            "reason": result.reason,
            "answer": result.text,
        }
    }
    if with_baseline:
        t2 = time.perf_counter()
        plain = baseline_answer(gateway, ctx, q.text, [h.chunk.text for h in hits], run.zh)
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
    asked = run.rows["govpilot"]
    return {
        "set": run.name,
        "questions": len(asked),
        "answerable": sum(1 for r in asked if r["answerable"]),
        "unanswerable": sum(1 for r in asked if not r["answerable"]),
        "baseline_questions": len(run.rows["baseline"]),
        "index_seconds": round(run.index_seconds, 1),
        "systems": {system: summarise(r) for system, r in run.rows.items() if r},
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    answered = [r for r in rows if not r["handed_over"]]

    def share(items: list[dict[str, Any]], key: str) -> float | None:
        return round(sum(1 for r in items if r[key]) / len(items), 3) if items else None

    seconds = [r["seconds"] for r in rows]
    return {
        "contains_gold": share(answerable, "contains"),
        "f1": round(statistics.fmean(r["f1"] for r in answerable), 3) if answerable else None,
        "false_handover": share(answerable, "handed_over"),
        "unanswerable_handed_over": share(unanswerable, "handed_over"),
        "answered_with_gold_citation": share(answered, "cites_gold"),
        "seconds_per_answer_p50": round(statistics.median(seconds), 2) if seconds else None,
        "seconds_per_answer_mean": round(statistics.fmean(seconds), 2) if seconds else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200, help="questions per set")
    parser.add_argument("--k", type=int, default=3, help="passages per answer")
    parser.add_argument("--retriever", choices=["sql", "memory"], default="sql")
    parser.add_argument("--sets", default="drcd,squad")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--baseline-every", type=int, default=1, help="run the baseline on every Nth question"
    )
    parser.add_argument(
        "--max-minutes", type=float, default=None, help="stop asking after this long"
    )
    parser.add_argument("--checkpoint", type=Path, help="append each question's rows (JSONL)")
    args = parser.parse_args()

    model = embedded_model(context_tokens=4096)
    gateway = ModelGateway([model], MemoryAuditSink())
    sources = {
        "drcd": (require_data("drcd", "DRCD_dev.json"), True),
        "squad": (require_data("squad_v2", "squad_v2_subset.json"), False),
    }
    deadline = time.monotonic() + args.max_minutes * 60 if args.max_minutes else None
    checkpoint = args.checkpoint.open("a", encoding="utf-8") if args.checkpoint else None
    with tempfile.TemporaryDirectory() as tmp:
        retriever = build_retriever(args.retriever, Path(tmp))
        runs = []
        for name in args.sets.split(","):
            path, zh = sources[name]
            chunks, questions = load_set(name, path, args.limit, args.seed)
            runs.append(prepare_set(name, chunks, questions, gateway, retriever, args.k, zh))
        # Sets take turns, so a run cut short by --max-minutes still covers each of them.
        for i in range(max(len(r.questions) for r in runs)):
            if deadline is not None and time.monotonic() > deadline:
                print(f"time budget reached after {i} rounds", file=sys.stderr)
                break
            for run in runs:
                if i >= len(run.questions):
                    continue
                q = run.questions[i]
                added = answer_one(run, q, gateway, retriever, args.k, i % args.baseline_every == 0)
                if checkpoint:
                    checkpoint.write(json.dumps({"set": run.name, **added}) + "\n")
                    checkpoint.flush()
                if not args.quiet:
                    ours = added["govpilot"]
                    print(
                        f"{run.name} {i + 1}/{len(run.questions)} answerable={bool(q.answers)}"
                        f" handed_over={ours['handed_over']} gold={ours['contains']}"
                        f" cites_gold={ours['cites_gold']} {ours['seconds']:.1f}s"
                        + (
                            f" | baseline gold={added['baseline']['contains']}"
                            if "baseline" in added
                            else ""
                        ),
                        file=sys.stderr,
                        flush=True,
                    )
        results = [set_result(r) for r in runs]
    report = {
        "model": model.name,
        "retriever": args.retriever,
        "k": args.k,
        "limit": args.limit,
        "baseline_every": args.baseline_every,
        "peak_rss_mb": round(peak_rss_mb()),
        "results": results,
    }
    header = [
        "set",
        "system",
        "n",
        "contains gold",
        "F1",
        "false hand-over",
        "unanswerable handed over",
        "gold citation",
        "s/answer p50",
    ]
    table = []
    for r in results:
        for system, f in r["systems"].items():
            table.append(
                [
                    r["set"],
                    system,
                    r["questions"] if system == "govpilot" else r["baseline_questions"],
                    f["contains_gold"],
                    f["f1"],
                    f["false_handover"],
                    f["unanswerable_handed_over"],
                    f["answered_with_gold_citation"],
                    f["seconds_per_answer_p50"],
                ]
            )
    print(markdown_table(header, table))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
