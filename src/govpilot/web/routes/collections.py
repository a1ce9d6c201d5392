"""/collections: a department's knowledge collections (upload, documents, search with
citations), and the progress of uploads while they are indexed.

An upload is stored and queued (`knowledge.upload_jobs`), then the browser goes back to the
collection page, which polls `/collections/{name}/ingest-jobs/{id}` every 2 s with htmx
while the files are indexed; the fragment answers 286 (stop polling) once the job has
finished, with each file's result and the documents list swapped in out of band. Without
JavaScript the page offers a link to reload it.

Everything is looked up within the signed-in user's department; the knowledge services
authorise (and audit). Only managers (MANAGE_KNOWLEDGE) upload and follow uploads; another
department's collection or upload is a 404. `authz.allowed` only hides what would be refused.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from govpilot.access import CallContext, Permission, allowed
from govpilot.errors import InputError, NotFound
from govpilot.http.dependencies import PlatformDep
from govpilot.http.uploads import read_upload, size_limited_route, upload_name
from govpilot.knowledge.ingest_report import IngestReport
from govpilot.knowledge.uploads import MAX_UPLOAD_FILES, UploadedFile
from govpilot.platform import Platform
from govpilot.web.i18n import N_, text_lang
from govpilot.web.notices import back_to, notice_for
from govpilot.web.render import NavItem, render, translate
from govpilot.web.session import WebUser, WebUserDep

# Refuses a request bigger than its files may be before reading it (413, as the API does).
router = APIRouter(route_class=size_limited_route(max_files=MAX_UPLOAD_FILES))

NAV_ITEMS = [NavItem("/collections", N_("Collections"), Permission.SEARCH_KNOWLEDGE, order=61)]
CAPABILITY = "knowledge"
SEARCH_RESULTS = 8
#: htmx stops polling when a response has this status.
STOP_POLLING = 286
OUTCOME_LABELS = {
    "added": N_("Added"),
    "updated": N_("Updated"),
    "unchanged": N_("Unchanged"),
    "removed": N_("Removed"),
    "kept": N_("Kept"),
    "skipped": N_("Skipped"),
    "failed": N_("Failed"),
}
NOTICES = {
    "collection_created": N_("The collection was created."),
    "document_deleted": N_("The document was deleted."),
}
Text = Annotated[str, Form(max_length=2000)]


@router.get("/collections")
def collections_page(request: Request, platform: PlatformDep, web: WebUserDep) -> Response:
    """The department's collections with their document and chunk counts."""
    ctx = web.context(CAPABILITY)
    return render(
        request,
        "knowledge/collections.html",
        collections=platform.knowledge_base().list_collections(ctx),
        can_manage=allowed(ctx, Permission.MANAGE_KNOWLEDGE),
        notice=notice_for(request, NOTICES),
        error=None,
    )


@router.post("/collections")
def create_collection(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    name: Annotated[str, Form(max_length=100)],
    description: Text = "",
) -> Response:
    """A new, empty collection."""
    ctx = web.context(CAPABILITY)
    knowledge = platform.knowledge_base()
    try:
        collection = knowledge.create_collection(ctx, name, description=description)
    except InputError as exc:
        return render(
            request,
            "knowledge/collections.html",
            collections=knowledge.list_collections(ctx),
            can_manage=True,
            notice=None,
            error=str(exc),
            status_code=400,
        )
    return back_to(f"/collections/{quote(collection.name)}", done="collection_created")


