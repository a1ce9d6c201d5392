"""The `govpilot` command in-process: a real Platform (SQLite audit log) with a scripted model.

Typer's CliRunner keeps stdout and stderr apart (`result.stdout`, `result.stderr`), so the
tests check that results go to stdout and messages to stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import docx
import pytest
import typer
from sqlalchemy import text
from typer.testing import Result

from govpilot import __version__
from govpilot.backends.fake import ScriptedModel
from govpilot.backends.llm import ChatMessage
from govpilot.cli.main import app
from govpilot.documents import load_document
from govpilot.errors import ModelUnavailable
from govpilot.language import has_simplified
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from govpilot.testing import make_test_platform

ZH_ANSWER = "这是政府的测试译文。"  # the model writes Simplified; the pipeline converts it
ZH_HK = "這是政府的測試譯文。"
EN_ANSWER = "This is the translated test sentence."
SUMMARY_ANSWER = (
    "- The department will extend library opening hours. [1]\n"
    "- A public consultation runs until March. [3]"
)
DRAFT_ANSWER = (
    "From: Director\nTo: All staff\n\n## Purpose\n\nTo extend library opening hours.\n\n"
    "## Details\n\n- Start in April\n- Review in May"
)

Invoke = Callable[..., Result]


def respond(messages: Sequence[ChatMessage]) -> str:
    """A deterministic answer for each capability's prompt, told apart by its system text."""
    system = messages[0].content if messages and messages[0].role == "system" else ""
    if "翻译" in system:
        return ZH_ANSWER
    if "professional translator" in system:
        return EN_ANSWER
    if "summaries" in system or "摘要" in system:
        return SUMMARY_ANSWER
    if "drafts documents" in system or "草擬" in system:
        return DRAFT_ANSWER
    return "OK"


@pytest.fixture
def fake_model() -> ScriptedModel:
    return ScriptedModel(name="fake", responder=respond)


@pytest.fixture
def platform(
    tmp_path: Path, fake_model: ScriptedModel, scripted_detector: PiiDetector
) -> Iterator[Platform]:
    built = make_test_platform(tmp_path / "home", models=[fake_model], detector=scripted_detector)
    yield built
    built.database.dispose()


