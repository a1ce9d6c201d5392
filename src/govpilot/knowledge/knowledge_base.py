"""Knowledge services over one database and retriever: collections, documents, ingest and
search.

`Platform.knowledge_base()` builds them once per platform over the SQL retriever
(keyword + vectors, in the platform's database); tests that bring their own retriever set
`Platform.knowledge` instead.

Interfaces (CLI, API) call the methods that take the caller's CallContext: they authorise
once, here (`accounts.authz.authorize`: MANAGE_KNOWLEDGE to create, ingest into and delete,
SEARCH_KNOWLEDGE to list and search), within the caller's department unless another is
named, and audit what changed. A collection is looked up before the role is checked
(`reach`): one the caller's department does not own is NotFound for every verb, the same
answer as no collection at all, and only the department's own staff hear "not allowed".
The stores underneath (`collections`, `documents`, `ingestor`) check nothing: they are
for these methods and for tests.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from govpilot.access import CallContext, Permission, authorize
from govpilot.audit.events import AuditEvent, AuditSink
from govpilot.audit.log import AuditLog
from govpilot.errors import ConfigError, InputError
from govpilot.knowledge.collections import Collection, CollectionStore
from govpilot.knowledge.documents import DocumentStore, KnowledgeDocument
from govpilot.knowledge.ingest import Ingestor, IngestReport, ProgressCallback
from govpilot.knowledge.ocr import OcrEngine, RapidOcrEngine
from govpilot.knowledge.uploads import UploadedFile, UploadReport, index_uploads
from govpilot.retrieval.types import Retriever, Scope, SearchHit
from govpilot.storage.db import Database

if TYPE_CHECKING:
    from govpilot.config import Settings

__all__ = [
    "KnowledgeBase",
    "hit_as_dict",
]


@dataclass
class KnowledgeBase:
    """Everything the knowledge commands need, over one database and retriever."""

    database: Database
    retriever: Retriever
    collections: CollectionStore
    documents: DocumentStore
    ingestor: Ingestor
    #: Where changes and searches are recorded (the database's audit log unless given).
    audit: AuditSink | None = None

    @classmethod
    def build(
        cls,
        database: Database,
        retriever: Retriever,
        *,
        chunk_chars: int = 800,
        ocr: OcrEngine | None = None,
        audit: AuditSink | None = None,
        max_unpacked_bytes: int | None = None,
    ) -> KnowledgeBase:
        """Wire the stores and the ingestor (OCR through RapidOCR unless `ocr` is given)."""
        ingestor = Ingestor(
            database,
            retriever,
            chunk_chars=chunk_chars,
            ocr=ocr or RapidOcrEngine(),
            max_unpacked_bytes=max_unpacked_bytes,
        )
        return cls(
            database,
            retriever,
            CollectionStore(database, retriever),
            DocumentStore(database, retriever),
            ingestor,
            audit or AuditLog(database),
        )

    @classmethod
    def from_settings(cls, database: Database, settings: Settings) -> KnowledgeBase:
        """The services over the SQL retriever (keyword + vectors) in `database`."""
        return cls.build(
            database,
            _sql_retriever(database, settings),
            chunk_chars=settings.retrieval.chunk_chars,
            max_unpacked_bytes=settings.max_unpacked_bytes,
        )

    def search(
        self, department: str, collections: list[Collection], query: str, k: int = 5
    ) -> list[SearchHit]:
        """The best `k` chunks for `query` within the department's given collections.

        No check and no audit: callers acting for someone use `search_collection`.
        """
        scope = Scope(department, tuple(c.id for c in collections))
        return self.retriever.search(query, scope, k)

    # -- for a caller: authorised and audited ----------------------------------------------

    def create_collection(
        self, ctx: CallContext, name: str, *, description: str = "", department: str | None = None
    ) -> Collection:
        """A new collection of `department` (default: the caller's); MANAGE_KNOWLEDGE."""
        department = department or ctx.department
        authorize(ctx, Permission.MANAGE_KNOWLEDGE, department)
        created = self.collections.create(
            department, name, created_by=ctx.actor, description=description
        )
        self._audit(ctx, department, "knowledge.collection.create", collection=created.id)
        return created

    def list_collections(self, ctx: CallContext, department: str | None = None) -> list[Collection]:
        """The collections of `department` (default: the caller's); SEARCH_KNOWLEDGE."""
        department = department or ctx.department
        authorize(ctx, Permission.SEARCH_KNOWLEDGE, department)
        return self.collections.list(department)

    def reach(
        self,
        ctx: CallContext,
        permission: Permission,
        name: str,
        department: str | None = None,
    ) -> Collection:
        """The collection `ctx` may act on with `permission` (NotFound before PermissionDenied).

        Looking it up first makes another department's collection, for every verb and
        every role, the same 404 as a missing one; a department named outright that the
        caller cannot reach is refused before anything in it is looked at.
        """
        department = department or ctx.department
        if department != ctx.department:
            authorize(ctx, permission, department)
        found = self.collections.get(department, name)
        authorize(ctx, permission, department)
        return found

    def collection(self, ctx: CallContext, name: str, department: str | None = None) -> Collection:
        """One collection by name, with its counts; SEARCH_KNOWLEDGE."""
        return self._counted(self.reach(ctx, Permission.SEARCH_KNOWLEDGE, name, department))

    def delete_collection(
        self, ctx: CallContext, name: str, department: str | None = None
    ) -> tuple[Collection, int]:
        """Delete a collection with its documents and chunks; MANAGE_KNOWLEDGE.

        Returns the collection and how many chunks went with it.
        """
        found = self.reach(ctx, Permission.MANAGE_KNOWLEDGE, name, department)
        department = found.department
        removed = self.collections.delete(department, found.name)
        self._audit(ctx, department, "knowledge.collection.delete", collection=found.id)
        return found, removed

    def list_documents(
        self, ctx: CallContext, collection: str, department: str | None = None
    ) -> list[KnowledgeDocument]:
        """The documents of a collection; SEARCH_KNOWLEDGE."""
        return self.documents.list(self.collection(ctx, collection, department))

    def find_document(
        self, ctx: CallContext, collection: str, ref: str, department: str | None = None
    ) -> KnowledgeDocument:
        """A document by id, source or origin; SEARCH_KNOWLEDGE."""
        return self.documents.get(self.collection(ctx, collection, department), ref)

    def delete_document(
        self, ctx: CallContext, collection: str, ref: str, department: str | None = None
    ) -> KnowledgeDocument:
        """Delete one document and its chunks; MANAGE_KNOWLEDGE."""
        found = self.reach(ctx, Permission.MANAGE_KNOWLEDGE, collection, department)
        deleted = self.documents.delete(found, ref)
        self._audit(ctx, found.department, "knowledge.document.delete", document=deleted.id)
        return deleted

    def start_ingest(
        self,
        ctx: CallContext,
        collection: str,
        paths: Sequence[str | os.PathLike[str]],
        *,
        prune: bool = False,
        department: str | None = None,
    ) -> str:
        """Store an ingest job for files and folders on this machine; MANAGE_KNOWLEDGE."""
        found = self.reach(ctx, Permission.MANAGE_KNOWLEDGE, collection, department)
        return self.ingestor.start(found, paths, actor=ctx.actor, prune=prune)

    def run_ingest(
        self,
        ctx: CallContext,
        job_id: str,
        *,
        progress: ProgressCallback | None = None,
        department: str | None = None,
    ) -> IngestReport:
        """Run (or resume) an ingest job to its end; MANAGE_KNOWLEDGE; audited."""
        department = department or ctx.department
        authorize(ctx, Permission.MANAGE_KNOWLEDGE, department)
        report = self.ingestor.run(job_id, department, progress=progress)
        self._audit(ctx, department, "knowledge.ingest", job=job_id, counts=report.counts)
        return report

    def ingest_report(
        self, ctx: CallContext, job_id: str, department: str | None = None
    ) -> IngestReport:
        """An ingest job's state; MANAGE_KNOWLEDGE."""
        department = department or ctx.department
        authorize(ctx, Permission.MANAGE_KNOWLEDGE, department)
        return self.ingestor.report(job_id, department)

    def ingest_jobs(
        self, ctx: CallContext, collection: str, department: str | None = None
    ) -> list[dict[str, Any]]:
        """A collection's ingest jobs, newest first; MANAGE_KNOWLEDGE."""
        return self.ingestor.jobs(
            self.reach(ctx, Permission.MANAGE_KNOWLEDGE, collection, department)
        )

    def ingest_uploads(
        self,
        ctx: CallContext,
        collection: str,
        files: Sequence[UploadedFile],
        department: str | None = None,
    ) -> UploadReport:
        """Index uploaded files now, one result per file; MANAGE_KNOWLEDGE; audited.

        For a few small files held in memory (tests, scripts): the web and the API store
        uploads and index them in the background instead (`upload_jobs.UploadJobs`).
        """
        found = self.reach(ctx, Permission.MANAGE_KNOWLEDGE, collection, department)
        report = index_uploads(self.ingestor, found, files)
        self._audit(
            ctx, found.department, "knowledge.ingest", collection=found.id, counts=report.counts
        )
        return report

    def search_collection(
        self,
        ctx: CallContext,
        collection: str,
        queries: Sequence[str],
        k: int = 5,
        department: str | None = None,
    ) -> list[list[SearchHit]]:
        """The best `k` chunks of one collection for each query; SEARCH_KNOWLEDGE; audited
        (how many queries, never their text)."""
        found = [self.reach(ctx, Permission.SEARCH_KNOWLEDGE, collection, department)]
        department = found[0].department
        if not queries or any(not q.strip() for q in queries):
            raise InputError("The query is empty.", hint="Say what to look for.")
        results = [self.search(department, found, query, k) for query in queries]
        self._audit(
            ctx, department, "knowledge.search", collection=found[0].id, queries=len(queries)
        )
        return results

    def _counted(self, collection: Collection) -> Collection:
        listed = {c.id: c for c in self.collections.list(collection.department)}
        return listed.get(collection.id, collection)

    def _audit(self, ctx: CallContext, department: str, action: str, **detail: Any) -> None:
        if self.audit is None:
            self.audit = AuditLog(self.database)
        self.audit.record(
            AuditEvent(
                actor=ctx.actor,
                department=department,
                action=action,
                channel=ctx.channel,
                detail=detail,
            )
        )


def hit_as_dict(hit: SearchHit) -> dict[str, Any]:
    """A search result as `govpilot search --json` prints it."""
    citation = hit.citation
    return {
        "document": hit.chunk.source,
        "text": hit.chunk.text,
        "score": round(float(hit.score), 6),
        "citation": {**citation.as_dict(), "label": citation.label()},
    }


def _sql_retriever(database: Database, settings: Settings) -> Retriever:
    try:
        from govpilot.backends.embed import build_embedder
        from govpilot.retrieval.fusion import Fusion
        from govpilot.retrieval.sql_retriever import SqlRetriever
    except ImportError as exc:
        raise ConfigError(
            f"The search index cannot be loaded: {exc}.",
            hint="Reinstall govpilot with its dependencies (pip install govpilot).",
        ) from exc
    retrieval = settings.retrieval
    fusion = Fusion(
        keyword_weight_chinese=retrieval.keyword_weight_chinese,
        keyword_weight_english=retrieval.keyword_weight_english,
        candidates=retrieval.fusion_candidates,
    )
    return SqlRetriever(database, build_embedder(retrieval), fusion=fusion)
