"""Load: requests/s and latency of the non-model routes under many concurrent users.

    .venv/bin/python bench/bench_load.py [--users 50] [--seconds 20] [--jobs-per-user 3]

`govpilot serve` (one uvicorn process, as shipped: access log on, the h11 parser and the
asyncio loop that this venv has) runs on 127.0.0.1 from a temporary GOVPILOT_HOME whose
govpilot.toml names an OpenAI-compatible model that is never called, and RAISES the
per-user request limit (auth.requests_per_minute) from 120 to 10,000,000 so that the limiter
does not refuse the load; every department is created with that limit.

Before the server starts, the same home gets `users` officers (each with an API key, a web
session and `jobs_per_user` finished translation jobs, made with a scripted model) and
`users` auditors (a web session each). Then, one endpoint at a time and finally all four
mixed, `users` virtual users (asyncio, one httpx client and keep-alive connection each)
send requests back to back for `seconds` after a 2-second warm-up:

    GET /health          the trivial route: the baseline (no database, no template)
    GET /api/v1/jobs     the API, Authorization: Bearer <key>
    GET /copilot         a page, with the officer's session cookie
    GET /audit           the auditor's page (50 events, hash-chain verification)

Anything but a 200 counts as an error. CPU use of the server and of this load generator
is reported with each phase: a generator near 100% of a core is itself the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from common import ROOT, markdown_table, percentile
from govpilot.access import Role
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.config import AuthSettings, ModelConfig, Settings
from govpilot.http.callers import SESSION_COOKIE
from govpilot.testing import add_api_key, add_user, make_test_platform

RESULTS = ROOT / "bench" / "results" / "load.json"
RAISED_RATE_LIMIT = 10_000_000
WARM_UP_S = 2.0
STUB_URL = "http://127.0.0.1:9/v1"  # nothing listens: no route measured here calls a model
TEXT = "The library will extend its opening hours.\n\nA consultation runs until March."
ENDPOINTS = ("/health", "/api/v1/jobs", "/copilot", "/audit")


def config_toml() -> str:
    return "\n".join(
        [
            'default_model = "stub"',
            'department = "HAD"',
            "[[models]]",
            'name = "stub"',
            'backend = "openai"',
            f'base_url = "{STUB_URL}"',
            "retries = 0",
            "[auth]",
            "secure_cookies = false",
            f"requests_per_minute = {RAISED_RATE_LIMIT}",
            "max_concurrent_jobs = 1000",
            "",
        ]
    )


def _translate(messages: Sequence[ChatMessage]) -> str:
    return "圖書館將延長開放時間。"


@dataclass
class Caller:
    """One virtual user's credentials."""

    api_key: str
    officer_session: str
    auditor_session: str


