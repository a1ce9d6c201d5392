"""Web page weight and time to interactive, measured in headless Chromium (Debian's).

    .venv/bin/python bench/bench_web.py [--runs 10]

Serves the app with uvicorn on 127.0.0.1 from a temporary GOVPILOT_HOME (its own process,
built by `Platform.from_settings` as `govpilot serve` builds it; an OpenAI-compatible model
that is never called) and signs in through a real session cookie. For each page, `runs`
times: a new browser context (empty cache) loads it cold, then loads it again warm.

Figures per load (medians are reported):
  bytes     bytes received over the network, headers and bodies, summed from the Chrome
            DevTools Protocol (Network.loadingFinished encodedDataLength); the Resource
            Timing sum (navigation + resources transferSize) is kept beside it
  requests  requests the page made (network requests, i.e. not served from cache)
  TTI       navigation start until htmx has initialised: htmx fires `htmx:load` on <body>
            once it has processed the page after DOMContentLoaded; also domInteractive,
            DOMContentLoaded and loadEventEnd

Variants, side by side in the same run:
  app        the app as shipped (no compression)
  app+gzip   the same app wrapped in Starlette's GZipMiddleware(minimum_size=500), to show
             what compression would give (the app does not compress today)
  baseline   a bare page (a minimal HTML document loading the same htmx.min.js from the
             same server): the floor for any htmx page on this stack; Swagger's /docs cannot
             be the baseline because it loads its assets from a CDN
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from common import ROOT, markdown_table
from govpilot import __version__
from govpilot.access import Role
from govpilot.config import AuthSettings, ModelConfig, Settings
from govpilot.http.callers import SESSION_COOKIE
from govpilot.platform import Platform
from govpilot.testing import add_user

RESULTS = ROOT / "bench" / "results" / "web.json"
CHROMIUM = "/usr/bin/chromium"
OFFICER = "officer@had.gov.hk"
AUDITOR = "auditor@had.gov.hk"
BASELINE_PATH = "/bench/bare-htmx"
#: (page, path, who is signed in)
PAGES = (
    ("copilot", "/copilot", "officer"),
    ("login", "/login", None),
    ("jobs", "/jobs", "officer"),
    ("audit", "/audit", "auditor"),
)
TARGET_BYTES = 200_000
TARGET_TTI_MS = 1000.0
# Records when htmx has processed the page (added before any page script runs).
HTMX_READY_SCRIPT = """
document.addEventListener('htmx:load', (e) => {
  if (e.target === document.body && window.__htmxReady === undefined) {
    window.__htmxReady = performance.now();
  }
}, true);
"""
NAVIGATION_TIMING = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  return {
    dom_interactive_ms: nav.domInteractive,
    dom_content_loaded_ms: nav.domContentLoadedEventEnd,
    load_event_end_ms: nav.loadEventEnd,
    htmx_ready_ms: window.__htmxReady ?? null,
    timing_bytes: nav.transferSize + resources.reduce((n, r) => n + r.transferSize, 0),
    html_bytes: nav.transferSize,
  };
}"""
BARE_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bare htmx page</title>
<link rel="icon" href="data:,">
<script src="/static/htmx.min.js?v={__version__}" defer></script></head>
<body><main><h1>Baseline</h1><p>A bare page loading htmx.</p></main></body></html>"""


# -- the server (its own process) ---------------------------------------------------------


def config_toml() -> str:
    """The server's settings file: a model that is never called, cookies over plain HTTP."""
    return "\n".join(
        [
            'default_model = "stub"',
            "[[models]]",
            'name = "stub"',
            'backend = "openai"',
            'base_url = "http://127.0.0.1:9/v1"',
            "retries = 0",
            "[auth]",
            "secure_cookies = false",
            "requests_per_minute = 100000",
            "",
        ]
    )


