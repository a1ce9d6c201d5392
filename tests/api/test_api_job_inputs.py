"""Each API job's input is kept as a `job_inputs` record, redacted per the department's policy."""

from __future__ import annotations

import httpx
import pytest

from govpilot.platform import Platform
from govpilot.privacy.stored_text import Subject

pytestmark = pytest.mark.anyio

PERSONAL = "Chan Tai Man (A123456(3)) asks when the library opens."


async def test_translate_input_is_stored_redacted(
    client: httpx.AsyncClient, platform: Platform
) -> None:
    response = await client.post("/api/v1/translate", json={"text": PERSONAL, "target": "zh-Hant"})
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"text", "report"}
    (record,) = platform.records.list()
    assert record.data_class == "job_inputs"
    assert (record.owner, record.department) == ("chan.tm@had.gov.hk", "HAD")
    assert record.content == "[PERSON] ([HKID]) asks when the library opens."
    assert record.metadata["capability"] == "translate"
    assert record.metadata["target"] == "zh-Hant" and record.metadata["channel"] == "api"
    subject = Subject("HKID", platform.storage_redactor.subject_hash("HKID", "a1234563"))
    assert [r.id for r in platform.records.find_by_subjects([subject])] == [record.id]


async def test_summarise_draft_and_file_inputs_are_stored(
    client: httpx.AsyncClient, platform: Platform
) -> None:
    summary = await client.post("/api/v1/summarise", json={"texts": [PERSONAL, "Second."]})
    assert summary.status_code == 200, summary.text
    draft = await client.post(
        "/api/v1/draft",
        json={"template": "memo", "instructions": "Reply to Chan Tai Man.", "references": []},
    )
    assert draft.status_code == 200, draft.text
    upload = await client.post(
        "/api/v1/translate/file",
        files={"file": ("Chan Tai Man.txt", PERSONAL.encode(), "text/plain")},
        data={"target": "zh-Hant"},
    )
    assert upload.status_code == 200, upload.text
    records = platform.records.list()
    assert [r.metadata["capability"] for r in records] == ["translate", "draft", "summarise"]
    file_input, draft_input, summary_input = records
    assert file_input.title == "[PERSON].txt"
    assert file_input.content.startswith("[PERSON] ([HKID])")
    assert (draft_input.title, draft_input.content) == ("memo", "Reply to [PERSON].")
    assert summary_input.metadata["parts"] == 2
    assert all("Chan" not in r.content + r.title for r in records)
