"""/api/v1/consultations: import a file (and its refusals), analyse as a job, read the
counts and the analysis, review the themes with versions, push posts, download the
reports; another department's callers find nothing. A scripted model, a hashing embedder,
a tiny sentiment model and the real job runtime."""

from __future__ import annotations

import io
from typing import Any

import docx
import httpx
import openpyxl
import pytest
from api_support import app_client

from govpilot.access import Role
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.fake_embed import HashingEmbedder
from govpilot.platform import Platform
from support.opinion_support import QUESTION, consultation_csv, reply, tiny_sentiment

pytestmark = pytest.mark.anyio
URL = "/api/v1/consultations"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def opinion_platform(platform: Platform, fake_model: ScriptedModel) -> Platform:
    fake_model.respond_with(reply)
    embedder = HashingEmbedder()
    platform.opinion_embedder = embedder
    platform.opinion_sentiment = tiny_sentiment(embedder)
    platform.jobs = platform.new_job_service(workers=1).start()
    return platform


async def imported(client: httpx.AsyncClient, name: str = "Promenade") -> dict[str, Any]:
    sent = await client.post(
        URL,
        files={"file": ("promenade.csv", consultation_csv(), "text/csv")},
        data={"name": name},
    )
    assert sent.status_code == 201, sent.text
    body: dict[str, Any] = sent.json()
    return body


async def analysed(
    platform: Platform, client: httpx.AsyncClient, consultation_id: str
) -> dict[str, Any]:
    queued = await client.post(f"{URL}/{consultation_id}/analyse", json={"themes": 4})
    assert queued.status_code == 202, queued.text
    assert queued.json()["status"] == "queued"
    job = platform.job_service().wait(queued.json()["analysis_job_id"], timeout=60)
    assert job.status == "done", job
    body: dict[str, Any] = (await client.get(f"{URL}/{consultation_id}")).json()
    assert body["status"] == "analysed", body["error"]
    return body


async def test_files_that_cannot_be_used_are_refused(opinion_platform: Platform) -> None:
    async with app_client(opinion_platform) as client:
        missing = await client.post(
            URL, files={"file": ("x.csv", b"id,comment\n1,Open it all night.\n", "text/csv")}
        )
        assert missing.status_code == 400
        assert "'text'" in missing.json()["error"]["message"]
        assert "comment" in missing.json()["error"]["hint"]
        pdf = await client.post(URL, files={"file": ("x.pdf", b"%PDF-1.7", "application/pdf")})
        assert pdf.status_code == 415
        opinion_platform.settings.opinion.max_upload_mb = 0.0001  # about 100 bytes
        large = await client.post(URL, files={"file": ("x.csv", consultation_csv(), "text/csv")})
        assert large.status_code == 413 and "opinion.max_upload_mb" in large.text
        assert (await client.get(URL)).json() == {"consultations": []}


async def test_a_consultation_through_the_api(opinion_platform: Platform) -> None:
    async with app_client(opinion_platform) as client:
        created = await imported(client)
        assert created["status"] == "imported" and created["questions"] == []
        assert created["summary"]["responses"] == 18
        url = f"{URL}/{created['id']}"
        body = await analysed(opinion_platform, client, created["id"])
        [counts] = body["questions"]
        assert counts["question"] == QUESTION and counts["voices"] == 13
        assert counts["themes"] and counts["majority"] in ("support", "oppose")
        result = (await client.get(f"{url}/analysis")).json()
        assert result["consultation"] == "Promenade" and len(result["responses"]) == 18
        assert {"id", "label", "label_zh", "stance", "count", "question"} <= set(
            result["themes"][0]
        )
        assert {"id", "themes", "stance", "sentiment", "language", "campaign"} <= set(
            result["responses"][0]
        )
        themes = result["themes"]
        support = next(t for t in themes if t["stance"] == "support")
        oppose = next(t for t in themes if t["stance"] == "oppose")
        version = body["version"]
        renamed = await client.patch(
            f"{url}/themes/{support['id']}",
            json={"version": version, "title_en": "Night workers", "title_zh": "夜更工人"},
        )
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["version"] == version + 1
        titles = {t["id"]: t["title_en"] for t in renamed.json()["questions"][0]["themes"]}
        assert titles[support["id"]] == "Night workers"
        stale = await client.patch(
            f"{url}/themes/{support['id']}", json={"version": version, "title_en": "Stale"}
        )
        assert stale.status_code == 409
        version = renamed.json()["version"]
        across = await client.post(
            f"{url}/themes/{oppose['id']}/merge", json={"version": version, "into": support["id"]}
        )
        assert across.status_code == 400 and "one side" in across.text
        moved = await client.post(
            f"{url}/responses/R0/move",
            json={"version": version, "from_theme": None, "to_theme": support["id"]},
        )
        assert moved.status_code == 200, moved.text
        version = moved.json()["version"]
        deleted = await client.delete(f"{url}/themes/{oppose['id']}", params={"version": version})
        assert deleted.status_code == 200, deleted.text
        gone = (await client.get(f"{url}/analysis")).json()
        assert oppose["id"] not in {t["id"] for t in gone["themes"]}
        listed = (await client.get(URL)).json()["consultations"]
        assert [(c["id"], c["name"], c["responses"]) for c in listed] == [
            (created["id"], "Promenade", 18)
        ]


