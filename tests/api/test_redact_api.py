"""POST /api/v1/redact and /api/v1/redact/document, in-process over httpx, with audit events."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import docx
import pytest
from api_support import OFFICER, UPLOAD_LIMIT_MB, app_client
from fpdf import FPDF

from govpilot.access import Role
from govpilot.api.routers import privacy as privacy_router
from govpilot.config import Settings
from govpilot.documents import load_bytes
from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.testing import SAMPLE_HKID as HKID
from govpilot.privacy.testing import SAMPLE_PHONE as PHONE
from govpilot.privacy.testing import SAMPLE_VALUES as VALUES
from govpilot.privacy.testing import sample_letter_docx, sample_recognizer
from govpilot.testing import fake_settings

pytestmark = pytest.mark.anyio

TEXT_LIMIT = 20_000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """As conftest's, with a longer text limit; the `platform` and `client` are conftest's."""
    return fake_settings(
        tmp_path, department="HAD", max_upload_mb=UPLOAD_LIMIT_MB, max_text_chars=TEXT_LIMIT
    )


@pytest.fixture
def scripted_detector() -> PiiDetector:
    """Finds the SAMPLE_ values (score 0.9), names inside Chinese running text too."""
    return PiiDetector([sample_recognizer()])


def assert_no_values(text: str) -> None:
    for value in VALUES:
        assert value not in text


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def test_redact_text(client):
    text = f"陳大文的身份證是{HKID}，電話{PHONE}。"
    response = await client.post("/api/v1/redact", json={"text": text})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["text"] == "[PERSON]的身份證是[HKID]，電話[PHONE]。"
    assert [(e["type"], text[e["start"] : e["end"]]) for e in body["entities"]] == [
        ("PERSON", "陳大文"),
        ("HKID", HKID),
        ("PHONE", PHONE),
    ]
    assert body["entities"][0] == {"type": "PERSON", "start": 0, "end": 3, "score": 0.9}


async def test_redact_text_operator_and_types(client):
    text = f"陳大文 {HKID} 陳大文"
    body = {"text": text, "operator": "pseudonymise", "types": ["person"]}
    response = await client.post("/api/v1/redact", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["text"] == f"[PERSON_1] {HKID} [PERSON_1]"
    hashed = await client.post("/api/v1/redact", json={"text": text, "operator": "hash"})
    assert re.fullmatch(
        r"\[PERSON:\w{12}\] \[HKID:\w{12}\] \[PERSON:\w{12}\]", hashed.json()["text"]
    )


@pytest.mark.parametrize(
    "body",
    [
        {"text": "x", "operator": "shred"},
        {"text": "x", "types": ["SSN"]},
        {"text": "x", "types": []},
        {"operator": "mask"},
    ],
)
async def test_redact_text_refuses_bad_requests(client, body):
    response = await client.post("/api/v1/redact", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "RequestValidationError"


async def test_redact_text_over_the_limit(client):
    response = await client.post("/api/v1/redact", json={"text": "a" * (TEXT_LIMIT + 1)})
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "InputTooLarge"


async def test_redact_empty_text_is_fine(client):
    response = await client.post("/api/v1/redact", json={"text": ""})
    assert response.status_code == 200
    assert response.json() == {"text": "", "entities": []}


async def test_redact_document_returns_a_docx_and_its_report(client):
    files = {"file": ("letter.docx", sample_letter_docx(), DOCX)}
    response = await client.post("/api/v1/redact/document", files=files)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == DOCX
    assert 'filename="letter.redacted.docx"' in response.headers["content-disposition"]
    redacted = load_bytes(response.content, "letter.redacted.docx")
    assert [b.kind for b in redacted.blocks] == ["heading", "paragraph", "list_item", "table"]
    assert redacted.blocks[3].rows == (("Name", "Phone"), ("[PERSON]", "[PHONE]"))
    assert_no_values(redacted.text)
    report = json.loads(response.headers[privacy_router.REPORT_HEADER])
    assert report["counts"] == {"HKID": 1, "PHONE": 2, "EMAIL": 1, "PERSON": 2}
    assert report["findings"][4]["location"]["kind"] == "table"
    assert_no_values(response.headers[privacy_router.REPORT_HEADER])


async def test_redact_document_as_json(client):
    files = {"file": ("letter.docx", sample_letter_docx(), DOCX)}
    form = {"operator": "mask", "types": "HKID, phone"}
    response = await client.post("/api/v1/redact/document?format=json", files=files, data=form)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"report", "text"}
    assert body["report"]["counts"] == {"HKID": 1, "PHONE": 2}
    assert body["report"]["operator"] == "mask"
    assert "My HKID is **********; phone **** ****." in body["text"]
    assert "陳大文" in body["text"]  # not among the types asked for


async def test_redact_pdf_to_markdown(client):
    pdf = FPDF()
    for line in (f"Complainant: Chan Tai Man, HKID {HKID}.", f"Reach him on {PHONE}."):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    files = {"file": ("complaint.pdf", bytes(pdf.output()), "application/pdf")}
    response = await client.post("/api/v1/redact/document?format=md", files=files)
    assert response.status_code == 200, response.text
    assert 'filename="complaint.redacted.md"' in response.headers["content-disposition"]
    assert_no_values(response.text)
    report = json.loads(response.headers[privacy_router.REPORT_HEADER])
    assert [f["location"]["page"] for f in report["findings"]] == [1, 1, 2]


async def test_large_reports_leave_the_header_with_counts_only(client):
    text = "\n\n".join(f"Call 陳大文 on {PHONE}." for _ in range(60))
    files = {"file": ("many.txt", text.encode(), "text/plain")}
    response = await client.post("/api/v1/redact/document", files=files)
    assert response.status_code == 200, response.text
    report = json.loads(response.headers[privacy_router.REPORT_HEADER])
    assert report["truncated"] is True
    assert report["counts"] == {"PHONE": 60, "PERSON": 60}
    assert "findings" not in report


@pytest.mark.parametrize(
    ("name", "content", "status", "error"),
    [
        ("sheet.xlsx", b"PK\x03\x04 not really", 415, "UnsupportedFileType"),
        ("broken.pdf", b"%PDF-1.4\nnot really a pdf", 422, "CorruptDocument"),
        ("empty.txt", b"   ", 422, "EmptyDocument"),
        ("big.txt", b"a" * 60_000, 413, "InputTooLarge"),
    ],
)
async def test_redact_document_refuses_bad_uploads(client, name, content, status, error):
    response = await client.post("/api/v1/redact/document", files={"file": (name, content)})
    assert response.status_code == status, response.text
    assert response.json()["error"]["type"] == error


async def test_unknown_types_in_the_form(client):
    files = {"file": ("letter.docx", sample_letter_docx(), DOCX)}
    response = await client.post("/api/v1/redact/document", files=files, data={"types": "SSN"})
    assert response.status_code == 400
    assert "SSN" in response.json()["error"]["message"]


async def test_every_redaction_is_audited_without_values(client, platform):
    await client.post("/api/v1/redact", json={"text": f"陳大文 {HKID}"})
    files = {"file": ("letter.docx", sample_letter_docx(), DOCX)}
    await client.post("/api/v1/redact/document", files=files)
    document_event, text_event = platform.audit.events(action="redact")
    assert text_event.actor == OFFICER
    assert text_event.department == "HAD"
    assert text_event.channel == "api"
    assert text_event.redactions == {"HKID": 1, "PERSON": 1}
    assert text_event.detail == {"operator": "placeholder", "input": "text", "items": 1}
    assert document_event.redactions == {"HKID": 1, "PHONE": 2, "EMAIL": 1, "PERSON": 2}
    assert document_event.detail == {"operator": "placeholder", "input": "docx", "items": 1}
    for event in (text_event, document_event):
        assert_no_values(json.dumps(event.as_dict(), ensure_ascii=False, default=str))


async def test_only_copilot_users_redact(platform):
    # The auditor reads the audit log; the copilot's tools are not part of its role.
    async with app_client(platform, "audit@had.gov.hk", role=Role.AUDITOR) as auditor:
        text = await auditor.post("/api/v1/redact", json={"text": f"HKID {HKID}"})
        document = await auditor.post(
            "/api/v1/redact/document", files={"file": ("a.txt", f"HKID {HKID}".encode())}
        )
    for response in (text, document):
        assert response.status_code == 403
        assert response.json()["error"]["type"] == "PermissionDenied"
    assert platform.audit.events(action="redact") == []


async def test_a_redacted_docx_keeps_its_make_up_and_leaves_no_value_anywhere(client):
    """Redacted in place: styles stay, and the header, the footer and the document's
    metadata hold no personal data either (they are read as text like the body)."""
    word = docx.Document(io.BytesIO(sample_letter_docx()))
    word.core_properties.author = "Chan Tai Man"
    word.sections[0].header.paragraphs[0].text = f"Case officer: {PHONE}"
    word.sections[0].footer.paragraphs[0].text = f"HKID {HKID}"
    buffer = io.BytesIO()
    word.save(buffer)
    files = {"file": ("letter.docx", buffer.getvalue(), DOCX)}
    response = await client.post("/api/v1/redact/document", files=files)
    assert response.status_code == 200, response.text
    out = docx.Document(io.BytesIO(response.content))
    assert [p.style.name for p in out.paragraphs] == [p.style.name for p in word.paragraphs]
    assert out.sections[0].header.paragraphs[0].text == "Case officer: [PHONE]"
    assert out.sections[0].footer.paragraphs[0].text == "HKID [HKID]"
    assert out.core_properties.author == ""
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        for name in package.namelist():
            assert_no_values(package.read(name).decode("utf-8", errors="replace"))
