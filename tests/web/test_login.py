"""Signing in and out of the web workspace: the form, its errors, the cookie, CSRF."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from web_support import (
    OFFICER,
    PASSWORD,
    add_accounts,
    browser,
    csrf_token,
    page_token,
    sign_in,
)

from govpilot.accounts.models import User
from govpilot.accounts.signin import SignIn
from govpilot.config import AuthSettings, OidcSettings
from govpilot.errors import NotAuthenticated
from govpilot.http.callers import SESSION_COOKIE
from govpilot.platform import Platform
from govpilot.testing import fake_settings, make_test_platform
from govpilot.web.security_headers import SECURITY_HEADERS
from govpilot.web.session import SECRET_FILE, load_or_create_secret

pytestmark = pytest.mark.anyio


def _cookie_header(response: httpx.Response, name: str) -> str:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert found, f"no {name} cookie in {response.headers.get_list('set-cookie')}"
    return found[0]


async def test_login_page_has_labelled_fields_with_autocomplete(
    anonymous: httpx.AsyncClient,
) -> None:
    page = await anonymous.get("/login")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="en">' in html
    assert '<label for="email">E-mail address</label>' in html
    assert re.search(r'<input id="email"[^>]*type="email"[^>]*autocomplete="username"', html)
    assert re.search(r'<input id="password"[^>]*autocomplete="current-password"', html)
    assert 'href="#main"' in html  # skip link
    assert "/auth/oidc/login" not in html  # single sign-on is not configured
    for name, value in SECURITY_HEADERS.items():
        assert page.headers[name] == value


async def test_signing_in_sets_a_locked_down_cookie_and_opens_the_copilot(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await sign_in(anonymous, OFFICER)
    assert response.status_code == 303
    assert response.headers["location"] == "/copilot"
    cookie = _cookie_header(response, SESSION_COOKIE).lower()
    for flag in ("httponly", "secure", "samesite=lax", "path=/", f"max-age={8 * 3600}"):
        assert flag in cookie
    page = await anonymous.get("/copilot")
    assert page.status_code == 200
    assert "chan.tm" in page.text


async def test_cookie_is_not_secure_when_the_setting_is_off(tmp_path: Path) -> None:
    settings = fake_settings(
        tmp_path, department="HAD", auth=AuthSettings(secure_cookies=False, session_hours=2)
    )
    platform = make_test_platform(settings)
    try:
        add_accounts(platform)
        async with browser(platform) as client:
            response = await sign_in(client, OFFICER)
        cookie = _cookie_header(response, SESSION_COOKIE).lower()
        assert "secure" not in cookie
        assert "max-age=7200" in cookie
    finally:
        platform.database.dispose()


class RefusingSignIn(SignIn):
    """Refuses every password as `SignIn.login` does for one kind of failure."""

    def __init__(self, signin: SignIn, refusal: NotAuthenticated) -> None:
        super().__init__(signin.database, signin.audit, signin.settings)
        self.refusal = refusal

    def login(self, email: str, password: str, *, channel: str = "web") -> User:
        raise self.refusal


WRONG = NotAuthenticated("wrong e-mail or password", hint="check both and try again")
LOCKED = NotAuthenticated(
    "this account is locked after too many failed logins",
    hint="try again in 7 minutes, or ask your administrator to unlock it",
)
DISABLED = NotAuthenticated("this account is disabled", hint="ask your department administrator")


@pytest.mark.parametrize(
    ("refusal", "message"),
    [
        (WRONG, "Wrong e-mail or password. Check both and try again."),
        (LOCKED, "This account is locked after too many failed sign-ins. Try again in 7 minutes"),
        (DISABLED, "This account is disabled. Ask your department administrator."),
    ],
)
async def test_a_refused_sign_in_gets_a_plain_message(
    anonymous: httpx.AsyncClient, platform: Platform, refusal: NotAuthenticated, message: str
) -> None:
    platform.signin = RefusingSignIn(platform.signin, refusal)
    response = await sign_in(anonymous, OFFICER, "not the password at all")
    assert response.status_code == 400
    assert message in response.text
    assert 'role="alert"' in response.text
    assert f'value="{OFFICER}"' in response.text  # the e-mail is kept, never the password
    assert "not the password at all" not in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


async def test_the_locked_message_is_in_chinese_for_a_chinese_browser(
    platform: Platform,
) -> None:
    platform.signin = RefusingSignIn(platform.signin, LOCKED)
    async with browser(platform, **{"Accept-Language": "zh-HK,zh;q=0.9,en;q=0.5"}) as client:
        response = await sign_in(client, OFFICER, "wrong")
    assert '<html lang="zh-Hant-HK">' in response.text
    assert "請於 7 分鐘後再試" in response.text


async def test_real_sign_in_locks_the_account_after_repeated_wrong_passwords(
    anonymous: httpx.AsyncClient, platform: Platform
) -> None:
    for _ in range(platform.settings.auth.max_failed_logins):
        response = await sign_in(anonymous, OFFICER, "wrong password again")
        assert "Wrong e-mail or password" in response.text
    response = await sign_in(anonymous, OFFICER)  # even the right password is refused now
    assert "Try again in 15 minutes" in response.text


async def test_login_without_its_csrf_token_is_refused(anonymous: httpx.AsyncClient) -> None:
    await anonymous.get("/login")  # the browser has its nonce cookie, but the form is forged
    data = {"email": OFFICER, "password": PASSWORD}
    assert (await anonymous.post("/login", data=data)).status_code == 403
    forged = {**data, "csrf_token": "made-up"}
    assert (await anonymous.post("/login", data=forged)).status_code == 403


async def test_a_login_token_works_only_with_its_own_browser_cookie(platform: Platform) -> None:
    async with browser(platform) as first, browser(platform) as second:
        token = csrf_token((await first.get("/login")).text)
        await second.get("/login")
        data = {"email": OFFICER, "password": PASSWORD, "csrf_token": token}
        assert (await second.post("/login", data=data)).status_code == 403
        assert (await first.post("/login", data=data)).status_code == 303


async def test_pages_send_a_browser_without_a_session_to_the_login_page(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.get("/jobs")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/jobs"
    polled = await anonymous.get("/jobs/abc/progress", headers={"HX-Request": "true"})
    assert polled.headers["HX-Redirect"].startswith("/login")


async def test_after_signing_in_the_user_returns_to_the_page_asked_for(
    anonymous: httpx.AsyncClient,
) -> None:
    page = await anonymous.get("/login?next=/jobs")
    data = {"email": OFFICER, "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    response = await anonymous.post("/login", data={**data, "next": "/jobs"})
    assert response.headers["location"] == "/jobs"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
async def test_login_never_redirects_off_the_site(
    anonymous: httpx.AsyncClient, target: str
) -> None:
    page = await anonymous.get("/login")
    data = {"email": OFFICER, "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    response = await anonymous.post("/login", data={**data, "next": target})
    assert response.headers["location"] == "/copilot"


async def test_logout_ends_the_session_on_the_server(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    session_token = officer.cookies[SESSION_COOKIE]
    token = await page_token(officer)
    response = await officer.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "max-age=0" in _cookie_header(response, SESSION_COOKIE).lower()
    assert platform.signin.session_for(session_token) is None
    # The old cookie, replayed, opens nothing.
    officer.cookies.set(SESSION_COOKIE, session_token)
    assert (await officer.get("/copilot")).status_code == 303


async def test_logout_without_the_csrf_token_is_refused(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    response = await officer.post("/logout", data={})
    assert response.status_code == 403
    assert platform.signin.session_for(officer.cookies[SESSION_COOKIE]) is not None


async def test_the_sso_button_appears_when_single_sign_on_is_configured(
    tmp_path: Path,
) -> None:
    oidc = OidcSettings(issuer="https://idp.example", client_id="govpilot")
    settings = fake_settings(tmp_path, auth=AuthSettings(oidc=oidc))
    platform = make_test_platform(settings)
    try:
        async with browser(platform) as client:
            page = await client.get("/login?next=/jobs")
        assert 'href="/auth/oidc/login?next=/jobs"' in page.text
        assert "Single sign-on" in page.text
    finally:
        platform.database.dispose()


def test_the_form_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path / "home")
    secret = load_or_create_secret(settings)
    path = tmp_path / "home" / SECRET_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret(settings) == secret
    assert len(secret) == 64
