"""The workspace's cookies, all set one way: HttpOnly, SameSite=Lax, Secure unless off."""

from __future__ import annotations

from starlette.responses import Response

from govpilot.config import AuthSettings
from govpilot.http.callers import SESSION_COOKIE


def set_private_cookie(
    response: Response, name: str, value: str, *, auth: AuthSettings, max_age: int, path: str = "/"
) -> None:
    """A cookie that scripts cannot read and other sites' forms do not carry."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        secure=auth.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def clear_private_cookie(
    response: Response, name: str, *, auth: AuthSettings, path: str = "/"
) -> None:
    """Tell the browser to forget a cookie set by `set_private_cookie`."""
    response.delete_cookie(
        name, path=path, secure=auth.secure_cookies, httponly=True, samesite="lax"
    )


def set_session_cookie(response: Response, token: str, auth: AuthSettings) -> None:
    """The signed-in session's cookie, for as long as the session may last."""
    set_private_cookie(
        response, SESSION_COOKIE, token, auth=auth, max_age=int(auth.session_hours * 3600)
    )
