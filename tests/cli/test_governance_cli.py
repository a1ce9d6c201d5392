"""`govpilot ai-apps ...`, `govpilot assess`, `govpilot sign-off` in-process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import docx
import pytest
import typer

from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.cli.governance import ai_apps_app, assess, assessment_report, review_app, sign_off
from govpilot.platform import Platform
from govpilot.testing import add_review_item, fake_settings, make_test_platform

app = typer.Typer()
app.add_typer(ai_apps_app, name="ai-apps")
app.command()(assess)
app.command("sign-off")(sign_off)
app.command("assessment-report")(assessment_report)
app.add_typer(review_app, name="review")

#: Every required question the system cannot pre-fill, answered for a low-risk tool.
ANSWERS = {
    "decision_effect": "none",
    "reversibility": "easy",
    "vulnerable_groups": "no",
    "languages_served": "yes",
    "explains_sources": "yes",
    "ai_disclosure": "yes",
    "handover": "yes",
    "accuracy_tested": "yes",
    "prompt_injection": "yes",
    "fallback": "yes",
    "bias_tested": "yes",
    "legal_basis": "yes",
    "pia_done": "yes",
    "harmful_content": "unlikely",
    "incident_process": "yes",
    "benefit_measured": "yes",
    "staff_impact": "no",
}


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    model = ScriptedModel(name="fake").respond_with(lambda messages: "Translated.")
    platform = make_test_platform(fake_settings(tmp_path, department="HAD"), models=[model])
    ctx = platform.cli_context("translate")
    platform.gateway.complete(ctx, [ChatMessage("user", "Translate this.")])
    yield platform
    platform.database.dispose()


@pytest.fixture
def cli_app() -> typer.Typer:
    return app


def test_list_and_show_the_register(invoke, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    listed = invoke("ai-apps", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    apps = json.loads(listed.stdout)
    assert [a["name_en"] for a in apps] == ["Copilot: translation"]
    shown = invoke("ai-apps", "show", "Copilot: translation", "--json")
    data = json.loads(shown.stdout)
    assert data["model_cards"][0]["name"] == "fake"
    assert data["evidence"]["calls"] == 1
    assert [d["code"] for d in data["reassessment_due"]] == ["not_assessed"]
    invoke("ai-apps", "show", "Copilot: translation")  # announced once, not again
    announced = platform.audit.events(action="governance.reassessment_due")
    assert [e.detail["reasons"] for e in announced] == [["not_assessed"]]
    assert invoke("ai-apps", "list").stdout.count("Copilot: translation") == 1
    missing = invoke("ai-apps", "show", "No such thing")
    assert missing.exit_code != 0 and "no AI application" in missing.stderr


def test_assess_prints_level_and_scores_and_signs_off(invoke, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"answers": ANSWERS, "mitigations": ["Officer review"]}))
    result = invoke("assess", "Copilot: translation", "--answers", answers, "--json")
    assert result.exit_code == 0, result.stderr
    scores = json.loads(result.stdout)
    assert scores["status"] == "submitted" and scores["risk_level"] == "low"
    assert scores["raw_score"] < scores["raw_max"] and scores["unanswered"] == []
    signed = invoke("sign-off", scores["assessment"], "--json")
    assert json.loads(signed.stdout)["status"] == "signed_off"
    shown = json.loads(invoke("ai-apps", "show", "Copilot: translation", "--json").stdout)
    assert shown["risk_tier"] == "low" and shown["next_review"]
    text = invoke("assess", "Copilot: translation", "--answers", answers)
    assert "Risk level: low" in text.stdout
    report = tmp_path / "report.docx"
    written = invoke(
        "assessment-report", scores["assessment"], "--out", report, "--lang", "zh-Hant"
    )
    assert written.exit_code == 0, written.stderr
    assert docx.Document(str(report)).paragraphs[0].text.startswith("人工智能應用程式影響評估")
    wrong = invoke("assessment-report", scores["assessment"], "--out", report, "--lang", "fr")
    assert wrong.exit_code != 0 and "lang 'fr' is not one of: en, zh-Hant" in wrong.stderr


def test_assess_names_the_question_that_is_wrong(
    invoke, tmp_path: Path, platform: Platform
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**ANSWERS, "reversibility": "maybe"}))
    result = invoke("assess", "Copilot: translation", "--answers", bad)
    assert result.exit_code != 0 and "'reversibility'" in result.stderr
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"colour": "blue"}))
    assert "'colour'" in invoke("assess", "Copilot: translation", "--answers", unknown).stderr
    half = tmp_path / "half.json"
    half.write_text(json.dumps({"decision_effect": "direct"}))
    missing = invoke("assess", "Copilot: translation", "--answers", half)
    assert missing.exit_code != 0 and "'reversibility' needs an answer" in missing.stderr
    # Saved half-done, then resumed: the earlier answer is kept in the same draft.
    first = json.loads(
        invoke("assess", "Copilot: translation", "--answers", half, "--draft", "--json").stdout
    )
    assert first["status"] == "draft" and "reversibility" in first["unanswered"]
    full = tmp_path / "full.json"
    full.write_text(json.dumps({k: v for k, v in ANSWERS.items() if k != "decision_effect"}))
    done = json.loads(invoke("assess", "Copilot: translation", "--answers", full, "--json").stdout)
    assert (done["assessment"], done["status"]) == (first["assessment"], "submitted")
    saved = platform.assessments.get(platform.cli_context("t"), done["assessment"])
    assert saved.answers["decision_effect"] == "direct"  # kept from the draft
    not_json = tmp_path / "x.json"
    not_json.write_text("{oops")
    assert "not JSON" in invoke("assess", "Copilot: translation", "--answers", not_json).stderr


def test_review_list_and_decide(invoke, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    ctx = platform.cli_context("bot")
    app_id = platform.register.list(ctx)[0].id

    add_review_item(platform, app_id, item_id="r" * 32)
    listed = json.loads(invoke("review", "list", "--json").stdout)
    assert [i["id"] for i in listed] == ["r" * 32]
    assert invoke("review", "decide", "r" * 32).exit_code != 0  # no verdict given
    done = invoke("review", "decide", "r" * 32, "--reject", "--note", "wrong", "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "rejected"
    again = invoke("review", "decide", "r" * 32, "--approve")
    assert again.exit_code != 0 and "already decided" in again.stderr
    assert json.loads(invoke("review", "list", "--json").stdout) == []


def test_a_held_draft_is_shown_and_released_once_approved(invoke, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    ctx = platform.cli_context("draft")
    item = platform.approvals.hold(ctx, "Reply to Mr Chan", "Dear Mr Chan, ...").id
    shown = invoke("review", "show", item)
    assert "Question: Reply to Mr Chan" in shown.stdout and "Dear Mr Chan" in shown.stdout
    waiting = invoke("review", "released", item)
    assert waiting.exit_code != 0 and "waiting for approval" in waiting.stderr
    own = invoke("review", "decide", item, "--approve")  # the CLI user drafted it
    assert own.exit_code != 0 and "cannot approve your own draft" in own.stderr
    platform.reviews.decide(replace(ctx, actor="senior@had.gov.hk"), item, "approved")
    released = invoke("review", "released", item)
    assert released.exit_code == 0 and released.stdout.strip() == "Dear Mr Chan, ..."
