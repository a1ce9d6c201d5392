"""The OpenID Connect relying party against a real test provider on 127.0.0.1: discovery,
the authorization URL, the code exchange, every check on the ID token, and claim mapping."""

from __future__ import annotations

import base64
import hashlib
import socket
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from govpilot.access import Role
from govpilot.accounts.oidc import (
    AuthorizationRequest,
    OidcClient,
    identity_from_claims,
    map_role,
)
from govpilot.config import OidcSettings
from govpilot.errors import ConfigError, NotAuthenticated
from support.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider

REDIRECT = "https://govpilot.test/auth/oidc/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider() as provider:
        yield provider


@pytest.fixture
def settings(provider: OidcProvider) -> OidcSettings:
    provider.reset()
    return OidcSettings(
        issuer=provider.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        role_map={"GP-Admins": "department_admin"},
    )


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def code_for(started: AuthorizationRequest) -> str:
    """What the browser brings back from the provider: the code (its state checked)."""
    answer = httpx.get(started.url, follow_redirects=False)
    back = parse_qs(urlsplit(answer.headers["location"]).query)
    assert back["state"] == [started.pending.state]
    return back["code"][0]


def test_the_authorization_url(settings: OidcSettings, provider: OidcProvider) -> None:
    started = OidcClient(settings).authorization_request(REDIRECT)
    assert started.url.startswith(f"{provider.url}/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.url).query).items()}
    pending = started.pending
    digest = hashlib.sha256(pending.code_verifier.encode()).digest()
    assert query == {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": "openid email profile",
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    again = OidcClient(settings).authorization_request(REDIRECT).pending
    assert len({pending.state, pending.nonce, again.state, again.nonce}) == 4


def test_a_code_becomes_an_identity(settings: OidcSettings, provider: OidcProvider) -> None:
    provider.script.claims["role"] = ["Everyone", "GP-Admins"]
    client = OidcClient(settings)
    started = client.authorization_request(REDIRECT)
    who = client.identity(code_for(started), started.pending)
    assert (who.issuer, who.subject, who.email) == (
        provider.url,
        "248289761001",
        "chan.tm@had.gov.hk",
    )
    assert (who.department, who.role, who.display_name) == (
        "HAD",
        Role.DEPARTMENT_ADMIN,
        "Chan Tai-man",
    )
    sent = provider.script.token_requests[0]
    assert sent["auth"] == "basic" and sent["code_verifier"] == started.pending.code_verifier


def test_a_code_works_once(settings: OidcSettings) -> None:
    client = OidcClient(settings)
    started = client.authorization_request(REDIRECT)
    code = code_for(started)
    client.identity(code, started.pending)
    with pytest.raises(NotAuthenticated, match="invalid_grant"):
        client.identity(code, started.pending)


def test_the_verifier_must_be_the_one_sent(settings: OidcSettings) -> None:
    client = OidcClient(settings)
    started = client.authorization_request(REDIRECT)
    other = client.authorization_request(REDIRECT).pending
    with pytest.raises(NotAuthenticated, match="invalid_grant"):
        client.identity(code_for(started), other)


@pytest.mark.parametrize(
    ("misbehaviour", "value", "reason"),
    [
        ("audience", "another-app", "aud"),
        ("audience", ["another-app", CLIENT_ID], "azp"),
        ("issuer", "https://evil.example", "iss"),
        ("nonce", "replayed-nonce", "nonce"),
        ("expires_in", -120, "exp"),
        ("sign_with_unpublished_key", True, "not valid"),
    ],
)
def test_bad_id_tokens_are_refused(
    settings: OidcSettings, provider: OidcProvider, misbehaviour: str, value: object, reason: str
) -> None:
    setattr(provider.script, misbehaviour, value)
    client = OidcClient(settings)
    started = client.authorization_request(REDIRECT)
    with pytest.raises(NotAuthenticated, match=reason):
        client.identity(code_for(started), started.pending)


def test_the_wrong_client_secret_is_refused(settings: OidcSettings) -> None:
    client = OidcClient(settings.model_copy(update={"client_secret": SecretStr("guessed")}))
    started = client.authorization_request(REDIRECT)
    with pytest.raises(NotAuthenticated, match="invalid_client"):
        client.identity(code_for(started), started.pending)


def test_rotated_keys_are_fetched_again_at_most_once_a_minute(
    settings: OidcSettings, provider: OidcProvider
) -> None:
    clock = Clock()
    client = OidcClient(settings, clock=clock)
    started = client.authorization_request(REDIRECT)
    client.identity(code_for(started), started.pending)
    provider.rotate_key("test-key-2")
    started = client.authorization_request(REDIRECT)
    with pytest.raises(NotAuthenticated):  # fetched a moment ago: not asked again yet
        client.identity(code_for(started), started.pending)
    clock.now += 61
    started = client.authorization_request(REDIRECT)
    assert client.identity(code_for(started), started.pending).subject == "248289761001"


def test_the_discovery_document_must_name_the_configured_issuer(
    settings: OidcSettings, provider: OidcProvider
) -> None:
    client = OidcClient(settings.model_copy(update={"issuer": provider.url + "/"}))
    with pytest.raises(ConfigError, match="names the issuer"):
        client.authorization_request(REDIRECT)


def test_an_unreachable_provider_is_reported() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = OidcClient(OidcSettings(issuer=f"http://127.0.0.1:{port}", client_id="x"))
    with pytest.raises(NotAuthenticated, match="cannot read the identity provider"):
        client.authorization_request(REDIRECT)


def test_single_sign_on_needs_configuring() -> None:
    with pytest.raises(ConfigError, match="not configured"):
        OidcClient(OidcSettings())


# -- claims --------------------------------------------------------------------------------

CLAIMS = {
    "iss": "https://login.gov.hk",
    "sub": "1",
    "email": "chan.tm@had.gov.hk",
    "department": "HAD",
}


@pytest.mark.parametrize(
    ("value", "role"),
    [
        (None, Role.OFFICER),
        ("GP-Admins", Role.DEPARTMENT_ADMIN),
        ("auditor", Role.AUDITOR),  # a role's own name
        ("Everyone", Role.OFFICER),  # unmapped: default_role
        (["Everyone", "auditor", "GP-Admins"], Role.DEPARTMENT_ADMIN),
        ("GP-Root", Role.PLATFORM_ADMIN),  # mapped, then refused by SignIn.sso_user
        ("public", Role.OFFICER),  # not an account role
        (42, Role.OFFICER),
    ],
)
def test_map_role(value: object, role: Role) -> None:
    settings = OidcSettings(role_map={"GP-Admins": "department_admin", "GP-Root": "platform_admin"})
    assert map_role(value, settings) == role


def test_default_role_is_configurable() -> None:
    assert map_role("x", OidcSettings(default_role="auditor")) == Role.AUDITOR
    with pytest.raises(ConfigError, match="not a role"):
        map_role("x", OidcSettings(default_role="boss"))


def test_department_and_role_claims_are_configurable() -> None:
    settings = OidcSettings(department_claim="dept_code", role_claim="groups")
    who = identity_from_claims(
        {**CLAIMS, "dept_code": ["LD", "HAD"], "groups": ["auditor"]}, settings
    )
    assert (who.department, who.role, who.display_name) == ("LD", Role.AUDITOR, "")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": None}, "no e-mail address"),
        ({"email_verified": False}, "not verified"),
        ({"department": None}, "no department"),
        ({"department": "  "}, "no department"),
    ],
)
def test_claims_that_cannot_sign_anyone_in(change: dict[str, object], message: str) -> None:
    claims = {k: v for k, v in {**CLAIMS, **change}.items() if v is not None}
    with pytest.raises(NotAuthenticated, match=message):
        identity_from_claims(claims, OidcSettings())
