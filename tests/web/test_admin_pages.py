"""/admin: users, API keys and settings of a department, driven in-process as a browser.

Department admins see only their own department's users and cannot make a platform
admin; officers and auditors get the 403 page; a new key's token shows once; forms without
the CSRF field are refused.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from web_support import AUDITOR, OFFICER, PASSWORD, browser, csrf_token, sign_in

from govpilot.access import Role
from govpilot.accounts.secrets import API_KEY_PREFIX
from govpilot.platform import Platform
from govpilot.testing import SETUP_CONTEXT, add_user

pytestmark = pytest.mark.anyio

ADMIN = "admin@had.gov.hk"
ROOT = "root@ogcio.gov.hk"
CHAN = "chan@had.gov.hk"
LEE = "lee@dpo.gov.hk"


@pytest.fixture(autouse=True)
def accounts(platform: Platform) -> None:
    """Besides web_support's accounts: a department admin and an officer of HAD, an officer
    of DPO, and a platform admin."""
    add_user(platform, ADMIN, department="HAD", role=Role.DEPARTMENT_ADMIN, password=PASSWORD)
    add_user(platform, CHAN, department="HAD", password=PASSWORD)
    add_user(platform, LEE, department="DPO", password=PASSWORD)
    add_user(platform, ROOT, department="OGCIO", role=Role.PLATFORM_ADMIN, password=PASSWORD)


@asynccontextmanager
async def signed_in(platform: Platform, email: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in as `email` through the login form."""
    async with browser(platform) as client:
        response = await sign_in(client, email)
        assert response.status_code == 303, response.text
        yield client


