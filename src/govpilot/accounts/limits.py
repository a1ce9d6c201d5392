"""Requests per minute per user and per API key: a sliding window per caller.

`RequestLimiter` keeps the window in this process (one machine). With several API replicas
behind one address, `RedisRequestLimiter` keeps it in Redis (`auth.limits_url`), so every
replica counts the same requests and the limit holds for the whole service. If Redis cannot
be reached, requests are served (and the failure logged): a limit errs towards serving
people. Each department's own limit is remembered for `DEPARTMENT_LIMIT_TTL_SECONDS`, so
the request path does not read the database every time.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from govpilot.errors import RateLimited

logger = logging.getLogger("govpilot.limits")

WINDOW_SECONDS = 60.0
#: How long a department's requests-per-minute setting is remembered before it is read again.
DEPARTMENT_LIMIT_TTL_SECONDS = 30.0


class Limiter(Protocol):
    """Counts one request for a key, refusing it (RateLimited) when over the limit."""

    def check(self, key: str, per_minute: int) -> None: ...


def _refusal(per_minute: int, wait: float) -> RateLimited:
    seconds = max(1, math.ceil(wait))
    return RateLimited(
        f"too many requests: the limit is {per_minute} a minute",
        retry_after=seconds,
        hint=f"wait {seconds} seconds and try again",
    )


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
                raise _refusal(per_minute, WINDOW_SECONDS - (now - seen[0]))
            seen.append(now)
            if len(self._seen) > 50_000:  # forget idle callers now and then
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._seen.items() if not v or now - v[-1] >= WINDOW_SECONDS]:
            del self._seen[key]


class RedisRequestLimiter:
    """The same sliding window, kept in Redis so that every replica counts every request.

    One sorted set per key (`govpilot:rate:KEY`), scored by time: a pipeline drops the
    entries older than a minute, adds this request and counts; a refused request takes its
    entry back out, so refusals do not extend the wait.
    """

    def __init__(self, url: str, *, clock: Callable[[], float] = time.time) -> None:
        import redis  # only where a shared limiter is configured

        self._redis: Any = redis.Redis.from_url(url, socket_timeout=0.5)
        self._errors = (redis.RedisError, OSError)
        self._clock = clock

    def check(self, key: str, per_minute: int) -> None:
        now = self._clock()
        name = f"govpilot:rate:{key}"
        member = f"{now:.6f}:{uuid.uuid4().hex[:8]}"
        try:
            pipe = self._redis.pipeline()
            pipe.zremrangebyscore(name, 0, now - WINDOW_SECONDS)
            pipe.zadd(name, {member: now})
            pipe.zcard(name)
            pipe.expire(name, int(WINDOW_SECONDS) + 1)
            _, _, count, _ = pipe.execute()
            if count <= per_minute:
                return
            self._redis.zrem(name, member)
            oldest = self._redis.zrange(name, 0, 0, withscores=True)
        except self._errors as exc:
            logger.warning("the shared request limiter is unreachable (%s); serving", exc)
            return
        wait = WINDOW_SECONDS - (now - oldest[0][1]) if oldest else WINDOW_SECONDS
        raise _refusal(per_minute, wait)


def build_limiter(url: str | None) -> Limiter:
    """The shared limiter at `url` (redis://...), or this process's own when there is none."""
    return RedisRequestLimiter(url) if url else RequestLimiter()


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
