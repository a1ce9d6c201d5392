"""Cluster fault test and worker scaling: API replicas and queue workers on 127.0.0.1.

    .venv/bin/python bench/bench_cluster.py [--jobs 200] [--worker-kills 5] [--replica-kills 2]
    .venv/bin/python bench/bench_cluster.py --quick      # 40 jobs, 2 kills, about 2 minutes

Everything is real and local: `redis-server` (the broker) on a free port, an OpenAI-compatible
model server in this process that takes `--call-s` seconds a call, `--replicas` x `govpilot
serve` (GOVPILOT_JOBS__EMBEDDED_WORKER=false) and `--workers` x `govpilot worker
--concurrency 1`, one database (a SQLite file in a temporary GOVPILOT_HOME unless
`--database-url` names PostgreSQL). An officer's API key submits jobs over HTTP, to the
replicas in turn; a refused connection goes to the next replica, as a load balancer would.

1. **Scaling** (the baseline is one worker): `--scale-jobs` summarise jobs with 1 worker,
   then with 2; jobs/minute of each and the ratio (goal >= 1.8x). Then API requests/s
   (8 client threads listing their jobs for `--load-s` seconds) through 1 replica, then 2:
   on the same 2 cores as the clients, the workers and Redis, so the ratio is what this
   machine can show, not what 2 machines would.
1b. **Broker down**: Redis stopped, 10 jobs submitted (accepted: their rows commit), Redis
   started again: how many ran, and how long until all were done.
2. **Faults**: `--jobs` jobs (summarise, translate, redact and an upload of a small file
   into a collection, in turn: copilot and ingest jobs on the one queue) while a random
   worker is killed with -9 `--worker-kills` times and restarted, and a replica
   `--replica-kills` times. Lost: accepted (202) but not done at the end; an upload is also
   lost if its file is not a ready document of the collection; duplicates: a job whose
   `job.finish` "done" event was recorded more than once. Recovery: from a kill until every
   job that was running then is done.

The workers index uploads with the default embedder (e5). The last line is one JSON
object: {"jobs", "completed", "lost", "duplicates", "replicas", "workers", "kills", ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from common import ROOT, markdown_table
from govpilot.access import Role
from govpilot.config import AuthSettings, JobSettings, ModelConfig, Settings
from govpilot.platform import Platform
from govpilot.testing import SETUP_CONTEXT, add_api_key, add_user

RESULTS = ROOT / "bench" / "results" / "cluster.json"
GOVPILOT = str(Path(sys.executable).parent / "govpilot")
KINDS = ("summarise", "translate", "redact", "upload")
COLLECTION = "library"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def model_server(call_s: float) -> tuple[str, uvicorn.Server]:
    """A chat-completions server that answers after `call_s` seconds."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        await asyncio.sleep(call_s)
        system = str(body["messages"][0].get("content", ""))
        reply = "圖書館將延長開放時間。" if "翻" in system else "- The library opens longer [1]."
        return JSONResponse(
            {
                "id": "bench",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}}],
                "usage": {"prompt_tokens": 20, "completion_tokens": 8},
            }
        )

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    wait_port(port)
    return f"http://127.0.0.1:{port}/v1", server


