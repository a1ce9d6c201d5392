"""The case desk with the embedded models: the shipped 22 departments, multilingual-e5-small
for the duties and past cases, Qwen on close calls and for the reply. A Cantonese complaint
about a dripping air-conditioner goes to FEHD, a gas smell is urgent, and a final reply is
drafted in written Chinese from the department's passage, citing it.

Marked `embedded`; CI runs it with GOVPILOT_REQUIRE_EMBEDDED=1 (a missing model fails)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from govpilot.access import CallContext
from govpilot.backends.embedded import LlamaCppModel
from govpilot.backends.weights import default_gguf_path
from govpilot.capabilities.cases.intake import Submission
from govpilot.config import CaseSettings, Settings
from govpilot.language import simplified_only_chars
from govpilot.platform import Platform
from govpilot.testing import fake_settings, make_test_platform

pytestmark = pytest.mark.embedded

PUBLIC = CallContext("public@127.0.0.1", "1823", "cases", channel="web", role="public")
OFFICER = CallContext("chan@fehd.gov.hk", "FEHD", "cases", channel="web", role="officer")


@dataclass(frozen=True)
class Passage:
    text: str
    title: str = "冷氣機滴水"
    source: str = "dripping.txt"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    gguf = default_gguf_path(Settings().models_dir)
    if not gguf.exists():
        message = f"embedded model not found at {gguf}; run `govpilot setup` first"
        if os.environ.get("GOVPILOT_REQUIRE_EMBEDDED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    settings = fake_settings(
        tmp_path,
        department="1823",
        default_model="embedded",
        cases=CaseSettings(desk_department="1823"),
    )
    platform = make_test_platform(
        settings, models=[LlamaCppModel("embedded", gguf, context_tokens=2048)]
    )
    yield platform
    platform.database.dispose()


def test_a_cantonese_complaint_is_routed_and_answered_in_written_chinese(
    platform: Platform,
) -> None:
    desk = platform.case_desk
    case = desk.intake.submit(
        PUBLIC,
        Submission(
            text="旺角彌敦道有間鋪頭部冷氣機成日滴水，滴到落巴士站啲人度，已經一個月，唔該處理。",
            subject="冷氣機滴水",
        ),
    )
    assert case.department == "FEHD", case.triage
    assert case.category == "air_conditioner_dripping"
    gas = desk.intake.submit(
        PUBLIC, Submission(text="There is a strong smell of gas in our corridor right now.")
    )
    assert gas.urgency == "urgent" and gas.department == "EMSD", gas.triage
    desk.replies.search = lambda department, query, k: [
        Passage(
            "食環署接獲冷氣機滴水投訴後，會在十個工作天內派員到場調查，並可向業主發出妨擾事故通知。"
        )
    ]
    draft = desk.replies.draft(OFFICER, case.id, "final")
    assert draft.language == "zh" and case.reference in draft.body
    assert not simplified_only_chars(draft.body)
    assert "[1]" in draft.body, draft.body
