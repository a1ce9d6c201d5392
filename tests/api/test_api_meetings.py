"""/api/v1/meetings: upload, follow, correct, write and approve minutes, download; with a
scripted recogniser and model and the real job runtime."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from api_support import app_client

from govpilot.backends.fake import ScriptedModel
from govpilot.backends.speech import ScriptedRecogniser, SpeechSegment
from govpilot.platform import Platform
from support.audio_support import wav_bytes

pytestmark = pytest.mark.anyio
SAID = [
    SpeechSegment(0.2, 2.0, "Good morning, let us start.", "en", 0.9, "Speaker 1"),
    SpeechSegment(2.5, 4.5, "The library will open until nine from April.", "en", 0.9, "Speaker 2"),
]


def minutes_reply(messages: Any) -> str:
    return "TITLE: Opening hours [2]\n- The library will open until nine from April [2]"


@pytest.fixture
def meetings_platform(platform: Platform, fake_model: ScriptedModel) -> Platform:
    fake_model.respond_with(minutes_reply)
    platform.speech_recogniser = ScriptedRecogniser(SAID, language="en")
    platform.__dict__.pop("transcriber", None)
    platform.jobs = platform.new_job_service(workers=1).start()
    return platform


async def until(client: Any, url: str, key: str, value: str) -> dict[str, Any]:
    for _ in range(200):
        body: dict[str, Any] = (await client.get(url)).json()
        if body[key] == value:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"{key} never became {value}: {body}")


async def test_a_meeting_through_the_api(meetings_platform: Platform) -> None:
    async with app_client(meetings_platform, "o@had.gov.hk") as client:
        refused = await client.post(
            "/api/v1/meetings", files={"file": ("a.pdf", b"%PDF-1.7", "application/pdf")}
        )
        assert refused.status_code == 415
        sent = await client.post(
            "/api/v1/meetings",
            files={"file": ("library.wav", wav_bytes(5.0), "audio/wav")},
            data={"title": "Library committee", "language": "en"},
        )
        assert sent.status_code == 202, sent.text
        url = f"/api/v1/meetings/{sent.json()['id']}"
        body = await until(client, url, "status", "transcribed")
        assert [s["speaker"] for s in body["segments"]] == ["Speaker 1", "Speaker 2"]
        named = await client.patch(
            f"{url}/speakers",
            json={"label": "Speaker 2", "name": "Ms Lee", "version": body["version"]},
        )
        assert named.json()["segments"][1]["speaker"] == "Ms Lee"
        stale = await client.patch(
            f"{url}/segments/0", json={"text": "Morning.", "version": body["version"]}
        )
        assert stale.status_code == 409
        queued = await client.post(f"{url}/minutes", json={"template": "notes"})
        assert queued.status_code == 202 and queued.json()["minutes_status"] == "writing"
        drafted = await until(client, url, "minutes_status", "draft")
        [item] = drafted["minutes"]["items"]
        assert item["title"] == "Opening hours" and item["points"][0]["start"] == 2.5
        approved = await client.post(f"{url}/minutes/approve", json={"version": drafted["version"]})
        assert approved.json()["minutes_status"] == "approved"
        vtt = await client.get(f"{url}/files/transcript.vtt")
        assert vtt.text.startswith("WEBVTT") and "<v Ms Lee>The library" in vtt.text
        unknown = await client.get(f"{url}/files/minutes.pdf")
        assert unknown.status_code == 400 and "transcript.srt" in unknown.text
        docx_file = await client.get(f"{url}/files/minutes.docx")
        assert docx_file.status_code == 200 and docx_file.content[:2] == b"PK"
        listed = (await client.get("/api/v1/meetings")).json()["meetings"]
        assert [m["title"] for m in listed] == ["Library committee"]
    async with app_client(meetings_platform, "p@had.gov.hk") as other:
        assert (await other.get(url)).status_code == 404
