"""/meetings: upload a recording, follow it, name the speakers, correct the transcript,
write the minutes, jump from a point to its moment in the player, approve, download."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from browser_support import ARTIFACTS, chromium, serve
from web_support import OFFICER, PASSWORD, browser, page_token, sign_in

from govpilot.backends.fake import ScriptedModel
from govpilot.backends.speech import ScriptedRecogniser, SpeechSegment
from govpilot.config import AuthSettings
from govpilot.platform import Platform
from govpilot.testing import add_user, fake_settings, make_test_platform
from support.audio_support import wav_bytes

SAID = [
    SpeechSegment(0.2, 2.0, "各位早晨，我哋開始開會", "zh", 0.9, "Speaker 1"),
    SpeechSegment(2.5, 4.5, "第一項係圖書館開放時間", "zh", 0.9, "Speaker 2"),
    SpeechSegment(5.0, 7.5, "我建議四月起延長到晚上九點", "zh", 0.9, "Speaker 1"),
]


def minutes_reply(messages: Any) -> str:
    return (
        "TITLE: 圖書館開放時間 [2]\n- 建議由四月起延長開放至晚上九時 [3]\n"
        "ACTION: 擬備通告 | OWNER: 秘書 | DUE: 三月底 [3]"
    )


@pytest.fixture
def served_platform(tmp_path: Path) -> Iterator[Platform]:
    settings = fake_settings(tmp_path, department="HAD", auth=AuthSettings(secure_cookies=False))
    model = ScriptedModel(name="fake", responder=minutes_reply)
    platform = make_test_platform(settings, models=[model])
    platform.speech_recogniser = ScriptedRecogniser(SAID, language="zh")
    platform.jobs = platform.new_job_service(workers=1).start()
    add_user(platform, OFFICER, department="HAD", password=PASSWORD)
    try:
        yield platform
    finally:
        platform.shutdown()
        platform.database.dispose()


def test_an_officer_turns_a_recording_into_approved_minutes_in_chromium(
    served_platform: Platform, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    recording = tmp_path / "library-meeting.wav"
    recording.write_bytes(wav_bytes(8.0))
    problems: list[str] = []
    with serve(served_platform) as base_url, chromium() as launched:
        context = launched.new_context(locale="en-GB", accept_downloads=True)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{base_url}/login")
        page.locator("#email").fill(OFFICER)
        page.locator("#password").fill(PASSWORD)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="Meetings", exact=True).click()
        page.get_by_label("Recording").set_input_files(str(recording))
        page.get_by_label("Title").fill("Library committee")
        page.get_by_label("Language spoken").select_option("yue")
        page.get_by_role("button", name="Transcribe").click()
        expect(page.locator("#segments > li")).to_have_count(3, timeout=20_000)
        expect(page.locator("#meeting-status")).to_have_text("Transcribed")
        # Two speaker names, each typed once.
        page.get_by_label("Speaker 1").fill("陳主席")
        page.locator("#speakers li").nth(0).get_by_role("button", name="Rename").click()
        expect(page.get_by_role("status")).to_have_text("The change is saved.")
        page.get_by_label("Speaker 2").fill("李秘書")
        page.locator("#speakers li").nth(1).get_by_role("button", name="Rename").click()
        expect(page.locator("#segments .speaker")).to_have_text(["陳主席", "李秘書", "陳主席"])
        # A correction of one segment's text.
        segment = page.locator("#seg-2")
        segment.get_by_text("Correct").click()
        segment.get_by_label("Text").fill("我建議由四月起延長到晚上九點")
        segment.get_by_role("button", name="Save").click()
        expect(page.locator("#seg-2 .said")).to_have_text("我建議由四月起延長到晚上九點")
        # The minutes, in written Chinese, each point with its moment.
        page.get_by_label("Written in").select_option("zh-Hant")
        page.get_by_role("button", name="Write the minutes").click()
        expect(page.locator("#minutes-form")).to_be_visible(timeout=20_000)
        point = page.locator("#point-0-0")
        expect(point.locator("a.seek")).to_have_text("[00:00:05-00:00:07]")
        point.locator("a.seek").click()
        page.wait_for_function("document.getElementById('player').currentTime >= 5")
        page.screenshot(path=str(ARTIFACTS / "meeting-minutes.png"), full_page=True)
        point.get_by_label("Point").fill("建議由四月起延長開放時間至晚上九時。")
        page.get_by_role("button", name="Save and approve").click()
        expect(page.get_by_role("status")).to_have_text("The minutes are approved.")
        expect(page.locator("#approved-by")).to_contain_text(OFFICER)
        with page.expect_download() as info:
            page.locator("#minutes-docx").click()
        saved = Path(info.value.path()).read_bytes()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(saved)).paragraphs)
    assert "建議由四月起延長開放時間至晚上九時。 [00:00:05-00:00:07]" in text
    assert "陳主席" in text and "李秘書" in text
    assert problems == [], problems


@pytest.mark.anyio
async def test_bad_uploads_and_stale_edits_get_plain_messages(
    served_platform: Platform,
) -> None:
    async with browser(served_platform) as client:
        assert (await sign_in(client, OFFICER)).status_code == 303
        token = await page_token(client, "/meetings")
        pdf = await client.post(
            "/meetings",
            data={"csrf_token": token},
            files={"file": ("agenda.pdf", b"%PDF-1.7", "application/pdf")},
        )
        assert pdf.status_code == 415 and "not an audio file" in pdf.text
        empty = await client.post("/meetings", data={"csrf_token": token})
        assert empty.status_code == 400 and "Choose a recording" in empty.text
        sent = await client.post(
            "/meetings",
            data={"csrf_token": token, "title": "Budget"},
            files={"file": ("budget.wav", wav_bytes(8.0), "audio/wav")},
        )
        assert sent.status_code == 303
        meeting_url = sent.headers["location"]
        meeting_id = meeting_url.rsplit("/", 1)[-1]
        meeting = served_platform.meetings.store.get(meeting_id)
        assert meeting is not None
        served_platform.job_service().wait(meeting.transcribe_job_id or "", timeout=20)
        page = await client.get(meeting_url)
        assert page.status_code == 200 and "各位早晨" in page.text
        job_page = await client.get(f"/jobs/{meeting.transcribe_job_id}")
        assert job_page.status_code == 303 and job_page.headers["location"] == meeting_url
        stale = await client.post(
            f"{meeting_url}/segments/0",
            data={"csrf_token": token, "version": "1", "text": "old page", "action": "save"},
        )
        assert stale.status_code == 409 and "changed meanwhile" in stale.text
        audio = await client.get(f"{meeting_url}/audio", headers={"Range": "bytes=0-99"})
        assert audio.status_code == 206 and len(audio.content) == 100
        srt = await client.get(f"{meeting_url}/download/transcript.srt")
        assert srt.status_code == 200 and "Speaker 1: 各位早晨" in srt.text
        missing = await client.get(f"{meeting_url}/download/minutes.docx")
        assert missing.status_code == 409
