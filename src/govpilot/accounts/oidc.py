"""Single sign-on over OpenID Connect: the authorization code flow with PKCE.

    authorization_request()   state + nonce + PKCE S256 verifier, and the provider's URL
    sign_in(code, pending)    code -> token endpoint -> ID token checked against the
                              provider's JWKS (signature, iss, aud, exp, nonce) -> claims
                              -> department and role -> `SignIn.sso_user`

The provider's discovery document and keys are fetched once and kept; the keys again when
an ID token names a key not seen before (the provider rotated its keys). Every refusal is
a NotAuthenticated whose message can be shown to the person signing in.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from govpilot.access import ACCOUNT_ROLES, Role
from govpilot.accounts.models import User
from govpilot.accounts.signin import SignIn
from govpilot.config import OidcSettings
from govpilot.errors import ConfigError, NotAuthenticated

#: Signing algorithms accepted on ID tokens (never "none", never HMAC with the secret).
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
#: Seconds of clock difference tolerated between the provider and this server.
LEEWAY_SECONDS = 60
_RETRY_HINT = "try signing in again; if it keeps failing, tell your administrator"


@dataclass(frozen=True)
class ProviderMetadata:
    """What the discovery document says: where to send people, codes and key requests."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_methods: tuple[str, ...]


@dataclass(frozen=True)
class PendingSignIn:
    """What the browser carries between the redirect and the callback (signed, short-lived)."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and what to keep until it comes back."""

    url: str
    pending: PendingSignIn


@dataclass(frozen=True)
class SsoIdentity:
    """The person an ID token speaks for, mapped onto govpilot's departments and roles."""

    issuer: str
    subject: str
    email: str
    department: str
    role: Role
    display_name: str


class OidcClient:
    """The relying party for one configured provider (thread-safe; one per application)."""

    def __init__(
        self,
        settings: OidcSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        timeout_s: float = 10.0,
    ) -> None:
        if not settings.enabled or settings.issuer is None or settings.client_id is None:
            raise ConfigError(
                "single sign-on is not configured",
                hint="set auth.oidc.issuer and auth.oidc.client_id (see docs/accounts.md)",
            )
        self.settings = settings
        self.issuer: str = settings.issuer
        self.client_id: str = settings.client_id
        self._transport = transport
        self._clock = clock
        self._timeout = timeout_s
        self._lock = threading.Lock()
        self._metadata: ProviderMetadata | None = None
        self._keys: KeySet | None = None
        self._keys_fetched_at = 0.0

    # -- the flow --------------------------------------------------------------------------

    def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        """The provider's login URL for a new sign-in, with fresh state, nonce and verifier."""
        metadata = self.metadata()
        pending = PendingSignIn(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(48),  # 64 characters, within RFC 7636's 43-128
            redirect_uri=redirect_uri,
        )
        url = prepare_grant_uri(
            metadata.authorization_endpoint,
            client_id=self.client_id,
            response_type="code",
            redirect_uri=redirect_uri,
            scope=self.settings.scopes,
            state=pending.state,
            nonce=pending.nonce,
            code_challenge=create_s256_code_challenge(pending.code_verifier),
            code_challenge_method="S256",
        )
        return AuthorizationRequest(str(url), pending)

    def identity(self, code: str, pending: PendingSignIn) -> SsoIdentity:
        """Exchange the callback's `code` and map the checked ID token's claims."""
        claims = self.exchange_code(code, pending)
        return identity_from_claims(claims, self.settings)

    def sign_in(self, signin: SignIn, code: str, pending: PendingSignIn) -> User:
        """The govpilot account of whoever the provider just signed in (created if new)."""
        who = self.identity(code, pending)
        return signin.sso_user(
            issuer=who.issuer,
            subject=who.subject,
            email=who.email,
            department=who.department,
            role=who.role,
            display_name=who.display_name,
        )

    def exchange_code(self, code: str, pending: PendingSignIn) -> dict[str, Any]:
        """The ID token's claims, after the token endpoint answered and every check passed."""
        token = self._token_response(code, pending)
        id_token = token.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise NotAuthenticated("the identity provider sent no ID token", hint=_RETRY_HINT)
        return self.validate_id_token(id_token, nonce=pending.nonce)

    def validate_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """The claims of `id_token` if its signature, issuer, audience, expiry and nonce hold."""
        try:
            decoded = jwt.decode(id_token, self._keys_for(id_token), algorithms=ID_TOKEN_ALGORITHMS)
            claims = dict(decoded.claims)
            registry = jwt.JWTClaimsRegistry(
                now=int(self._clock()),
                leeway=LEEWAY_SECONDS,
                iss={"essential": True, "value": self.issuer},
                sub={"essential": True},
                aud={"essential": True, "value": self.client_id},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            )
            registry.validate(claims)
        except JoseError as error:
            raise NotAuthenticated(
                f"the identity provider's ID token is not valid ({error.error}: "
                f"{error.description or 'check failed'})",
                hint=_RETRY_HINT,
            ) from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        # OpenID Connect Core 3.1.3.7: with several audiences, `azp` must name this client.
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise NotAuthenticated(
                "the ID token was issued to another application (azp)", hint=_RETRY_HINT
            )
        return claims

    # -- the provider's documents ----------------------------------------------------------

    def metadata(self) -> ProviderMetadata:
        """The provider's discovery document (fetched on first use, then kept)."""
        with self._lock:
            if self._metadata is None:
                self._metadata = self._discover()
            return self._metadata

    def _discover(self) -> ProviderMetadata:
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = self._get_json(url, "discovery document")
        try:
            metadata = ProviderMetadata(
                issuer=str(document["issuer"]),
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=str(document["jwks_uri"]),
                token_auth_methods=tuple(
                    document.get("token_endpoint_auth_methods_supported") or ()
                ),
            )
        except KeyError as missing:
            raise ConfigError(
                f"the identity provider's discovery document lacks {missing}", hint=url
            ) from None
        if metadata.issuer != self.issuer:
            # OpenID Connect Discovery 4.3: the document must name exactly this issuer.
            raise ConfigError(
                f"the discovery document names the issuer {metadata.issuer!r}, not {self.issuer!r}",
                hint="set auth.oidc.issuer to exactly the provider's issuer URL",
            )
        return metadata

    def _keys_for(self, id_token: str) -> KeySet:
        """The provider's keys; fetched again (at most once a minute) for an unknown `kid`."""
        kid = _header_kid(id_token)
        with self._lock:
            now = self._clock()
            stale = self._keys is None or (
                kid is not None
                and not _has_kid(self._keys, kid)
                and now - self._keys_fetched_at > 60
            )
            if stale:
                metadata = self._metadata or self._discover()
                self._metadata = metadata
                document = self._get_json(metadata.jwks_uri, "signing keys (JWKS)")
                try:
                    self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
                except (JoseError, ValueError, TypeError, KeyError) as error:
                    raise ConfigError(
                        f"the identity provider's signing keys cannot be read ({error})",
                        hint=metadata.jwks_uri,
                    ) from None
                self._keys_fetched_at = now
            assert self._keys is not None
            return self._keys

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            with httpx.Client(transport=self._transport, timeout=self._timeout) as http:
                response = http.get(url, headers={"Accept": "application/json"})
                response.raise_for_status()
                document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise NotAuthenticated(
                f"cannot read the identity provider's {what} ({type(error).__name__})",
                hint=f"check that {url} answers from this server",
            ) from None
        if not isinstance(document, dict):
            raise ConfigError(f"the identity provider's {what} is not a JSON object", hint=url)
        return document

    def _token_response(self, code: str, pending: PendingSignIn) -> dict[str, Any]:
        """The token endpoint's answer to the authorization code (RFC 6749 4.1.3, RFC 7636)."""
        metadata = self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "code_verifier": pending.code_verifier,
        }
        auth: httpx.BasicAuth | None = None
        secret = self.settings.client_secret
        if secret is None:  # a public client: PKCE alone protects the code
            form["client_id"] = self.client_id
        elif metadata.token_auth_methods and "client_secret_basic" not in (
            metadata.token_auth_methods
        ):
            form |= {"client_id": self.client_id, "client_secret": secret.get_secret_value()}
        else:
            # RFC 6749 2.3.1: both parts form-encoded before they are joined and encoded.
            auth = httpx.BasicAuth(
                quote(self.client_id, safe=""), quote(secret.get_secret_value(), safe="")
            )
        try:
            with httpx.Client(auth=auth, transport=self._transport, timeout=self._timeout) as http:
                response = http.post(
                    metadata.token_endpoint, data=form, headers={"Accept": "application/json"}
                )
                answer = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise NotAuthenticated(
                f"the identity provider's token endpoint failed ({type(error).__name__})",
                hint=_RETRY_HINT,
            ) from None
        if not isinstance(answer, dict):
            raise NotAuthenticated("the token endpoint's answer is not JSON", hint=_RETRY_HINT)
        if response.status_code != 200 or "error" in answer:
            reason = answer.get("error") or f"HTTP {response.status_code}"
            raise NotAuthenticated(
                f"the identity provider refused the sign-in ({reason})", hint=_RETRY_HINT
            )
        return answer


