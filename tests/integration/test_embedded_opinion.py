"""A small consultation through the real job runtime with the embedded models: Qwen reads
the stances and names the themes, multilingual-e5-small gives the vectors, the shipped
classifier the sentiment; the themes keep to one side and every quote is from its response.

Marked `embedded`; CI runs it with GOVPILOT_REQUIRE_EMBEDDED=1, which turns a model that
`govpilot setup` has not assembled into a failure, not a skip.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from govpilot.access import CallContext
from govpilot.backends.embedded import LlamaCppModel
from govpilot.backends.weights import default_gguf_path
from govpilot.capabilities.opinion.reports import write_report
from govpilot.config import Settings
from govpilot.platform import Platform
from govpilot.testing import fake_settings, make_test_platform
from support.opinion_support import consultation_csv

pytestmark = pytest.mark.embedded

CTX = CallContext("chan.tm@hab.gov.hk", "HAB", "web", role="officer")


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    gguf = default_gguf_path(Settings().models_dir)
    if not gguf.exists():
        message = f"embedded model not found at {gguf}; run `govpilot setup` first"
        if os.environ.get("GOVPILOT_REQUIRE_EMBEDDED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    settings = fake_settings(tmp_path, department="HAB", default_model="embedded")
    platform = make_test_platform(
        settings, models=[LlamaCppModel("embedded", gguf, context_tokens=2048)]
    )
    platform.jobs = platform.new_job_service(workers=1).start()
    yield platform
    platform.shutdown()
    platform.database.dispose()


def test_a_consultation_is_analysed_with_the_embedded_models(platform: Platform) -> None:
    consultation = platform.consultations.import_file(
        CTX, consultation_csv(campaign=5), "promenade.csv", name="Promenade"
    )
    queued = platform.consultations.analyse(CTX, consultation.id, themes=4)
    job = platform.job_service().wait(queued.analysis_job_id or "", timeout=600)
    assert job.status == "done", job.error
    store = platform.consultations.store
    responses = store.responses(consultation.id)
    themes = {t.id: t for t in store.themes(consultation.id)}
    assert 2 <= len(themes) <= 4
    assert all(t.title_en and t.title_zh for t in themes.values())
    texts = {r.external_id: r.text for r in responses}
    for response in responses:
        assert response.stance in ("support", "oppose", "mixed", "unclear")
        assert response.sentiment in ("positive", "neutral", "negative")
        source = texts[response.campaign] if response.campaign else response.text
        for entry in response.themes:
            assert entry["quote"] in source
            if response.stance in ("support", "oppose"):
                assert themes[entry["theme"]].side == response.stance
    done = platform.consultations.get(CTX, consultation.id)
    report = docx.Document(io.BytesIO(write_report(store, done, ".docx")))
    text = "\n".join(p.text for p in report.paragraphs)
    assert all(t.title_en in text for t in themes.values())
    model_calls = platform.audit.events(None, action="opinion")
    assert model_calls and all(e.application_id for e in model_calls)
