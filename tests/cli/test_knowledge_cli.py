"""`govpilot collections / ingest / search / documents` in-process against a test platform."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import Result

from govpilot.cli.knowledge import collections_app, documents_app, ingest, search
from govpilot.knowledge.ocr import OcrLine
from govpilot.language import Glossary
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.testing import fake_settings, make_test_platform

Invoke = Callable[..., Result]

# The same registration as govpilot.cli.main.
app = typer.Typer()
app.add_typer(collections_app, name="collections")
app.add_typer(documents_app, name="documents")
app.command()(ingest)
app.command()(search)


class OneLineOcr:
    def read_lines(self, image: object) -> list[OcrLine]:
        return [OcrLine("Scanned form", 0, 0, 100, 20)]


@pytest.fixture
def platform(
    tmp_path: Path, glossary: Glossary, scripted_detector: PiiDetector
) -> Iterator[Platform]:
    settings = fake_settings(tmp_path / "home", department="HD", user="kb.admin")
    platform = make_test_platform(
        settings,
        detector=scripted_detector,
        glossary=glossary,
        retriever=InMemoryRetriever(),
        ocr=OneLineOcr(),
    )
    yield platform
    platform.database.dispose()


@pytest.fixture
def cli_app() -> typer.Typer:
    """What tests/cli/conftest.py's `invoke` runs."""
    return app


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    (root / "guide.md").write_text(
        "# Guide\n\n## Income limits\n\nA family of four may earn up to $40,000 a month.\n"
    )
    (root / "faq.csv").write_text("Question,Answer\nHow long is the wait?,About six years.\n")
    (root / "tool.exe").write_bytes(b"MZ\x90\x00")
    return root


def test_collections_create_list_and_delete(invoke: Invoke, platform: Platform) -> None:
    created = invoke("collections", "create", "housing", "--description", "Public housing")
    assert created.exit_code == 0, created.stderr
    assert "created collection housing (HD)" in created.stdout
    duplicate = invoke("collections", "create", "housing")
    assert duplicate.exit_code == 2 and "already has a collection" in duplicate.stderr
    other = invoke("collections", "create", "housing", "--department", "LD")
    assert other.exit_code == 0

    listed = json.loads(invoke("collections", "list", "--json").stdout)
    assert [(c["name"], c["department"], c["documents"]) for c in listed] == [("housing", "HD", 0)]
    assert "Public housing" in invoke("collections", "list").stdout

    refused = invoke("collections", "delete", "housing", input="n\n")
    assert refused.exit_code == 2
    deleted = invoke("collections", "delete", "housing", "--yes")
    assert deleted.exit_code == 0 and "deleted collection housing" in deleted.stdout
    assert json.loads(invoke("collections", "list", "--json").stdout) == []
    missing = invoke("collections", "delete", "housing", "--yes")
    assert missing.exit_code == 2 and "no collection named 'housing'" in missing.stderr

    actions = [e.action for e in platform.audit.events(limit=10)]
    assert "knowledge.collection.create" in actions and "knowledge.collection.delete" in actions


def test_ingest_a_folder_then_search_as_json(invoke: Invoke, folder: Path) -> None:
    invoke("collections", "create", "housing")
    result = invoke("ingest", "housing", folder)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "housing: 2 added, 1 skipped"
    assert "skipped  tool.exe: files of type .exe are not supported" in result.stdout
    assert "ingest job " in result.stderr

    again = json.loads(invoke("ingest", "housing", folder, "--json").stdout)
    assert again["counts"]["unchanged"] == 2 and again["status"] == "completed"

    found = invoke("search", "housing", "income limit for a family of four", "--k", "2", "--json")
    assert found.exit_code == 0, found.stderr
    results = json.loads(found.stdout)
    assert 1 <= len(results) <= 2
    top = results[0]
    assert set(top) == {"document", "text", "score", "citation"}
    assert top["document"] == "guide.md"
    assert "$40,000" in top["text"] and isinstance(top["score"], float)
    assert top["citation"] == {
        "document": "guide.md",
        "title": "Guide",
        "section": "Income limits",
        "page": None,
        "url": None,
        "label": "Guide, Income limits",
    }
    text = invoke("search", "housing", "how long is the wait")
    assert text.exit_code == 0 and "1. [" in text.stdout and "faq" in text.stdout


def test_search_queries_file_prints_one_line_per_query_with_its_id(
    invoke: Invoke, folder: Path, tmp_path: Path
) -> None:
    invoke("collections", "create", "housing")
    invoke("ingest", "housing", folder)
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "q1", "text": "how long is the wait"}\n\n'
        '{"id": 2, "text": "income limit"}\n'
        '{"id": "q3", "text": "zzzz nothing matches"}\n'
    )
    result = invoke("search", "housing", "--queries", queries, "--k", "1")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["q1", 2, "q3"]
    assert lines[0]["results"][0]["document"] == "faq.csv"
    assert lines[1]["results"][0]["document"] == "guide.md"
    assert lines[2]["results"] == []
    assert all(len(line["results"]) <= 1 for line in lines)

    queries.write_text('{"id": "q1"}\n')
    bad = invoke("search", "housing", "--queries", queries)
    assert bad.exit_code == 2 and 'line 1 needs a "text"' in bad.stderr
    both = invoke("search", "housing", "x", "--queries", queries)
    assert both.exit_code == 2


def test_documents_list_and_delete(invoke: Invoke, folder: Path) -> None:
    invoke("collections", "create", "housing")
    invoke("ingest", "housing", folder)
    listed = json.loads(invoke("collections", "documents", "housing", "--json").stdout)
    assert sorted(d["source"] for d in listed) == ["faq.csv", "guide.md"]
    assert json.loads(invoke("documents", "list", "housing", "--json").stdout) == listed
    deleted = invoke("documents", "delete", "housing", "guide.md", "--yes")
    assert deleted.exit_code == 0 and "deleted guide.md" in deleted.stdout
    results = json.loads(invoke("search", "housing", "income limit", "--json").stdout)
    assert all(r["document"] != "guide.md" for r in results)


def test_ingest_resume_and_argument_errors(
    invoke: Invoke, platform: Platform, folder: Path
) -> None:
    assert invoke("ingest", "housing", folder).exit_code == 2  # no such collection
    invoke("collections", "create", "housing")
    assert invoke("ingest", "housing").exit_code == 2  # no paths
    assert invoke("ingest", "housing", folder / "missing").exit_code == 2
    services = platform.knowledge_base()
    collection = services.collections.get("HD", "housing")
    job_id = services.ingestor.start(collection, [folder], actor="kb.admin")
    resumed = invoke("ingest", "--resume", job_id, "--json")
    assert resumed.exit_code == 0, resumed.stderr
    assert json.loads(resumed.stdout)["counts"]["added"] == 2
    assert invoke("ingest", "--resume", "nope").exit_code == 2
    jobs = json.loads(invoke("collections", "jobs", "housing", "--json").stdout)
    newest = jobs[0]
    assert (newest["id"], newest["status"], newest["done"], newest["total"]) == (
        job_id,
        "completed",
        3,
        3,
    )


def test_ingest_exits_2_when_a_file_fails_but_indexes_the_rest(
    invoke: Invoke, folder: Path
) -> None:
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    invoke("collections", "create", "housing")
    result = invoke("ingest", "housing", folder)
    assert result.exit_code == 2
    assert "failed   broken.pdf" in result.stdout
    assert "2 added" in result.stdout