def identity_from_claims(claims: Mapping[str, Any], settings: OidcSettings) -> SsoIdentity:
    """Department and role from the configured claims; refuses tokens that lack them."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise NotAuthenticated(
            "the identity provider sent no e-mail address",
            hint="ask your administrator to release the `email` claim to govpilot",
        )
    # Linking by e-mail to an existing account is only safe for addresses the provider checked.
    if claims.get("email_verified") is False:
        raise NotAuthenticated(
            "the identity provider has not verified your e-mail address",
            hint="verify it with your identity provider, then sign in again",
        )
    department = _first_text(claims.get(settings.department_claim))
    if not department:
        raise NotAuthenticated(
            f"the identity provider sent no department (claim {settings.department_claim!r})",
            hint="ask your administrator to release that claim to govpilot",
        )
    name = claims.get("name")
    return SsoIdentity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        email=email,
        department=department,
        role=map_role(claims.get(settings.role_claim), settings),
        display_name=name.strip() if isinstance(name, str) else "",
    )


def map_role(value: object, settings: OidcSettings) -> Role:
    """The role a claim value (or list of them) gives: through `role_map`, a role's own name,
    else `default_role`; from several, the first of platform admin, department admin,
    officer, auditor. (A platform admin role is then refused by `SignIn.sso_user`.)"""
    values = value if isinstance(value, list) else [value]
    found: set[Role] = set()
    for item in values:
        if not isinstance(item, str):
            continue
        mapped = settings.role_map.get(item, item)
        if mapped in {r.value for r in ACCOUNT_ROLES}:
            found.add(Role(mapped))
    for role in ACCOUNT_ROLES:
        if role in found:
            return role
    try:
        default = Role(settings.default_role)
    except ValueError:
        raise ConfigError(
            f"auth.oidc.default_role {settings.default_role!r} is not a role",
            hint="use officer, auditor or department_admin",
        ) from None
    return default


def _first_text(value: object) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return value.strip() if isinstance(value, str) else ""


def _header_kid(token: str) -> str | None:
    try:
        header = jws.extract_compact(token.encode("ascii")).headers()
    except (JoseError, ValueError, UnicodeError):
        return None
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)
