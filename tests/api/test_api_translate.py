"""POST /api/v1/translate (JSON and SSE) and /api/v1/translate/file."""

from __future__ import annotations

import io
import json

import docx
import httpx
import pytest
from api_support import ZH_HK, api_events, json_events, sse_events

from govpilot.backends.fake import ScriptedModel
from govpilot.platform import Platform
from govpilot.server import create_app

pytestmark = pytest.mark.anyio

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def make_docx() -> bytes:
    word = docx.Document()
    word.add_heading("Library opening hours", level=1)
    word.add_paragraph("The department will extend opening hours.")
    word.add_paragraph("A public consultation runs until March.")
    table = word.add_table(rows=2, cols=2)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"Cell {r}-{c} text"
    word.add_paragraph("Comments are welcome.")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


async def test_translate_json_returns_hong_kong_traditional_and_a_report(
    client: httpx.AsyncClient, platform: Platform
) -> None:
    response = await client.post(
        "/api/v1/translate", json={"text": "The library opens at nine.", "target": "zh-Hant"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["text"] == ZH_HK
    assert body["report"]["target"] == "zh-Hant"
    assert body["report"]["model_ids"] == ["fake:fake"]
    (event,) = api_events(platform)
    assert (event.action, event.channel, event.outcome) == ("translate", "api", "ok")
    assert (event.actor, event.department) == ("chan.tm@had.gov.hk", "HAD")


async def test_a_caller_without_credentials_is_401_and_nothing_runs(
    platform: Platform, fake_model: ScriptedModel
) -> None:
    # The old identity headers name nobody: without a key or a session there is no caller.
    transport = httpx.ASGITransport(app=create_app(platform))
    async with httpx.AsyncClient(transport=transport, base_url="http://govpilot.test") as c:
        response = await c.post(
            "/api/v1/translate",
            json={"text": "Hello there.", "target": "zh-Hant"},
            headers={"X-Govpilot-User": "someone", "X-Govpilot-Department": "DPO"},
        )
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "NotAuthenticated"
    assert fake_model.calls == [] and api_events(platform) == []


async def test_empty_text_is_refused_without_calling_a_model(
    client: httpx.AsyncClient, fake_model: ScriptedModel
) -> None:
    response = await client.post("/api/v1/translate", json={"text": "  \n ", "target": "en"})
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "EmptyDocument"
    assert fake_model.calls == []


async def test_unknown_target_is_a_validation_error_in_govpilot_shape(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/v1/translate", json={"text": "Hello", "target": "fr"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "RequestValidationError"
    assert "target" in error["message"] and error["hint"]
    assert "Hello" not in response.text  # the input is never echoed back


async def test_text_over_the_character_limit_is_413(
    client: httpx.AsyncClient, fake_model: ScriptedModel
) -> None:
    response = await client.post(
        "/api/v1/translate", json={"text": "a" * 5001, "target": "zh-Hant"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "InputTooLarge"
    assert fake_model.calls == []


async def test_stream_sends_progress_then_the_result(client: httpx.AsyncClient) -> None:
    text = "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."
    response = await client.post(
        "/api/v1/translate", json={"text": text, "target": "zh-Hant", "stream": True}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    names = [event for event, _ in sse_events(response.text)]
    assert names == ["progress", "progress", "progress", "result"]
    progress = json_events(response.text, "progress")
    assert progress[-1] == {"done": 3, "total": 3}
    (result,) = json_events(response.text, "result")
    assert result["text"] == "\n\n".join([ZH_HK] * 3)


async def test_stream_with_an_unknown_model_fails_before_streaming(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/translate",
        json={"text": "Hello.", "target": "zh-Hant", "stream": True, "model": "nope"},
    )
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "NotFound"


async def test_stream_reports_a_model_failure_as_an_error_event(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/translate",
        json={"text": "Hello.", "target": "zh-Hant", "stream": True, "model": "down"},
    )
    assert response.status_code == 200
    (error,) = json_events(response.text, "error")
    assert error["error"]["type"] == "ModelUnavailable"


async def test_model_unavailable_is_503_with_a_hint(
    client: httpx.AsyncClient, platform: Platform
) -> None:
    response = await client.post(
        "/api/v1/translate", json={"text": "Hello.", "target": "zh-Hant", "model": "down"}
    )
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["type"] == "ModelUnavailable" and error["hint"]
    (event,) = api_events(platform)
    assert (event.outcome, event.channel, event.model_name) == ("error", "api", "down")


async def test_translate_docx_keeps_paragraphs_and_tables(
    client: httpx.AsyncClient, platform: Platform
) -> None:
    source = make_docx()
    response = await client.post(
        "/api/v1/translate/file",
        files={"file": ("notice.docx", source, DOCX_TYPE)},
        data={"target": "zh-Hant"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == DOCX_TYPE
    assert 'filename="notice.zh-Hant.docx"' in response.headers["content-disposition"]
    original, translated = (
        docx.Document(io.BytesIO(source)),
        docx.Document(io.BytesIO(response.content)),
    )
    assert len(translated.paragraphs) == len(original.paragraphs)
    assert len(translated.tables) == len(original.tables) == 1
    assert translated.tables[0].cell(1, 1).text == ZH_HK
    assert translated.paragraphs[1].text == ZH_HK
    header = response.headers["x-govpilot-report"]
    assert header.isascii()
    assert json.loads(header)["target"] == "zh-Hant"
    events = api_events(platform)
    assert events and all(e.channel == "api" and e.action == "translate" for e in events)


async def test_translate_file_keeps_markdown_and_names_non_ascii_files(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/translate/file",
        files={
            "file": ("會議紀要.md", "# 會議紀要\n\n會議在上午九時開始。".encode(), "text/markdown")
        },
        data={"target": "en"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/markdown")
    disposition = response.headers["content-disposition"]
    assert "filename*=UTF-8''%E6%9C%83%E8%AD%B0%E7%B4%80%E8%A6%81.en.md" in disposition
    assert "This is the government's test sentence." in response.text


async def test_translate_file_in_a_chosen_format(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/translate/file",
        files={"file": ("notice.docx", make_docx(), DOCX_TYPE)},
        data={"target": "zh-Hant", "format": "txt"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert 'filename="notice.zh-Hant.txt"' in response.headers["content-disposition"]
    assert ZH_HK in response.text