class Cluster:
    """The processes of one run, and the platform this process reads the results with."""

    def __init__(self, home: Path, args: argparse.Namespace, model_url: str) -> None:
        self.home = home
        self.redis_port = free_port()
        self.redis = self.start_redis()
        model = ModelConfig(name="slow", backend="openai", base_url=model_url, remote_model="m")
        jobs = JobSettings(
            broker_url=f"redis://127.0.0.1:{self.redis_port}/0",
            embedded_worker=False,
            lease_s=args.lease_s,
            sweep_s=1.0,
            retry_backoff_s=0.5,
            max_attempts=args.max_attempts,
        )
        auth = AuthSettings(requests_per_minute=1_000_000, max_concurrent_jobs=10_000)
        settings = Settings(
            home=home,
            database_url=args.database_url,
            models=[model],
            default_model="slow",
            jobs=jobs,
            auth=auth,
        )
        self.platform = Platform.from_settings(settings)
        self.platform.accounts.create_department(SETUP_CONTEXT, "HAD", max_concurrent_jobs=10_000)
        self.key = add_api_key(
            self.platform, add_user(self.platform, "chan@had.gov.hk", department="HAD")
        )
        admin = add_user(
            self.platform, "admin@had.gov.hk", department="HAD", role=Role.DEPARTMENT_ADMIN
        )
        self.admin_key = add_api_key(self.platform, admin)
        self.platform.knowledge_base().collections.create("HAD", COLLECTION, created_by="bench")
        self.env = {
            **os.environ,
            "GOVPILOT_HOME": str(home),
            "GOVPILOT_MODELS": json.dumps([model.model_dump(mode="json")]),
            "GOVPILOT_DEFAULT_MODEL": "slow",
            "GOVPILOT_JOBS": jobs.model_dump_json(),
            "GOVPILOT_AUTH": auth.model_dump_json(),
        }
        if args.database_url:
            self.env["GOVPILOT_DATABASE_URL"] = args.database_url
        self.log = (home / "cluster.log").open("ab")
        self.replicas: dict[int, subprocess.Popen[bytes]] = {}
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_redis(self) -> subprocess.Popen[bytes]:
        redis = shutil.which("redis-server") or "redis-server"
        flags = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process = subprocess.Popen(
            [redis, "--port", str(self.redis_port), *flags], stdout=subprocess.DEVNULL
        )
        wait_port(self.redis_port)
        return process

    def start_replica(self, port: int | None = None) -> int:
        port = port or free_port()
        command = [GOVPILOT, "serve", "--port", str(port)]
        self.replicas[port] = subprocess.Popen(
            command, env=self.env, stdout=self.log, stderr=self.log
        )
        wait_port(port, 60)
        return port

    def start_worker(self) -> subprocess.Popen[bytes]:
        command = [GOVPILOT, "worker", "--concurrency", "1"]
        process = subprocess.Popen(command, env=self.env, stdout=self.log, stderr=self.log)
        self.workers.append(process)
        return process

    def live_workers(self) -> list[subprocess.Popen[bytes]]:
        return [w for w in self.workers if w.poll() is None]

    def stop_workers(self) -> None:
        for worker in self.live_workers():
            worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        self.workers = []

    def close(self) -> None:
        self.stop_workers()
        for process in self.replicas.values():
            process.terminate()
        for process in self.replicas.values():
            process.wait(20)
        self.redis.terminate()
        self.redis.wait(10)
        self.platform.database.dispose()

    def statuses(self, job_ids: list[str]) -> dict[str, str]:
        store = self.platform.job_service().store
        return {j: (job.status if (job := store.get(j)) else "missing") for j in job_ids}

    def wait_done(self, job_ids: list[str], timeout: float) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while True:
            statuses = self.statuses(job_ids)
            if all(s in ("done", "failed", "cancelled") for s in statuses.values()):
                return statuses
            if time.monotonic() > deadline:
                return statuses
            time.sleep(0.5)


def upload_name(n: int) -> str:
    return f"notice-{n}.txt"


def submit(cluster: Cluster, ports: list[int], n: int, kind: str) -> str | None:
    """One job through the replicas in turn; its id, or None if every replica refused."""
    body = f"The library opens longer, notice {n}."
    data: dict[str, str] = {"kind": kind, "text": body}
    files = None
    if kind == "translate":
        data["target"] = "zh-Hant"
    path, key, field = "/api/v1/jobs", cluster.key, "id"
    if kind == "upload":
        path = f"/api/v1/collections/{COLLECTION}/documents?wait=false"
        key, field, data = cluster.admin_key, "job_id", {}
        files = {"files": (upload_name(n), body.encode(), "text/plain")}
    headers = {"Authorization": f"Bearer {key}"}
    for offset in range(len(ports) * 3):
        port = ports[(n + offset) % len(ports)]
        try:
            response = httpx.post(
                f"http://127.0.0.1:{port}{path}",
                data=data,
                files=files,
                headers=headers,
                timeout=30,
            )
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if response.status_code == 202:
            return str(response.json()[field])
        time.sleep(0.2)
    return None


def scaling(cluster: Cluster, ports: list[int], jobs: int, workers: int) -> float:
    """Jobs per minute with `workers` workers on `jobs` summarise jobs."""
    for _ in range(workers):
        cluster.start_worker()
    time.sleep(3)  # the workers connect
    started = time.perf_counter()
    ids = [j for n in range(jobs) if (j := submit(cluster, ports, n, "summarise"))]
    statuses = cluster.wait_done(ids, timeout=600)
    elapsed = time.perf_counter() - started
    cluster.stop_workers()
    done = sum(1 for s in statuses.values() if s == "done")
    return done / elapsed * 60


