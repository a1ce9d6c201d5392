"""Limits: requests per minute (per key, per user, per department, per public caller), the
upload size, and jobs running at once per department, each refused with a clear message.

    requests   settings.auth.requests_per_minute, or the department's own  -> 429, Retry-After
               (the department's is remembered for 30 s; a change through the service at once)
    uploads    settings.max_upload_mb  -> API 413 (JSON, says the limit); web: the form again
    jobs       the department's max_concurrent_jobs  -> 429, Retry-After
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from matrix_support import (
    DEPARTMENT_ADMIN,
    HOME,
    OFFICER,
    PUBLIC,
    World,
    build_world,
    close_world,
    text_file,
    world_settings,
)

from govpilot.testing import SETUP_CONTEXT, add_api_key

PER_MINUTE = 3
UPLOAD_MB = 0.01  # 10,485 bytes
TOO_BIG = b"The library opens at ten. " * 1000  # 26,000 bytes


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    settings = world_settings(tmp_path, requests_per_minute=PER_MINUTE, max_concurrent_jobs=2)
    settings.max_upload_mb = UPLOAD_MB
    # A job service whose workers never start: submitted jobs stay queued, so they count.
    built = build_world(tmp_path, settings, start_jobs=False, passwords=False)
    try:
        yield built
    finally:
        close_world(built)


def _retry_after(response: Any) -> int:
    value = response.headers.get("retry-after", "")
    assert value.isdigit(), f"no Retry-After header: {response.headers}"
    seconds = int(value)
    assert 1 <= seconds <= 60
    return seconds


# -- requests per minute -----------------------------------------------------------------------


def test_api_key_over_the_limit_gets_429_with_retry_after(world: World) -> None:
    client = world.client()
    for _ in range(PER_MINUTE):
        assert world.send(client, OFFICER, "GET", "/api/v1/jobs").status_code == 200
    refused = world.send(client, OFFICER, "GET", "/api/v1/jobs")
    assert refused.status_code == 429
    _retry_after(refused)
    error = refused.json()["error"]
    assert "too many requests" in error["message"] and f"{PER_MINUTE} a minute" in error["message"]
    assert "wait" in error["hint"]
    # The budget is the key's: another key of the same user still works.
    other_key = add_api_key(world.platform, world.users[OFFICER])
    fresh = client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {other_key}"})
    assert fresh.status_code == 200


def test_openai_routes_answer_429_in_openais_shape(world: World) -> None:
    client = world.client()
    for _ in range(PER_MINUTE):
        assert world.send(client, OFFICER, "GET", "/v1/models").status_code == 200
    refused = world.send(client, OFFICER, "GET", "/v1/models")
    assert refused.status_code == 429
    _retry_after(refused)
    assert "too many requests" in refused.json()["error"]["message"]


def test_the_departments_own_limit_wins(world: World) -> None:
    world.platform.accounts.update_department(SETUP_CONTEXT, HOME, requests_per_minute=1)
    client = world.client()
    assert world.send(client, OFFICER, "GET", "/api/v1/jobs").status_code == 200
    refused = world.send(client, OFFICER, "GET", "/api/v1/jobs")
    assert refused.status_code == 429
    assert "1 a minute" in refused.json()["error"]["message"]


def test_the_departments_limit_is_remembered_and_a_change_applies_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = world.platform.accounts
    accounts.update_department(SETUP_CONTEXT, HOME, requests_per_minute=100)
    looked_up: list[str] = []
    find_department = accounts.find_department

    def counting(name: str) -> Any:
        looked_up.append(name)
        return find_department(name)

    monkeypatch.setattr(accounts, "find_department", counting)
    client = world.client()
    for _ in range(5):
        assert world.send(client, OFFICER, "GET", "/api/v1/jobs").status_code == 200
    assert looked_up == [HOME]  # read once, not once per request
    accounts.update_department(SETUP_CONTEXT, HOME, requests_per_minute=5)
    refused = world.send(client, OFFICER, "GET", "/api/v1/jobs")
    assert refused.status_code == 429
    assert "5 a minute" in refused.json()["error"]["message"]


def test_api_cookie_callers_are_limited_per_user(world: World) -> None:
    client = world.client()
    for _ in range(PER_MINUTE):
        response = world.send(client, OFFICER, "GET", "/api/v1/jobs", by_cookie=True)
        assert response.status_code == 200
    refused = world.send(client, OFFICER, "GET", "/api/v1/jobs", by_cookie=True)
    assert refused.status_code == 429
    _retry_after(refused)


def test_public_callers_are_limited_per_address(world: World) -> None:
    client = world.client()
    url = f"/api/v1/bots/{world.bot}/conversations"
    for _ in range(PER_MINUTE):
        assert world.send(client, PUBLIC, "POST", url).status_code == 201
    refused = world.send(client, PUBLIC, "POST", url)
    assert refused.status_code == 429
    _retry_after(refused)


def test_web_posts_over_the_limit_get_a_429_page(world: World) -> None:
    client = world.client()
    form = {"text": "Call 9123 4567."}
    for _ in range(PER_MINUTE):
        assert world.send(client, OFFICER, "POST", "/redact", data=form).status_code == 200
    refused = world.send(client, OFFICER, "POST", "/redact", data=form)
    assert refused.status_code == 429
    seconds = _retry_after(refused)
    assert refused.headers["content-type"].startswith("text/html")
    assert "Too many requests" in refused.text
    assert f"Please wait {seconds} seconds" in refused.text
    # Reading pages is not counted: nobody is locked out of looking.
    assert world.send(client, OFFICER, "GET", "/copilot").status_code == 200


def test_sign_in_attempts_are_limited(world: World) -> None:
    client = world.client()
    form = {"email": "officer@had.gov.hk", "password": "a wrong password, again"}
    for _ in range(PER_MINUTE):
        assert world.send(client, "anonymous", "POST", "/login", data=form).status_code == 400
    refused = world.send(client, "anonymous", "POST", "/login", data=form)
    assert refused.status_code == 429
    _retry_after(refused)
    assert "Too many requests" in refused.text


# -- upload size -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field", "form"),
    [
        ("/api/v1/translate/file", "file", {"target": "zh-Hant"}),
        ("/api/v1/jobs", "file", {"kind": "translate", "target": "zh-Hant"}),
        ("/api/v1/redact/document", "file", {}),
        ("/api/v1/summarise/files", "files", {}),
    ],
)
def test_api_upload_over_the_limit_is_413(
    world: World, url: str, field: str, form: dict[str, str]
) -> None:
    response = world.send(
        world.client(),
        OFFICER,
        "POST",
        url,
        data=form,
        files={field: text_file("big.txt", TOO_BIG)},
    )
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["type"] == "InputTooLarge"
    assert f"{UPLOAD_MB:g} MB" in error["message"] and error["hint"]


def test_api_collection_upload_over_the_limit_names_the_file(world: World) -> None:
    # Several files go in one request: the one over the limit fails, the request does not.
    response = world.send(
        world.client(),
        DEPARTMENT_ADMIN,
        "POST",
        f"/api/v1/collections/{world.collection}/documents?wait=false",
        files={"files": text_file("big.txt", TOO_BIG)},
    )
    assert response.status_code in (202, 413), response.text
    assert "big.txt" in response.text and "limit" in response.text


def test_web_copilot_upload_over_the_limit_shows_the_form_with_the_problem(
    world: World,
) -> None:
    response = world.send(
        world.client(),
        OFFICER,
        "POST",
        "/copilot",
        data={"task": "translate", "target": "zh-Hant"},
        files={"file": text_file("big.txt", TOO_BIG)},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "over the size limit" in response.text


def test_web_collection_upload_over_the_limit_says_so(world: World) -> None:
    response = world.send(
        world.client(),
        DEPARTMENT_ADMIN,
        "POST",
        f"/collections/{world.collection}/upload",
        files={"files": text_file("big.txt", TOO_BIG)},
    )
    assert response.status_code in (400, 413)
    assert response.headers["content-type"].startswith("text/html")
    assert "upload limit" in response.text or "size limit" in response.text


# -- jobs at once ------------------------------------------------------------------------------


def _job(world: World, n: int) -> Any:
    return world.send(
        world.client(),
        OFFICER,
        "POST",
        "/api/v1/jobs",
        data={"kind": "translate", "target": "zh-Hant", "text": f"Notice number {n}."},
    )


def test_jobs_over_the_departments_limit_get_429(world: World) -> None:
    world.platform.accounts.update_department(SETUP_CONTEXT, HOME, requests_per_minute=100)
    for n in range(2):
        assert _job(world, n).status_code == 202
    refused = _job(world, 3)
    assert refused.status_code == 429
    _retry_after(refused)
    error = refused.json()["error"]
    assert "already has 2 jobs" in error["message"] and error["hint"]
    page = world.send(
        world.client(),
        OFFICER,
        "POST",
        "/copilot",
        data={"task": "translate", "text": "One more notice.", "target": "zh-Hant"},
    )
    assert page.status_code == 429
    assert "as many jobs running as it may" in page.text


def test_the_job_limit_is_per_department(world: World) -> None:
    world.platform.accounts.update_department(SETUP_CONTEXT, HOME, requests_per_minute=100)
    for n in range(2):
        assert _job(world, n).status_code == 202
    # LD's administrator starts a job all the same: HAD's queue is not LD's.
    other = world.send(
        world.client(),
        "other_department",
        "POST",
        "/api/v1/jobs",
        data={"kind": "translate", "target": "zh-Hant", "text": "A notice of LD."},
    )
    assert other.status_code == 202, other.text