@pytest.fixture
def cli_app() -> typer.Typer:
    """What tests/cli/conftest.py's `invoke` runs."""
    return app


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def write_sample_docx(path: Path) -> Path:
    """A Word file with a heading, two paragraphs, a two-item bullet list and a 2x2 table."""
    word = docx.Document()
    word.add_heading("Library opening hours", level=1)
    word.add_paragraph("The department will extend the opening hours of public libraries.")
    word.add_paragraph("A public consultation runs until the end of March.")
    word.add_paragraph("Evening hours on weekdays", style="List Bullet")
    word.add_paragraph("Longer hours on Sundays", style="List Bullet")
    table = word.add_table(rows=2, cols=2)
    for r, row in enumerate([["District", "Hours"], ["Central", "Nine to nine"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    word.save(path)
    return path


def structure(path: Path) -> list[tuple[str, int, int]]:
    """(kind, level, number of strings) of each block: the shape, not the words."""
    return [(b.kind, b.level, len(b.texts())) for b in load_document(path).blocks]


def error_line(result: Result) -> str:
    """The one `error:` line on stderr (there must be exactly one)."""
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def assert_clean_failure(result: Result, code: int = 2) -> str:
    """A non-zero exit with a one-line message and no traceback; returns stderr."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    error_line(result)
    return result.stderr


# --- translate --------------------------------------------------------------------------


def test_translate_prints_hong_kong_traditional_text(invoke: Invoke, work: Path) -> None:
    source = work / "notice.txt"
    source.write_text("The library will open at nine.\n\nBring your library card.\n", "utf-8")

    result = invoke("translate", source, "--to", "zh-Hant")

    assert result.exit_code == 0, result.output
    assert result.stdout.count(ZH_HK) == 2
    assert not has_simplified(result.stdout)


def test_translate_to_english(invoke: Invoke, work: Path) -> None:
    source = work / "notice.txt"
    source.write_text("圖書館將於九時開放。", "utf-8")

    result = invoke("translate", source, "--to", "en")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == EN_ANSWER


def test_translate_docx_keeps_its_structure(invoke: Invoke, work: Path) -> None:
    source = write_sample_docx(work / "in.docx")
    out = work / "out.docx"

    result = invoke("translate", source, "--to", "zh-Hant", "-o", out)

    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stderr
    assert result.stdout == ""  # with -o and no --json, nothing goes to stdout
    assert [kind for kind, *_ in structure(source)] == [
        "heading", "paragraph", "paragraph", "list_item", "list_item", "table",
    ]  # fmt: skip
    assert structure(out) == structure(source)
    translated = load_document(out)
    assert translated.blocks[0].text == ZH_HK
    assert translated.blocks[-1].rows == ((ZH_HK, ZH_HK), (ZH_HK, ZH_HK))


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_translate_writes_markdown_and_text(invoke: Invoke, work: Path, suffix: str) -> None:
    source = work / "in.md"
    source.write_text("# Opening hours\n\nThe library opens at nine.\n", "utf-8")
    out = work / f"out{suffix}"

    result = invoke("translate", source, "--to", "zh-Hant", "-o", out)

    assert result.exit_code == 0, result.output
    written = out.read_text("utf-8")
    assert written.count(ZH_HK) == 2
    if suffix == ".md":
        assert written.startswith(f"# {ZH_HK}")
    else:
        assert "#" not in written


def test_translate_reads_standard_input(invoke: Invoke, fake_model: ScriptedModel) -> None:
    result = invoke("translate", "-", "--to", "zh-Hant", input="Good morning.\n\nGood night.\n")

    assert result.exit_code == 0, result.output
    assert result.stdout.count(ZH_HK) == 2
    assert [call.prompt for call in fake_model.calls] == ["Good morning.", "Good night."]


def test_translate_json_has_text_and_report(invoke: Invoke, work: Path) -> None:
    source = work / "in.txt"
    source.write_text("The library opens at nine.", "utf-8")
    out = work / "out.md"

    result = invoke("translate", source, "--to", "zh-Hant", "--json", "-o", out)

    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["text"] == ZH_HK
    assert payload["output"] == str(out)
    report = payload["report"]
    assert report["target"] == "zh-Hant"
    assert report["model_ids"] == ["fake:fake"]
    assert report["model_calls"] == 1


def test_unknown_target_language_is_a_usage_error(
    invoke: Invoke, work: Path, fake_model: ScriptedModel
) -> None:
    source = work / "in.txt"
    source.write_text("Hello.", "utf-8")

    result = invoke("translate", source, "--to", "fr", "-o", work / "out.txt")

    stderr = assert_clean_failure(result)
    assert "'fr'" in error_line(result)
    assert "--to zh-Hant" in stderr
    assert fake_model.calls == []
    assert not (work / "out.txt").exists()


def _write_bad_input(work: Path, kind: str) -> Path:
    if kind == "missing":
        return work / "nowhere.txt"
    if kind == "exe":
        path = work / "setup.exe"
        path.write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    elif kind == "corrupt-pdf":
        path = work / "report.pdf"
        path.write_bytes(b"%PDF-1.7\n" + b"\x8f\x01garbage, not a PDF body" * 20)
    else:
        path = work / "empty.txt"
        path.write_bytes(b"")
    return path


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("missing", "File not found"),
        ("exe", ".exe are not supported"),
        ("corrupt-pdf", "report.pdf"),
        ("empty", "is empty"),
    ],
)
def test_unusable_input_fails_cleanly_and_writes_nothing(
    invoke: Invoke, work: Path, fake_model: ScriptedModel, kind: str, expected: str
) -> None:
    source = _write_bad_input(work, kind)
    before = set(work.iterdir())

    result = invoke("translate", source, "--to", "zh-Hant", "-o", work / "out.docx")

    assert_clean_failure(result)
    assert expected in error_line(result)
    assert set(work.iterdir()) == before  # no output, no temporary file left behind
    assert fake_model.calls == []


def test_unsupported_output_extension_writes_nothing(invoke: Invoke, work: Path) -> None:
    source = work / "in.txt"
    source.write_text("The library opens at nine.", "utf-8")

    result = invoke("translate", source, "--to", "zh-Hant", "-o", work / "x.pdf")

    stderr = assert_clean_failure(result)
    assert "'.pdf'" in error_line(result)
    assert ".docx" in stderr  # the hint lists what can be written
    assert sorted(p.name for p in work.iterdir()) == ["in.txt"]


def test_model_unavailable_exits_1_with_hint(
    invoke: Invoke, work: Path, fake_model: ScriptedModel
) -> None:
    source = work / "in.txt"
    source.write_text("The library opens at nine.", "utf-8")
    fake_model.fail_with(
        ModelUnavailable("the model server is down", hint="start it with `make serve-model`")
    )

    result = invoke("translate", source, "--to", "zh-Hant", "-o", work / "out.txt")

    stderr = assert_clean_failure(result, code=1)
    assert "the model server is down" in error_line(result)
    assert "hint: start it with `make serve-model`" in stderr
    assert not (work / "out.txt").exists()


# --- summarise, draft, templates --------------------------------------------------------


def test_summarise_two_files_json_has_references(invoke: Invoke, work: Path) -> None:
    first = work / "a.txt"
    first.write_text(
        "The department will extend library opening hours.\n\nNew books arrive monthly.",
        "utf-8",
    )
    second = work / "b.md"
    second.write_text("# Consultation\n\nA public consultation runs until March.\n", "utf-8")

    result = invoke("summarise", first, second, "--words", "50", "--json")

    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    points = payload["summary"]["points"]
    assert [p["text"] for p in points] == [
        "The department will extend library opening hours.",
        "A public consultation runs until March.",
    ]
    refs = [r for p in points for r in p["references"]]
    assert [(r["number"], r["document"]) for r in refs] == [(1, str(first)), (3, str(second))]
    assert refs[1]["heading"] == "Consultation"
    assert "References" in payload["text"]


def test_draft_memo_with_reference_writes_docx(
    invoke: Invoke, work: Path, fake_model: ScriptedModel
) -> None:
    reference = work / "ref.txt"
    reference.write_text("Libraries close at 7 p.m. on weekdays.", "utf-8")
    out = work / "d.docx"

    result = invoke(
        "draft", "--template", "memo", "--instructions", "Tell staff opening hours will be longer.",
        "--reference", reference, "-o", out,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Libraries close at 7 p.m. on weekdays." in fake_model.calls[-1].prompt
    kinds = [b.kind for b in load_document(out).blocks]
    assert kinds.count("heading") >= 2
    assert kinds.count("list_item") == 2
    assert "Purpose" in load_document(out).text


def test_a_draft_for_approval_is_held_and_not_written(invoke: Invoke, work: Path) -> None:
    out = work / "held.docx"
    result = invoke(
        "draft", "--template", "memo", "--instructions", "Tell staff opening hours will be longer.",
        "--for-approval", "-o", out,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Held for approval as review item" in result.stdout
    assert "govpilot review released" in result.stdout
    assert not out.exists()  # nothing leaves until a reviewer approves it


def test_draft_unknown_template_is_an_input_error(invoke: Invoke) -> None:
    result = invoke("draft", "--template", "sonnet", "--instructions", "Write one.")

    stderr = assert_clean_failure(result)
    assert "sonnet" in error_line(result)
    assert "memo" in stderr


def test_templates_lists_the_packaged_templates(invoke: Invoke) -> None:
    result = invoke("templates")

    assert result.exit_code == 0, result.output
    for name in ("memo", "press-release", "reply-to-public", "legco-reply-outline"):
        assert name in result.stdout


# --- audit, models, version -------------------------------------------------------------


def _translate_twice(invoke: Invoke, work: Path) -> None:
    source = work / "in.txt"
    source.write_text("The library opens at nine.\n\nIt closes at seven.", "utf-8")
    assert invoke("translate", source, "--to", "zh-Hant").exit_code == 0


def test_audit_verify_passes_after_calls(invoke: Invoke, work: Path) -> None:
    _translate_twice(invoke, work)

    result = invoke("audit", "verify")

    assert result.exit_code == 0, result.output
    assert "audit log intact: 2 events verified" in result.stdout


def test_audit_verify_names_an_altered_event(
    invoke: Invoke, work: Path, platform: Platform
) -> None:
    _translate_twice(invoke, work)
    with platform.database.connect() as connection:
        connection.execute(text("UPDATE audit_events SET tokens_in = 999 WHERE seq = 1"))

    result = invoke("audit", "verify")

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "audit log broken at event 1:" in " ".join(result.stderr.split())
    assert "altered" in result.stderr


def test_audit_list_json(invoke: Invoke, work: Path) -> None:
    _translate_twice(invoke, work)

    result = invoke("audit", "list", "--json", "--limit", "5")

    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)
    assert [e["seq"] for e in events] == [2, 1]
    assert {e["action"] for e in events} == {"translate"}
    assert {e["model_id"] for e in events} == {"fake:fake"}
    assert {e["outcome"] for e in events} == {"ok"}
    assert all(e["channel"] == "cli" for e in events)


def test_models_json_shows_the_model_answering(invoke: Invoke) -> None:
    result = invoke("models", "--json")

    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["name"] == "fake"
    assert row["ok"] is True
    assert row["model_id"] == "fake:fake"
    assert row["default"] is True


def test_models_exits_1_when_a_model_fails(invoke: Invoke, fake_model: ScriptedModel) -> None:
    fake_model.fail_with(ModelUnavailable("the model server is down"))

    result = invoke("models")

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "fails" in result.stdout
    assert "down" in result.stdout


def test_version(invoke: Invoke) -> None:
    result = invoke("version")

    assert result.exit_code == 0
    assert result.stdout.strip() == __version__


def test_worker_refuses_a_pool_it_cannot_run_safely(invoke: Invoke) -> None:
    result = invoke("worker", "--pool", "prefork")
    assert result.exit_code == 2
    assert "unknown pool 'prefork'" in result.stderr
