"""Model routing: two replicas of one model behind one name, one of them killed mid-run.

    .venv/bin/python bench/bench_routing.py [--calls 300] [--call-ms 50] [--kill-at 100]

Two OpenAI-compatible servers on 127.0.0.1 (uvicorn in this process) answer after
`--call-ms`. The model is configured as in production (`servers`, `retries = 0`,
`cooldown_s = 30`) and built by `backends.registry`; calls go one after another. The
baseline is the same calls to one server with no routing. After `--kill-at` calls the
first server stops: the call that finds it dead moves to the other replica, and for the
cooldown no call tries the dead one again. Printed: p50/p95 latency of the baseline, of
the routed calls before and after the kill, the failed attempts on the dead server, and
the calls that failed (goal 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from common import ROOT, markdown_table, percentile
from govpilot.backends.llm import ChatMessage, GenerationOptions
from govpilot.backends.registry import build_models
from govpilot.backends.router import RoutedModel
from govpilot.config import ModelConfig, Settings
from govpilot.errors import GovpilotError

RESULTS = ROOT / "bench" / "results" / "routing.json"
HELLO = [ChatMessage("user", "Hello")]
OPTIONS = GenerationOptions(max_tokens=8)


class Replica:
    """One model server on a free port, until `stop()`."""

    def __init__(self, label: str, call_s: float) -> None:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> JSONResponse:
            body = await request.json()
            await asyncio.sleep(call_s)
            message = {"role": "assistant", "content": label}
            return JSONResponse(
                {
                    "id": label,
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [{"index": 0, "message": message}],
                }
            )

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.server = uvicorn.Server(
            uvicorn.Config(app, port=self.port, log_level="warning", timeout_graceful_shutdown=0)
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class FailureCount(logging.Handler):
    """Counts the router's "failed; skipped" warnings about one server."""

    def __init__(self, label: str) -> None:
        super().__init__(logging.WARNING)
        self.label = label
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if self.label in record.getMessage():
            self.count += 1


def timed(model: object, calls: int) -> tuple[list[float], list[str], int]:
    latencies, answers, failed = [], [], 0
    for _ in range(calls):
        started = time.perf_counter()
        try:
            answers.append(model.complete(HELLO, OPTIONS).text)  # type: ignore[attr-defined]
        except GovpilotError:
            failed += 1
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, answers, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--call-ms", type=float, default=50.0)
    parser.add_argument("--kill-at", type=int, default=100)
    args = parser.parse_args()
    first, second = Replica("one", args.call_ms / 1000), Replica("two", args.call_ms / 1000)
    home = Path(tempfile.mkdtemp(prefix="govpilot-routing-"))
    single_cfg = ModelConfig(
        name="single", backend="openai", base_url=second.url, remote_model="m", retries=0
    )
    routed_cfg = ModelConfig(
        name="routed",
        backend="openai",
        base_url=first.url,
        servers=[second.url],
        remote_model="m",
        retries=0,
        timeout_s=10,
        cooldown_s=30,
    )
    single, routed = build_models(Settings(home=home, models=[single_cfg, routed_cfg]))
    assert isinstance(routed, RoutedModel)
    timed(single, 10)  # warm the connections
    timed(routed, 10)

    baseline, _, baseline_failed = timed(single, args.calls)
    before, _, before_failed = timed(routed, args.kill_at)
    first.stop()
    dead_attempts = FailureCount(first.url)
    logging.getLogger("govpilot.backends").addHandler(dead_attempts)
    after, answers, after_failed = timed(routed, args.calls - args.kill_at)
    second.stop()

    result = {
        "calls": args.calls,
        "call_ms": args.call_ms,
        "baseline_p50_ms": round(percentile(baseline, 50), 1),
        "baseline_p95_ms": round(percentile(baseline, 95), 1),
        "before_kill_p50_ms": round(percentile(before, 50), 1),
        "before_kill_p95_ms": round(percentile(before, 95), 1),
        "after_kill_p50_ms": round(percentile(after, 50), 1),
        "after_kill_p95_ms": round(percentile(after, 95), 1),
        "after_kill_max_ms": round(max(after), 1),
        "answered_by_the_live_replica_after_kill": sum(1 for a in answers if a == "two"),
        "failed_calls": baseline_failed + before_failed + after_failed,
        "seconds_after_kill": round(sum(after) / 1000, 1),
        "cooling_down": routed.cooling_down(),
        "attempts_on_the_dead_server": dead_attempts.count,
    }
    result["added_p95_ms"] = round(result["after_kill_p95_ms"] - result["baseline_p95_ms"], 1)
    print(
        markdown_table(
            ["calls", "p50 ms", "p95 ms", "failed"],
            [
                [
                    "one server, no routing (baseline)",
                    result["baseline_p50_ms"],
                    result["baseline_p95_ms"],
                    baseline_failed,
                ],
                [
                    "2 replicas, both up",
                    result["before_kill_p50_ms"],
                    result["before_kill_p95_ms"],
                    before_failed,
                ],
                [
                    "2 replicas, one killed",
                    result["after_kill_p50_ms"],
                    result["after_kill_p95_ms"],
                    after_failed,
                ],
            ],
        )
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
