"""AI governance benchmark: attribution of model calls, automatic register entries, and the
time to gather an application's evidence from a large audit trail.

    .venv/bin/python bench/bench_governance.py [--calls 500] [--events 100000] [--out FILE]

One department (HAD) gets 3 bots and uses 2 copilot capabilities (translate, summarise);
`--calls` questions and copilot requests go through the real capability façades
(`BotService.ask`, `Copilot.translate`, `Copilot.summarise`) to a scripted model (the model is
not what is measured). Reported:

- share of model-call audit events that name their application (goal 100%), against the
  same calls through a gateway without the register (the audit trail as it was: baseline);
- register entries made without anyone filling a form (goal: all 5);
- p50/p95 of gathering one application's evidence (calls per week, refusals, personal data,
  bot rates, reviews, incidents) with `--events` audit events of that application in the
  database (goal p95 < 300 ms), against loading the application's events and counting in
  Python (baseline);
- review throughput in the web page: bench/bench_review_queue.py.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from common import ROOT, markdown_table, percentile
from govpilot.access import CallContext, Role
from govpilot.audit.events import AuditEvent
from govpilot.audit.log import GENESIS_HASH, event_hash, hashed_values
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.capabilities.chat.bots import new_bot
from govpilot.capabilities.chat.testing import ScriptedRetriever, make_chunk
from govpilot.documents.model import Document
from govpilot.gateway import ModelGateway
from govpilot.governance.evidence import gather_evidence
from govpilot.platform import Platform
from govpilot.storage.audit_tables import AuditEventRow, AuditHeadRow
from govpilot.testing import fake_settings, make_test_platform

DEPARTMENT = "HAD"
BOTS = ("library-hours", "community-halls", "youth-grants")
ADMIN = CallContext("admin@had.gov.hk", DEPARTMENT, "setup", role=Role.DEPARTMENT_ADMIN.value)
OFFICER = CallContext("officer@had.gov.hk", DEPARTMENT, "copilot", role=Role.OFFICER.value)
PUBLIC = CallContext("public@127.0.0.1", DEPARTMENT, "api", channel="public", role="public")
PASSAGE = "Community halls can be booked up to three months ahead at any District Office."


def respond(messages: Sequence[ChatMessage]) -> str:
    text = messages[-1].content
    if "Question:" in text:
        return "Halls can be booked up to three months ahead [1]."
    return "社區會堂可於三個月前預訂。" if "Traditional Chinese" in text else "A short summary."


def build(home: Path, database_url: str | None = None, **settings: Any) -> Platform:
    """HAD with its 3 bots over one passage; `settings` go to `fake_settings`."""
    retriever = ScriptedRetriever()
    platform = make_test_platform(
        fake_settings(home, department=DEPARTMENT, **settings),
        models=[ScriptedModel(name="fake", responder=respond)],
        retriever=retriever,
        database_url=database_url,
    )
    collection = platform.knowledge_base().collections.create(
        DEPARTMENT, "halls", created_by="admin"
    )
    retriever.add([make_chunk(1, PASSAGE, department=DEPARTMENT, collection=collection.id)])
    for name in BOTS:
        platform.bot_service().create_bot(
            new_bot(name, DEPARTMENT, [collection.id], created_by="admin"), ADMIN
        )
    return platform


def run_calls(platform: Platform, calls: int, seed: int = 1) -> float:
    """`calls` requests through the façades, a bot question or a copilot request each."""
    rng = random.Random(seed)
    service = platform.bot_service()
    bots = [service.bot_config(name, ADMIN) for name in BOTS]
    started = time.perf_counter()
    for n in range(calls):
        pick = rng.random()
        if pick < 0.6:
            service.ask(rng.choice(bots), f"How early can I book a hall? ({n})", PUBLIC)
        elif pick < 0.8:
            platform.copilot.translate_text(OFFICER, f"The hall opens at nine. ({n})", "zh-Hant")
        else:
            platform.copilot.summarise(
                OFFICER, [Document.from_text(f"Hall bookings rose this year. ({n})")]
            )
    return time.perf_counter() - started


def attribution(platform: Platform) -> dict[str, Any]:
    with platform.database.session() as session:
        ids = session.scalars(
            select(AuditEventRow.application_id).where(AuditEventRow.backend.is_not(None))
        ).all()
    named = sum(1 for i in ids if i)
    return {"model_calls": len(ids), "attributed": named, "share": named / len(ids)}


def seed_events(platform: Platform, app_id: str, count: int, seed: int = 2) -> None:
    """`count` chained audit events of `app_id` over 8 weeks, in time order (as the log is
    written), in bulk."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    offsets = sorted((rng.randrange(8 * 7 * 86400) for _ in range(count)), reverse=True)
    with platform.database.session(write=True) as session:
        head = session.get(AuditHeadRow, 1)
        assert head is not None
        seq, prev = head.last_seq, head.last_hash or GENESIS_HASH
        rows = []
        for offset in offsets:
            seq += 1
            pii = rng.random() < 0.05
            event = AuditEvent(
                actor=f"public@10.0.0.{rng.randrange(255)}",
                department=DEPARTMENT,
                action="bot",
                outcome="refused" if rng.random() < 0.03 else "ok",
                backend="scripted",
                model_name="fake",
                model_id="scripted-1",
                tokens_in=rng.randrange(100, 900),
                tokens_out=rng.randrange(10, 200),
                latency_ms=rng.randrange(100, 3000),
                channel="public",
                redactions={"PHONE": 1} if pii else {},
                detail={"pii_detected": {"PHONE": 1}} if pii else {},
                occurred_at=now - timedelta(seconds=offset),
                application_id=app_id,
            )
            digest = event_hash(prev, hashed_values(seq, event))
            rows.append({**event.__dict__, "seq": seq, "prev_hash": prev, "hash": digest})
            prev = digest
        for start in range(0, len(rows), 5000):
            session.execute(insert(AuditEventRow), rows[start : start + 5000])
        head.last_seq, head.last_hash = seq, prev


