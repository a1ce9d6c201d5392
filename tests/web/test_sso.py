"""Single sign-on end to end: govpilot and a real test OpenID provider, each served by
uvicorn on 127.0.0.1, and a browser-like httpx client following the redirects between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from govpilot.accounts.signin import SignIn
from govpilot.audit.events import MemoryAuditSink
from govpilot.config import AuthSettings, OidcSettings
from govpilot.http.callers import SESSION_COOKIE
from govpilot.platform import Platform
from govpilot.server import create_app
from govpilot.testing import SETUP_CONTEXT, fake_settings, make_test_platform
from govpilot.web.routes.sso import STATE_COOKIE
from support.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from support.served_app import ServedApp

EMAIL = "chan.tm@had.gov.hk"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider() as provider:
        yield provider


@pytest.fixture
def platform(tmp_path: Path, provider: OidcProvider) -> Iterator[Platform]:
    provider.reset()
    oidc = OidcSettings(
        issuer=provider.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        role_map={"GP-Admins": "department_admin", "GP-Audit": "auditor"},
    )
    settings = fake_settings(
        tmp_path, department="HAD", auth=AuthSettings(secure_cookies=False, oidc=oidc)
    )
    platform = make_test_platform(settings)
    for name in ("HAD", "LD"):
        platform.accounts.create_department(SETUP_CONTEXT, name)
    yield platform
    platform.database.dispose()


@pytest.fixture
def app_url(platform: Platform) -> Iterator[str]:
    served = ServedApp(create_app(platform)).start()
    yield served.url
    served.stop()


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=True, timeout=20) as client:
        yield client


def sign_in(browser: httpx.Client, app_url: str, next_path: str = "") -> httpx.Response:
    """Click the single sign-on button and follow the browser wherever it is sent."""
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    return browser.get(f"{app_url}/auth/oidc/login{query}")


def refusing_signin(platform: Platform) -> None:
    """Audit SSO refusals to memory: SignIn records them while it holds SQLite's write lock,
    so with the real audit log a refusal waits out the busy timeout (see tests/accounts)."""
    platform.signin = SignIn(platform.database, MemoryAuditSink(), platform.settings.auth)


def test_sign_in_creates_the_account_and_opens_the_copilot(
    browser: httpx.Client, app_url: str, platform: Platform, provider: OidcProvider
) -> None:
    provider.script.claims["role"] = "GP-Admins"
    response = sign_in(browser, app_url)
    assert response.status_code == 200, response.text
    assert response.url == httpx.URL(f"{app_url}/copilot")
    assert [str(r.url.path) for r in response.history] == [
        "/auth/oidc/login",
        "/authorize",
        "/auth/oidc/callback",
    ]
    user = platform.accounts.user(SETUP_CONTEXT, EMAIL)
    assert (user.department, user.role, user.sso) == ("HAD", "department_admin", True)
    assert user.display_name == "Chan Tai-man" and not user.has_password
    session_cookie = response.history[-1].headers["set-cookie"]
    assert session_cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in session_cookie and "samesite=lax" in session_cookie.lower()
    assert platform.signin.session_for(browser.cookies[SESSION_COOKIE]) is not None
    assert STATE_COOKIE not in browser.cookies  # the state served this sign-in only
    login = platform.audit.events(action="auth.login")[0]
    assert (login.actor, login.outcome, login.detail["method"]) == (EMAIL, "ok", "oidc")


def test_the_flow_uses_state_nonce_pkce_and_client_authentication(
    browser: httpx.Client, app_url: str, provider: OidcProvider
) -> None:
    assert sign_in(browser, app_url).status_code == 200
    asked = provider.script.authorize_requests[0]
    assert asked["client_id"] == CLIENT_ID and asked["response_type"] == "code"
    assert asked["scope"] == "openid email profile"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32
    assert asked["redirect_uri"] == f"{app_url}/auth/oidc/callback"
    exchanged = provider.script.token_requests[0]
    assert exchanged["auth"] == "basic" and "client_secret" not in exchanged
    assert exchanged["redirect_uri"] == asked["redirect_uri"]
    assert 43 <= len(exchanged["code_verifier"]) <= 128


def test_roles_follow_the_claims_at_every_sign_in(
    browser: httpx.Client, app_url: str, platform: Platform, provider: OidcProvider
) -> None:
    provider.script.claims["role"] = "an unmapped group"
    assert sign_in(browser, app_url).status_code == 200
    assert platform.accounts.user(SETUP_CONTEXT, EMAIL).role == "officer"  # default_role
    browser.cookies.clear()
    provider.script.claims |= {"role": ["Everyone", "GP-Audit"], "department": "LD"}
    response = sign_in(browser, app_url)
    assert response.status_code == 200, response.text
    user = platform.accounts.user(SETUP_CONTEXT, EMAIL)
    assert (user.department, user.role) == ("LD", "auditor")


def test_the_page_asked_for_is_opened_after_signing_in(browser: httpx.Client, app_url: str) -> None:
    response = sign_in(browser, app_url, next_path="/jobs")
    assert response.url.path == "/jobs"
    offsite = sign_in(browser, app_url, next_path="//evil.example/")
    assert offsite.url.host == "127.0.0.1" and offsite.url.path == "/copilot"


def test_an_unknown_department_is_refused(
    browser: httpx.Client, app_url: str, platform: Platform, provider: OidcProvider
) -> None:
    refusing_signin(platform)
    provider.script.claims["department"] = "XYZ"
    response = sign_in(browser, app_url)
    assert response.status_code == 403
    assert "Single sign-on did not work" in response.text
    assert "your department &#39;XYZ&#39; is not set up in govpilot" in response.text
    assert SESSION_COOKIE not in browser.cookies
    assert platform.accounts.users(SETUP_CONTEXT, "HAD") == []


def test_a_platform_admin_claim_is_refused(
    browser: httpx.Client, app_url: str, platform: Platform, provider: OidcProvider
) -> None:
    provider.script.claims["role"] = "platform_admin"
    response = sign_in(browser, app_url)
    assert response.status_code == 403
    assert "cannot give the platform_admin role" in response.text
    assert SESSION_COOKIE not in browser.cookies
    assert platform.accounts.users(SETUP_CONTEXT, "HAD") == []


def test_a_token_for_another_audience_is_refused(
    browser: httpx.Client, app_url: str, platform: Platform, provider: OidcProvider
) -> None:
    provider.script.audience = "some-other-app"
    response = sign_in(browser, app_url)
    assert response.status_code == 401
    assert "ID token is not valid" in response.text and "aud" in response.text
    assert SESSION_COOKIE not in browser.cookies
    assert platform.accounts.users(SETUP_CONTEXT, "HAD") == []


@pytest.mark.parametrize("tamper", ["state", "cookie", "no-cookie"])
def test_a_tampered_or_foreign_state_is_refused(
    app_url: str, platform: Platform, provider: OidcProvider, tamper: str
) -> None:
    with httpx.Client(follow_redirects=False, timeout=20) as browser:
        to_provider = browser.get(f"{app_url}/auth/oidc/login")
        assert to_provider.status_code == 303 and STATE_COOKIE in browser.cookies
        back = browser.get(to_provider.headers["location"]).headers["location"]
        query = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
        if tamper == "state":
            query["state"] = query["state"][:-2] + ("aa" if query["state"][-2:] != "aa" else "bb")
        elif tamper == "cookie":
            cookie = browser.cookies[STATE_COOKIE]
            browser.cookies.clear()
            browser.cookies.set(STATE_COOKIE, cookie[:-3] + "xyz", domain="127.0.0.1")
        else:
            browser.cookies.clear()  # the answer arrives in a browser that never started it
        response = browser.get(f"{app_url}/auth/oidc/callback", params=query)
    expected = "state" if tamper == "state" else "took too long"
    assert response.status_code in (400, 401) and expected in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert provider.script.token_requests == []  # the code was never spent
    assert platform.accounts.users(SETUP_CONTEXT, "HAD") == []


def test_the_provider_refusing_is_shown(
    browser: httpx.Client, app_url: str, provider: OidcProvider
) -> None:
    provider.script.deny = "access_denied"
    response = sign_in(browser, app_url)
    assert response.status_code == 401 and "access_denied" in response.text
    assert SESSION_COOKIE not in browser.cookies


@pytest.mark.anyio
async def test_without_configuration_there_is_no_single_sign_on(tmp_path: Path) -> None:
    platform = make_test_platform(fake_settings(tmp_path))
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(platform)),
            base_url="https://govpilot.test",
        ) as client:
            response = await client.get("/auth/oidc/login")
            callback = await client.get("/auth/oidc/callback?code=x&state=y")
    finally:
        platform.database.dispose()
    assert response.status_code == 404 and "not set up" in response.text
    assert callback.status_code == 404


def test_signing_in_again_ends_the_earlier_session(
    browser: httpx.Client, app_url: str, platform: Platform
) -> None:
    assert sign_in(browser, app_url).status_code == 200
    first = browser.cookies[SESSION_COOKIE]
    assert sign_in(browser, app_url).status_code == 200
    assert browser.cookies[SESSION_COOKIE] != first
    assert platform.signin.session_for(first) is None
    assert platform.signin.session_for(browser.cookies[SESSION_COOKIE]) is not None
