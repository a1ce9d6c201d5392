"""The chain's verification, remembered for a while: a page view must not re-hash the log.

`AuditLog.verify()` reads every event, which grows with retention (45 ms at 750 events,
seconds at millions). Pages show the last result and when it was taken; anyone may ask for
a fresh check, and one older than `max_age` is redone on the next request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from govpilot.audit.events import utc_now
from govpilot.audit.log import AuditLog, VerifyReport


@dataclass(frozen=True)
class Verification:
    """A verification report and when it was made."""

    report: VerifyReport
    checked_at: datetime


class RecentVerification:
    """Verifies the chain at most once per `max_age` seconds, unless asked to now."""

    def __init__(
        self,
        audit: AuditLog,
        *,
        max_age: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.audit = audit
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._last: tuple[float, Verification] | None = None

    def get(self, *, fresh: bool = False) -> Verification:
        """The last verification, redone when `fresh`, missing or older than `max_age`."""
        with self._lock:
            now = self._clock()
            if fresh or self._last is None or now - self._last[0] >= self.max_age:
                self._last = (now, Verification(self.audit.verify(), utc_now()))
            return self._last[1]
