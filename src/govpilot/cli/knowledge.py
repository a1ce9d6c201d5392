"""CLI commands for knowledge collections: create and manage them, ingest files, search.

Collections are looked up by name within the caller's department (GOVPILOT_DEPARTMENT).
The commands act through `KnowledgeBase`' authorised methods with the CLI's context:
changes (create, delete, ingest) are recorded in the audit log there; search is too,
without the query text.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from govpilot.access import CallContext
from govpilot.cli.common import err_console, get_platform, handled_errors, progress_bar
from govpilot.errors import InputError
from govpilot.knowledge.ingest import OUTCOMES, IngestReport
from govpilot.knowledge.knowledge_base import hit_as_dict
from govpilot.platform import Platform

__all__ = ["collections_app", "documents_app", "ingest", "search"]

collections_app = typer.Typer(
    help="Knowledge collections: a department's documents for search and bots.",
    no_args_is_help=True,
)
documents_app = typer.Typer(help="The documents of a knowledge collection.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON")]
CollectionArg = Annotated[str, typer.Argument(help="Collection name (in your department)")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")]


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _context(platform: Platform) -> CallContext:
    return platform.cli_context("knowledge")


def _confirm(yes: bool, question: str) -> None:
    if not yes and not typer.confirm(question, default=False, err=True):
        raise InputError("Nothing was deleted.", hint="Pass --yes to delete without asking.")


@collections_app.command("create")
def create_collection(
    name: CollectionArg,
    department: Annotated[
        str | None, typer.Option("--department", "-d", help="Owner (default: your department)")
    ] = None,
    description: Annotated[str, typer.Option("--description", help="What it holds")] = "",
    as_json: JsonOption = False,
) -> None:
    """Create an empty collection."""
    with handled_errors():
        platform = get_platform()
        collection = platform.knowledge_base().create_collection(
            _context(platform), name, description=description, department=department
        )
        if as_json:
            _print_json(collection.as_dict())
        else:
            typer.echo(f"created collection {collection.name} ({collection.department})")


@collections_app.command("list")
def list_collections(as_json: JsonOption = False) -> None:
    """List your department's collections with their document and chunk counts."""
    with handled_errors():
        platform = get_platform()
        department = platform.settings.department
        found = platform.knowledge_base().list_collections(_context(platform))
        if as_json:
            _print_json([c.as_dict() for c in found])
            return
        if not found:
            err_console.print(f"department {department} has no collections yet", highlight=False)
        for c in found:
            line = f"{c.name:<30} {c.documents:>6} documents {c.chunks:>8} chunks"
            typer.echo(f"{line}  {c.description}".rstrip())


@collections_app.command("delete")
def delete_collection(name: CollectionArg, yes: YesOption = False) -> None:
    """Delete a collection with all its documents and their chunks."""
    with handled_errors():
        platform = get_platform()
        services = platform.knowledge_base()
        ctx = _context(platform)
        collection = services.collection(ctx, name)
        _confirm(yes, f"Delete collection {collection.name} and all its documents?")
        _, removed = services.delete_collection(ctx, name)
        typer.echo(f"deleted collection {collection.name} ({removed} chunks)")


@collections_app.command("documents")
def collection_documents(name: CollectionArg, as_json: JsonOption = False) -> None:
    """List the documents of a collection."""
    list_documents(name, as_json)


@collections_app.command("jobs")
def collection_jobs(name: CollectionArg, as_json: JsonOption = False) -> None:
    """List a collection's ingest jobs (an unfinished one continues with --resume)."""
    with handled_errors():
        platform = get_platform()
        jobs = platform.knowledge_base().ingest_jobs(_context(platform), name)
        if as_json:
            _print_json(jobs)
            return
        for job in jobs:
            typer.echo(
                f"{job['id']}  {job['kind']:<6} {job['status']:<10} "
                f"{job['done']:>6}/{job['total']:<6} "
                f"{job['created_at'][:19]}  {job['created_by']}"
            )


@documents_app.command("list")
def list_documents(collection: CollectionArg, as_json: JsonOption = False) -> None:
    """List the documents of a collection."""
    with handled_errors():
        platform = get_platform()
        documents = platform.knowledge_base().list_documents(_context(platform), collection)
        if as_json:
            _print_json([d.as_dict() for d in documents])
            return
        for d in documents:
            status = "" if d.status == "ready" else f"  [{d.status}]"
            typer.echo(f"{d.id}  {d.kind:<8} {d.chunks:>5} chunks  {d.source}{status}")