def api_throughput(cluster: Cluster, ports: list[int], seconds: float, clients: int) -> float:
    """Requests/s of `clients` threads listing their jobs through `ports` in turn."""
    headers = {"Authorization": f"Bearer {cluster.key}"}
    done = [0] * clients
    stop = time.monotonic() + seconds

    def loop(i: int) -> None:
        with httpx.Client(headers=headers, timeout=30) as client:
            n = i
            while time.monotonic() < stop:
                port = ports[n % len(ports)]
                if client.get(f"http://127.0.0.1:{port}/api/v1/jobs?limit=5").status_code == 200:
                    done[i] += 1
                n += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def broker_outage(cluster: Cluster, ports: list[int], jobs: int) -> dict[str, Any]:
    """Redis stopped: jobs are still accepted; once it is back they all run."""
    for _ in range(2):
        cluster.start_worker()
    time.sleep(3)
    cluster.redis.terminate()
    cluster.redis.wait(10)
    accepted = [j for n in range(jobs) if (j := submit(cluster, ports, 10_000 + n, "summarise"))]
    time.sleep(3)
    waiting = sum(1 for s in cluster.statuses(accepted).values() if s == "queued")
    back = time.perf_counter()
    cluster.redis = cluster.start_redis()
    statuses = cluster.wait_done(accepted, timeout=300)
    recovered = time.perf_counter() - back
    cluster.stop_workers()
    return {
        "submitted": jobs,
        "accepted_while_down": len(accepted),
        "queued_while_down": waiting,
        "done_after_restart": sum(1 for s in statuses.values() if s == "done"),
        "all_done_s_after_restart": round(recovered, 1),
    }


