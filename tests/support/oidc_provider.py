"""A tiny, real OpenID provider for tests, served by uvicorn on 127.0.0.1 in a thread.

It speaks just enough OpenID Connect for the authorization code flow with PKCE:

    GET  /.well-known/openid-configuration   discovery
    GET  /jwks                               its RSA public key (generated at start)
    GET  /authorize                          "signs in" `script.claims`' user at once and
                                             redirects back with a code (or `script.deny`)
    POST /token                              checks the client, the code, redirect_uri and
                                             the PKCE verifier; answers with an RS256 ID token

`provider.script` says whom it signs in and how to misbehave (another audience, issuer or
nonce, an expired token, a key nobody published); `provider.script.authorize_requests` and
`token_requests` record what the relying party sent. `ServedApp` serves any ASGI app the same
way (the web tests serve govpilot with it).

    with OidcProvider() as provider:
        provider.script.claims["department"] = "HAD"
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import unquote_plus, urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.jwk import RSAKey

from support.served_app import ServedApp

CLIENT_ID = "govpilot"
CLIENT_SECRET = "test-client-secret with spaces & symbols"


def default_claims() -> dict[str, Any]:
    """The test user's claims (besides iss, aud, exp, iat and nonce, which the token adds)."""
    return {
        "sub": "248289761001",
        "email": "chan.tm@had.gov.hk",
        "email_verified": True,
        "name": "Chan Tai-man",
        "department": "HAD",
        "role": "officer",
    }


@dataclass
class ProviderScript:
    """Whom the provider signs in and how its ID token goes wrong; tests change fields."""

    claims: dict[str, Any] = field(default_factory=default_claims)
    audience: str | list[str] | None = None  # default: the client id
    issuer: str | None = None  # default: the provider's own URL
    nonce: str | None = None  # default: the one the authorization request sent
    expires_in: int = 300  # negative: already expired
    sign_with_unpublished_key: bool = False
    deny: str | None = None  # /authorize answers with this OAuth error instead of a code
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)


def _rsa_key(kid: str) -> RSAKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return RSAKey.import_key(pem, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _oauth_error(error: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status)


def create_provider_app(provider: OidcProvider) -> FastAPI:
    """The provider's endpoints; they read `provider.script` on every request."""
    app = FastAPI()

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        url = provider.url
        return {
            "issuer": url,
            "authorization_endpoint": f"{url}/authorize",
            "token_endpoint": f"{url}/token",
            "jwks_uri": f"{url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    @app.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False) for key in provider.published_keys]}

    @app.get("/authorize")
    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        provider.script.authorize_requests.append(params)
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != provider.client_id or not redirect_uri:
            return _oauth_error("invalid_request")
        back: dict[str, str] = {"state": params.get("state", "")}
        if provider.script.deny:
            back["error"] = provider.script.deny
        elif params.get("response_type") != "code" or params.get("code_challenge_method") != (
            "S256"
        ):
            back["error"] = "invalid_request"
        else:
            code = secrets.token_urlsafe(24)
            provider.codes[code] = {
                "redirect_uri": redirect_uri,
                "nonce": params.get("nonce"),
                "challenge": params.get("code_challenge", ""),
                "claims": dict(provider.script.claims),
            }
            back["code"] = code
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode(back)}", status_code=302)

    @app.post("/token")
    async def token(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        authorization = request.headers.get("authorization", "")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode("utf-8")
            user, _, password = decoded.partition(":")
            client_id, client_secret = unquote_plus(user), unquote_plus(password)
        provider.script.token_requests.append(
            {**form, "auth": "basic" if authorization else "post", "client_id": client_id}
        )
        if client_id != provider.client_id or client_secret != provider.client_secret:
            return _oauth_error("invalid_client", 401)
        grant = provider.codes.pop(form.get("code", ""), None)  # a code works once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return _oauth_error("invalid_grant")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return _oauth_error("invalid_grant")
        if _s256(form.get("code_verifier", "")) != grant["challenge"]:
            return _oauth_error("invalid_grant")
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": provider.id_token(grant["claims"], nonce=grant["nonce"]),
            },
            headers={"Cache-Control": "no-store"},
        )

    return app


class OidcProvider:
    """The test provider: its keys, its codes, its script, and its server."""

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.script = ProviderScript()
        self.key = _rsa_key("test-key-1")
        self.unpublished_key = _rsa_key("not-published")
        self.published_keys: list[RSAKey] = [self.key]
        self.codes: dict[str, dict[str, Any]] = {}
        self._served = ServedApp(create_provider_app(self))

    @property
    def url(self) -> str:
        """The issuer URL (no trailing slash)."""
        return self._served.url

    def reset(self) -> None:
        """A fresh script and no outstanding codes (between tests)."""
        self.script = ProviderScript()
        self.codes.clear()
        self.published_keys = [self.key]

    def rotate_key(self, kid: str) -> RSAKey:
        """Sign with a new key from now on, published next to the old one."""
        self.key = _rsa_key(kid)
        self.published_keys.append(self.key)
        return self.key

    def id_token(self, claims: dict[str, Any], *, nonce: str | None) -> str:
        """An ID token for `claims`, as the script says (signed RS256)."""
        script = self.script
        now = int(time.time())
        body = {
            "iss": script.issuer or self.url,
            "aud": script.audience or self.client_id,
            "iat": now,
            "exp": now + script.expires_in,
            "nonce": script.nonce or nonce,
            **claims,
        }
        key = self.unpublished_key if script.sign_with_unpublished_key else self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, body, key)

    def start(self) -> OidcProvider:
        self._served.start()
        return self

    def stop(self) -> None:
        self._served.stop()

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
