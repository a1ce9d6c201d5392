"""/redact: paste a text, get it redacted with a table of types and counts; the audit event
holds counts only, never the values; auditors may not use it; forms need the CSRF field."""

from __future__ import annotations

import html
import json
import re

import httpx
import pytest
from web_support import AUDITOR, PASSWORD, browser, page_token, sign_in

from govpilot.access import Role
from govpilot.platform import Platform
from govpilot.privacy.testing import SAMPLE_HKID, SAMPLE_PHONE
from govpilot.testing import SETUP_CONTEXT

pytestmark = pytest.mark.anyio

TEXT = f"Mr Chan Tai Man (HKID {SAMPLE_HKID}) called from {SAMPLE_PHONE} and {SAMPLE_PHONE}."


async def redact(client: httpx.AsyncClient, **form: object) -> httpx.Response:
    token = await page_token(client, "/redact")
    return await client.post("/redact", data={**form, "csrf_token": token})


def found_table(page: str) -> dict[str, int]:
    table = page.split('id="found-heading"', 1)[1].split("</table>", 1)[0]
    return {
        html.unescape(name): int(n)
        for name, n in re.findall(r'row">([^<]+)</th><td>(\d+)</td>', table)
    }


async def test_text_is_redacted_with_a_table_of_types_and_counts(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    page = await officer.get("/redact")
    assert page.status_code == 200
    assert re.search(r'<label for="text">', page.text) and 'name="csrf_token"' in page.text
    response = await redact(officer, text=TEXT, operator="placeholder")
    assert response.status_code == 200
    result = response.text.split('id="redacted"', 1)[1].split("</textarea>", 1)[0]
    assert "[HKID]" in result and "[PHONE]" in result and "[PERSON]" in result
    assert SAMPLE_HKID not in result and SAMPLE_PHONE not in result
    assert found_table(response.text) == {
        "HK Identity Card number": 1,
        "Phone number": 2,
        "Person's name": 1,
    }
    event = platform.audit.events(limit=1, action="redact")[0]
    assert event.redactions == {"HKID": 1, "PHONE": 2, "PERSON": 1}
    assert event.channel == "web"
    stored = json.dumps(event.as_dict(), ensure_ascii=False)
    for value in (SAMPLE_HKID, SAMPLE_PHONE, "Chan Tai Man"):
        assert value not in stored


async def test_types_and_operator_are_honoured(officer: httpx.AsyncClient) -> None:
    response = await redact(officer, text=TEXT, operator="mask", types=["PHONE"])
    result = response.text.split('id="redacted"', 1)[1].split("</textarea>", 1)[0]
    assert SAMPLE_HKID in result and SAMPLE_PHONE not in result and "*" in result
    assert found_table(response.text) == {"Phone number": 2}
    assert 'value="PHONE" checked' in response.text


async def test_nothing_found_and_empty_text(officer: httpx.AsyncClient) -> None:
    clean = await redact(officer, text="The library opens at ten.")
    assert "No personal data was found." in clean.text
    empty = await redact(officer, text="   ")
    assert empty.status_code == 400 and 'role="alert"' in empty.text


async def test_the_page_in_chinese_names_the_types_in_chinese(platform: Platform) -> None:
    platform.accounts.create_user(
        SETUP_CONTEXT,
        "ho@had.gov.hk",
        department="HAD",
        role=Role.OFFICER,
        password=PASSWORD,
        language="zh-Hant",
    )
    async with browser(platform) as client:
        assert (await sign_in(client, "ho@had.gov.hk")).status_code == 303
        response = await redact(client, text=f"陳大文 {SAMPLE_PHONE}")
        assert '<html lang="zh-Hant-HK">' in response.text
        assert "遮蓋個人資料" in response.text
        assert found_table(response.text) == {"電話號碼": 1, "人名": 1}


async def test_auditors_may_not_redact(platform: Platform) -> None:
    async with browser(platform) as client:
        assert (await sign_in(client, AUDITOR)).status_code == 303
        assert (await client.get("/redact")).status_code == 403
        token = await page_token(client, "/audit")
        response = await client.post("/redact", data={"text": TEXT, "csrf_token": token})
        assert response.status_code == 403
        assert 'href="/redact"' not in (await client.get("/audit")).text
    assert platform.audit.events(action="redact") == []


async def test_a_form_without_the_csrf_field_is_refused(
    officer: httpx.AsyncClient, platform: Platform
) -> None:
    response = await officer.post("/redact", data={"text": TEXT})
    assert response.status_code == 403
    assert SAMPLE_HKID not in response.text
    assert platform.audit.events(action="redact") == []
