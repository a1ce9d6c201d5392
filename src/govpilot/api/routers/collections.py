"""Knowledge collections under /api/v1/collections: create, list and delete them, upload
documents into them, delete documents, and search.

Collections are looked up by name within the caller's department. Uploads (up to
`MAX_UPLOAD_FILES` files, each within the upload size limit) are stored and indexed by the
queue's workers as a resumable job (`knowledge.upload_jobs`); the request waits for it (up to
`UPLOAD_WAIT_S`) unless `wait=false`; an unfinished job answers 202, to follow at
`.../ingest-jobs/{job_id}`.
Who may do what is decided in the services (`accounts.authz`), not here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile

from govpilot.api.deps import CallerDep
from govpilot.api.schemas.collections import (
    CollectionCreate,
    CollectionPublic,
    DocumentPublic,
    IngestJobPublic,
    SearchHitPublic,
)
from govpilot.api.schemas.errors import ERROR_RESPONSES
from govpilot.config import Settings
from govpilot.errors import InputError, InputTooLarge
from govpilot.http.dependencies import PlatformDep
from govpilot.http.uploads import read_upload, size_limited_route, upload_name
from govpilot.knowledge.ingest_report import IngestReport
from govpilot.knowledge.knowledge_base import hit_as_dict
from govpilot.knowledge.uploads import MAX_UPLOAD_FILES, UploadedFile

#: How long an upload request waits for its job before answering 202 with it.
UPLOAD_WAIT_S = 120.0

router = APIRouter(
    prefix="/api/v1/collections",
    tags=["collections"],
    responses=ERROR_RESPONSES,
    route_class=size_limited_route(max_files=MAX_UPLOAD_FILES),
)


@router.get("", response_model=list[CollectionPublic])
def list_collections(platform: PlatformDep, caller: CallerDep) -> Any:
    """The caller's department's collections, with their document and chunk counts."""
    return [c.as_dict() for c in platform.knowledge_base().list_collections(caller)]


@router.post("", response_model=CollectionPublic, status_code=201)
def create_collection(body: CollectionCreate, platform: PlatformDep, caller: CallerDep) -> Any:
    """Create an empty collection in the caller's department."""
    services = platform.knowledge_base()
    return services.create_collection(caller, body.name, description=body.description).as_dict()


@router.get("/{name}", response_model=CollectionPublic)
def get_collection(name: str, platform: PlatformDep, caller: CallerDep) -> Any:
    """One collection."""
    return platform.knowledge_base().collection(caller, name).as_dict()


@router.delete("/{name}", status_code=204)
def delete_collection(name: str, platform: PlatformDep, caller: CallerDep) -> Response:
    """Delete a collection with all its documents and their chunks."""
    platform.knowledge_base().delete_collection(caller, name)
    return Response(status_code=204)


@router.get("/{name}/documents", response_model=list[DocumentPublic])
def list_documents(name: str, platform: PlatformDep, caller: CallerDep) -> Any:
    """The documents of a collection."""
    return [d.as_dict() for d in platform.knowledge_base().list_documents(caller, name)]


@router.post(
    "/{name}/documents",
    response_model=IngestJobPublic,
    responses={
        202: {"model": IngestJobPublic, "description": "Queued (wait=false, or still indexing)"}
    },
)
def upload_documents(
    name: str,
    platform: PlatformDep,
    caller: CallerDep,
    response: Response,
    files: Annotated[
        list[UploadFile],
        File(description="txt, md, html, docx, pdf, images, eml, csv or xlsx files"),
    ],
    wait: Annotated[
        bool,
        Query(
            description="Answer once every file is indexed (true; 202 with the job after"
            f" {UPLOAD_WAIT_S:.0f} s), or at once with 202 and"
            " the job to follow at GET .../ingest-jobs/{job_id} (false)"
        ),
    ] = True,
) -> Any:
    """Add files to a collection; each is added, updated, unchanged, skipped or failed.

    The files are stored before anything else, then indexed in the background: a server
    restart half-way loses none. A file of the same name replaces the earlier one when its
    content changed. Files that cannot be read are reported with the reason; the others
    are indexed all the same. Large files take minutes: send `wait=false` and poll the job.
    """
    if len(files) > MAX_UPLOAD_FILES:
        raise InputError(
            f"{len(files)} files were uploaded; at most {MAX_UPLOAD_FILES} are accepted at once",
            hint="Send them in several requests, or ingest a folder with `govpilot ingest`.",
        )
    uploads = [_read(upload, platform.settings) for upload in files]
    jobs = platform.upload_job_service()
    report = jobs.submit(caller, name, uploads)
    if wait:
        report = jobs.wait(caller, name, report.job_id, timeout=UPLOAD_WAIT_S)
    if not report.finished:  # not asked to wait, or still indexing: follow the job
        response.status_code = 202
    return _job(report)


@router.get("/{name}/ingest-jobs/{job_id}", response_model=IngestJobPublic)
def ingest_job(name: str, job_id: str, platform: PlatformDep, caller: CallerDep) -> Any:
    """An upload's job: its status, files done of all, and each file's result so far."""
    return _job(platform.upload_job_service().report(caller, name, job_id))


def _job(report: IngestReport) -> dict[str, Any]:
    return {**report.as_dict(), "done": report.done, "total": report.total}


def _read(upload: UploadFile, settings: Settings) -> UploadedFile:
    # A file over the limit is one failed item, not a failed request: the others go on.
    try:
        return UploadedFile(upload_name(upload), read_upload(upload, settings))
    except InputTooLarge as error:
        return UploadedFile(upload_name(upload), b"", error=error.message)


@router.delete("/{name}/documents/{document_id}", status_code=204)
def delete_document(
    name: str, document_id: str, platform: PlatformDep, caller: CallerDep
) -> Response:
    """Delete one document and its chunks from a collection."""
    platform.knowledge_base().delete_document(caller, name, document_id)
    return Response(status_code=204)


@router.get("/{name}/search", response_model=list[SearchHitPublic])
def search(
    name: str,
    platform: PlatformDep,
    caller: CallerDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="What to look for")],
    k: Annotated[int, Query(ge=1, le=100, description="How many results")] = 5,
) -> Any:
    """The best `k` passages of the collection for `q`, with where each one is."""
    (hits,) = platform.knowledge_base().search_collection(caller, name, [q], k)
    return [hit_as_dict(hit) for hit in hits]