def serve(port: int, gzip: bool) -> None:
    """Run the app (settings from GOVPILOT_HOME) with uvicorn until killed."""
    import uvicorn
    from fastapi.responses import HTMLResponse
    from starlette.middleware.gzip import GZipMiddleware

    from govpilot.server import create_app

    app = create_app(Platform.from_settings(Settings()))

    def bare_page() -> HTMLResponse:
        return HTMLResponse(BARE_PAGE)

    app.add_api_route(BASELINE_PATH, bare_page, methods=["GET"], include_in_schema=False)
    asgi: Any = GZipMiddleware(app, minimum_size=500) if gzip else app
    uvicorn.run(asgi, host="127.0.0.1", port=port, log_level="warning")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(home: Path, gzip: bool) -> Iterator[str]:
    """A server process on a free port; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "GOVPILOT_HOME": str(home)}
    args = [sys.executable, __file__, "--serve", str(port)] + (["--gzip"] if gzip else [])
    log = (home / f"server-{port}.log").open("w")
    process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
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
                log.close()
                sys.exit("the server did not start:\n" + (home / log.name).read_text())
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def prepare_home(home: Path) -> dict[str, str]:
    """A GOVPILOT_HOME with an officer and an auditor; their session tokens by role."""
    (home / "govpilot.toml").write_text(config_toml(), encoding="utf-8")
    settings = Settings(
        home=home,
        models=[ModelConfig(name="stub", backend="openai", base_url="http://127.0.0.1:9/v1")],
        default_model="stub",
        auth=AuthSettings(secure_cookies=False, requests_per_minute=100_000),
    )
    platform = Platform.from_settings(settings)
    try:
        tokens = {}
        for role, email, kind in (
            ("officer", OFFICER, Role.OFFICER),
            ("auditor", AUDITOR, Role.AUDITOR),
        ):
            user = add_user(platform, email, department="HAD", role=kind)
            tokens[role], _session = platform.signin.start_session(user)
        return tokens
    finally:
        platform.database.dispose()


# -- the browser ----------------------------------------------------------------------------


class Recorder:
    """Network events of one page load, from the DevTools protocol, by request id."""

    def __init__(self) -> None:
        self.requests: dict[str, dict[str, Any]] = {}

    def reset(self) -> None:
        self.requests = {}

    def attach(self, cdp: Any) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._cached)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)

    def _request(self, event: dict[str, Any]) -> dict[str, Any]:
        return self.requests.setdefault(
            event["requestId"], {"url": "", "status": None, "cached": False, "bytes": 0}
        )

    def _sent(self, event: dict[str, Any]) -> None:
        if not event["request"]["url"].startswith("data:"):
            self._request(event)["url"] = urlsplit(event["request"]["url"]).path

    def _cached(self, event: dict[str, Any]) -> None:
        self._request(event)["cached"] = True

    def _response(self, event: dict[str, Any]) -> None:
        response, request = event["response"], self._request(event)
        request["status"] = int(response["status"])
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            request["cached"] = True

    def _finished(self, event: dict[str, Any]) -> None:
        self._request(event)["bytes"] = int(event.get("encodedDataLength", 0))

    def loads(self) -> list[dict[str, Any]]:
        """The page's requests (not data: URLs), in the order they started."""
        return [r for r in self.requests.values() if r["url"]]


def visit(page: Any, recorder: Recorder, url: str) -> dict[str, Any]:
    """Load `url` and wait until it is loaded and htmx has initialised; its figures."""
    recorder.reset()
    page.goto(url, wait_until="load")
    page.wait_for_function("window.__htmxReady !== undefined", timeout=10_000)
    page.wait_for_function(
        "performance.getEntriesByType('navigation')[0].loadEventEnd > 0", timeout=10_000
    )
    page.wait_for_timeout(150)  # let the last DevTools events arrive
    timing = page.evaluate(NAVIGATION_TIMING)
    if urlsplit(page.url).path != urlsplit(url).path:
        raise RuntimeError(f"{url} ended at {page.url} (was the session refused?)")
    loads = recorder.loads()
    return {
        **timing,
        "bytes": sum(r["bytes"] for r in loads),
        "requests": len(loads),
        "network_requests": sum(not r["cached"] for r in loads),
        "loads": loads,
        "tti_ms": max(timing["htmx_ready_ms"], timing["dom_content_loaded_ms"]),
    }


