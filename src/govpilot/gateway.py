"""The one path every model call takes: guard, model, guard, audit.

Capabilities receive a `ModelGateway` and never hold a backend themselves, so redaction
and the audit trail cannot be skipped by accident.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import replace

from govpilot.access import CallContext
from govpilot.audit.events import AuditEvent, AuditSink, Outcome
from govpilot.backends.llm import ChatMessage, ChatModel, Completion, GenerationOptions
from govpilot.call_guard import Guard, GuardedPrompt, OpenGuard
from govpilot.errors import GovpilotError, NotFound, PersonalDataRefused, PolicyViolation

#: Checks that the caller may use this model (role, department's allowed models); raises
#: PolicyViolation to refuse. The accounts package provides the real one.
AccessCheck = Callable[[CallContext, ChatModel], None]

#: The id of the AI application (governance register entry) a call is made for; the
#: governance register provides the real one, which registers applications on first use.
ApplicationOf = Callable[[CallContext], str | None]


class ModelGateway:
    """Routes calls to named models through the guard and records each in the audit log."""

    def __init__(
        self,
        models: Mapping[str, ChatModel] | Sequence[ChatModel],
        audit: AuditSink,
        *,
        guard: Guard | None = None,
        default_model: str | None = None,
        access: AccessCheck | None = None,
        application_of: ApplicationOf | None = None,
    ) -> None:
        if not isinstance(models, Mapping):
            models = {m.name: m for m in models}
        if not models:
            raise NotFound("no models configured", hint="add one under [[models]] in govpilot.toml")
        self._models = dict(models)
        self.audit = audit
        self.guard: Guard = guard or OpenGuard()
        self.default_model = default_model or next(iter(self._models))
        self.access = access
        self.application_of = application_of

    @property
    def models(self) -> list[ChatModel]:
        return list(self._models.values())

    def model(self, name: str | None = None) -> ChatModel:
        """The named model, or the default one."""
        key = name or self.default_model
        try:
            return self._models[key]
        except KeyError:
            known = ", ".join(self._models)
            raise NotFound(f"no model named {key!r}", hint=f"known models: {known}") from None

    def complete(
        self,
        ctx: CallContext,
        messages: Sequence[ChatMessage],
        options: GenerationOptions | None = None,
        *,
        model: str | None = None,
    ) -> Completion:
        """Answer in one piece, guarded and audited."""
        chosen = self.model(model)
        options = options or GenerationOptions()
        started = time.perf_counter()
        prompt = self._guard_before(ctx, chosen, messages, started)
        try:
            completion = chosen.complete(prompt.messages, options)
            text = self.guard.after(ctx, chosen, prompt, completion.text)
        except GovpilotError as exc:
            self._record(ctx, chosen, prompt, started, "error", error=exc)
            raise
        self._record(ctx, chosen, prompt, started, "ok", completion=completion)
        return replace(completion, text=text)

    def stream(
        self,
        ctx: CallContext,
        messages: Sequence[ChatMessage],
        options: GenerationOptions | None = None,
        *,
        model: str | None = None,
    ) -> Generator[str, None, Completion]:
        """Yield fragments as they come; returns the Completion. Audited when it ends.

        When the guard must rewrite the answer (restoring placeholders), fragments are held
        back and the rewritten answer is yielded whole.
        """
        chosen = self.model(model)
        options = options or GenerationOptions()
        started = time.perf_counter()
        prompt = self._guard_before(ctx, chosen, messages, started)
        hold_back = bool(prompt.redactions)
        generator = chosen.stream(prompt.messages, options)
        try:
            while True:
                try:
                    piece = next(generator)
                except StopIteration as stop:
                    completion: Completion = stop.value
                    break
                if not hold_back:
                    yield piece
            text = self.guard.after(ctx, chosen, prompt, completion.text)
        except GovpilotError as exc:
            self._record(ctx, chosen, prompt, started, "error", error=exc)
            raise
        except GeneratorExit:
            # The consumer went away (e.g. an HTTP client disconnected): still audited.
            generator.close()
            self._record(ctx, chosen, prompt, started, "error", cancelled=True)
            raise
        if hold_back:
            yield text
        self._record(ctx, chosen, prompt, started, "ok", completion=completion)
        return replace(completion, text=text)

    def _guard_before(
        self,
        ctx: CallContext,
        model: ChatModel,
        messages: Sequence[ChatMessage],
        started: float,
    ) -> GuardedPrompt:
        try:
            if self.access is not None:
                self.access(ctx, model)
            return self.guard.before(ctx, model, messages)
        except PolicyViolation as exc:
            personal = isinstance(exc, PersonalDataRefused)
            refused = GuardedPrompt(
                list(messages),
                decision="block" if personal else "refuse",
                detected=exc.detected if isinstance(exc, PersonalDataRefused) else {},
            )
            self._record(ctx, model, refused, started, "refused", error=exc)
            raise

    def _record(
        self,
        ctx: CallContext,
        model: ChatModel,
        prompt: GuardedPrompt,
        started: float,
        outcome: Outcome,
        *,
        completion: Completion | None = None,
        error: GovpilotError | None = None,
        cancelled: bool = False,
    ) -> None:
        detail: dict[str, object] = {}
        if prompt.decision is not None:
            detail["privacy"] = prompt.decision
        if prompt.detected:
            detail["pii_detected"] = dict(prompt.detected)
        if error is not None:
            detail["error"] = type(error).__name__
        if cancelled:
            detail["error"] = "cancelled by the caller"
        if completion is not None and completion.server:
            detail["server"] = completion.server
        self.audit.record(
            AuditEvent(
                actor=ctx.actor,
                department=ctx.department,
                action=ctx.capability,
                outcome=outcome,
                backend=model.backend,
                model_name=model.name,
                model_id=completion.model_id if completion else None,
                tokens_in=completion.usage.prompt_tokens if completion else 0,
                tokens_out=completion.usage.completion_tokens if completion else 0,
                latency_ms=int((time.perf_counter() - started) * 1000),
                channel=ctx.channel,
                redactions=dict(prompt.redactions),
                detail=detail,
                application_id=self._application(ctx),
            )
        )

    def _application(self, ctx: CallContext) -> str | None:
        # Without a register there is no entry to name (ctx.application is a key, not an id).
        return None if self.application_of is None else self.application_of(ctx)
