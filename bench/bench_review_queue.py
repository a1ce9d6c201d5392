"""Review throughput in the web page: how many items an officer clears per minute in the
review queue, driven with Playwright actions in headless Chromium.

    .venv/bin/python bench/bench_review_queue.py [--items 60] [--out FILE]

The department of bench_governance.py (3 bots over one passage, a scripted model) answers
`--items` questions with every answer sampled for review (share 1.0), so each item is a real
bot answer with its citations and passage. A department admin signs in and clears the queue:

- govpilot: "Review the oldest" once, then one verdict per item; after a verdict the page is
  the next item (every fifth is corrected: type the correction, then save it);
- baseline: the same items and verdicts when each verdict goes back to the list, where the
  reviewer opens the next item (the page flow of a queue without "next item").

Both runs are in this process, on the same server, each on its own half of the items.
Reported: items per minute and page actions per item. The model is not what is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from bench_governance import ADMIN, BOTS, PUBLIC, build
from common import ROOT, markdown_table
from govpilot.access import Role
from govpilot.config import AuthSettings
from govpilot.platform import Platform
from govpilot.server import create_app
from govpilot.testing import add_user

ADMIN_EMAIL, PASSWORD = ADMIN.actor, "bench review queue pass"
QUESTIONS = (
    "How far ahead can community halls be booked?",
    "Where do I book a community hall?",
    "社區會堂可以預早幾耐訂？",
)
CORRECT_EVERY = 5


@contextmanager
def served(platform: Platform) -> Iterator[str]:
    """The app under uvicorn on a free 127.0.0.1 port, in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(platform), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def queue_answers(platform: Platform, items: int) -> None:
    """`items` bot answers, every one sampled into the review queue."""
    service = platform.bot_service()
    for name in BOTS:
        app = platform.register.get(ADMIN, f"Bot: {name}")
        platform.register.update(ADMIN, app.id, {"review_sample": 1.0})
    for n in range(items):
        bot = service.bot_config(BOTS[n % len(BOTS)], ADMIN)
        service.ask(bot, QUESTIONS[n % len(QUESTIONS)], PUBLIC)


def clear(page: Any, base_url: str, count: int, *, next_item: bool) -> dict[str, float]:
    """Decide `count` items in the page; seconds and page actions."""
    actions = 0

    def go(locator: Any) -> None:
        nonlocal actions
        with page.expect_navigation():
            locator.click()
        actions += 1

    started = time.perf_counter()
    page.goto(f"{base_url}/governance/reviews")
    if next_item:
        go(page.locator("#start-reviewing"))
    for n in range(count):
        if not next_item:
            go(page.locator("#review-items tbody a").first)
        if n % CORRECT_EVERY == CORRECT_EVERY - 1:
            page.locator("#v-correction").fill("Up to three months ahead, at any District Office.")
            actions += 1
            go(page.locator("#correct"))
        else:
            go(page.locator("#approve"))
        if not next_item:
            page.goto(f"{base_url}/governance/reviews")  # back to the list
            actions += 1
    seconds = time.perf_counter() - started
    return {
        "items": count,
        "seconds": round(seconds, 2),
        "items_per_minute": round(count * 60 / seconds, 1),
        "actions_per_item": round(actions / count, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=60, help="split between the two runs")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/review_queue.json")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    half = args.items // 2
    with tempfile.TemporaryDirectory() as home:
        # Plain HTTP on 127.0.0.1: the session cookie may not be Secure.
        platform = build(Path(home), auth=AuthSettings(secure_cookies=False))
        add_user(
            platform, ADMIN_EMAIL, department="HAD", role=Role.DEPARTMENT_ADMIN, password=PASSWORD
        )
        queue_answers(platform, half * 2)
        with served(platform) as base_url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_context(locale="en-GB").new_page()
            page.goto(f"{base_url}/login")
            page.locator("#email").fill(ADMIN_EMAIL)
            page.locator("#password").fill(PASSWORD)
            page.locator("form[action='/login'] button[type=submit]").click()
            page.wait_for_load_state()
            ours = clear(page, base_url, half, next_item=True)
            baseline = clear(page, base_url, half, next_item=False)
            browser.close()
        left = len(platform.reviews.queue(ADMIN))
        verdicts = platform.audit.events(None, action="governance.review")
        platform.database.dispose()
    result = {
        "govpilot": ours,
        "baseline": baseline,
        "left_in_queue": left,
        "audited_verdicts": len(verdicts),
        "cpus": os.cpu_count(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        markdown_table(
            ["measure", "govpilot (next item)", "baseline (back to the list)"],
            [
                [
                    "review items cleared per minute (Playwright, headless Chromium)",
                    ours["items_per_minute"],
                    baseline["items_per_minute"],
                ],
                ["page actions per item", ours["actions_per_item"], baseline["actions_per_item"]],
                ["items cleared", ours["items"], baseline["items"]],
            ],
        )
    )
    print(f"left in the queue: {left}; verdicts audited: {len(verdicts)}")


if __name__ == "__main__":
    main()
