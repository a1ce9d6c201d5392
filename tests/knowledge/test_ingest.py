"""Ingest jobs: incremental by content hash, deletes reach the index, resumable after a crash."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from govpilot.errors import InputError, NotFound
from govpilot.knowledge.collections import Collection
from govpilot.knowledge.ingest import IngestReport
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.knowledge.ocr import OcrLine
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.retrieval.types import Chunk, Retriever, Scope
from govpilot.storage.db import Database
from govpilot.storage.job_tables import JobRow
from govpilot.storage.knowledge_tables import IngestItemRow, KnowledgeDocumentRow

DEPT = "HD"


class NoOcr:
    """OCR that finds one fixed line (the real engine is tested in test_ocr.py)."""

    def read_lines(self, image: object) -> list[OcrLine]:
        return [OcrLine("Scanned notice text", 10, 10, 200, 40)]


def _sql_retriever(database: Database) -> Retriever:
    try:
        from govpilot.retrieval.sql_retriever import SqlRetriever
    except ImportError:
        pytest.skip("govpilot.retrieval.sql_retriever is not available")
    return SqlRetriever(database, None)


@pytest.fixture(params=["memory", "sql"])
def retriever(request: pytest.FixtureRequest, database: Database) -> Retriever:
    if request.param == "memory":
        return InMemoryRetriever()
    return _sql_retriever(database)


@pytest.fixture
def services(database: Database, retriever: Retriever) -> KnowledgeBase:
    return KnowledgeBase.build(database, retriever, chunk_chars=400, ocr=NoOcr())


@pytest.fixture
def collection(services: KnowledgeBase) -> Collection:
    return services.collections.create(DEPT, "housing", created_by="admin")


HTML = (
    '<html><head><title>Rates</title><link rel="canonical" href="https://www.rvd.gov.hk/rates">'
    "</head><body><h1>Rates</h1><p>Rates are paid quarterly.</p></body></html>"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "guide.md").write_text(
        "# Housing Guide\n\n## Eligibility\n\nYou must be 18 or over.\n\n"
        "## Income\n\nThe income limit depends on household size.\n",
        encoding="utf-8",
    )
    (root / "notes.txt").write_text("Waiting time is about six years.\n", encoding="utf-8")
    (root / "faq.csv").write_text(
        "問題,答案\n如何申請公屋？,請網上遞交申請表。\nHow long is the wait?,About six years.\n",
        encoding="utf-8",
    )
    (root / "rates.html").write_text(HTML, encoding="utf-8")
    (root / "sub" / "deep.md").write_text("# Deep\n\nA nested file about parking.\n")
    (root / "photo.png").write_bytes(_tiny_png())
    (root / "archive.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    (root / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    (root / "empty.txt").write_text("   \n")
    (root / ".hidden.md").write_text("# secret\n\nnot to be indexed")
    return root


def _tiny_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


def chunks_of(services: KnowledgeBase, collection: Collection) -> list[Chunk]:
    """Every chunk of the collection, read back through search on a catch-all query."""
    retriever = services.retriever
    if isinstance(retriever, InMemoryRetriever):
        return [c for c in retriever.chunks() if c.collection_id == collection.id]
    from govpilot.storage.retrieval_tables import RetrievalChunkRow

    with services.database.session() as session:
        rows = session.scalars(
            select(RetrievalChunkRow).where(RetrievalChunkRow.collection_id == collection.id)
        ).all()
    return [
        Chunk(r.chunk_id, r.collection_id, r.department, r.document_id, r.ordinal, r.text)
        for r in rows
    ]


def ingest(
    services: KnowledgeBase, collection: Collection, *paths: Path, **kw: object
) -> IngestReport:
    return services.ingestor.ingest(collection, list(paths), actor="admin", **kw)  # type: ignore[arg-type]


def by_source(report: IngestReport) -> dict[str, tuple[str | None, str | None]]:
    return {i.source: (i.outcome, i.reason) for i in report.items}


def test_a_folder_is_ingested_with_every_file_reported(
    services: KnowledgeBase, collection: Collection, folder: Path
) -> None:
    report = ingest(services, collection, folder)
    outcomes = {source: outcome for source, (outcome, _) in by_source(report).items()}
    assert outcomes == {
        "archive.zip": "skipped",
        "broken.pdf": "failed",
        "empty.txt": "failed",
        "faq.csv": "added",
        "guide.md": "added",
        "notes.txt": "added",
        "photo.png": "added",
        "rates.html": "added",
        "sub/deep.md": "added",
    }
    assert report.status == "completed"
    assert report.counts["added"] == 6 and report.counts["failed"] == 2
    reasons = by_source(report)
    assert "not supported" in (reasons["archive.zip"][1] or "")
    assert "damaged" in (reasons["broken.pdf"][1] or "")
    assert "empty" in (reasons["empty.txt"][1] or "")

    documents = {d.source: d for d in services.documents.list(collection)}
    assert set(documents) == {
        "faq.csv",
        "guide.md",
        "notes.txt",
        "photo.png",
        "rates.html",
        "sub/deep.md",
    }
    assert documents["faq.csv"].kind == "faq" and documents["faq.csv"].chunks == 2
    assert documents["rates.html"].url == "https://www.rvd.gov.hk/rates"
    assert documents["photo.png"].kind == "image"
    assert documents["guide.md"].title == "Housing Guide"
    total = sum(d.chunks for d in documents.values())
    assert len(chunks_of(services, collection)) == total

    hits = services.search(DEPT, [collection], "income limit household", k=3)
    assert hits and hits[0].chunk.source == "guide.md"
    assert hits[0].citation.section == "Income"
    html_hits = services.search(DEPT, [collection], "rates paid quarterly", k=1)
    assert html_hits[0].chunk.url == "https://www.rvd.gov.hk/rates"


def test_reingest_skips_unchanged_files_and_rechunks_changed_ones(
    services: KnowledgeBase, collection: Collection, folder: Path
) -> None:
    ingest(services, collection, folder)
    before = {d.source: d for d in services.documents.list(collection)}
    again = ingest(services, collection, folder)
    assert again.counts["unchanged"] == 6 and again.counts["added"] == 0

    (folder / "guide.md").write_text("# Housing Guide\n\n## Eligibility\n\nYou must be 21 now.\n")
    third = ingest(services, collection, folder)
    assert by_source(third)["guide.md"] == ("updated", None)
    assert third.counts["unchanged"] == 5
    after = {d.source: d for d in services.documents.list(collection)}
    assert after["guide.md"].id == before["guide.md"].id
    assert after["guide.md"].content_hash != before["guide.md"].content_hash
    texts = [
        c.text for c in chunks_of(services, collection) if c.document_id == after["guide.md"].id
    ]
    assert texts == ["Eligibility\nYou must be 21 now."]
    assert not services.search(DEPT, [collection], "income limit household size", k=5) or all(
        h.chunk.document_id != after["guide.md"].id
        for h in services.search(DEPT, [collection], "income limit", k=5)
    )


def test_deleting_a_document_removes_its_chunks_everywhere(
    services: KnowledgeBase, collection: Collection, folder: Path
) -> None:
    ingest(services, collection, folder)
    guide = services.documents.get(collection, "guide.md")
    assert (
        services.search(DEPT, [collection], "income limit household", k=1)[0].chunk.document_id
        == guide.id
    )
    services.documents.delete(collection, "guide.md")
    assert all(c.document_id != guide.id for c in chunks_of(services, collection))
    assert all(
        h.chunk.document_id != guide.id
        for h in services.search(DEPT, [collection], "income limit", k=10)
    )
    with pytest.raises(NotFound):
        services.documents.get(collection, guide.id)
    # Ingesting the folder again brings it back as a new document.
    assert by_source(ingest(services, collection, folder))["guide.md"][0] == "added"


def test_deleting_a_collection_removes_documents_jobs_and_chunks(
    services: KnowledgeBase, collection: Collection, folder: Path
) -> None:
    ingest(services, collection, folder)
    services.collections.delete(DEPT, "housing")
    assert chunks_of(services, collection) == []
    with services.database.session() as session:
        assert session.scalars(select(KnowledgeDocumentRow)).all() == []
        assert session.scalars(select(JobRow)).all() == []
        assert session.scalars(select(IngestItemRow)).all() == []
    with pytest.raises(NotFound):
        services.collections.get(DEPT, "housing")


def test_missing_files_are_kept_unless_pruned(
    services: KnowledgeBase, collection: Collection, folder: Path
) -> None:
    ingest(services, collection, folder)
    notes = services.documents.get(collection, "notes.txt")
    (folder / "notes.txt").unlink()
    kept = ingest(services, collection, folder)
    assert by_source(kept)["notes.txt"][0] == "kept"
    assert "--prune" in (by_source(kept)["notes.txt"][1] or "")
    assert services.documents.get(collection, "notes.txt").id == notes.id
    pruned = ingest(services, collection, folder, prune=True)
    assert by_source(pruned)["notes.txt"] == ("removed", None)
    assert all(c.document_id != notes.id for c in chunks_of(services, collection))
    # Pruning one folder never touches documents from elsewhere.
    other = folder.parent / "other.txt"
    other.write_text("Other text.")
    ingest(services, collection, other)
    ingest(services, collection, folder, prune=True)
    assert services.documents.get(collection, "other.txt")


class CrashingRetriever:
    """Delegates to a real retriever, but dies (like a killed process) on the Nth add."""

    def __init__(self, inner: Retriever, crash_on_add: int, after: bool = False) -> None:
        self.inner = inner
        self.crash_on_add = crash_on_add
        self.after = after
        self.adds = 0

    def add(self, chunks: Sequence[Chunk]) -> None:
        self.adds += 1
        if self.adds == self.crash_on_add and not self.after:
            raise SystemExit("killed before the chunks were written")
        self.inner.add(chunks)
        if self.adds == self.crash_on_add:
            raise SystemExit("killed after the chunks were written")

    def remove_document(self, document_id: str) -> int:
        return self.inner.remove_document(document_id)

    def remove_collection(self, collection_id: str) -> int:
        return self.inner.remove_collection(collection_id)

    def search(self, query: str, scope: Scope, k: int = 5) -> list:
        return self.inner.search(query, scope, k)


@pytest.mark.parametrize("after", [False, True], ids=["before-add", "after-add"])
def test_a_crashed_job_resumes_without_duplicates_or_losses(
    database: Database, retriever: Retriever, folder: Path, after: bool
) -> None:
    crashing = KnowledgeBase.build(
        database, CrashingRetriever(retriever, crash_on_add=3, after=after), ocr=NoOcr()
    )
    collection = crashing.collections.create(DEPT, "housing", created_by="admin")
    job_id = crashing.ingestor.start(collection, [folder], actor="admin")
    with pytest.raises(SystemExit):
        crashing.ingestor.run(job_id, DEPT)
    midway = crashing.ingestor.report(job_id, DEPT)
    assert midway.status == "running" and midway.counts["pending"] >= 1

    healthy = KnowledgeBase.build(database, retriever, ocr=NoOcr())
    report = healthy.ingestor.run(job_id, DEPT)
    assert report.status == "completed" and "pending" not in report.counts
    assert report.counts["added"] == 6 and report.counts["updated"] == 0

    documents = healthy.documents.list(collection)
    assert len(documents) == 6 and all(d.status == "ready" for d in documents)
    chunks = chunks_of(healthy, collection)
    assert len(chunks) == sum(d.chunks for d in documents)
    assert len({c.id for c in chunks}) == len(chunks)
    assert len({(c.document_id, c.ordinal) for c in chunks}) == len(chunks)

    # The same files ingested from scratch give the same chunks.
    fresh = healthy.collections.create(DEPT, "fresh", created_by="admin")
    healthy.ingestor.ingest(fresh, [folder], actor="admin")
    assert sorted(c.text for c in chunks_of(healthy, fresh)) == sorted(c.text for c in chunks)
    # Resuming a finished job does nothing.
    assert healthy.ingestor.run(job_id, DEPT).counts == report.counts


def test_a_job_interrupted_between_files_resumes_where_it_stopped(
    services: KnowledgeBase, collection: Collection, folder: Path
) -> None:
    job_id = services.ingestor.start(collection, [folder], actor="admin")
    seen: list[str] = []

    def stop_after_two(done: int, total: int, source: str) -> None:
        if done == 2:
            raise KeyboardInterrupt
        seen.append(source)

    with pytest.raises(KeyboardInterrupt):
        services.ingestor.run(job_id, DEPT, progress=stop_after_two)
    progress: list[tuple[int, int]] = []
    report = services.ingestor.run(job_id, DEPT, progress=lambda d, t, s: progress.append((d, t)))
    assert progress[0][0] >= 2 and progress[-1][0] == progress[-1][1] == report_total(report)
    assert report.counts["added"] == 6


def report_total(report: IngestReport) -> int:
    return len(report.items)


def test_jobs_and_collections_belong_to_their_department(
    services: KnowledgeBase, collection: Collection, folder: Path
) -> None:
    job_id = services.ingestor.start(collection, [folder / "notes.txt"], actor="admin")
    with pytest.raises(NotFound):
        services.ingestor.run(job_id, "OTHER")
    services.ingestor.run(job_id, DEPT)
    with pytest.raises(NotFound):
        services.collections.get("OTHER", "housing")
    theirs = services.collections.create("OTHER", "housing", created_by="x")
    with pytest.raises(InputError):
        services.collections.create(DEPT, " housing ", created_by="x")
    assert [c.name for c in services.collections.list(DEPT)] == ["housing"]
    assert services.collections.list(DEPT)[0].documents == 1
    # A search scoped to the other department's collection sees none of ours.
    assert services.search("OTHER", [theirs], "waiting time six years") == []


def test_bad_paths_are_refused_before_a_job_starts(
    services: KnowledgeBase, collection: Collection, tmp_path: Path
) -> None:
    with pytest.raises(InputError):
        services.ingestor.start(collection, [tmp_path / "nope"], actor="admin")
    with pytest.raises(InputError):
        services.ingestor.start(collection, [], actor="admin")


def test_a_file_given_twice_is_ingested_once(
    services: KnowledgeBase, collection: Collection, folder: Path
) -> None:
    report = ingest(services, collection, folder / "notes.txt", folder)
    assert [i.source for i in report.items].count("notes.txt") == 1
    assert len(services.documents.list(collection)) == 6


def test_upload_bytes_are_indexed_by_origin(
    services: KnowledgeBase, collection: Collection
) -> None:
    index: Callable[..., tuple] = services.ingestor.index_bytes
    first = index(
        collection, b"Opening hours are 9 to 5.", origin="upload:hours.txt", source="hours.txt"
    )
    again = index(
        collection, b"Opening hours are 9 to 5.", origin="upload:hours.txt", source="hours.txt"
    )
    changed = index(
        collection, b"Opening hours are 9 to 6.", origin="upload:hours.txt", source="hours.txt"
    )
    assert (first[0], again[0], changed[0]) == ("added", "unchanged", "updated")
    assert first[2] == again[2] == changed[2]
