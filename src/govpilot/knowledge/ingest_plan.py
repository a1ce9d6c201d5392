"""What an ingest job will do: the files under the paths given, each to ingest or skip."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from govpilot.knowledge.sources import KNOWLEDGE_SUFFIXES
from govpilot.storage.knowledge_tables import IngestItemRow

__all__ = ["Planned", "dedupe", "is_under", "walk"]


@dataclass(frozen=True)
class Planned:
    """One file (or document) and what the job will do with it."""

    path: str
    source: str
    action: str  # ingest, upload, skip, prune, keep, fail (refused before the job)
    reason: str | None = None
    document_id: str | None = None


def walk(root: Path) -> list[Planned]:
    """The files under `root` (or `root` itself), each to ingest or to skip with a reason."""
    if root.is_file():
        return [_plan(root, root.name)]
    found: list[Planned] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith((".", "~$")):  # hidden files and Office lock files
                continue
            path = Path(folder) / name
            found.append(_plan(path, path.relative_to(root).as_posix()))
    return found


def _plan(path: Path, source: str) -> Planned:
    suffix = path.suffix.lower()
    if suffix in KNOWLEDGE_SUFFIXES:
        return Planned(str(path), source, "ingest")
    what = f"files of type {suffix}" if suffix else "files without an extension"
    reason = f"{what} are not supported (supported: {', '.join(KNOWLEDGE_SUFFIXES)})"
    return Planned(str(path), source, "skip", reason)


def dedupe(planned: list[Planned]) -> list[Planned]:
    """Each file once, even when it is under two of the paths given."""
    seen: set[str] = set()
    unique = []
    for item in planned:
        if item.path not in seen:
            seen.add(item.path)
            unique.append(item)
    return unique


def is_under(origin: str, root: Path) -> bool:
    return origin == str(root) or origin.startswith(str(root).rstrip(os.sep) + os.sep)


#: Items done as soon as the job is stored, and their outcome.
_DONE_AT_START = {"skip": "skipped", "keep": "kept", "fail": "failed"}


def item_rows(job_id: str, planned: Sequence[Planned]) -> list[IngestItemRow]:
    """The rows of a job's files (and documents to prune), stored with the job."""
    return [_item_row(job_id, ordinal, p) for ordinal, p in enumerate(planned)]


def _item_row(job_id: str, ordinal: int, planned: Planned) -> IngestItemRow:
    done = planned.action in _DONE_AT_START
    return IngestItemRow(
        job_id=job_id,
        ordinal=ordinal,
        action=planned.action,
        path=planned.path,
        source=planned.source,
        status="done" if done else "pending",
        outcome=_DONE_AT_START.get(planned.action),
        reason=planned.reason,
        document_id=planned.document_id,
        chunks=0,
    )
