"""What a finished form says on the page it goes back to.

A form that worked answers with a redirect to its page, naming what was done in the query
(`back_to("/bots", done="bot_created")` -> `/bots?done=bot_created`); the page looks the
name up in its module's NOTICES (English msgids marked with N_) and shows the message
(`notice=notice_for(request, NOTICES)`, shown by `admin/_messages.html`). Unknown names show
nothing, so a link cannot put words of its own on a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse

#: The query parameter naming the form that finished.
DONE = "done"


def back_to(path: str, **query: str) -> RedirectResponse:
    """A 303 to `path` with `query` (empty values left out), e.g. `done=` the finished form."""
    kept = {name: value for name, value in query.items() if value}
    return RedirectResponse(f"{path}?{urlencode(kept)}" if kept else path, status_code=303)


def notice_for(request: Request, notices: Mapping[str, str]) -> str | None:
    """The message (a msgid) for the form named in this request's `?done=`, if it is known."""
    return notices.get(request.query_params.get(DONE, ""))
