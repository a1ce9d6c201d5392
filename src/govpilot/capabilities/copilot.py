"""The document copilot (translate, summarise, draft): one façade for the CLI, API, web and jobs.

Each method checks its options (a wrong target, length, language, template or model is
refused before any model is called), authorises the caller (USE_COPILOT), names the
capability on the call context so the gateway's audit event of every model call says what
it was for, and runs the work. Interfaces only translate between their transport and this.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from govpilot.access import CallContext, Permission, authorize
from govpilot.capabilities.draft import Draft, TemplateLibrary, draft_text
from govpilot.capabilities.summarise import Summary, summarise_documents
from govpilot.capabilities.translate import (
    TARGETS,
    Target,
    TranslationReport,
    translate_document,
    translate_text,
)
from govpilot.documents.model import Document
from govpilot.errors import InputError
from govpilot.gateway import ModelGateway
from govpilot.governance.approvals import Approvals
from govpilot.language import Glossary

LANGS = ("en", "zh-Hant")
MIN_WORDS, MAX_WORDS, DEFAULT_WORDS = 20, 2000, 200
Progress = Callable[[int, int], None]


def check_choice(name: str, value: Any, allowed: Sequence[str]) -> Any:
    """`value` if it is one of `allowed` (or None); InputError naming the choices otherwise."""
    if value is not None and value not in allowed:
        raise InputError(f"{name} cannot be {value!r}", hint=f"use one of: {', '.join(allowed)}")
    return value


def check_target(target: Any) -> Target:
    """The language to translate into: en or zh-Hant."""
    if target is None or target == "":
        raise InputError("a translation needs a target", hint="set target to en or zh-Hant")
    checked: Target = check_choice("target", target, TARGETS)
    return checked


def check_words(value: Any) -> int:
    """A summary length in words, MIN_WORDS to MAX_WORDS."""
    try:
        words = int(value)
    except (TypeError, ValueError):
        words = -1
    if not MIN_WORDS <= words <= MAX_WORDS:
        raise InputError(
            f"the summary length must be {MIN_WORDS} to {MAX_WORDS} words, not {value!r}",
            hint=f"leave it out for about {DEFAULT_WORDS} words",
        )
    return words


@dataclass(frozen=True)
class Copilot:
    """Translate, summarise and draft over the model gateway, the glossary and the templates."""

    gateway: ModelGateway
    glossary: Glossary
    templates: TemplateLibrary
    #: Holds drafts for approval (in the loop); None: drafts are never held.
    approvals: Approvals | None = None

    def check_model(self, ctx: CallContext, model: str | None) -> None:
        """Refuse an unknown model, or one `ctx` may not use, before any work starts."""
        chosen = self.gateway.model(model)  # NotFound names the models there are
        if self.gateway.access is not None:
            # The gateway asks again at each call; asking now refuses before anything runs.
            self.gateway.access(ctx, chosen)

    def check_template(self, name: str, lang: str | None) -> str:
        """The template's name if there is one by that name (NotFound names the choices)."""
        name = name.strip()
        if not name:
            names = ", ".join(self.templates.names())
            raise InputError("a draft needs a template", hint=f"choose one of: {names}")
        self.templates.get(name, lang or "en")
        return name

    def translate(
        self,
        ctx: CallContext,
        document: Document,
        target: str,
        *,
        model: str | None = None,
        progress: Progress | None = None,
    ) -> tuple[Document, TranslationReport]:
        """`document` in `target` (en or zh-Hant), its structure kept, with the checks' report."""
        ctx = self._begin(ctx, "translate", model)
        return translate_document(
            self.gateway,
            ctx,
            document,
            check_target(target),
            glossary=self.glossary,
            model=model,
            progress=progress,
        )

    def translate_text(
        self,
        ctx: CallContext,
        text: str,
        target: str,
        *,
        model: str | None = None,
        progress: Progress | None = None,
    ) -> tuple[str, TranslationReport]:
        """Plain text in `target`; paragraphs on blank lines are kept."""
        ctx = self._begin(ctx, "translate", model)
        return translate_text(
            self.gateway,
            ctx,
            text,
            check_target(target),
            glossary=self.glossary,
            model=model,
            progress=progress,
        )

    def summarise(
        self,
        ctx: CallContext,
        documents: Sequence[Document],
        *,
        lang: str | None = None,
        words: int = DEFAULT_WORDS,
        model: str | None = None,
        progress: Progress | None = None,
    ) -> Summary:
        """One summary of `documents`, about `words` long; each point cites its sources."""
        check_choice("lang", lang, LANGS)
        words = check_words(words)
        ctx = self._begin(ctx, "summarise", model)
        return summarise_documents(
            self.gateway, ctx, documents, lang=lang, words=words, model=model, progress=progress
        )

    def draft(
        self,
        ctx: CallContext,
        template: str,
        instructions: str,
        *,
        references: Sequence[Document] = (),
        lang: str | None = None,
        model: str | None = None,
        for_approval: bool = False,
    ) -> Draft:
        """A draft following `template` from `instructions`, drawing on `references`.

        Marked `for_approval` (or always, when drafting is overseen in the loop) it is held
        in the review queue: `draft.approval` is the item whose approval releases it."""
        check_choice("lang", lang, LANGS)
        template = self.check_template(template, lang)
        ctx = self._begin(ctx, "draft", model)
        drafted = draft_text(
            self.gateway,
            ctx,
            self.templates,
            template,
            instructions,
            glossary=self.glossary,
            references=references,
            lang=lang,
            model=model,
        )
        approvals = self.approvals
        if approvals is not None and (for_approval or approvals.required(ctx)):
            item = approvals.hold(ctx, instructions, drafted.document.text)
            drafted.approval = {"item": item.id, "status": item.status}
        return drafted

    def _begin(self, ctx: CallContext, capability: str, model: str | None) -> CallContext:
        ctx = replace(ctx, capability=capability)
        authorize(ctx, Permission.USE_COPILOT)
        self.check_model(ctx, model)
        return ctx
