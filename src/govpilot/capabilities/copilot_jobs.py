"""The copilot's kinds of background job (translate, summarise, draft, redact) for the runtime.

`CopilotJobs` is the `govpilot.jobs.work.JobWork` the composition root hands the job
service: `check` runs when a job is submitted, so a wrong target, template or model is
refused at once rather than found by the worker minutes later; `run` runs in the worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govpilot.access import CallContext
from govpilot.capabilities.copilot import (
    DEFAULT_WORDS,
    LANGS,
    Copilot,
    check_choice,
    check_target,
    check_words,
)
from govpilot.capabilities.redaction import RedactionService
from govpilot.documents import Document
from govpilot.documents.writers import output_filename
from govpilot.errors import InputError
from govpilot.jobs.models import JOB_KINDS, MEDIA_TYPES
from govpilot.jobs.work import JobOutput, Progress
from govpilot.privacy.entities import parse_pii_types
from govpilot.privacy.operators import parse_operator

OUTPUT_FORMATS = tuple(MEDIA_TYPES)

#: Other names callers use for a parameter (the API's form fields, the CLI's options).
_ALIASES = {"length": "words", "language": "lang"}
_ACCEPTED: dict[str, frozenset[str]] = {
    "translate": frozenset({"target", "format", "model"}),
    "summarise": frozenset({"words", "lang", "format", "model"}),
    "draft": frozenset({"template", "instructions", "lang", "format", "model", "for_approval"}),
    "redact": frozenset({"operator", "types", "format"}),
}


@dataclass(frozen=True)
class CopilotJobs:
    """The copilot's job kinds over the two façades that do the work."""

    copilot: Copilot
    redaction: RedactionService

    def check(
        self, ctx: CallContext, kind: str, params: Mapping[str, Any] | None, *, has_file: bool
    ) -> dict[str, Any]:
        """`params` checked for `kind` under their canonical names, the model `ctx` may use."""
        checked = check_params(kind, params, self, has_file=has_file)
        if kind != "redact":
            self.copilot.check_model(ctx, checked.get("model"))
        return checked

    def run(
        self,
        ctx: CallContext,
        kind: str,
        source: Document,
        params: Mapping[str, Any],
        input_name: str,
        progress: Progress,
    ) -> JobOutput:
        """Do one job's work on `source`, reporting progress as the capability allows."""
        fmt = str(params.get("format", "docx"))
        model = params.get("model")
        lang = params.get("lang")
        copilot = self.copilot
        if kind == "translate":
            target = params["target"]
            translated, _ = copilot.translate(ctx, source, target, model=model, progress=progress)
            return JobOutput(translated, output_filename(input_name, target, fmt), fmt)
        if kind == "summarise":
            words = int(params.get("words", DEFAULT_WORDS))
            summary = copilot.summarise(
                ctx, [source], lang=lang, words=words, model=model, progress=progress
            )
            return JobOutput(
                summary.as_document(), output_filename(input_name, "summary", fmt), fmt
            )
        if kind == "draft":
            # Without instructions the text given is the instructions; with them, a reference.
            instructions = params.get("instructions")
            progress(0, 1)
            draft = copilot.draft(
                ctx,
                params["template"],
                instructions or source.text,
                references=[source] if instructions else [],
                lang=lang,
                model=model,
                for_approval=bool(params.get("for_approval")),
            )
            progress(1, 1)
            return JobOutput(draft.document, output_filename(input_name, "draft", fmt), fmt)
        if kind == "redact":
            # The counts go into the job's own `job.finish` event, so no separate "redact" one.
            redacted, report = self.redaction.redact_document(
                ctx,
                source,
                params.get("operator", "placeholder"),
                params.get("types"),
                progress=progress,
                audited=False,
            )
            name = output_filename(input_name, "redacted", fmt)
            return JobOutput(redacted, name, fmt, report.counts)
        raise InputError(f"unknown job kind {kind!r}", hint=f"use one of: {', '.join(JOB_KINDS)}")


def check_params(
    kind: str, params: Mapping[str, Any] | None, tools: CopilotJobs, *, has_file: bool
) -> dict[str, Any]:
    """`params` checked for `kind`, under their canonical names (InputError says what is wrong)."""
    if kind not in JOB_KINDS:
        raise InputError(f"unknown job kind {kind!r}", hint=f"use one of: {', '.join(JOB_KINDS)}")
    given = {
        _ALIASES.get(key, key): value
        for key, value in (params or {}).items()
        if value is not None and value != ""
    }
    unknown = sorted(set(given) - _ACCEPTED[kind])
    if unknown:
        raise InputError(
            f"a {kind} job does not take {', '.join(unknown)}",
            hint=f"it takes: {', '.join(sorted(_ACCEPTED[kind]))}",
        )
    checked: dict[str, Any] = {
        "format": check_choice("format", given.get("format", "docx"), OUTPUT_FORMATS)
    }
    if "model" in given:
        checked["model"] = str(given["model"])
    if "lang" in given:
        checked["lang"] = check_choice("lang", given["lang"], LANGS)
    if kind == "translate":
        checked["target"] = check_target(given.get("target"))
    elif kind == "summarise":
        checked["words"] = check_words(given.get("words", DEFAULT_WORDS))
    elif kind == "draft":
        _check_draft(given, checked, tools, has_file=has_file)
    else:
        checked["operator"] = parse_operator(str(given.get("operator", "placeholder")))
        if "types" in given:
            checked["types"] = parse_pii_types(given["types"])
    return checked


def _check_draft(
    given: Mapping[str, Any], checked: dict[str, Any], tools: CopilotJobs, *, has_file: bool
) -> None:
    template = str(given.get("template", ""))
    checked["template"] = tools.copilot.check_template(template, checked.get("lang"))
    if "for_approval" in given:
        checked["for_approval"] = _flag("for_approval", given["for_approval"])
    instructions = str(given.get("instructions", "")).strip()
    if instructions:
        checked["instructions"] = instructions
    elif has_file:
        raise InputError(
            "a draft from a file needs instructions",
            hint="say what the draft should cover; the file is used as a reference",
        )


def _flag(name: str, value: Any) -> bool:
    """A yes/no parameter given as a bool or as its usual words."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InputError(f"{name} is yes or no, not {value!r}", hint="use true or false")
