"""The web UI in English and Traditional Chinese: complete catalogues, choosing the language."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from babel.messages.extract import extract_from_dir
from web_support import OFFICER, browser, csrf_token, page_token, sign_in

from govpilot.language import simplified_only_chars
from govpilot.platform import Platform
from govpilot.testing import SETUP_CONTEXT
from govpilot.web.i18n import (
    CHINESE,
    ENGLISH,
    LANGUAGE_COOKIE,
    choose_language,
    from_accept_language,
    merged_catalogue,
    text_lang,
)

WEB = Path(__file__).resolve().parents[2] / "src" / "govpilot" / "web"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def used_msgids() -> dict[str, str]:
    """Every message marked in the web templates and Python code, with where it is used."""
    found: dict[str, str] = {}
    sources = [
        # Same trimming as the environments in `render.build_environment`.
        (WEB / "templates", [("**.html", "jinja2.ext:babel_extract")]),
        (WEB / "routes", [("**.py", "python")]),
        (WEB, [("*.py", "python")]),
    ]
    options = {"**.html": {"trimmed": "true", "extensions": "jinja2.ext.i18n"}}
    for folder, method_map in sources:
        for filename, lineno, message, _, _ in extract_from_dir(
            str(folder), method_map, options_map=options
        ):
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid:
                    found.setdefault(msgid, f"{folder.name}/{filename}:{lineno}")
    return found


def test_every_message_in_the_web_ui_has_a_chinese_translation() -> None:
    catalogue = merged_catalogue(CHINESE)
    used = used_msgids()
    assert len(used) > 50
    missing = [f"{where}: {msgid!r}" for msgid, where in used.items() if msgid not in catalogue]
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_translations_keep_the_placeholders_and_use_traditional_script() -> None:
    for message in merged_catalogue(CHINESE):
        if not message.id:
            continue
        assert isinstance(message.id, str) and isinstance(message.string, str)
        wanted = sorted(_PLACEHOLDER.findall(message.id))
        assert sorted(_PLACEHOLDER.findall(message.string)) == wanted, message.id
        assert not simplified_only_chars(message.string), (message.id, message.string)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-HK,zh;q=0.9,en;q=0.8", CHINESE),
        ("en-GB,en;q=0.9,zh-HK;q=0.8", ENGLISH),
        ("fr-FR, zh-TW;q=0.5", CHINESE),
        ("en;q=0.2, zh-Hant;q=0.9", CHINESE),
        ("yue-HK", CHINESE),
        ("fr-FR, de;q=0.5", None),
        ("zh-HK;q=0, en", ENGLISH),
        ("", None),
    ],
)
def test_the_browser_language_is_read_from_accept_language(
    header: str, expected: str | None
) -> None:
    assert from_accept_language(header) == expected


def test_the_stored_choice_wins_then_the_cookie_then_the_browser() -> None:
    assert choose_language(CHINESE, ENGLISH, "en") == CHINESE
    assert choose_language(None, CHINESE, "en") == CHINESE
    assert choose_language(None, "klingon", "zh-HK") == CHINESE
    assert choose_language(None, None, None) == ENGLISH


def test_texts_get_a_lang_attribute_by_their_language() -> None:
    assert text_lang("The library opens at nine o'clock every morning.") == "en"
    assert text_lang("圖書館每日上午九時開放。") == "zh-Hant-HK"
    assert text_lang("图书馆每日上午九时开放。") == "zh-Hans"
    assert text_lang("12345") == ""


@pytest.mark.anyio
async def test_a_chinese_browser_gets_the_login_page_in_chinese(platform: Platform) -> None:
    async with browser(platform, **{"Accept-Language": "zh-HK,zh;q=0.9"}) as client:
        page = await client.get("/login")
    assert '<html lang="zh-Hant-HK">' in page.text
    assert "電郵地址" in page.text
    assert "<title>登入 · govpilot</title>" in page.text
    assert 'lang="en">English</button>' in page.text  # the switch names the other language


@pytest.mark.anyio
async def test_the_language_switch_works_before_signing_in(
    anonymous: httpx.AsyncClient,
) -> None:
    token = csrf_token((await anonymous.get("/login")).text)
    response = await anonymous.post(
        "/language", data={"language": "zh-Hant", "next": "/login", "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert anonymous.cookies[LANGUAGE_COOKIE] == "zh-Hant"
    assert "登入" in (await anonymous.get("/login")).text


@pytest.mark.anyio
async def test_the_language_switch_is_remembered_for_the_user(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    assert "<h1>Copilot</h1>" in (await officer.get("/copilot")).text
    token = await page_token(officer)
    response = await officer.post(
        "/language", data={"language": "zh-Hant", "next": "/copilot", "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/copilot"
    page = await officer.get("/copilot")
    assert '<html lang="zh-Hant-HK">' in page.text
    assert "<h1>文書助理</h1>" in page.text
    assert platform.accounts.user(SETUP_CONTEXT, OFFICER).language == "zh-Hant"

    # Another browser, with no cookie and an English Accept-Language, still gets Chinese.
    async with browser(platform, **{"Accept-Language": "en-GB"}) as elsewhere:
        await sign_in(elsewhere, OFFICER)
        assert "<h1>文書助理</h1>" in (await elsewhere.get("/copilot")).text


@pytest.mark.anyio
async def test_the_language_form_without_its_csrf_token_is_refused(
    officer: httpx.AsyncClient, anonymous: httpx.AsyncClient, platform: Platform
) -> None:
    response = await officer.post("/language", data={"language": "zh-Hant"})
    assert response.status_code == 403
    assert platform.accounts.user(SETUP_CONTEXT, OFFICER).language == "en"
    await anonymous.get("/login")
    refused = await anonymous.post("/language", data={"language": "zh-Hant"})
    assert refused.status_code == 403


@pytest.mark.anyio
async def test_an_unknown_language_is_refused_with_a_page(officer: httpx.AsyncClient) -> None:
    token = await page_token(officer)
    response = await officer.post("/language", data={"language": "fr", "csrf_token": token})
    assert response.status_code == 400
    assert "That language is not available." in response.text
