"""Uploads indexed in the background on the job runtime: stored before the caller gets an
answer, indexed by a queue worker under their own names, continued after a crash or a
stop without duplicates, cancellable, shown only within their department, audited once when
finished."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select
from test_ingest import CrashingRetriever, NoOcr, _sql_retriever, chunks_of

from govpilot.access import CallContext, Role
from govpilot.audit.events import MemoryAuditSink
from govpilot.config import JobSettings
from govpilot.errors import InputError, NotFound, PermissionDenied, RateLimited, StorageError
from govpilot.jobs import JobService
from govpilot.knowledge.ingest_report import IngestReport
from govpilot.knowledge.knowledge_base import KnowledgeBase
from govpilot.knowledge.upload_jobs import UploadJobs
from govpilot.knowledge.upload_spool import unfinished
from govpilot.knowledge.uploads import UploadedFile
from govpilot.platform import Platform
from govpilot.retrieval.memory import InMemoryRetriever
from govpilot.retrieval.types import Chunk, Retriever, Scope, SearchHit
from govpilot.storage.knowledge_tables import KnowledgeDocumentRow
from govpilot.testing import fake_settings, make_test_platform

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
#: Jobs whose worker dies are taken over after this lease (seconds).
LEASE_S = 1.5


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


@pytest.fixture
def audit() -> MemoryAuditSink:
    return MemoryAuditSink()


class Server:
    """One govpilot process over a shared home and database: its platform, its job
    service (with a queue worker once `start`ed) and its uploads."""

    def __init__(
        self, home: Path, database_url: str, retriever: Retriever, audit: MemoryAuditSink
    ) -> None:
        settings = fake_settings(
            home,
            jobs=JobSettings(
                broker_url="memory://",
                queue=f"uploads-{home.name}",
                lease_s=LEASE_S,
                retry_backoff_s=0.05,
                sweep_s=0.2,
            ),
        )
        self.platform: Platform = make_test_platform(settings, database_url=database_url)
        self.knowledge = KnowledgeBase.build(
            self.platform.database, retriever, ocr=NoOcr(), audit=audit
        )
        self.platform.knowledge = self.knowledge
        self.jobs: JobService = self.platform.new_job_service(workers=1)
        self.platform.jobs = self.jobs
        self.uploads: UploadJobs = self.platform.upload_job_service()

    def start(self) -> Server:
        self.jobs.start()
        return self

    def stop(self) -> None:
        self.jobs.shutdown()
        self.platform.database.dispose()

    def run(self, job_id: str) -> str:
        """Run one attempt at the job here, as a worker would; its outcome."""
        return self.jobs.runner.run(job_id).outcome


ServerFactory = Callable[..., Server]


@pytest.fixture
def server(tmp_path: Path, database_url: str, audit: MemoryAuditSink) -> Iterator[ServerFactory]:
    """Makes servers over one home and database (each with its own index unless given)."""
    made: list[Server] = []

    def make(retriever: Retriever | None = None, *, collection: bool = True) -> Server:
        built = Server(tmp_path, database_url, retriever or InMemoryRetriever(), audit)
        if collection and not made:
            built.knowledge.collections.create(DEPT, "notices", created_by="admin")
        made.append(built)
        return built

    yield make
    for built in made:
        built.stop()


@pytest.fixture
def running(server: ServerFactory, memory: InMemoryRetriever) -> UploadJobs:
    """Uploads over an in-memory index, a queue worker running, and a collection."""
    return server(memory).start().uploads


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
    assert done.status == "completed" and done.finished and done.error is None
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
    # One job of the one jobs table, finished like any other.
    job = running.jobs.store.get(queued.job_id)
    assert job is not None and (job.kind, job.status, job.attempts) == ("upload", "done", 1)
    assert job.collection_id == collection.id
    # The same files again are unchanged; the job is new, the documents are not.
    again = running.wait(ADMIN, "notices", running.submit(ADMIN, "notices", FILES[:1]).job_id)
    assert outcomes(again) == [("hours.txt", "unchanged")]
    assert len(services.documents.list(collection)) == 3


def test_the_caller_gets_the_job_before_the_files_are_indexed(
    server: ServerFactory, tmp_path: Path, memory: InMemoryRetriever, audit: MemoryAuditSink
) -> None:
    slow = BlockingRetriever(memory)
    jobs = server(slow).start().uploads
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
@pytest.mark.parametrize("index_kind", ["memory", "sql"])
def test_a_job_a_dead_worker_left_is_taken_over_without_duplicates(
    server: ServerFactory, tmp_path: Path, audit: MemoryAuditSink, after: bool, index_kind: str
) -> None:
    # The first server's worker dies (like a killed process) while indexing the second file.
    first = server(InMemoryRetriever())
    index: Retriever = (
        InMemoryRetriever() if index_kind == "memory" else _sql_retriever(first.platform.database)
    )
    first.knowledge.retriever = CrashingRetriever(index, crash_on_add=2, after=after)
    first.knowledge.ingestor.retriever = first.knowledge.retriever
    first.knowledge.ingestor.documents.retriever = first.knowledge.retriever
    queued = first.uploads.submit(ADMIN, "notices", FILES)
    with pytest.raises(SystemExit):
        first.run(queued.job_id)
    midway = first.knowledge.ingestor.report(queued.job_id, DEPT)
    assert midway.status == "running" and midway.counts["pending"] >= 1
    assert midway.items[0].status == "done"
    assert len(stored_files(tmp_path)) == 2  # the first file's bytes went once indexed
    assert ingest_events(audit) == []

    # Another server's worker, the same database and index: once the dead worker's lease
    # runs out, the sweep sends the job again and it is finished.
    second = server(index).start()
    done = second.uploads.wait(ADMIN, "notices", queued.job_id, timeout=30)
    assert done.status == "completed"
    assert outcomes(done) == [("hours.txt", "added"), ("fees.md", "added"), ("rules.txt", "added")]
    job = second.jobs.store.get(queued.job_id)
    assert job is not None and job.attempts == 2

    collection = second.knowledge.collections.get(DEPT, "notices")
    documents = second.knowledge.documents.list(collection)
    assert len(documents) == 3 and {d.status for d in documents} == {"ready"}
    chunks = chunks_of(second.knowledge, collection)
    assert len(chunks) == sum(d.chunks for d in documents)
    assert len({(c.document_id, c.ordinal) for c in chunks}) == len(chunks)
    assert stored_files(tmp_path) == [] and not (tmp_path / "ingest-uploads" / done.job_id).exists()
    assert [e["job"] for e in ingest_events(audit)] == [queued.job_id]


def test_a_stopped_worker_hands_the_rest_back_to_the_queue(
    server: ServerFactory, tmp_path: Path, memory: InMemoryRetriever, audit: MemoryAuditSink
) -> None:
    slow = BlockingRetriever(memory)
    first = server(slow).start()
    queued = first.uploads.submit(ADMIN, "notices", FILES)
    assert slow.entered.wait(10)
    stopper = threading.Thread(target=first.jobs.shutdown)
    stopper.start()
    time.sleep(0.2)
    slow.release.set()  # the file in progress finishes; the next one does not start
    stopper.join(15)
    stopped = first.knowledge.ingestor.report(queued.job_id, DEPT)
    assert stopped.status == "queued" and stopped.done == 1 and not stopped.finished
    assert len(stored_files(tmp_path)) == 2 and ingest_events(audit) == []

    again = server(memory).start()
    done = again.uploads.wait(ADMIN, "notices", queued.job_id, timeout=30)
    assert done.status == "completed" and done.counts["added"] == 3
    assert len(ingest_events(audit)) == 1


def test_an_index_failure_fails_the_remaining_files_with_the_reason(
    server: ServerFactory, tmp_path: Path, memory: InMemoryRetriever, audit: MemoryAuditSink
) -> None:
    jobs = server(BrokenRetriever(memory)).start().uploads
    queued = jobs.submit(ADMIN, "notices", FILES)
    done = jobs.wait(ADMIN, "notices", queued.job_id, timeout=30)
    assert done.status == "failed" and done.finished
    assert "search index is unreachable" in (done.error or "")
    assert [o for _, o in outcomes(done)] == ["added", "failed", "failed"]
    assert "search index is unreachable" in (done.items[1].reason or "")
    assert "Upload the file again" in (done.items[2].reason or "")
    assert stored_files(tmp_path) == []
    assert [e["outcome"] for e in ingest_events(audit)] == ["error"]


def test_a_transient_database_error_is_retried_where_it_stopped(
    server: ServerFactory, memory: InMemoryRetriever, audit: MemoryAuditSink
) -> None:
    class Hiccup(Delegating):
        adds = 0

        def add(self, chunks: Sequence[Chunk]) -> None:
            self.adds += 1
            if self.adds == 2:
                raise StorageError("the database restarted", transient=True)
            self.inner.add(chunks)

    jobs = server(Hiccup(memory)).start().uploads
    done = jobs.wait(ADMIN, "notices", jobs.submit(ADMIN, "notices", FILES).job_id, timeout=30)
    assert done.status == "completed"
    assert outcomes(done) == [("hours.txt", "added"), ("fees.md", "added"), ("rules.txt", "added")]
    job = jobs.jobs.store.get(done.job_id)
    assert job is not None and job.attempts == 2
    assert len(ingest_events(audit)) == 1


def test_an_upload_can_be_cancelled_queued_or_running(
    server: ServerFactory, tmp_path: Path, memory: InMemoryRetriever, audit: MemoryAuditSink
) -> None:
    slow = BlockingRetriever(memory)
    host = server(slow)
    # Queued, no worker yet: cancelled at once, its files failed and its bytes gone.
    waiting = host.uploads.submit(ADMIN, "notices", FILES[:1])
    host.jobs.cancel(ADMIN, waiting.job_id)
    report = host.uploads.report(ADMIN, "notices", waiting.job_id)
    assert report.status == "cancelled" and report.finished
    assert [(i.outcome, i.reason) for i in report.items] == [
        ("failed", "The upload was cancelled before this file was indexed.")
    ]
    assert not (tmp_path / "ingest-uploads" / waiting.job_id).exists()
    # Running: the worker stops before the next file.
    host.start()
    running = host.uploads.submit(ADMIN, "notices", FILES)
    assert slow.entered.wait(10)
    host.jobs.cancel(ADMIN, running.job_id)
    slow.release.set()
    deadline = time.monotonic() + 10
    while (tmp_path / "ingest-uploads" / running.job_id).exists():
        assert time.monotonic() < deadline, "the cancelled job kept its files"
        time.sleep(0.05)
    report = host.uploads.report(ADMIN, "notices", running.job_id)
    assert report.status == "cancelled"
    assert report.counts["failed"] >= 1 and "pending" not in report.counts
    assert ingest_events(audit) == []


def test_uploads_count_against_the_department_job_limit(server: ServerFactory) -> None:
    host = server()  # no worker: the jobs stay queued
    limit = host.platform.settings.auth.max_concurrent_jobs
    for _ in range(limit):
        host.uploads.submit(ADMIN, "notices", FILES[:1])
    with pytest.raises(RateLimited):
        host.uploads.submit(ADMIN, "notices", FILES[:1])
    assert len(unfinished(host.platform.database)) == limit


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
    server: ServerFactory, tmp_path: Path, audit: MemoryAuditSink
) -> None:
    host = server()  # no worker: the job waits
    queued = host.uploads.submit(ADMIN, "notices", FILES)
    assert unfinished(host.platform.database) == {queued.job_id}
    host.knowledge.collections.delete(DEPT, "notices")
    assert host.jobs.store.get(queued.job_id) is None
    assert host.run(queued.job_id) == "skipped"
    assert host.uploads.spool.sweep(unfinished(host.platform.database), min_age_s=0) == 1
    assert stored_files(tmp_path) == []
    assert ingest_events(audit) == []


def test_the_current_upload_is_the_newest_unfinished_one(server: ServerFactory) -> None:
    host = server()  # no worker: run by hand below
    jobs = host.uploads
    assert jobs.current(ADMIN, "notices") is None
    first = jobs.submit(ADMIN, "notices", FILES[:1])
    second = jobs.submit(ADMIN, "notices", FILES[1:])
    current = jobs.current(ADMIN, "notices")
    assert current is not None and current.job_id == second.job_id
    assert current.status == "queued"
    assert host.run(first.job_id) == "done" and host.run(second.job_id) == "done"
    assert host.run(second.job_id) == "skipped"  # a duplicate message finds nothing to do
    assert jobs.current(ADMIN, "notices") is None  # finished: nothing to follow
    assert jobs.report(ADMIN, "notices", first.job_id).status == "completed"
