"""Throughput: the full HTTP API (/v1/chat/completions, streaming) vs raw llama.cpp.

    .venv/bin/python bench/bench_throughput.py [--runs 3] [--tokens 160]

Both sides use the same loaded model and the same prompt and sampling. The API path adds
HTTP, JSON/SSE encoding, the guard and a hash-chained audit write in SQLite; the figure
that matters is the overhead ratio 1 - api_tokens_per_s / raw_tokens_per_s. Runs
alternate raw and API after one warm-up each; medians are reported.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from common import ROOT, embedded_model, markdown_table, peak_rss_mb
from govpilot.audit.log import AuditLog
from govpilot.capabilities.draft import TemplateLibrary
from govpilot.config import Settings
from govpilot.gateway import ModelGateway
from govpilot.language import Glossary
from govpilot.platform import Platform
from govpilot.server import create_app
from govpilot.storage.db import Database

PROMPT = "Write a short notice to residents explaining how to apply for a library card."


def raw_run(model, max_tokens: int) -> dict:
    llama = model._load()
    started = time.perf_counter()
    first = None
    pieces = []
    for chunk in llama.create_chat_completion(
        messages=[{"role": "user", "content": PROMPT}],
        max_tokens=max_tokens,
        temperature=0.0,
        seed=0,
        stream=True,
    ):
        delta = chunk["choices"][0].get("delta", {}).get("content")
        if delta:
            first = first or time.perf_counter()
            pieces.append(delta)
    total = time.perf_counter() - started
    return measure(model, "".join(pieces), first - started, total)


def api_run(base: str, max_tokens: int, model) -> dict:
    body = {
        "model": "embedded",
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": max_tokens,
        "temperature": 0.0,
        "seed": 0,
        "stream": True,
    }
    started = time.perf_counter()
    first = None
    pieces = []
    with httpx.stream("POST", f"{base}/v1/chat/completions", json=body, timeout=300) as resp:
        resp.raise_for_status()
        for line in resp.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            choices = chunk.get("choices") or [{}]
            delta = choices[0].get("delta", {}).get("content")
            if delta:
                first = first or time.perf_counter()
                pieces.append(delta)
    total = time.perf_counter() - started
    return measure(model, "".join(pieces), first - started, total)


def measure(model, text: str, ttft: float, total: float) -> dict:
    tokens = model.count_tokens(text)
    return {
        "tokens": tokens,
        "ttft_ms": ttft * 1000,
        "seconds": total,
        "tokens_per_s": tokens / total,
    }


def start_api(model, home: Path) -> tuple[str, uvicorn.Server]:
    settings = Settings(home=home)
    database = Database(settings.resolved_database_url)
    database.migrate()
    audit = AuditLog(database)
    gateway = ModelGateway([model], audit)
    platform = Platform(
        settings, database, audit, gateway, Glossary.load_default(), TemplateLibrary.load()
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(platform), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=160)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "throughput.json")
    args = parser.parse_args()
    model = embedded_model()
    with tempfile.TemporaryDirectory() as home:
        base, server = start_api(model, Path(home))
        raw_run(model, args.tokens)  # warm-up: load weights, fill caches
        api_run(base, args.tokens, model)
        raw, api = [], []
        for _ in range(args.runs):
            raw.append(raw_run(model, args.tokens))
            api.append(api_run(base, args.tokens, model))
        server.should_exit = True

    def med(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    raw_tps, api_tps = med(raw, "tokens_per_s"), med(api, "tokens_per_s")
    result = {
        "model": model.model_id,
        "runs": args.runs,
        "max_tokens": args.tokens,
        "raw": {"tokens_per_s": round(raw_tps, 2), "ttft_ms": round(med(raw, "ttft_ms"))},
        "api": {"tokens_per_s": round(api_tps, 2), "ttft_ms": round(med(api, "ttft_ms"))},
        "overhead_pct": round(100 * (1 - api_tps / raw_tps), 1),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), "utf-8")
    print(
        markdown_table(
            ["path", "tokens/s", "time to first token (ms)"],
            [
                [
                    "raw llama.cpp (baseline)",
                    result["raw"]["tokens_per_s"],
                    result["raw"]["ttft_ms"],
                ],
                [
                    "govpilot API /v1/chat/completions",
                    result["api"]["tokens_per_s"],
                    result["api"]["ttft_ms"],
                ],
            ],
        )
    )
    print(
        f"\nAPI overhead: {result['overhead_pct']}% of raw generation speed; "
        f"peak RSS {result['peak_rss_mb']} MB; model {model.model_id}"
    )


if __name__ == "__main__":
    main()