def _collection_page(
    request: Request,
    platform: Platform,
    web: WebUser,
    name: str,
    *,
    query: str = "",
    ingest: str = "",
    error: str | None = None,
) -> Response:
    ctx = web.context(CAPABILITY)
    knowledge = platform.knowledge_base()
    collection = knowledge.collection(ctx, name)
    hits = []
    if query.strip():
        found = knowledge.search_collection(ctx, collection.name, [query.strip()], SEARCH_RESULTS)
        hits = [
            {"hit": hit, "label": hit.citation.label(), "lang": text_lang(hit.chunk.text)}
            for hit in found[0]
        ]
    can_manage = allowed(ctx, Permission.MANAGE_KNOWLEDGE)
    return render(
        request,
        "knowledge/collection.html",
        collection=collection,
        documents=knowledge.list_documents(ctx, collection.name),
        can_manage=can_manage,
        query=query,
        hits=hits,
        upload=_upload(platform, ctx, collection.name, ingest) if can_manage else None,
        outcome_labels=OUTCOME_LABELS,
        max_files=MAX_UPLOAD_FILES,
        notice=notice_for(request, NOTICES),
        error=error,
        status_code=400 if error else 200,
    )


def _upload(platform: Platform, ctx: CallContext, name: str, job_id: str) -> IngestReport | None:
    """The upload just sent (`job_id`), or else the collection's upload still indexing."""
    jobs = platform.upload_job_service()
    if job_id:
        try:
            return jobs.report(ctx, name, job_id)
        except NotFound:  # an old or mistyped link: the page shows what is running instead
            pass
    return jobs.current(ctx, name)


@router.get("/collections/{name}")
def collection_page(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    name: str,
    q: Annotated[str, Query(max_length=1000)] = "",
    ingest: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """A collection's documents, the upload form, search with citations, and the progress
    (then the results) of an upload (`ingest`: its job) or of one still indexing."""
    return _collection_page(request, platform, web, name, query=q, ingest=ingest)


@router.post("/collections/{name}/upload")
def upload(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    name: str,
    files: Annotated[list[UploadFile], File()],
) -> Response:
    """Store the uploaded files and queue them for indexing; back to the collection page,
    which shows the progress and then what became of each file."""
    chosen = [f for f in files if f.filename]
    if not chosen or len(chosen) > MAX_UPLOAD_FILES:
        message = translate(request, N_("Choose between 1 and %(n)s files."), n=MAX_UPLOAD_FILES)
        return _collection_page(request, platform, web, name, error=message)
    uploaded = []
    for file in chosen:
        try:
            data = read_upload(file, platform.settings)
        except InputError as exc:
            return _collection_page(request, platform, web, name, error=str(exc))
        uploaded.append(UploadedFile(upload_name(file), data))
    report = platform.upload_job_service().submit(web.context(CAPABILITY), name, uploaded)
    query = urlencode({"ingest": report.job_id})
    return RedirectResponse(
        f"/collections/{quote(report.collection)}?{query}#upload-progress", status_code=303
    )


@router.get("/collections/{name}/ingest-jobs/{job_id}")
def upload_progress(
    request: Request, platform: PlatformDep, web: WebUserDep, name: str, job_id: str
) -> Response:
    """The progress fragment the collection page polls; 286 (stop polling) once finished,
    with each file's result and the collection's documents (out of band)."""
    ctx = web.context(CAPABILITY)
    upload = platform.upload_job_service().report(ctx, name, job_id)
    knowledge = platform.knowledge_base()
    collection = knowledge.collection(ctx, name)
    finished = upload.finished
    return render(
        request,
        "knowledge/_upload_progress.html",
        collection=collection,
        upload=upload,
        outcome_labels=OUTCOME_LABELS,
        documents=knowledge.list_documents(ctx, collection.name) if finished else [],
        can_manage=True,
        oob=finished,
        status_code=STOP_POLLING if finished and request.headers.get("hx-request") else 200,
    )


@router.post("/collections/{name}/documents/{document_id}/delete")
def delete_document(
    platform: PlatformDep, web: WebUserDep, name: str, document_id: str
) -> Response:
    """Delete one document and its chunks."""
    knowledge = platform.knowledge_base()
    knowledge.delete_document(web.context(CAPABILITY), name, document_id)
    return back_to(f"/collections/{quote(name)}", done="document_deleted")
