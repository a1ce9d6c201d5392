"""Pages: one Jinja2 environment per UI language, and `render` for route handlers.

Every page gets the same context: the request, the signed-in `user` (or None), `csrf_token`
for its forms, the UI language (`lang`) and the page's `html_lang` attribute, the language
switch (`other_language`), the navigation the user's role allows (`nav`) and `here` (the
path to come back to after a form). Templates are autoescaped; text is marked with
`{% trans %}` or `_()` (new-style gettext: `_("%(n)s jobs", n=3)`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from babel.dates import format_datetime
from babel.support import NullTranslations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from govpilot import __version__
from govpilot.access import Permission, allowed
from govpilot.web.i18n import (
    CHINESE,
    ENGLISH,
    HTML_LANG,
    LANGUAGE_COOKIE,
    LANGUAGE_NAMES,
    ROLE_LABELS,
    UiLanguages,
    choose_language,
)
from govpilot.web.session import FormTokens, WebUser, find_user, form_token

#: Hong Kong time (no daylight saving), for times shown on pages.
HONG_KONG = timezone(timedelta(hours=8), "HKT")
_BABEL_LOCALES = {ENGLISH: "en_HK", CHINESE: "zh_Hant_HK"}


@dataclass(frozen=True)
class NavItem:
    """A link in the header, shown to roles with `permission` (label marked with N_)."""

    path: str
    label: str
    permission: Permission
    order: int = 50


@dataclass
class WebState:
    """What the web pages share, built once by `mount_web` and kept on `app.state.web`."""

    languages: UiLanguages
    environments: dict[str, Environment]
    forms: FormTokens
    nav: list[NavItem] = field(default_factory=list)
    #: The endpoints of web routes: their errors are pages, and they get the page headers.
    endpoints: set[Callable[..., Any]] = field(default_factory=set)


def build_environment(translations: NullTranslations) -> Environment:
    """A Jinja2 environment over the web templates, speaking one language."""
    env = Environment(
        loader=PackageLoader("govpilot.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The extraction test and any `pybabel extract` must use the same setting.
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return env


def build_state(languages: UiLanguages, forms: FormTokens) -> WebState:
    """The shared web state, with one environment per UI language."""
    environments = {}
    for language, translations in languages.translations.items():
        env = build_environment(translations)
        env.filters["when"] = _when_filter(language)
        environments[language] = env
    return WebState(languages, environments, forms)


def web_state(request: Request) -> WebState:
    """The app's web state (see `mount_web`)."""
    state: WebState = request.app.state.web
    return state


def page_language(request: Request) -> str:
    """The UI language of this request (see `i18n.choose_language`)."""
    cached: str | None = getattr(request.state, "lang", None)
    if cached:
        return cached
    user = find_user(request)
    language = choose_language(
        user.user.language if user else None,
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )
    request.state.lang = language
    return language


def translate(request: Request, message: str, **params: object) -> str:
    """`message` (an English msgid) in this request's UI language."""
    return web_state(request).languages.gettext(page_language(request), message, **params)


def nav_for(request: Request, user: WebUser | None) -> list[dict[str, Any]]:
    """The header links the user may follow, with the current one marked."""
    if user is None:
        return []
    ctx = user.context("web")
    path = request.url.path
    items: Sequence[NavItem] = sorted(web_state(request).nav, key=lambda i: (i.order, i.path))
    shown = [item for item in items if allowed(ctx, item.permission)]
    # The longest link the page is under is the current one (/governance/reviews is
    # "Reviews", not also "AI register").
    under = [i.path for i in shown if path == i.path or path.startswith(i.path.rstrip("/") + "/")]
    current = max(under, key=len, default=None)
    return [
        {"path": item.path, "label": item.label, "current": item.path == current} for item in shown
    ]


def here(request: Request) -> str:
    """This page's path and query, to come back to after a form."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render `template` in the request's language as an HTML response."""
    state = web_state(request)
    language = page_language(request)
    user = find_user(request)
    other = CHINESE if language == ENGLISH else ENGLISH
    page: dict[str, Any] = {
        "request": request,
        "user": user.user if user else None,
        "role_label": ROLE_LABELS.get(user.user.role.value, "") if user else "",
        "csrf_token": form_token(request),
        "lang": language,
        "html_lang": HTML_LANG[language],
        "other_language": {
            "code": other,
            "name": LANGUAGE_NAMES[other],
            "html_lang": HTML_LANG[other],
        },
        "nav": nav_for(request, user),
        "here": here(request),
        "version": __version__,
    }
    html = state.environments[language].get_template(template).render({**page, **context})
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if user is not None:  # a signed-in page may hold personal data: keep it out of caches
        response.headers.setdefault("Cache-Control", "no-store")
    state.forms.attach(request, response)
    return response


def _when_filter(language: str) -> Callable[[datetime | None], str]:
    locale = _BABEL_LOCALES[language]

    def when(value: datetime | None) -> str:
        if value is None:
            return ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return str(format_datetime(value, "medium", tzinfo=HONG_KONG, locale=locale))

    return when