def prepare_home(home: Path, users: int, jobs_per_user: int) -> list[Caller]:
    """Users, keys, sessions and finished jobs in `home` (before the server starts)."""
    (home / "govpilot.toml").write_text(config_toml(), encoding="utf-8")
    settings = Settings(
        home=home,
        models=[ModelConfig(name="stub", backend="openai", base_url=STUB_URL)],
        default_model="stub",
        department="HAD",
        auth=AuthSettings(
            secure_cookies=False,
            requests_per_minute=RAISED_RATE_LIMIT,
            max_concurrent_jobs=1000,
        ),
    )
    # A scripted model stands in for "stub" while the jobs are made.
    platform = make_test_platform(
        settings, models=[ScriptedModel(name="stub", responder=_translate)]
    )
    jobs = platform.new_job_service(workers=2).start()
    try:
        callers, submitted = [], []
        for i in range(users):
            officer = add_user(platform, f"officer{i:03}@had.gov.hk", department="HAD")
            auditor = add_user(
                platform, f"auditor{i:03}@audit.gov.hk", department="AUD", role=Role.AUDITOR
            )
            callers.append(
                Caller(
                    api_key=add_api_key(platform, officer),
                    officer_session=platform.signin.start_session(officer)[0],
                    auditor_session=platform.signin.start_session(auditor)[0],
                )
            )
            ctx = officer.context("copilot", "web")
            for j in range(jobs_per_user):
                job = jobs.submit(
                    ctx,
                    "translate",
                    filename=f"notice-{j}.txt",
                    text=TEXT,
                    params={"target": "zh-Hant", "format": "docx"},
                )
                submitted.append((ctx, job.id))
        deadline = time.monotonic() + 120
        while not all(jobs.get(ctx, job_id).finished for ctx, job_id in submitted):
            if time.monotonic() > deadline:
                sys.exit("the seed jobs did not finish within 120 s")
            time.sleep(0.2)
        return callers
    finally:
        jobs.shutdown()
        platform.database.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(home: Path) -> Iterator[tuple[str, psutil.Process]]:
    """`govpilot serve` over `home` on a free port; its base URL and process."""
    port = _free_port()
    govpilot = shutil.which("govpilot", path=str(Path(sys.executable).parent)) or "govpilot"
    env = {**os.environ, "GOVPILOT_HOME": str(home)}
    log_path = home / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [govpilot, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit("the server did not start:\n" + log_path.read_text())
                time.sleep(0.2)
            yield base, psutil.Process(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)


@dataclass
class Tally:
    """Latencies (s) and errors of one endpoint in one phase."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


def _request(client: httpx.AsyncClient, caller: Caller, path: str) -> Any:
    if path == "/api/v1/jobs":
        return client.get(path, headers={"Authorization": f"Bearer {caller.api_key}"})
    if path == "/copilot":
        return client.get(path, headers={"Cookie": f"{SESSION_COOKIE}={caller.officer_session}"})
    if path == "/audit":
        return client.get(path, headers={"Cookie": f"{SESSION_COOKIE}={caller.auditor_session}"})
    return client.get(path)


async def _virtual_user(
    base: str,
    caller: Caller,
    paths: Sequence[str],
    offset: int,
    record_from: float,
    stop_at: float,
    tallies: dict[str, Tally],
) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        i = offset
        while (now := time.perf_counter()) < stop_at:
            path = paths[i % len(paths)]
            i += 1
            started = now
            error = ""
            try:
                response = await _request(client, caller, path)
                if response.status_code != 200:
                    error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            elapsed = time.perf_counter() - started
            client.cookies.clear()  # each request carries only its own cookie
            if started < record_from:
                continue
            tally = tallies[path]
            tally.latencies.append(elapsed)
            if error:
                tally.errors += 1
                tally.first_error = tally.first_error or error


async def _phase(
    base: str, callers: list[Caller], paths: Sequence[str], seconds: float
) -> tuple[dict[str, Tally], float]:
    tallies = {path: Tally() for path in paths}
    start = time.perf_counter()
    record_from, stop_at = start + WARM_UP_S, start + WARM_UP_S + seconds
    await asyncio.gather(
        *(
            _virtual_user(base, caller, paths, n, record_from, stop_at, tallies)
            for n, caller in enumerate(callers)
        )
    )
    # Requests started before stop_at count; the window is the measured span.
    return tallies, time.perf_counter() - record_from


def run_phase(
    base: str, server_process: psutil.Process, callers: list[Caller], paths: Sequence[str], s: float
) -> dict[str, Any]:
    """One phase: every virtual user sends `paths` in turn for `s` seconds; its figures."""
    me = psutil.Process()
    server_cpu, client_cpu = _cpu(server_process), _cpu(me)
    wall = time.perf_counter()
    tallies, window = asyncio.run(_phase(base, callers, paths, s))
    wall = time.perf_counter() - wall
    server_share = (_cpu(server_process) - server_cpu) / wall
    client_share = (_cpu(me) - client_cpu) / wall
    endpoints: dict[str, dict[str, Any]] = {}
    for path, tally in tallies.items():
        ms = sorted(x * 1000 for x in tally.latencies)
        endpoints[path] = {
            "requests": len(ms),
            "requests_per_s": round(len(ms) / window, 1),
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "max_ms": round(ms[-1], 1),
            "errors": tally.errors,
            "first_error": tally.first_error or None,
        }
    return {
        "endpoints": endpoints,
        "total_requests_per_s": round(sum(e["requests"] for e in endpoints.values()) / window, 1),
        "server_cpu_cores": round(server_share, 2),
        "load_generator_cpu_cores": round(client_share, 2),
        "seconds": round(window, 1),
    }


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def table(phases: dict[str, dict[str, Any]]) -> str:
    rows = []
    for phase, result in phases.items():
        for path, e in result["endpoints"].items():
            rows.append(
                [
                    phase,
                    path,
                    e["requests"],
                    e["requests_per_s"],
                    e["p50_ms"],
                    e["p95_ms"],
                    e["p99_ms"],
                    e["errors"],
                    result["server_cpu_cores"],
                    result["load_generator_cpu_cores"],
                ]
            )
    header = [
        "phase",
        "endpoint",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "server CPU (cores)",
        "generator CPU (cores)",
    ]
    return markdown_table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--jobs-per-user", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="govpilot-bench-load-") as tmp:
        home = Path(tmp)
        callers = prepare_home(home, args.users, args.jobs_per_user)
        print(f"prepared {args.users} officers and auditors", file=sys.stderr, flush=True)
        phases: dict[str, dict[str, Any]] = {}
        with server(home) as (base, process):
            for path in ENDPOINTS:
                phases[path] = run_phase(base, process, callers, [path], args.seconds)
                print(f"  {path}: done", file=sys.stderr, flush=True)
            phases["mixed"] = run_phase(base, process, callers, ENDPOINTS, args.seconds)
    results = {
        "users": args.users,
        "seconds_per_phase": args.seconds,
        "warm_up_s": WARM_UP_S,
        "jobs_per_user": args.jobs_per_user,
        "server": "govpilot serve: 1 uvicorn process (h11, asyncio loop, access log on)",
        "rate_limit": f"auth.requests_per_minute raised from 120 to {RAISED_RATE_LIMIT}",
        "cpu_count": os.cpu_count(),
        "baseline": "GET /health",
        "phases": phases,
        "wall_s": round(time.perf_counter() - started, 1),
    }
    print(table(phases))
    print(
        f"\n{args.users} concurrent users, {args.seconds:g} s per phase after a {WARM_UP_S:g} s "
        f"warm-up; per-user rate limit raised to {RAISED_RATE_LIMIT:,}/min for the run"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
