"""Uploads: unsupported and damaged files, and the size limits, for every upload route."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from api_support import UPLOAD_LIMIT_MB, api_events

from govpilot.backends.fake import ScriptedModel
from govpilot.platform import Platform
from support.zip_bombs import MB, docx_bomb

pytestmark = pytest.mark.anyio

LIMIT_BYTES = int(UPLOAD_LIMIT_MB * 1024 * 1024)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def assert_nothing_happened(platform: Platform, fake_model: ScriptedModel) -> None:
    assert fake_model.calls == []
    assert api_events(platform) == []


async def test_a_program_is_refused_as_unsupported_with_a_hint(
    client: httpx.AsyncClient, platform: Platform, fake_model: ScriptedModel
) -> None:
    response = await client.post(
        "/api/v1/translate/file",
        files={"file": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64, "application/octet-stream")},
        data={"target": "zh-Hant"},
    )
    assert response.status_code == 415
    error = response.json()["error"]
    assert error["type"] == "UnsupportedFileType"
    assert ".exe" in error["message"] and error["hint"]
    assert_nothing_happened(platform, fake_model)


async def test_a_damaged_pdf_is_422(
    client: httpx.AsyncClient, platform: Platform, fake_model: ScriptedModel
) -> None:
    response = await client.post(
        "/api/v1/translate/file",
        files={"file": ("paper.pdf", b"%PDF-1.7\n1 0 obj <<garbage", "application/pdf")},
        data={"target": "en"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "CorruptDocument"
    assert_nothing_happened(platform, fake_model)


async def test_a_file_just_over_the_limit_is_413_naming_the_limit(
    client: httpx.AsyncClient, platform: Platform, fake_model: ScriptedModel
) -> None:
    response = await client.post(
        "/api/v1/translate/file",
        files={"file": ("big.txt", b"a" * (LIMIT_BYTES + 1), "text/plain")},
        data={"target": "zh-Hant"},
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["type"] == "InputTooLarge"
    assert error["message"] == "'big.txt' is over the 0.05 MB upload limit"
    assert_nothing_happened(platform, fake_model)


async def test_a_file_at_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    content = b"The library opens at nine.".ljust(LIMIT_BYTES, b" ")
    response = await client.post(
        "/api/v1/summarise/files", files={"files": ("exact.txt", content, "text/plain")}
    )
    assert response.status_code == 200, response.text


async def test_a_declared_content_length_over_the_limit_is_refused_before_reading(
    client: httpx.AsyncClient, platform: Platform, fake_model: ScriptedModel
) -> None:
    response = await client.post(
        "/api/v1/translate/file",
        files={"file": ("huge.txt", b"a" * 400_000, "text/plain")},
        data={"target": "zh-Hant"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "the request is over the 0.05 MB limit"
    assert_nothing_happened(platform, fake_model)


async def test_a_chunked_body_is_cut_off_at_the_limit(
    client: httpx.AsyncClient, platform: Platform, fake_model: ScriptedModel
) -> None:
    request = client.build_request(
        "POST",
        "/api/v1/translate/file",
        files={"file": ("huge.txt", b"a" * 400_000, "text/plain")},
        data={"target": "zh-Hant"},
    )
    body = request.read()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    response = await client.post(
        "/api/v1/translate/file",
        content=chunks(),
        headers={"Content-Type": request.headers["Content-Type"]},
    )
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "the request is over the 0.05 MB limit"
    assert_nothing_happened(platform, fake_model)


async def test_text_extracted_from_a_file_is_held_to_the_character_limit(
    client: httpx.AsyncClient, fake_model: ScriptedModel
) -> None:
    response = await client.post(
        "/api/v1/translate/file",
        files={"file": ("long.txt", b"word " * 2000, "text/plain")},
        data={"target": "zh-Hant"},
    )
    assert response.status_code == 413
    assert "characters" in response.json()["error"]["message"]
    assert fake_model.calls == []


async def test_an_empty_file_is_4xx(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/translate/file",
        files={"file": ("empty.txt", b"  \n", "text/plain")},
        data={"target": "zh-Hant"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "EmptyDocument"


async def test_every_file_of_a_summary_is_checked(
    client: httpx.AsyncClient, platform: Platform, fake_model: ScriptedModel
) -> None:
    response = await client.post(
        "/api/v1/summarise/files",
        files=[
            ("files", ("a.txt", b"The library opens at nine.", "text/plain")),
            ("files", ("b.xlsx", b"PK\x03\x04", "application/octet-stream")),
        ],
    )
    assert response.status_code == 415
    assert "Spreadsheets" in response.json()["error"]["hint"]
    assert_nothing_happened(platform, fake_model)


async def test_reference_files_of_a_draft_are_checked(
    client: httpx.AsyncClient, platform: Platform, fake_model: ScriptedModel
) -> None:
    response = await client.post(
        "/api/v1/draft/files",
        data={"template": "memo", "instructions": "Ask sections for their opening hours."},
        files={"references": ("ref.txt", b"a" * (LIMIT_BYTES + 1), "text/plain")},
    )
    assert response.status_code == 413
    assert_nothing_happened(platform, fake_model)


async def test_a_zip_bomb_is_413_too_large_when_unpacked(
    client: httpx.AsyncClient, platform: Platform, fake_model: ScriptedModel
) -> None:
    """A small upload that unpacks to far more than `max_unpacked_mb`: refused, not parsed."""
    platform.settings.max_unpacked_mb = 5
    bomb = docx_bomb(15 * MB)
    assert len(bomb) < LIMIT_BYTES
    response = await client.post(
        "/api/v1/translate/file",
        files={"file": ("notice.docx", bomb, DOCX)},
        data={"target": "zh-Hant"},
    )
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["type"] == "InputTooLarge"
    # 15 MB of text plus the package's other parts (styles, theme, ...)
    assert re.fullmatch(
        r"'notice\.docx' is too large when unpacked: 1[56] MB, over the 5 MB limit\.",
        error["message"],
    )
    assert "max_unpacked_mb" in error["hint"]
    assert_nothing_happened(platform, fake_model)