def measure(browser: Any, url: str, token: str | None, runs: int) -> dict[str, Any]:
    """`runs` cold loads (new context) each followed by a warm load; medians."""
    cold, warm = [], []
    for run in range(runs + 1):  # the first is a warm-up of the server, not counted
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.add_init_script(HTMX_READY_SCRIPT)
        if token:
            context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": url}])
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        recorder = Recorder()
        recorder.attach(cdp)
        cdp.send("Network.enable")
        first, second = visit(page, recorder, url), visit(page, recorder, url)
        context.close()
        if run:
            cold.append(first)
            warm.append(second)
    return {"cold": summarise(cold), "warm": summarise(warm)}


def summarise(loads: list[dict[str, Any]]) -> dict[str, Any]:
    numeric = (
        "bytes",
        "timing_bytes",
        "html_bytes",
        "requests",
        "network_requests",
        "dom_interactive_ms",
        "dom_content_loaded_ms",
        "htmx_ready_ms",
        "tti_ms",
        "load_event_end_ms",
    )
    out: dict[str, Any] = {k: round(statistics.median(x[k] for x in loads), 1) for k in numeric}
    out["tti_ms_max"] = round(max(x["tti_ms"] for x in loads), 1)
    out["last_run_requests"] = loads[-1]["loads"]
    return out


def run(runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {"variants": {}}
    with tempfile.TemporaryDirectory(prefix="govpilot-bench-web-") as tmp:
        home = Path(tmp)
        tokens = prepare_home(home)
        with (
            server(home, gzip=False) as plain,
            server(home, gzip=True) as gzipped,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                for variant, base in (("app", plain), ("app+gzip", gzipped)):
                    pages = {}
                    for name, path, role in PAGES:
                        token = tokens[role] if role else None
                        pages[name] = measure(browser, base + path, token, runs)
                        print(f"  {variant} {name}: done", file=sys.stderr, flush=True)
                    results["variants"][variant] = pages
                results["variants"]["baseline"] = {
                    "bare-htmx": measure(browser, plain + BASELINE_PATH, None, runs)
                }
            finally:
                browser.close()
    return results


def table(results: dict[str, Any]) -> str:
    rows = []
    for variant, pages in results["variants"].items():
        for name, loads in pages.items():
            for state in ("cold", "warm"):
                m = loads[state]
                rows.append(
                    [
                        variant,
                        name,
                        state,
                        f"{m['bytes'] / 1000:.1f}",
                        f"{m['timing_bytes'] / 1000:.1f}",
                        f"{m['network_requests']:g}/{m['requests']:g}",
                        f"{m['dom_interactive_ms']:.0f}",
                        f"{m['dom_content_loaded_ms']:.0f}",
                        f"{m['tti_ms']:.0f}",
                        f"{m['load_event_end_ms']:.0f}",
                    ]
                )
    header = [
        "variant",
        "page",
        "cache",
        "kB (CDP)",
        "kB (Resource Timing)",
        "requests (network/all)",
        "domInteractive ms",
        "DOMContentLoaded ms",
        "TTI ms (htmx ready)",
        "loadEventEnd ms",
    ]
    return markdown_table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--gzip", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.gzip)
        return
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"{CHROMIUM} not found: apt-get install -y chromium")
    started = time.perf_counter()
    results = run(args.runs)
    copilot = results["variants"]["app"]["copilot"]["cold"]
    results.update(
        {
            "runs": args.runs,
            "browser": f"headless Chromium ({CHROMIUM})",
            "server": "uvicorn, 1 process, 127.0.0.1, its own process per variant",
            "baseline": "bare page loading the same htmx.min.js from the same server",
            "targets": {"copilot_bytes": TARGET_BYTES, "copilot_tti_ms": TARGET_TTI_MS},
            "copilot_meets_targets": copilot["bytes"] < TARGET_BYTES
            and copilot["tti_ms"] < TARGET_TTI_MS,
            "wall_s": round(time.perf_counter() - started, 1),
        }
    )
    print(table(results))
    print(
        f"\ncopilot cold: {copilot['bytes'] / 1000:.1f} kB, TTI {copilot['tti_ms']:.0f} ms "
        f"(targets < {TARGET_BYTES / 1000:.0f} kB, < {TARGET_TTI_MS:.0f} ms): "
        f"{'met' if results['copilot_meets_targets'] else 'NOT met'}; "
        f"medians of {args.runs} runs"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
