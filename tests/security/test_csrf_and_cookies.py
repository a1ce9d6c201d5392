"""CSRF on every form and on the API's cookie callers; the session cookie's flags; logout.

Every web POST route is found by walking the application, so a new form is checked without
touching this file. Each is sent by a platform administrator (whom no role check stops) with
a live session but no token, a forged token, or another user's token: each must answer 403
and leave every table of the database as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from matrix_support import (
    DEPARTMENT_ADMIN,
    OFFICER,
    PASSWORD,
    PLATFORM_ADMIN,
    REQUESTS,
    World,
    all_routes,
    build_world,
    close_world,
    is_api_path,
    table_rows,
    world_settings,
)

from govpilot.config import AuthSettings
from govpilot.http.callers import SESSION_COOKIE
from govpilot.web.i18n import LANGUAGE_COOKIE
from govpilot.web.session import FORM_COOKIE

FORGED = "forged-token-0123456789abcdef"
#: Changes a refused request may make: the session's last-seen time.
_VOLATILE = {"web_sessions"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(Path(tmp_path_factory.mktemp("csrf")))
    try:
        yield built
    finally:
        close_world(built)


def _routes(api: bool, methods: set[str]) -> list[tuple[str, str]]:
    """The application's routes of `methods`, on the API or on the web."""
    return sorted(r for r in ROUTES if r[0] in methods and is_api_path(r[1]) == api)


ROUTES = all_routes()
WEB_POSTS = _routes(api=False, methods={"POST"})
API_CHANGES = _routes(api=True, methods={"POST", "PATCH", "PUT", "DELETE"})


def _stable(world: World) -> dict[str, list[tuple[Any, ...]]]:
    return {k: v for k, v in table_rows(world.platform).items() if k not in _VOLATILE}


def test_every_form_is_found() -> None:
    assert ("POST", "/login") in WEB_POSTS and ("POST", "/admin/users") in WEB_POSTS
    assert len(WEB_POSTS) >= 20
    assert set(WEB_POSTS) <= set(REQUESTS), "a web form has no request in matrix_support"


@pytest.mark.parametrize("route", WEB_POSTS, ids=[r[1] for r in WEB_POSTS])
@pytest.mark.parametrize("token", ["missing", "forged", "another session's"])
def test_web_post_refuses_a_missing_or_forged_token(
    world: World, route: tuple[str, str], token: str
) -> None:
    client = world.client()
    request = REQUESTS[route](world, PLATFORM_ADMIN)
    request.pop("fresh_session", None)
    choices: dict[str, bool | str] = {
        "missing": False,
        "forged": FORGED,
        "another session's": world.session(DEPARTMENT_ADMIN)[1],
    }
    sent = choices[token]
    before = _stable(world)
    response = world.send(client, PLATFORM_ADMIN, "POST", csrf=sent, **request)
    assert response.status_code == 403, (route, token, response.status_code)
    assert "security token" in response.text
    assert _stable(world) == before, f"{route} changed the database without a CSRF token"
    # The session is still alive (a refused logout does not end it).
    assert world.platform.signin.session_for(world.session(PLATFORM_ADMIN)[0]) is not None