@documents_app.command("delete")
def delete_document(
    collection: CollectionArg,
    document: Annotated[str, typer.Argument(help="Document id or source (file name or path)")],
    yes: YesOption = False,
) -> None:
    """Delete one document and its chunks from a collection."""
    with handled_errors():
        platform = get_platform()
        services = platform.knowledge_base()
        ctx = _context(platform)
        target = services.find_document(ctx, collection, document)
        _confirm(yes, f"Delete {target.source} from {collection}?")
        services.delete_document(ctx, collection, target.id)
        typer.echo(f"deleted {target.source} ({target.chunks} chunks)")


def ingest(
    collection: Annotated[
        str | None, typer.Argument(help="Collection name (not needed with --resume)")
    ] = None,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files and folders to add", show_default=False)
    ] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete documents whose files are gone from a folder")
    ] = False,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Continue an interrupted job by its id")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add files and folders to a collection; unchanged files are skipped, changed re-indexed."""
    with handled_errors():
        platform = get_platform()
        services = platform.knowledge_base()
        ctx = _context(platform)
        if resume:
            if paths:
                raise InputError("--resume continues a job; it takes no paths.")
            job_id = resume
            report = services.ingest_report(ctx, job_id)
            if collection and collection.strip() != report.collection:
                raise InputError(f"Job {job_id} belongs to collection {report.collection!r}.")
        else:
            if not collection or not paths:
                raise InputError(
                    "Give a collection and one or more files or folders.",
                    hint="e.g. govpilot ingest housing-faq ./documents",
                )
            job_id = services.start_ingest(ctx, collection, paths, prune=prune)
        err_console.print(
            f"ingest job {job_id} (if interrupted: govpilot ingest --resume {job_id})",
            highlight=False,
        )
        try:
            with progress_bar("ingesting", enabled=not as_json) as update:
                report = services.run_ingest(
                    ctx, job_id, progress=lambda done, total, _source: update(done, total)
                )
        except KeyboardInterrupt:
            err_console.print(f"interrupted; continue with: govpilot ingest --resume {job_id}")
            raise typer.Exit(code=130) from None
        if as_json:
            _print_json(report.as_dict())
        else:
            _print_summary(report)
        if report.counts.get("failed"):
            # Some files could not be read: scripts must notice (the rest is indexed).
            raise typer.Exit(code=2)


def _print_summary(report: IngestReport) -> None:
    counts = report.counts
    parts = [f"{counts[name]} {name}" for name in OUTCOMES if counts.get(name)]
    typer.echo(f"{report.collection}: {', '.join(parts) or 'nothing to do'}")
    for item in report.problems:
        typer.echo(f"  {item.outcome:<8} {item.source}: {item.reason}")


def search(
    collection: CollectionArg,
    query: Annotated[str | None, typer.Argument(help="What to look for")] = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=100, help="Results to return")] = 5,
    queries: Annotated[
        Path | None,
        typer.Option("--queries", help='JSONL file of {"id", "text"}: one JSON line out per line'),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Search a collection; with --queries, run a file of queries in one go."""
    with handled_errors():
        if (query is None) == (queries is None):
            raise InputError(
                "Give either a QUERY or --queries FILE.jsonl.",
                hint='e.g. govpilot search housing-faq "income limit" --json',
            )
        platform = get_platform()
        services = platform.knowledge_base()
        ctx = _context(platform)
        if queries is not None:
            batch = _read_queries(queries)
            if not batch:
                return
            results = services.search_collection(ctx, collection, [t for _, t in batch], k)
            for (query_id, _text), hits in zip(batch, results, strict=True):
                line = {"id": query_id, "results": [hit_as_dict(h) for h in hits]}
                typer.echo(json.dumps(line, ensure_ascii=False))
            return
        assert query is not None
        (hits,) = services.search_collection(ctx, collection, [query], k)
        if as_json:
            _print_json([hit_as_dict(h) for h in hits])
            return
        if not hits:
            err_console.print("no results", highlight=False)
        for rank, hit in enumerate(hits, 1):
            typer.echo(f"{rank}. [{hit.score:.3f}] {hit.citation.label()}")
            if hit.chunk.url:
                typer.echo(f"   {hit.chunk.url}")
            excerpt = " ".join(hit.chunk.text.split())
            typer.echo(f"   {excerpt[:300]}{'...' if len(excerpt) > 300 else ''}")


def _read_queries(path: Path) -> list[tuple[Any, str]]:
    """The (id, text) pairs of a JSONL file ('-' reads stdin); every line checked first."""
    try:
        raw = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read {path}: {exc}.", hint="Give a UTF-8 JSONL file.") from exc
    batch = []
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path} line {number} is not JSON: {exc.msg}.") from exc
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise InputError(
                f'{path} line {number} needs a "text" string.',
                hint='Each line: {"id": "q1", "text": "your question"}',
            )
        batch.append((item.get("id"), item["text"]))
    return batch
