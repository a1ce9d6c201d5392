"""Which process runs the job workers: the one holding an exclusive lock on a file.

Requeueing `running` jobs is only safe when their process is dead. The process that runs
workers holds `GOVPILOT_HOME/jobs.lock`; the operating system lets go of it when that
process exits however it ends, so a process that gets the lock knows the previous holder
is gone. A second process (a CLI command beside `govpilot serve`) does not get it: it only
queues jobs, which the holder's workers pick up.

Where `fcntl` is missing (Windows) every process takes the lock, as before there was one.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class WorkerLock:
    """A non-blocking, process-wide exclusive lock on one file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> bool:
        """Take the lock if no other process (or other holder here) has it; True if held."""
        if self._handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+b")  # noqa: SIM115 - held open for as long as the lock
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
        # For whoever looks at the file: which process runs the workers.
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._handle = handle
        return True

    def release(self) -> None:
        """Let go of the lock (closing the file releases it)."""
        handle, self._handle = self._handle, None
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()
