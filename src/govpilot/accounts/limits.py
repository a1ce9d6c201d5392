"""Requests per minute per user and per API key: a sliding window kept in memory.

One process counts its own requests; several replicas each allow the limit (the limit is
per replica until a shared store is configured), which errs towards serving people.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from govpilot.errors import RateLimited

WINDOW_SECONDS = 60.0


class RequestLimiter:
    """Counts requests per key over the last minute and refuses those over the limit."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, per_minute: int) -> None:
        """Count one request for `key`; raise RateLimited if it is over `per_minute`."""
        now = self._clock()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and now - seen[0] >= WINDOW_SECONDS:
                seen.popleft()
            if len(seen) >= per_minute:
                wait = max(1, math.ceil(WINDOW_SECONDS - (now - seen[0])))
                raise RateLimited(
                    f"too many requests: the limit is {per_minute} a minute",
                    retry_after=wait,
                    hint=f"wait {wait} seconds and try again",
                )
            seen.append(now)
            if len(self._seen) > 50_000:  # forget idle callers now and then
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._seen.items() if not v or now - v[-1] >= WINDOW_SECONDS]:
            del self._seen[key]
