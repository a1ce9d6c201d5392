"""Request limits shared by API replicas through Redis: two limiters (two replicas) on one
Redis hold a caller to one limit between them; an unreachable Redis serves the request."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from govpilot.accounts.limits import RedisRequestLimiter, RequestLimiter, build_limiter
from govpilot.config import AuthSettings
from govpilot.errors import RateLimited
from govpilot.server import create_app
from govpilot.testing import add_api_key, add_user, fake_settings, make_test_platform


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_two_replicas_count_one_callers_requests_together(redis_url: str) -> None:
    clock = Clock()
    first = RedisRequestLimiter(redis_url, clock=clock)
    second = RedisRequestLimiter(redis_url, clock=clock)
    for n in range(5):
        (first if n % 2 else second).check("user:chan", per_minute=5)
    with pytest.raises(RateLimited) as refused:
        first.check("user:chan", per_minute=5)
    assert refused.value.retry_after == 60
    second.check("user:wong", per_minute=5)  # another caller has a window of its own

    clock.now += 61  # a minute on, the window is empty again
    second.check("user:chan", per_minute=5)


def test_a_refused_request_does_not_extend_the_wait(redis_url: str) -> None:
    clock = Clock()
    limiter = RedisRequestLimiter(redis_url, clock=clock)
    limiter.check("key:a", per_minute=1)
    for _ in range(3):
        clock.now += 10
        with pytest.raises(RateLimited):
            limiter.check("key:a", per_minute=1)
    clock.now += 31  # 61 s after the one request that counted
    limiter.check("key:a", per_minute=1)


def test_an_unreachable_redis_serves_requests_rather_than_refusing_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = RedisRequestLimiter("redis://127.0.0.1:9/0")
    for _ in range(3):
        limiter.check("user:chan", per_minute=1)
    assert "unreachable" in caplog.text


def test_without_a_url_each_process_counts_its_own() -> None:
    assert isinstance(build_limiter(None), RequestLimiter)
    assert isinstance(build_limiter("redis://127.0.0.1:9/0"), RedisRequestLimiter)


def test_two_api_replicas_on_one_redis_hold_a_key_to_its_limit(
    tmp_path: Path, redis_url: str
) -> None:
    auth = AuthSettings(limits_url=redis_url, requests_per_minute=3)
    platform = make_test_platform(fake_settings(tmp_path, auth=auth))
    try:
        key = add_api_key(platform, add_user(platform, "chan@had.gov.hk", department="HAD"))
        replicas = [TestClient(create_app(platform)) for _ in range(2)]
        headers = {"Authorization": f"Bearer {key}"}
        statuses = [
            replicas[n % 2].get("/api/v1/jobs", headers=headers).status_code for n in range(4)
        ]
    finally:
        platform.database.dispose()
    assert statuses == [200, 200, 200, 429]
