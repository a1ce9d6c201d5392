"""Escalation of urgent cases: a JSON POST to the desk's notification hook.

The hook (`cases.escalation_url`: a duty officer's paging service, a chat webhook) is
told the reference, department, category, urgency and the words that made the case
urgent, never the citizen's text or contact details. A hook that is down never loses
the case: the case is stored first, and the failed call is audited as an error.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Protocol

from govpilot.capabilities.cases.store import Case

__all__ = ["Notifier", "WebhookNotifier"]


class Notifier(Protocol):
    """Tells someone about an urgent case; True when it was delivered."""

    def urgent(self, case: Case) -> bool: ...


class WebhookNotifier:
    """POSTs each urgent case, without personal data, to a URL."""

    def __init__(self, url: str, *, timeout: float = 3.0) -> None:
        self.url = url
        self.timeout = timeout

    def urgent(self, case: Case) -> bool:
        body = {
            "event": "urgent_case",
            "reference": case.reference,
            "department": case.department or None,
            "category": case.category,
            "urgency": case.urgency,
            "reasons": case.triage.get("urgency_reasons", []),
            "channel": case.channel,
            "received": case.created_at.isoformat(),
        }
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return 200 <= response.status < 300
        except (urllib.error.URLError, OSError, ValueError):
            return False
