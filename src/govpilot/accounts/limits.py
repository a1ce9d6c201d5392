"""Requests per minute per user and per API key: a sliding window kept in memory.

One process counts its own requests; several replicas each allow the limit (the limit is
per replica until a shared store is configured), which errs towards serving people.
Each department's own limit is remembered for `DEPARTMENT_LIMIT_TTL_SECONDS`, so the
request path does not read the database every time.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from govpilot.errors import RateLimited

WINDOW_SECONDS = 60.0
#: How long a department's requests-per-minute setting is remembered before it is read again.
DEPARTMENT_LIMIT_TTL_SECONDS = 30.0


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


class DepartmentLimitCache:
    """Each department's requests-per-minute limit, read through `read` at most once per `ttl`.

    The service that changes a department calls `forget`, so a change applies at once in this
    process; other processes (replicas, the CLI) see it within `ttl` seconds.
    """

    def __init__(
        self,
        read: Callable[[str], int],
        *,
        ttl: float = DEPARTMENT_LIMIT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._ttl = ttl
        self._clock = clock
        self._remembered: dict[str, tuple[float, int]] = {}  # department -> (expires, limit)
        self._forgets = 0
        self._lock = threading.Lock()

    def per_minute(self, department: str) -> int:
        """The department's limit: remembered, or read afresh once the last read is `ttl` old."""
        now = self._clock()
        with self._lock:
            remembered = self._remembered.get(department)
            if remembered is not None and now < remembered[0]:
                return remembered[1]
            forgets = self._forgets
        # Read outside the lock: a slow database must not hold up the other departments.
        limit = self._read(department)
        with self._lock:
            if forgets == self._forgets:  # a change during the read would leave `limit` stale
                self._remembered[department] = (now + self._ttl, limit)
        return limit

    def forget(self, department: str) -> None:
        """Read the department's limit again next time (its settings have just changed)."""
        with self._lock:
            self._remembered.pop(department, None)
            self._forgets += 1