def faults(cluster: Cluster, ports: list[int], args: argparse.Namespace) -> dict[str, Any]:
    for _ in range(args.workers):
        cluster.start_worker()
    time.sleep(3)
    accepted: list[str] = []
    uploads: dict[str, str] = {}  # job id -> the file it uploaded
    kills: list[dict[str, Any]] = []
    plan = ["worker"] * args.worker_kills + ["replica"] * args.replica_kills
    random.Random(7).shuffle(plan)
    every = max(1, args.jobs // (len(plan) + 1))
    for n in range(args.jobs):
        kind = KINDS[n % len(KINDS)]
        job_id = submit(cluster, ports, n, kind)
        if job_id:
            accepted.append(job_id)
            if kind == "upload":
                uploads[job_id] = upload_name(n)
        if plan and n and n % every == 0:
            target = plan.pop(0)
            running = [j for j, s in cluster.statuses(accepted).items() if s == "running"]
            if target == "worker" and cluster.live_workers():
                victim = random.choice(cluster.live_workers())
                victim.send_signal(signal.SIGKILL)
                victim.wait(10)
                cluster.start_worker()
            else:
                port = random.choice(list(cluster.replicas))
                cluster.replicas[port].send_signal(signal.SIGKILL)
                cluster.replicas[port].wait(10)
                cluster.start_replica(port)
            kills.append({"target": target, "at": time.time(), "running": running})
    statuses = cluster.wait_done(accepted, timeout=args.timeout)
    store = cluster.platform.job_service().store
    restarts, finishes = [], []
    for kill in kills:
        if kill["target"] != "worker":
            continue
        # The killed worker's job: running at the kill, and started again after it.
        for job in (store.get(j) for j in kill["running"]):
            if not (job and job.attempts > 1 and job.started_at and job.finished_at):
                continue
            if job.started_at.timestamp() > kill["at"]:
                restarts.append(job.started_at.timestamp() - kill["at"])
                finishes.append(job.finished_at.timestamp() - kill["at"])
    events = cluster.platform.audit.events()
    done_events = Counter(
        e.detail.get("job")
        for e in events
        if e.action == "job.finish" and e.detail.get("status") == "done"
    )
    duplicates = sum(1 for j in accepted if done_events[j] > 1)
    attempts = [
        job.attempts for j in accepted if (job := cluster.platform.job_service().store.get(j))
    ]
    knowledge = cluster.platform.knowledge_base()
    ready = {
        d.source
        for d in knowledge.documents.list(knowledge.collections.get("HAD", COLLECTION))
        if d.status == "ready"
    }
    uploads_lost = sum(
        1 for j, name in uploads.items() if statuses.get(j) != "done" or name not in ready
    )
    return {
        "jobs": len(accepted),
        "refused": args.jobs - len(accepted),
        "completed": sum(1 for s in statuses.values() if s == "done"),
        "failed": sum(1 for s in statuses.values() if s == "failed"),
        "lost": sum(1 for s in statuses.values() if s not in ("done", "failed", "cancelled")),
        "uploads": len(uploads),
        "uploads_lost": uploads_lost,
        "duplicates": duplicates,
        "replicas": args.replicas,
        "workers": args.workers,
        "kills": len(kills),
        "worker_kills": sum(1 for k in kills if k["target"] == "worker"),
        "replica_kills": sum(1 for k in kills if k["target"] == "replica"),
        "rerun_jobs": sum(1 for a in attempts if a > 1),
        "restart_s_max": round(max(restarts), 1) if restarts else None,
        "recovery_s_max": round(max(finishes), 1) if finishes else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--scale-jobs", type=int, default=30)
    parser.add_argument("--worker-kills", type=int, default=5)
    parser.add_argument("--replica-kills", type=int, default=2)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--call-s", type=float, default=1.0)
    parser.add_argument("--lease-s", type=float, default=10.0)
    parser.add_argument("--max-attempts", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--load-s", type=float, default=10.0, help="seconds of each API load run")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--quick", action="store_true", help="40 jobs, 2 kills, 10 per scale run")
    args = parser.parse_args()
    if args.quick:
        args.jobs, args.scale_jobs, args.worker_kills, args.replica_kills = 40, 10, 1, 1
        args.call_s = min(args.call_s, 0.5)
    if shutil.which("redis-server") is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    model_url, server = model_server(args.call_s)
    home = Path(tempfile.mkdtemp(prefix="govpilot-cluster-"))
    cluster = Cluster(home, args, model_url)
    try:
        ports = [cluster.start_replica() for _ in range(args.replicas)]
        one = scaling(cluster, ports, args.scale_jobs, 1)
        two = scaling(cluster, ports, args.scale_jobs, 2)
        rps_one = api_throughput(cluster, ports[:1], args.load_s, clients=8)
        rps_two = api_throughput(cluster, ports, args.load_s, clients=8)
        outage = broker_outage(cluster, ports, jobs=10)
        result = faults(cluster, ports, args)
    finally:
        cluster.close()
        server.should_exit = True
    result.update(
        {
            "jobs_per_minute_1_worker": round(one, 1),
            "jobs_per_minute_2_workers": round(two, 1),
            "scaling": round(two / one, 2) if one else None,
            "api_rps_1_replica": round(rps_one, 1),
            "api_rps_2_replicas": round(rps_two, 1),
            "broker_outage": outage,
            "call_s": args.call_s,
            "database": "postgresql" if args.database_url else "sqlite",
        }
    )
    print(
        markdown_table(
            ["measure", "value"],
            [
                ["jobs/min, 1 worker (baseline)", result["jobs_per_minute_1_worker"]],
                ["jobs/min, 2 workers", result["jobs_per_minute_2_workers"]],
                ["scaling (goal >= 1.8)", result["scaling"]],
                ["API req/s, 1 replica (baseline)", result["api_rps_1_replica"]],
                ["API req/s, 2 replicas", result["api_rps_2_replicas"]],
                [
                    "broker down: jobs accepted / queued / done after restart",
                    f"{outage['accepted_while_down']} / {outage['queued_while_down']}"
                    f" / {outage['done_after_restart']}",
                ],
                ["broker back: all done after (s)", outage["all_done_s_after_restart"]],
                ["jobs accepted / completed", f"{result['jobs']} / {result['completed']}"],
                ["lost / duplicates (goal 0 / 0)", f"{result['lost']} / {result['duplicates']}"],
                ["uploads accepted / lost", f"{result['uploads']} / {result['uploads_lost']}"],
                [
                    "kills (workers + replicas)",
                    f"{result['worker_kills']} + {result['replica_kills']}",
                ],
                ["jobs run again after a kill", result["rerun_jobs"]],
                ["killed job started again after (s, max)", result["restart_s_max"]],
                ["killed job done after (s, max)", result["recovery_s_max"]],
            ],
        )
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    shutil.rmtree(home, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
