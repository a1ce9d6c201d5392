"""Single sign-on over OpenID Connect: /auth/oidc/login and /auth/oidc/callback.

    GET /auth/oidc/login?next=/jobs   new state, nonce and PKCE verifier, kept in a signed
                                      cookie (10 minutes, this path only) -> the provider
    GET /auth/oidc/callback?code&state  the cookie's state must match; the code is exchanged,
                                      the ID token checked, the account made or updated
                                      (`SignIn.sso_user`), a session started -> `next`

A refusal is a page saying so in plain words, the provider's reason under "Details".
The state cookie is signed with this install's web secret (`web_secret` in GOVPILOT_HOME)
and is SameSite=Lax, so the browser sends it back on the provider's redirect.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from govpilot.accounts.oidc import OidcClient, PendingSignIn
from govpilot.accounts.secrets import same_token
from govpilot.errors import ConfigError, GovpilotError, NotAuthenticated, PermissionDenied
from govpilot.http.callers import SESSION_COOKIE
from govpilot.http.dependencies import PlatformDep
from govpilot.platform import Platform
from govpilot.web.cookies import clear_private_cookie, set_private_cookie, set_session_cookie
from govpilot.web.errors import error_page
from govpilot.web.i18n import N_
from govpilot.web.routes.auth import home_for, limit_sign_ins, safe_next
from govpilot.web.session import WebUser, load_or_create_secret

router = APIRouter()

STATE_COOKIE = "govpilot_oidc"
STATE_PATH = "/auth/oidc"
STATE_AGE_S = 600
_LOCK = threading.Lock()

FAILED_TITLE = N_("Single sign-on did not work")
FAILED = N_(
    "Your identity provider's answer could not be used to sign you in. Try again; if it "
    "keeps failing, give the details below to your administrator."
)
REFUSED = N_(
    "You are signed in with your identity provider, but govpilot cannot let you in. Give "
    "the details below to your administrator."
)
EXPIRED = N_("The sign-in took too long or was started in another browser. Start it again.")
NOT_SET_UP = N_("Single sign-on is not set up on this server. Sign in with your password.")


def oidc_client(request: Request, platform: Platform) -> OidcClient | None:
    """The application's OpenID Connect client (made on first use); None when not set up."""
    settings = platform.settings.auth.oidc
    if not settings.enabled:
        return None
    state = request.app.state
    with _LOCK:
        client: OidcClient | None = getattr(state, "oidc_client", None)
        if client is None:
            client = state.oidc_client = OidcClient(settings)
        return client


def _signer(request: Request, platform: Platform) -> URLSafeTimedSerializer:
    state = request.app.state
    with _LOCK:
        signer: URLSafeTimedSerializer | None = getattr(state, "oidc_state_signer", None)
        if signer is None:
            # The install's web secret; the salt keeps these signatures apart from forms'.
            secret = load_or_create_secret(platform.settings)
            signer = state.oidc_state_signer = URLSafeTimedSerializer(
                secret, salt="govpilot.web.oidc"
            )
        return signer


# Plain `def` routes: FastAPI runs them in a thread, so the calls to the provider block no one.


@router.get("/auth/oidc/login")
def oidc_login(request: Request, platform: PlatformDep, next: str = "") -> Response:
    """Send the browser to the identity provider, remembering the sign-in in a cookie."""
    client = oidc_client(request, platform)
    if client is None:
        return error_page(request, 404, title=FAILED_TITLE, message=NOT_SET_UP)
    limit_sign_ins(request, platform)
    try:
        started = client.authorization_request(str(request.url_for("oidc_callback")))
    except GovpilotError as exc:  # the provider cannot be reached, or is misconfigured
        return _failure(request, platform, exc)
    pending = started.pending
    remembered = {
        "state": pending.state,
        "nonce": pending.nonce,
        "verifier": pending.code_verifier,
        "redirect_uri": pending.redirect_uri,
        "next": safe_next(next, ""),
    }
    response = RedirectResponse(started.url, status_code=303)
    set_private_cookie(
        response,
        STATE_COOKIE,
        _signer(request, platform).dumps(remembered),
        auth=platform.settings.auth,
        max_age=STATE_AGE_S,
        path=STATE_PATH,
    )
    return response


@router.get("/auth/oidc/callback", name="oidc_callback")
def oidc_callback(
    request: Request,
    platform: PlatformDep,
    code: str = "",
    state: str = "",
    error: str = "",
    error_description: str = "",
) -> Response:
    """Check the provider's answer, sign the person in, and go on to where they were going."""
    client = oidc_client(request, platform)
    if client is None:
        return error_page(request, 404, title=FAILED_TITLE, message=NOT_SET_UP)
    limit_sign_ins(request, platform)
    remembered = _remembered(request, platform)
    if remembered is None:
        expired = error_page(request, 400, title=FAILED_TITLE, message=EXPIRED)
        return _forget_state(platform, expired)
    if error:
        reason = f"the identity provider answered {error}"
        reason += f": {error_description}" if error_description else ""
        return _failure(request, platform, NotAuthenticated(reason[:500]))
    if not state or not code or not same_token(state, remembered["state"]):
        return _failure(
            request,
            platform,
            NotAuthenticated("the answer does not belong to this sign-in (state)"),
        )
    pending = PendingSignIn(
        state=remembered["state"],
        nonce=remembered["nonce"],
        code_verifier=remembered["verifier"],
        redirect_uri=remembered["redirect_uri"],
    )
    try:
        user = client.sign_in(platform.signin, code, pending)
    except GovpilotError as exc:
        return _failure(request, platform, exc)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # someone signed in already in this browser: that session ends here
        platform.signin.end_session(previous)
    token, session = platform.signin.start_session(user)
    target = safe_next(remembered["next"], home_for(request, WebUser(user, session, token)))
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, token, platform.settings.auth)
    return _forget_state(platform, response)


def _remembered(request: Request, platform: Platform) -> dict[str, str] | None:
    """The signed sign-in state from the cookie; None if missing, forged or too old."""
    cookie = request.cookies.get(STATE_COOKIE)
    if not cookie:
        return None
    try:
        value: Any = _signer(request, platform).loads(cookie, max_age=STATE_AGE_S)
    except BadSignature:  # also SignatureExpired
        return None
    keys = ("state", "nonce", "verifier", "redirect_uri", "next")
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in keys):
        return None
    return {k: value[k] for k in keys}


def _failure(request: Request, platform: Platform, exc: GovpilotError) -> Response:
    """A page saying the sign-in failed, with the reason under "Details"."""
    # Refused by govpilot's rules (a platform admin claim, a department it does not have):
    # trying again will not help, the administrator must.
    refused = isinstance(exc, PermissionDenied) or "not set up in govpilot" in exc.message
    status = 403 if refused else 502 if isinstance(exc, ConfigError) else 401
    detail = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
    page = error_page(
        request, status, title=FAILED_TITLE, message=REFUSED if refused else FAILED, detail=detail
    )
    return _forget_state(platform, page)


def _forget_state(platform: Platform, response: Response) -> Response:
    """The state cookie serves one sign-in only."""
    clear_private_cookie(response, STATE_COOKIE, auth=platform.settings.auth, path=STATE_PATH)
    return response
