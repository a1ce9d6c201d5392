"""The officer's review of the themes: rename, merge, split, delete, move a response.

Each change names the consultation version it was made on (a stale one is refused with
Conflict), bumps the version, is audited with the themes' ids (never the responses'
text), and changes the responses' theme lists at once, so every count follows. A merge
keeps a theme on one side: support and opposition are never merged into one theme.
A split divides a theme's quotes in two by their vectors (Ward clustering, as the
analysis does); the larger part keeps the name, the other is named by its most frequent
words until the officer renames it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from govpilot.access import CallContext
from govpilot.backends.embed import Embedder
from govpilot.capabilities.opinion.consultations import Consultations
from govpilot.capabilities.opinion.labels import MAX_TITLE, fallback_label
from govpilot.capabilities.opinion.store import Consultation, StoredTheme
from govpilot.capabilities.opinion.themes import SIDES, _ward
from govpilot.errors import Conflict, InputError, NotFound

__all__ = ["ThemeReview"]


class ThemeReview:
    """Changes to a consultation's themes, as an officer makes them."""

    def __init__(self, consultations: Consultations, embedder: Callable[[], Embedder | None]):
        self.consultations = consultations
        self.store = consultations.store
        self.embedder = embedder

    def rename(
        self,
        ctx: CallContext,
        consultation_id: str,
        theme_id: str,
        *,
        version: int,
        title_en: str | None = None,
        title_zh: str | None = None,
    ) -> Consultation:
        """Give a theme a new title in English, Chinese or both."""
        consultation, theme = self._theme(ctx, consultation_id, theme_id)
        values: dict[str, Any] = {"edited_by": ctx.actor}
        for key, title in (("title_en", title_en), ("title_zh", title_zh)):
            if title is not None:
                title = " ".join(title.split())[:MAX_TITLE]
                if not title:
                    raise InputError("a theme's title cannot be empty", hint="type a title")
                values[key] = title
        return self._changed(
            ctx,
            consultation,
            version,
            "opinion.theme_rename",
            [theme.id],
            lambda: self.store.change_theme(theme.id, **values),
        )

    def merge(
        self, ctx: CallContext, consultation_id: str, keep: str, merged: str, *, version: int
    ) -> Consultation:
        """Move every response of `merged` into `keep` and delete `merged`."""
        consultation, kept = self._theme(ctx, consultation_id, keep)
        _, gone = self._theme(ctx, consultation_id, merged)
        if kept.id == gone.id:
            raise InputError("a theme cannot be merged with itself", hint="pick two themes")
        if kept.side != gone.side or kept.question != gone.question:
            raise InputError(
                "only themes of one question and one side can be merged",
                hint="a theme never mixes support and opposition",
            )

        def apply() -> None:
            self._retheme(consultation.id, kept.question, {gone.id: kept.id})
            self.store.change_theme(kept.id, edited_by=ctx.actor)
            self.store.delete_theme(gone.id)

        return self._changed(
            ctx, consultation, version, "opinion.theme_merge", [kept.id, gone.id], apply
        )

    def delete(
        self, ctx: CallContext, consultation_id: str, theme_id: str, *, version: int
    ) -> Consultation:
        """Delete a theme; its responses stay, in their other themes (if any)."""
        consultation, theme = self._theme(ctx, consultation_id, theme_id)

        def apply() -> None:
            self._retheme(consultation.id, theme.question, {theme.id: None})
            self.store.delete_theme(theme.id)

        return self._changed(ctx, consultation, version, "opinion.theme_delete", [theme.id], apply)

    def move(
        self,
        ctx: CallContext,
        consultation_id: str,
        response_id: str,
        from_theme: str | None,
        to_theme: str | None,
        *,
        version: int,
    ) -> Consultation:
        """Take a response out of one theme and/or put it in another (of its question)."""
        consultation = self.consultations.get(ctx, consultation_id)
        themes = {t.id: t for t in self.store.themes(consultation.id)}
        response = next(
            (r for r in self.store.responses(consultation.id) if r.external_id == response_id),
            None,
        )
        if response is None:
            raise NotFound(f"no response {response_id!r}", hint="use the id from the file")
        for theme_id in (from_theme, to_theme):
            if theme_id and (
                theme_id not in themes or themes[theme_id].question != response.question
            ):
                raise NotFound(f"no theme {theme_id!r} for this response's question")
        if from_theme and from_theme not in response.theme_ids:
            raise InputError("the response is not in that theme", hint="reload the page")
        entries = [t for t in response.themes if t["theme"] != from_theme]
        if to_theme and to_theme not in [t["theme"] for t in entries]:
            quote = next((t["quote"] for t in response.themes if t["theme"] == from_theme), "")
            entries.append({"theme": to_theme, "quote": quote or response.text[:300]})

        def apply() -> None:
            self.store.update_responses(consultation.id, {response.id: {"themes": entries}})

        return self._changed(
            ctx,
            consultation,
            version,
            "opinion.response_move",
            [t for t in (from_theme, to_theme) if t],
            apply,
            response=response_id,
        )

    def split(
        self, ctx: CallContext, consultation_id: str, theme_id: str, *, version: int
    ) -> Consultation:
        """Divide a theme in two by its quotes' vectors."""
        consultation, theme = self._theme(ctx, consultation_id, theme_id)
        members = [
            (r, next(t["quote"] for t in r.themes if t["theme"] == theme.id))
            for r in self.store.responses(consultation.id, theme.question)
            if theme.id in r.theme_ids
        ]
        if len(members) < 4:
            raise InputError(
                "a theme of fewer than 4 responses cannot be split",
                hint="move its responses instead",
            )
        embedder = self.embedder()
        if embedder is None:
            raise Conflict("splitting a theme needs an embedder", hint="set retrieval.embedder")
        embed = getattr(embedder, "embed_queries", embedder.embed_passages)
        labels = _ward(np.asarray(embed([q for _, q in members])), 2)
        larger = int(np.bincount(labels).argmax())
        moved = [(r, q) for (r, q), label in zip(members, labels, strict=True) if label != larger]
        title = fallback_label([q for _, q in moved])

        def apply() -> None:
            new_id = self.store.add_theme(
                consultation.id,
                question=theme.question,
                position=theme.position,
                side=theme.side,
                title_en=title,
                title_zh=title,
                description_en="",
                description_zh="",
                typical=[r.external_id for r, _ in moved[:20]],
                edited_by=ctx.actor,
            )
            self.store.update_responses(
                consultation.id,
                {
                    r.id: {
                        "themes": [
                            {**t, "theme": new_id} if t["theme"] == theme.id else t
                            for t in r.themes
                        ]
                    }
                    for r, _ in moved
                },
            )
            self.store.change_theme(theme.id, edited_by=ctx.actor)

        return self._changed(
            ctx, consultation, version, "opinion.theme_split", [theme.id], apply, moved=len(moved)
        )

    # --- helpers ----------------------------------------------------------------------

    def _theme(
        self, ctx: CallContext, consultation_id: str, theme_id: str
    ) -> tuple[Consultation, StoredTheme]:
        consultation = self.consultations.get(ctx, consultation_id)
        if consultation.working:
            raise Conflict("the consultation is being analysed", hint="wait until it is done")
        theme = next((t for t in self.store.themes(consultation.id) if t.id == theme_id), None)
        if theme is None or theme.side not in SIDES:
            raise NotFound(f"no theme {theme_id!r}", hint="reload the page")
        return consultation, theme

    def _retheme(self, consultation_id: str, question: str, moves: dict[str, str | None]) -> None:
        """Every response's theme entries moved (or dropped, for None), without repeats."""
        found: dict[str, dict[str, Any]] = {}
        for response in self.store.responses(consultation_id, question):
            if not set(moves) & set(response.theme_ids):
                continue
            entries: list[dict[str, str]] = []
            for entry in response.themes:
                target = moves.get(entry["theme"], entry["theme"])
                if target and target not in [e["theme"] for e in entries]:
                    entries.append({**entry, "theme": target})
            found[response.id] = {"themes": entries}
        if found:
            self.store.update_responses(consultation_id, found)

    def _changed(
        self,
        ctx: CallContext,
        consultation: Consultation,
        version: int,
        action: str,
        themes: list[str],
        apply: Callable[[], None],
        **detail: Any,
    ) -> Consultation:
        """Check the version and bump it, then make the change, then audit it."""
        changed = self.store.change(consultation.id, lambda row: None, version=version)
        apply()
        self.consultations._audit(ctx, changed, action, themes=themes, **detail)
        return changed
