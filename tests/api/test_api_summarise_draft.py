"""POST /api/v1/summarise[/files], /api/v1/draft[/files] and GET /api/v1/templates."""

from __future__ import annotations

import io

import docx
import httpx
import pytest
from api_support import api_events

from govpilot.backends.fake import ScriptedModel
from govpilot.platform import Platform

pytestmark = pytest.mark.anyio

TEXTS = [
    "The department will extend library opening hours from April.",
    "A public consultation on the change runs until the end of March.",
]


async def test_summarise_texts_gives_points_with_references(
    client: httpx.AsyncClient, platform: Platform
) -> None:
    response = await client.post("/api/v1/summarise", json={"texts": TEXTS, "words": 60})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["lang"] == "en" and body["model_ids"] == ["fake:fake"]
    first, second = body["points"]
    assert first["references"][0]["number"] == 1
    assert first["references"][0]["document"] == "text 1"
    assert second["references"][0]["text"] == TEXTS[1]
    events = api_events(platform)
    assert [(e.action, e.channel) for e in events] == [("summarise", "api")]


async def test_summarise_needs_at_least_one_text(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/summarise", json={"texts": []})
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "RequestValidationError"


async def test_summarise_files_as_json_cites_the_file_names(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/summarise/files",
        files=[
            ("files", ("hours.txt", TEXTS[0].encode(), "text/plain")),
            ("files", ("consultation.md", TEXTS[1].encode(), "text/markdown")),
        ],
        data={"lang": "en", "words": "60"},
    )
    assert response.status_code == 200, response.text
    points = response.json()["points"]
    assert [p["references"][0]["document"] for p in points] == ["hours.txt", "consultation.md"]


async def test_summarise_files_as_a_word_document(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/summarise/files",
        files=[("files", ("hours.txt", TEXTS[0].encode(), "text/plain"))],
        data={"format": "docx"},
    )
    assert response.status_code == 200, response.text
    assert 'filename="summary.en.docx"' in response.headers["content-disposition"]
    word = docx.Document(io.BytesIO(response.content))
    assert any("library opening hours" in p.text for p in word.paragraphs)


async def test_templates_are_listed_by_name_and_language(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/templates")
    assert response.status_code == 200
    templates = response.json()["templates"]
    assert {"name", "lang", "title", "description"} == set(templates[0])
    assert {(t["name"], t["lang"]) for t in templates} >= {("memo", "en"), ("memo", "zh-Hant")}


async def test_draft_follows_the_template(
    client: httpx.AsyncClient, platform: Platform, fake_model: ScriptedModel
) -> None:
    response = await client.post(
        "/api/v1/draft",
        json={
            "template": "memo",
            "instructions": "Tell sections that library hours are extended.",
            "references": ["Opening hours will be 9 am to 9 pm from April."],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["template"] == "memo" and body["lang"] == "en"
    assert body["model_id"] == "fake:fake"
    assert "To extend library opening hours." in body["text"]
    assert "9 am to 9 pm" in fake_model.calls[0].prompt
    (event,) = api_events(platform)
    assert (event.action, event.channel) == ("draft", "api")


async def test_draft_with_an_unknown_template_is_404_with_the_known_ones(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/draft", json={"template": "sonnet", "instructions": "Write one."}
    )
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["type"] == "NotFound" and "memo" in error["hint"]


async def test_draft_with_reference_files_as_markdown(
    client: httpx.AsyncClient, fake_model: ScriptedModel
) -> None:
    response = await client.post(
        "/api/v1/draft/files",
        data={"template": "memo", "instructions": "Announce the new hours.", "format": "md"},
        files=[("references", ("hours.txt", b"New hours: 9 am to 9 pm.", "text/plain"))],
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/markdown")
    assert 'filename="memo.en.md"' in response.headers["content-disposition"]
    assert "## Purpose" in response.text
    assert "9 am to 9 pm" in fake_model.calls[0].prompt
