"""Uploads indexed in the background: stored before the caller gets an answer, indexed by the
upload worker under their own names, continued after a restart without duplicates, shown
only within their department, audited once when finished."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select
from test_ingest import CrashingRetriever, NoOcr, _sql_retriever, chunks_of

from govpilot.access import CallContext, Role
from govpilot.audit.events import MemoryAuditSink
from govpilot.errors import InputError, NotFound, PermissionDenied, StorageError
from govpilot.knowledge.ingest_report import IngestReport
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.knowledge.upload_jobs import UploadJobs
from govpilot.knowledge.upload_queue import unfinished
from govpilot.knowledge.uploads import UploadedFile
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.retrieval.types import Chunk, Retriever, Scope, SearchHit
from govpilot.storage.db import Database
from govpilot.storage.knowledge_tables import KnowledgeDocumentRow

DEPT = "HD"
ADMIN = CallContext(
    actor="admin@hd.gov.hk",
    department=DEPT,
    capability="knowledge",
    channel="web",
    role=Role.DEPARTMENT_ADMIN.value,
)
FILES = [
    UploadedFile("C:\\Users\\chan\\hours.txt", b"The office opens from 9 am to 5 pm on weekdays."),
    UploadedFile("fees.md", "# Fees\n\n申請費用為港幣100元。The fee is HK$100.".encode()),
    UploadedFile("rules.txt", b"Bring your HKID card and proof of address."),
]


class Delegating:
    """A retriever passing everything to `inner`; subclasses change `add`."""

    def __init__(self, inner: Retriever) -> None:
        self.inner = inner

    def add(self, chunks: Sequence[Chunk]) -> None:
        self.inner.add(chunks)

    def remove_document(self, document_id: str) -> int:
        return self.inner.remove_document(document_id)

    def remove_collection(self, collection_id: str) -> int:
        return self.inner.remove_collection(collection_id)

    def search(self, query: str, scope: Scope, k: int = 5) -> list[SearchHit]:
        return self.inner.search(query, scope, k)


class BlockingRetriever(Delegating):
    """An index as slow as an embedder on a big PDF: each add waits until `release` is set."""

    def __init__(self, inner: Retriever) -> None:
        super().__init__(inner)
        self.release = threading.Event()
        self.entered = threading.Event()

    def add(self, chunks: Sequence[Chunk]) -> None:
        self.entered.set()
        assert self.release.wait(30), "the test never released the index"
        self.inner.add(chunks)


class BrokenRetriever(Delegating):
    """An index whose server went away after the first file."""

    adds = 0

    def add(self, chunks: Sequence[Chunk]) -> None:
        self.adds += 1
        if self.adds > 1:
            raise StorageError("the search index is unreachable", hint="check the database")
        self.inner.add(chunks)


@pytest.fixture
def memory() -> InMemoryRetriever:
    return InMemoryRetriever()


@pytest.fixture(params=["memory", "sql"])
def index(request: pytest.FixtureRequest, database: Database) -> Retriever:
    """The in-memory index, or the SQL one (keyword search, no embedder)."""
    return InMemoryRetriever() if request.param == "memory" else _sql_retriever(database)


@pytest.fixture
def audit() -> MemoryAuditSink:
    return MemoryAuditSink()


def services_over(
    database: Database, retriever: Retriever, audit: MemoryAuditSink
) -> KnowledgeBase:
    return KnowledgeBase.build(database, retriever, ocr=NoOcr(), audit=audit)


def upload_jobs(home: Path, services: KnowledgeBase, *, lock: bool = False) -> UploadJobs:
    """Upload jobs over `services`, the worker polling fast (not started)."""
    return UploadJobs(
        lambda: services,
        home / "ingest-uploads",
        lock_path=home / "ingest.lock" if lock else None,
        poll_s=0.05,
    )


@pytest.fixture
def running(
    tmp_path: Path, database: Database, memory: InMemoryRetriever, audit: MemoryAuditSink
) -> Iterator[UploadJobs]:
    """Upload jobs over an in-memory index, with the worker started and a collection."""
    services = services_over(database, memory, audit)
    services.collections.create(DEPT, "notices", created_by="admin")
    jobs = upload_jobs(tmp_path, services, lock=True).start()
    yield jobs
    jobs.shutdown()


def stored_files(home: Path) -> list[Path]:
    return sorted(p for p in (home / "ingest-uploads").rglob("*") if p.is_file())


def ingest_events(audit: MemoryAuditSink) -> list[dict[str, object]]:
    return [
        {"actor": e.actor, "channel": e.channel, "outcome": e.outcome, **e.detail}
        for e in audit.events
        if e.action == "knowledge.ingest"
    ]


def outcomes(report: IngestReport) -> list[tuple[str, str | None]]:
    return [(i.source, i.outcome) for i in report.items]


def test_uploads_are_indexed_in_the_background_under_their_own_names(
    running: UploadJobs, tmp_path: Path, audit: MemoryAuditSink
) -> None:
    queued = running.submit(ADMIN, "notices", FILES)
    assert [i.source for i in queued.items] == ["hours.txt", "fees.md", "rules.txt"]
    done = running.wait(ADMIN, "notices", queued.job_id, timeout=30)
    assert done.status == "completed" and done.finished
    assert outcomes(done) == [("hours.txt", "added"), ("fees.md", "added"), ("rules.txt", "added")]
    assert (done.done, done.total) == (3, 3)
    # The path a report shows is the file's name, never where the bytes waited.
    assert [i.path for i in done.items] == ["hours.txt", "fees.md", "rules.txt"]

    services = running.knowledge()
    collection = services.collections.get(DEPT, "notices")
    documents = services.documents.list(collection)
    assert sorted((d.source, d.status) for d in documents) == [
        ("fees.md", "ready"),
        ("hours.txt", "ready"),
        ("rules.txt", "ready"),
    ]
    with services.database.session() as session:
        origins = set(session.scalars(select(KnowledgeDocumentRow.origin)))
    assert origins == {"hours.txt", "fees.md", "rules.txt"}
    hits = services.search(DEPT, [collection], "When does the office open?", k=1)
    assert hits[0].chunk.source == "hours.txt"
    assert hits[0].citation.label().startswith("hours")
    assert "ingest-uploads" not in hits[0].citation.label()
    assert stored_files(tmp_path) == []  # the stored bytes go once indexed

    events = ingest_events(audit)
    assert events == [
        {
            "actor": ADMIN.actor,
            "channel": "web",
            "outcome": "ok",
            "collection": collection.id,
            "job": queued.job_id,
            "counts": done.counts,
        }
    ]
    # The same files again are unchanged; the job is new, the documents are not.
    again = running.wait(ADMIN, "notices", running.submit(ADMIN, "notices", FILES[:1]).job_id)
    assert outcomes(again) == [("hours.txt", "unchanged")]
    assert len(services.documents.list(collection)) == 3


def test_the_caller_gets_the_job_before_the_files_are_indexed(
    tmp_path: Path, database: Database, memory: InMemoryRetriever, audit: MemoryAuditSink
) -> None:
    slow = BlockingRetriever(memory)
    services = services_over(database, slow, audit)
    services.collections.create(DEPT, "notices", created_by="admin")
    jobs = upload_jobs(tmp_path, services).start()
    try:
        queued = jobs.submit(ADMIN, "notices", FILES)
        assert queued.status in ("queued", "running") and not queued.finished
        assert queued.counts["pending"] == 3
        # Stored on disk before the answer, one file each, named by position only.
        assert [p.name for p in stored_files(tmp_path)] == ["0", "1", "2"]
        assert slow.entered.wait(10), "the worker never started indexing"
        midway = jobs.report(ADMIN, "notices", queued.job_id)
        assert midway.status == "running" and midway.done == 0 and midway.total == 3
        assert ingest_events(audit) == []  # audited when finished, not before
        slow.release.set()
        done = jobs.wait(ADMIN, "notices", queued.job_id, timeout=30)
        assert done.status == "completed" and done.counts["added"] == 3
        assert len(ingest_events(audit)) == 1
    finally:
        slow.release.set()
        jobs.shutdown()


def test_files_that_cannot_be_used_are_reported_without_being_stored(
    running: UploadJobs, tmp_path: Path
) -> None:
    files = [
        UploadedFile("notes.txt", b"Some notes."),
        UploadedFile("notes.txt", b"Other notes."),
        UploadedFile("empty.txt", b""),
        UploadedFile("big.pdf", b"", error="'big.pdf' is over the 1 MB upload limit"),
        UploadedFile("setup.exe", b"MZ\x90\x00"),
    ]
    queued = running.submit(ADMIN, "notices", files)
    assert [(i.source, i.status) for i in queued.items][1:4] == [
        ("notes.txt", "done"),
        ("empty.txt", "done"),
        ("big.pdf", "done"),
    ]
    done = running.wait(ADMIN, "notices", queued.job_id, timeout=30)
    assert outcomes(done) == [
        ("notes.txt", "added"),
        ("notes.txt", "skipped"),
        ("empty.txt", "failed"),
        ("big.pdf", "failed"),
        ("setup.exe", "skipped"),
    ]
    reasons = [i.reason or "" for i in done.items]
    assert "sent twice" in reasons[1] and "empty" in reasons[2] and "limit" in reasons[3]
    assert ".exe" in reasons[4]
    with pytest.raises(InputError, match="1 to 20"):
        running.submit(ADMIN, "notices", [UploadedFile(f"{n}.txt", b"x") for n in range(21)])


@pytest.mark.parametrize("after", [False, True], ids=["killed-before-add", "killed-after-add"])
def test_a_job_a_dead_server_left_is_finished_at_the_next_start_without_duplicates(
    tmp_path: Path,
    database: Database,
    index: Retriever,
    audit: MemoryAuditSink,
    after: bool,
) -> None:
    # The first server dies (like a killed process) while indexing the second file.
    dying = services_over(database, CrashingRetriever(index, crash_on_add=2, after=after), audit)
    dying.collections.create(DEPT, "notices", created_by="admin")
    first = upload_jobs(tmp_path, dying, lock=True)
    queued = first.submit(ADMIN, "notices", FILES)
    with pytest.raises(SystemExit):
        first.worker.run_next()
    midway = dying.ingestor.report(queued.job_id, DEPT)
    assert midway.status == "running" and midway.counts["pending"] >= 1
    assert midway.items[0].status == "done"
    assert len(stored_files(tmp_path)) == 2  # the first file's bytes went once indexed
    assert ingest_events(audit) == []

    # A new server: new services, a new worker, the same database and index.
    healthy = services_over(database, index, audit)
    second = upload_jobs(tmp_path, healthy, lock=True).start()
    try:
        done = second.wait(ADMIN, "notices", queued.job_id, timeout=30)
    finally:
        second.shutdown()
    assert done.status == "completed"
    assert outcomes(done) == [("hours.txt", "added"), ("fees.md", "added"), ("rules.txt", "added")]

    collection = healthy.collections.get(DEPT, "notices")
    documents = healthy.documents.list(collection)
    assert len(documents) == 3 and {d.status for d in documents} == {"ready"}
    chunks = chunks_of(healthy, collection)
    assert len(chunks) == sum(d.chunks for d in documents)
    assert len({(c.document_id, c.ordinal) for c in chunks}) == len(chunks)
    assert stored_files(tmp_path) == [] and not (tmp_path / "ingest-uploads" / done.job_id).exists()
    assert [e["job"] for e in ingest_events(audit)] == [queued.job_id]


def test_a_stopped_worker_leaves_the_rest_for_the_next_start(
    tmp_path: Path, database: Database, memory: InMemoryRetriever, audit: MemoryAuditSink
) -> None:
    slow = BlockingRetriever(memory)
    services = services_over(database, slow, audit)
    services.collections.create(DEPT, "notices", created_by="admin")
    jobs = upload_jobs(tmp_path, services).start()
    queued = jobs.submit(ADMIN, "notices", FILES)
    assert slow.entered.wait(10)
    thread = jobs.worker._thread
    stopper = threading.Thread(target=jobs.shutdown)
    stopper.start()
    deadline = time.monotonic() + 10
    while not jobs.worker._stopping.is_set():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    slow.release.set()  # the file in progress finishes; the next one does not start
    stopper.join(10)
    assert thread is not None and not thread.is_alive()
    stopped = services.ingestor.report(queued.job_id, DEPT)
    assert stopped.status == "running" and stopped.done == 1 and not stopped.finished
    assert len(stored_files(tmp_path)) == 2 and ingest_events(audit) == []

    again = upload_jobs(tmp_path, services).start()
    try:
        done = again.wait(ADMIN, "notices", queued.job_id, timeout=30)
    finally:
        again.shutdown()
    assert done.status == "completed" and done.counts["added"] == 3
    assert len(ingest_events(audit)) == 1


def test_an_index_failure_fails_the_remaining_files_with_the_reason(
    tmp_path: Path, database: Database, memory: InMemoryRetriever, audit: MemoryAuditSink
) -> None:
    services = services_over(database, BrokenRetriever(memory), audit)
    services.collections.create(DEPT, "notices", created_by="admin")
    jobs = upload_jobs(tmp_path, services).start()
    try:
        queued = jobs.submit(ADMIN, "notices", FILES)
        done = jobs.wait(ADMIN, "notices", queued.job_id, timeout=30)
    finally:
        jobs.shutdown()
    assert done.status == "failed" and done.finished
    assert [o for _, o in outcomes(done)] == ["added", "failed", "failed"]
    assert "search index is unreachable" in (done.items[1].reason or "")
    assert "Upload the file again" in (done.items[2].reason or "")
    assert stored_files(tmp_path) == []
    assert [e["outcome"] for e in ingest_events(audit)] == ["error"]


def test_jobs_are_seen_only_by_managers_of_their_department(running: UploadJobs) -> None:
    queued = running.submit(ADMIN, "notices", FILES[:1])
    other_admin = CallContext(
        actor="admin@ld.gov.hk",
        department="LD",
        capability="knowledge",
        channel="web",
        role=Role.DEPARTMENT_ADMIN.value,
    )
    running.knowledge().collections.create("LD", "notices", created_by="admin")
    with pytest.raises(NotFound):
        running.report(other_admin, "notices", queued.job_id)
    with pytest.raises(NotFound):
        running.report(other_admin, "missing", queued.job_id)
    officer = CallContext(
        actor="officer@hd.gov.hk", department=DEPT, capability="knowledge", role="officer"
    )
    with pytest.raises(PermissionDenied):
        running.report(officer, "notices", queued.job_id)
    with pytest.raises(PermissionDenied):
        running.submit(officer, "notices", FILES[:1])
    running.knowledge().collections.create(DEPT, "forms", created_by="admin")
    with pytest.raises(NotFound):  # a job is followed through its own collection only
        running.report(ADMIN, "forms", queued.job_id)
    with pytest.raises(NotFound):
        running.submit(other_admin, "forms", FILES[:1])


def test_a_deleted_collection_takes_its_queued_upload_with_it(
    tmp_path: Path, database: Database, memory: InMemoryRetriever, audit: MemoryAuditSink
) -> None:
    services = services_over(database, memory, audit)
    services.collections.create(DEPT, "notices", created_by="admin")
    jobs = upload_jobs(tmp_path, services)  # not started: the job waits
    queued = jobs.submit(ADMIN, "notices", FILES)
    assert unfinished(database) == {queued.job_id}
    services.collections.delete(DEPT, "notices")
    assert jobs.worker.run_next() is False
    assert jobs.spool.sweep(unfinished(database), min_age_s=0) == 1
    assert stored_files(tmp_path) == []
    assert ingest_events(audit) == []


def test_the_current_upload_is_the_newest_unfinished_one(
    tmp_path: Path, database: Database, memory: InMemoryRetriever, audit: MemoryAuditSink
) -> None:
    services = services_over(database, memory, audit)
    services.collections.create(DEPT, "notices", created_by="admin")
    jobs = upload_jobs(tmp_path, services)  # not started: run by hand below
    assert jobs.current(ADMIN, "notices") is None
    first = jobs.submit(ADMIN, "notices", FILES[:1])
    second = jobs.submit(ADMIN, "notices", FILES[1:])
    current = jobs.current(ADMIN, "notices")
    assert current is not None and current.job_id == second.job_id
    assert current.status == "queued"
    assert jobs.worker.run_next() and jobs.worker.run_next()
    assert not jobs.worker.run_next()
    assert jobs.current(ADMIN, "notices") is None  # finished: nothing to follow
    assert jobs.report(ADMIN, "notices", first.job_id).status == "completed"