def naive_evidence(platform: Platform, app_id: str) -> dict[str, Any]:
    """Baseline: load the application's events and count in Python."""
    with platform.database.session() as session:
        rows = session.execute(
            select(AuditEventRow.outcome, AuditEventRow.occurred_at, AuditEventRow.detail).where(
                AuditEventRow.application_id == app_id
            )
        ).all()
    outcomes = Counter(r.outcome for r in rows)
    weeks = Counter(r.occurred_at.isocalendar()[:2] for r in rows)
    found: Counter[str] = Counter()
    for r in rows:
        found.update(r.detail.get("pii_detected") or {})
    return {"outcomes": outcomes, "weeks": weeks, "found": found}


def timed(fn: Any, runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/governance.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        platform = build(Path(home), args.database_url)
        seconds = run_calls(platform, args.calls)
        ours = attribution(platform)
        entries = platform.register.list(ADMIN)
        expected = {f"Bot: {b}" for b in BOTS} | {"Copilot: translation", "Copilot: summaries"}
        made = expected & {a.name_en for a in entries}
        # Baseline: the same calls through a gateway that knows no register.
        platform.gateway = ModelGateway(
            platform.gateway.models, platform.audit, default_model="fake"
        )
        platform.bots = None
        platform.__dict__.pop("copilot", None)
        before = attribution(platform)
        run_calls(platform, args.calls, seed=3)
        after = attribution(platform)
        baseline_share = (after["attributed"] - before["attributed"]) / (
            after["model_calls"] - before["model_calls"]
        )
        app = next(a for a in entries if a.name_en == f"Bot: {BOTS[0]}")
        seed_events(platform, app.id, args.events)
        evidence = timed(lambda: gather_evidence(platform.database, app), args.runs)
        naive = timed(lambda: naive_evidence(platform, app.id), max(3, args.runs // 4))
        platform.database.dispose()
    result = {
        "calls": args.calls,
        "model_call_events": ours["model_calls"],
        "attributed_share": round(ours["share"], 4),
        "baseline_attributed_share": round(baseline_share, 4),
        "register_entries_auto": f"{len(made)}/{len(expected)}",
        "calls_seconds": round(seconds, 2),
        "events": args.events,
        "database": "postgresql" if args.database_url else "sqlite",
        "evidence": evidence,
        "baseline_evidence": naive,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        markdown_table(
            ["measure", "govpilot", "baseline", "goal"],
            [
                [
                    "model calls attributed to an application",
                    f"{ours['share']:.1%}",
                    f"{baseline_share:.1%} (gateway without the register)",
                    "100%",
                ],
                [
                    "register entries made automatically",
                    result["register_entries_auto"],
                    "0/5 (no register)",
                    "all",
                ],
                [
                    f"evidence of one application, {args.events:,} events: p50 / p95 ms",
                    f"{evidence['p50_ms']} / {evidence['p95_ms']}",
                    f"{naive['p50_ms']} / {naive['p95_ms']} (load and count in Python)",
                    "p95 < 300",
                ],
            ],
        )
    )


if __name__ == "__main__":
    main()