@pytest.fixture
async def admin(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_in(platform, ADMIN) as client:
        yield client


async def post_form(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    """POST a form as the browser would: with the CSRF token of the page it came from."""
    page = await client.get("/admin")
    return await client.post(path, data={**data, "csrf_token": csrf_token(page.text)})


def user_id(platform: Platform, email: str) -> str:
    return platform.accounts.user(SETUP_CONTEXT, email).id


async def test_department_admin_sees_only_own_department(admin: httpx.AsyncClient) -> None:
    page = await admin.get("/admin")
    assert page.status_code == 200
    assert CHAN in page.text and ADMIN in page.text
    assert LEE not in page.text
    # The role select offers what a department admin may give, nothing more.
    assert 'value="officer"' in page.text and 'value="department_admin"' in page.text
    assert 'value="platform_admin"' not in page.text and 'value="auditor"' not in page.text
    assert "/static/admin.css" in page.text
    assert (await admin.get("/static/admin.css")).status_code == 200
    other = await admin.get("/admin", params={"department": "DPO"})
    assert other.status_code == 403
    assert LEE not in other.text


async def test_department_admin_creates_officer_but_not_platform_admin(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    form = {"department": "HAD", "email": "ho@had.gov.hk", "role": "officer", "password": PASSWORD}
    response = await post_form(admin, "/admin/users", form)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin?department=HAD")
    assert platform.accounts.user(SETUP_CONTEXT, "ho@had.gov.hk").role == Role.OFFICER
    page = await admin.get(response.headers["location"])
    assert "ho@had.gov.hk" in page.text and "The user was created." in page.text

    refused = await post_form(
        admin, "/admin/users", {**form, "email": "boss@had.gov.hk", "role": "platform_admin"}
    )
    assert refused.status_code == 403
    assert platform.accounts.find_department("HAD") is not None
    promote = await post_form(
        admin,
        f"/admin/users/{user_id(platform, CHAN)}/role",
        {"role": "platform_admin"},
    )
    assert promote.status_code == 403
    assert platform.accounts.user(SETUP_CONTEXT, CHAN).role == Role.OFFICER
    elsewhere = await post_form(
        admin, "/admin/users", {**form, "department": "DPO", "email": "x@dpo.gov.hk"}
    )
    assert elsewhere.status_code == 403


async def test_bad_input_shows_the_form_again_with_the_problem(admin: httpx.AsyncClient) -> None:
    response = await post_form(
        admin, "/admin/users", {"department": "HAD", "email": "not-an-address", "role": "officer"}
    )
    assert response.status_code == 400
    assert "not an e-mail address" in response.text
    assert 'role="alert"' in response.text


async def test_disable_enable_unlock_and_change_role(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    chan = user_id(platform, CHAN)
    assert (await post_form(admin, f"/admin/users/{chan}/disable", {})).status_code == 303
    assert platform.accounts.user(SETUP_CONTEXT, chan).disabled
    assert (await post_form(admin, f"/admin/users/{chan}/enable", {})).status_code == 303
    assert not platform.accounts.user(SETUP_CONTEXT, chan).disabled
    assert (await post_form(admin, f"/admin/users/{chan}/unlock", {})).status_code == 303
    response = await post_form(admin, f"/admin/users/{chan}/role", {"role": "department_admin"})
    assert response.status_code == 303
    assert platform.accounts.user(SETUP_CONTEXT, chan).role == Role.DEPARTMENT_ADMIN
    lee = user_id(platform, LEE)
    # Another department's account: not found, so its existence is not confirmed either.
    assert (await post_form(admin, f"/admin/users/{lee}/disable", {})).status_code == 404
    assert not platform.accounts.user(SETUP_CONTEXT, lee).disabled


async def test_key_token_is_shown_once_and_never_again(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    chan = user_id(platform, CHAN)
    created = await post_form(
        admin, f"/admin/users/{chan}/keys", {"name": "case system", "days": "30"}
    )
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    token = re.search(f'value="({re.escape(API_KEY_PREFIX)}[^"]+)"', created.text)
    assert token, created.text
    assert "shown only this once" in created.text
    user, _ = platform.signin.user_for_key(token.group(1))
    assert user.email == CHAN

    listing = await admin.get(f"/admin/users/{chan}/keys")
    assert "case system" in listing.text
    assert token.group(1) not in listing.text
    key = platform.accounts.keys(SETUP_CONTEXT, chan)[0]
    assert key.prefix in listing.text
    for page in ("/admin", f"/admin/users/{chan}/keys"):
        assert token.group(1) not in (await admin.get(page)).text

    revoked = await post_form(admin, f"/admin/keys/{key.id}/revoke", {})
    assert revoked.status_code == 303
    assert platform.accounts.keys(SETUP_CONTEXT, chan)[0].revoked_at is not None
    assert "The key was revoked." in (await admin.get(revoked.headers["location"])).text


async def test_department_settings(admin: httpx.AsyncClient, platform: Platform) -> None:
    page = await admin.get("/admin")
    assert 'name="allowed_models" value="fake"' in page.text
    response = await post_form(
        admin,
        "/admin/departments/HAD",
        {
            "title_en": "Home Affairs Department",
            "title_zh": "民政事務總署",
            "allowed_models": "fake",
            "max_concurrent_jobs": "3",
            "requests_per_minute": "90",
        },
    )
    assert response.status_code == 303
    had = platform.accounts.department("HAD")
    assert (had.title_zh, had.allowed_models, had.max_concurrent_jobs, had.requests_per_minute) == (
        "民政事務總署",
        ("fake",),
        3,
        90,
    )
    page = await admin.get("/admin")
    assert '<span lang="zh-Hant-HK">民政事務總署</span>' in page.text
    assert (await post_form(admin, "/admin/departments/DPO", {"title_en": "x"})).status_code == 403
    bad = await post_form(admin, "/admin/departments/HAD", {"max_concurrent_jobs": "0"})
    assert bad.status_code == 400


async def test_platform_admin_sees_every_department_and_creates_one(platform: Platform) -> None:
    async with signed_in(platform, ROOT) as root:
        page = await root.get("/admin")
        for name in ("HAD", "DPO", "OGCIO", "LD"):
            assert f"/admin?department={name}" in page.text
        assert 'value="platform_admin"' in page.text
        dpo = await root.get("/admin", params={"department": "DPO"})
        assert LEE in dpo.text
        response = await root.post(
            "/admin/departments",
            data={
                "name": "LCSD",
                "title_en": "Leisure",
                "title_zh": "康文署",
                "csrf_token": csrf_token(page.text),
            },
        )
        assert response.status_code == 303
        assert platform.accounts.department("LCSD").title_zh == "康文署"


async def test_department_admin_cannot_create_a_department(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    page = await admin.get("/admin")
    assert 'action="/admin/departments"' not in page.text
    response = await post_form(admin, "/admin/departments", {"name": "EVIL"})
    assert response.status_code == 403
    assert platform.accounts.find_department("EVIL") is None


@pytest.mark.parametrize("email", [OFFICER, AUDITOR])
async def test_officers_and_auditors_get_403(platform: Platform, email: str) -> None:
    async with signed_in(platform, email) as client:
        page = await client.get("/admin")
        assert page.status_code == 403
        assert "text/html" in page.headers["content-type"]
        assert ADMIN not in page.text
        assert 'href="/admin"' not in page.text  # no link to a page they cannot open


async def test_forms_without_the_csrf_field_are_refused(
    admin: httpx.AsyncClient, platform: Platform
) -> None:
    form = {"department": "HAD", "email": "ho@had.gov.hk", "role": "officer", "password": PASSWORD}
    response = await admin.post("/admin/users", data=form)
    assert response.status_code == 403
    wrong = await admin.post("/admin/users", data={**form, "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert platform.accounts.find_department("HAD") is not None
    assert "ho@had.gov.hk" not in [u.email for u in platform.accounts.users(SETUP_CONTEXT, "HAD")]


async def test_signed_out_visitors_go_to_login(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/admin")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_the_page_speaks_traditional_chinese(platform: Platform) -> None:
    platform.accounts.create_user(
        SETUP_CONTEXT,
        "ho@had.gov.hk",
        department="HAD",
        role=Role.DEPARTMENT_ADMIN,
        password=PASSWORD,
        language="zh-Hant",
    )
    async with signed_in(platform, "ho@had.gov.hk") as client:
        page = await client.get("/admin")
        assert '<html lang="zh-Hant-HK">' in page.text
        for words in ("用戶", "新增用戶", "部門設定", "職員", "部門管理員"):
            assert words in page.text
        assert "Add a user" not in page.text
