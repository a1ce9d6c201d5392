"""What a finished form says on the page it goes back to.

A form that worked answers with a redirect to its page, naming what was done in the query
(`back_to("/bots", done="bot_created")` -> `/bots?done=bot_created`); the page looks the
name up in its module's NOTICES (English msgids marked with N_) and shows the message
(`notice=notice_for(request, NOTICES)`, shown by `admin/_messages.html`). Unknown names show
nothing, so a link cannot put words of its own on a page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from govpilot.errors import InputError

#: The query parameter naming the form that finished.
DONE = "done"


def back_to(path: str, **query: str) -> RedirectResponse:
    """A 303 to `path` with `query` (empty values left out), e.g. `done=` the finished form."""
    kept = {name: value for name, value in query.items() if value}
    return RedirectResponse(f"{path}?{urlencode(kept)}" if kept else path, status_code=303)


def notice_for(request: Request, notices: Mapping[str, str]) -> str | None:
    """The message (a msgid) for the form named in this request's `?done=`, if it is known."""
    return notices.get(request.query_params.get(DONE, ""))


def after_change(
    change: Callable[[], object], done: str, problem: Callable[[str, int], Response]
) -> Response:
    """Run a form's `change`: a 303 to `done`, or, when the input is refused (a stale
    version, a missing reason ...), `problem(message, status)`: the page again, saying why."""
    try:
        change()
    except InputError as exc:
        return problem(exc.message + (f" ({exc.hint})" if exc.hint else ""), exc.status_code)
    return RedirectResponse(done, status_code=303)