async def test_reports_download_as_word_and_excel(opinion_platform: Platform) -> None:
    async with app_client(opinion_platform) as client:
        created = await imported(client)
        url = f"{URL}/{created['id']}"
        early = await client.get(f"{url}/report.docx")
        assert early.status_code == 409
        await analysed(opinion_platform, client, created["id"])
        word = await client.get(f"{url}/report.docx")
        assert word.status_code == 200 and word.headers["content-type"] == DOCX
        assert 'filename="Promenade.docx"' in word.headers["content-disposition"]
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
        assert "Majority view" in text
        excel = await client.get(f"{url}/report.xlsx")
        assert excel.status_code == 200 and excel.headers["content-type"] == XLSX
        book = openpyxl.load_workbook(io.BytesIO(excel.content))
        assert book["Responses"].max_row == 19
        assert (await client.get(f"{url}/report.pdf")).status_code == 422


async def test_posts_are_pushed_and_duplicates_reported(opinion_platform: Platform) -> None:
    async with app_client(opinion_platform) as client:
        created = await imported(client, "Social media")
        url = f"{URL}/{created['id']}"
        posts = [
            {"id": "R0", "text": "Open it all night!", "question": QUESTION},
            {"id": "P1", "text": "Support, it is great for night runners.", "source": "lihkg"},
            {"id": 2, "text": "反對，太嘈。", "question": QUESTION, "date": "2026-03-02"},
            {"id": "P3", "text": "   "},
        ]
        pushed = await client.post(f"{url}/posts", json={"posts": posts})
        assert pushed.status_code == 200, pushed.text
        body = pushed.json()
        assert body["added"] == 2
        reasons = {p["id"]: p["reason"] for p in body["problems"]}
        assert set(reasons) == {"R0", "P3"} and "already" in reasons["R0"]
        shown = (await client.get(url)).json()
        assert shown["summary"]["responses"] == 20
        assert shown["summary"]["questions"] == [QUESTION, ""]
        empty = await client.post(f"{url}/posts", json={"posts": []})
        assert empty.status_code == 400
        many = [{"id": str(i), "text": "x"} for i in range(10_001)]
        assert (await client.post(f"{url}/posts", json={"posts": many})).status_code == 422
        assert (await client.delete(url)).status_code == 204
        assert (await client.get(url)).status_code == 404


async def test_another_department_finds_nothing(opinion_platform: Platform) -> None:
    async with app_client(opinion_platform) as client:
        created = await imported(client)
        body = await analysed(opinion_platform, client, created["id"])
    theme = body["questions"][0]["themes"][0]["id"]
    url = f"{URL}/{created['id']}"
    version = body["version"]
    async with app_client(
        opinion_platform, "admin@ld.gov.hk", role=Role.DEPARTMENT_ADMIN, department="LD"
    ) as other:
        for method, path, json in [
            ("GET", url, None),
            ("GET", f"{url}/analysis", None),
            ("GET", f"{url}/report.docx", None),
            ("POST", f"{url}/analyse", {"resume": False}),
            ("POST", f"{url}/posts", {"posts": [{"id": "Z", "text": "Hello"}]}),
            ("PATCH", f"{url}/themes/{theme}", {"version": version, "title_en": "Mine"}),
            ("POST", f"{url}/themes/{theme}/split", {"version": version}),
            ("DELETE", f"{url}/themes/{theme}?version={version}", None),
            ("POST", f"{url}/responses/R0/move", {"version": version, "to_theme": theme}),
            ("DELETE", url, None),
        ]:
            answer = await other.request(method, path, json=json)
            assert answer.status_code == 404, (method, path, answer.status_code)
        assert (await other.get(URL)).json() == {"consultations": []}
    async with app_client(opinion_platform, "lee.km@had.gov.hk") as colleague:
        shown = await colleague.get(url)
        assert shown.status_code == 200 and shown.json()["version"] == version