@pytest.mark.parametrize("route", [("POST", "/login"), ("POST", "/language")])
@pytest.mark.parametrize("token", ["missing", "forged"])
def test_forms_before_sign_in_refuse_a_missing_or_forged_token(
    world: World, route: tuple[str, str], token: str
) -> None:
    client = world.client()
    request = REQUESTS[route](world, "anonymous")
    if route == ("POST", "/login"):  # the right password: only the token is wrong
        request["data"] = {"email": "officer@had.gov.hk", "password": PASSWORD}
    response = world.send(
        client, "anonymous", "POST", csrf=False if token == "missing" else FORGED, **request
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


@pytest.mark.parametrize("route", API_CHANGES, ids=[f"{m} {p}" for m, p in API_CHANGES])
@pytest.mark.parametrize("token", ["missing", "forged"])
def test_api_cookie_callers_need_the_csrf_header(
    world: World, route: tuple[str, str], token: str
) -> None:
    client = world.client()
    request = REQUESTS[route](world, PLATFORM_ADMIN)
    before = _stable(world)
    sent: bool | str = False if token == "missing" else FORGED
    response = world.send(client, PLATFORM_ADMIN, route[0], by_cookie=True, csrf=sent, **request)
    assert response.status_code == 403, (route, response.status_code, response.text[:200])
    assert "CSRF" in response.json()["error"]["message"]
    assert _stable(world) == before


@pytest.mark.parametrize(
    "route",
    [("POST", "/api/v1/redact"), ("POST", "/api/v1/collections"), ("PATCH", "/api/v1/bots/{bot}")],
    ids=["redact", "create collection", "update bot"],
)
def test_api_cookie_callers_with_the_header_are_served(
    world: World, route: tuple[str, str]
) -> None:
    client = world.client()
    request = REQUESTS[route](world, PLATFORM_ADMIN)
    response = world.send(client, PLATFORM_ADMIN, route[0], by_cookie=True, **request)
    assert response.status_code < 300, response.text


def test_api_cookie_callers_read_without_the_header(world: World) -> None:
    response = world.send(world.client(), OFFICER, "GET", "/api/v1/jobs", by_cookie=True)
    assert response.status_code == 200


# -- cookies -----------------------------------------------------------------------------------


def _set_cookie(response: Any, name: str) -> dict[str, str | bool]:
    """The attributes of the Set-Cookie header for `name` (lower-case keys)."""
    for header in response.headers.get_list("set-cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        if name in parsed:
            morsel = parsed[name]
            lowered = header.lower()
            return {
                "value": morsel.value,
                "httponly": "httponly" in lowered,
                "secure": "; secure" in lowered,
                "samesite": str(morsel["samesite"]).lower(),
                "path": str(morsel["path"]),
            }
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


def _sign_in(world: World, email: str = "officer@had.gov.hk") -> Any:
    client = world.client()
    return world.send(
        client, "anonymous", "POST", "/login", data={"email": email, "password": PASSWORD}
    )


def test_secure_cookies_are_the_default() -> None:
    assert AuthSettings().secure_cookies is True


def test_session_cookie_flags(world: World) -> None:
    response = _sign_in(world)
    assert response.status_code == 303
    cookie = _set_cookie(response, SESSION_COOKIE)
    assert cookie["httponly"] is True
    assert cookie["samesite"] in ("lax", "strict")
    assert cookie["path"] == "/"
    assert cookie["secure"] is True


def test_form_and_language_cookies_are_flagged_too(world: World) -> None:
    client = world.client()
    client.cookies.clear()
    form = _set_cookie(client.get("/login"), FORM_COOKIE)
    assert form["httponly"] and form["secure"] and form["samesite"] == "lax"
    language = world.send(
        client, "anonymous", "POST", "/language", data={"language": "en", "next": "/"}
    )
    flags = _set_cookie(language, LANGUAGE_COOKIE)
    assert flags["httponly"] and flags["secure"] and flags["samesite"] == "lax"


def test_secure_flag_is_left_out_only_when_disabled(tmp_path: Path) -> None:
    plain = build_world(tmp_path, world_settings(tmp_path, secure_cookies=False), start_jobs=False)
    try:
        cookie = _set_cookie(_sign_in(plain), SESSION_COOKIE)
        assert cookie["secure"] is False
        assert cookie["httponly"] is True and cookie["path"] == "/"
    finally:
        close_world(plain)


def test_logout_ends_the_session_on_the_server(world: World) -> None:
    response = _sign_in(world)
    token = _set_cookie(response, SESSION_COOKIE)["value"]
    assert isinstance(token, str)
    client = world.client()
    cookie = {"Cookie": f"{SESSION_COOKIE}={token}"}
    page = client.get("/copilot", headers=cookie)
    assert page.status_code == 200
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    out = client.post("/logout", data={"csrf_token": csrf}, headers=cookie)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert _set_cookie(out, SESSION_COOKIE)["value"] == ""
    client.cookies.clear()
    # The old cookie, replayed, opens nothing.
    replayed = client.get("/copilot", headers=cookie)
    assert replayed.status_code == 303
    assert replayed.headers["location"].startswith("/login")
    api = client.get("/api/v1/jobs", headers=cookie)
    assert api.status_code == 401
    assert world.platform.signin.session_for(token) is None


def test_without_a_session_pages_go_to_login_and_htmx_is_told_to(world: World) -> None:
    client = world.client()
    client.cookies.clear()
    page = client.get(f"/jobs/{world.job_id}")
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=/jobs/{world.job_id}"
    fragment = client.get(f"/jobs/{world.job_id}/progress", headers={"HX-Request": "true"})
    assert fragment.headers.get("hx-redirect", "").startswith("/login")
    assert world.job_id not in fragment.text
    api = client.get(f"/api/v1/jobs/{world.job_id}")
    assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
