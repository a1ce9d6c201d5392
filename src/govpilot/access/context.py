"""Who is calling: the one value every service, guard and audit event reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallContext:
    """Who is calling, for which capability, through which channel."""

    actor: str
    department: str
    capability: str
    channel: str = "cli"
    #: A conversation or job id: pseudonyms stay the same across the calls that share it.
    session: str | None = None
    #: The caller's role (`access.Role` value): what `access.authorize` allows.
    role: str = "officer"
    #: The caller's account id, when there is one (public callers and scripts have none).
    user_id: str | None = None
    #: What the call is for in the AI application register: a key such as "bot:<id>" set by
    #: the capability (None: the capability name is the key). The gateway resolves it.
    application: str | None = None
