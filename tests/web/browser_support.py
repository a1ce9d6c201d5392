"""Shared by the browser tests: find Debian's Chromium, serve a Platform over HTTP, launch.

    with serve(platform) as base_url, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base_url}/login")

`serve` runs the app under uvicorn on 127.0.0.1 (a free port) in a thread. `chromium`
skips the test, with the reason, when Chromium or Playwright is missing, unless
GOVPILOT_REQUIRE_BROWSER is set (CI sets it), in which case that is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from govpilot.platform import Platform
from govpilot.server import create_app
from support.served_app import ServedApp

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: Where browser tests put screenshots (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    for candidate in (*_CANDIDATES, shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def require_browser(reason: str) -> None:
    """Skip for `reason`; fail instead when GOVPILOT_REQUIRE_BROWSER is set."""
    if os.environ.get("GOVPILOT_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (GOVPILOT_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


@contextmanager
def serve(platform: Platform) -> Iterator[str]:
    """The app for `platform` under uvicorn in a thread; yields its base URL."""
    with serve_app(create_app(platform)) as url:
        yield url


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """An ASGI app under uvicorn on a free 127.0.0.1 port, in a thread; yields its base URL."""
    with ServedApp(app) as served:
        yield served.url


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium through Playwright (skips when either is missing)."""
    executable = chromium_path()
    if executable is None:
        require_browser("Chromium not found: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_browser("Playwright for Python is not installed: pip install playwright")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()
