"""The privacy guard on the gateway: detect, then allow, pseudonymise, redact or refuse.

Every model call passes through `PrivacyGuard.before` and `.after` (see `govpilot.gateway`).
Only counts by type reach the audit log, never the personal data itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from govpilot.access import CallContext
from govpilot.backends.llm import ChatMessage, ChatModel
from govpilot.call_guard import GuardedPrompt
from govpilot.config import PrivacyAction
from govpilot.errors import PersonalDataRefused
from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.entities import Finding, count_by_type
from govpilot.privacy.operators import PseudonymVault, apply_operator
from govpilot.privacy.policy import PrivacyPolicy


@dataclass
class PrivacyState:
    """What `after` needs: the decision taken and the vault holding the pseudonyms."""

    action: PrivacyAction
    vault: PseudonymVault
    restore: bool
    detected: dict[str, int] = field(default_factory=dict)


class VaultStore:
    """Pseudonym vaults per conversation or job, so placeholders stay the same across calls.

    Calls without a session get a fresh vault. Vaults stay in memory only, and the least
    recently used ones are dropped beyond `capacity`.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.capacity = capacity
        self._vaults: OrderedDict[tuple[str, str], PseudonymVault] = OrderedDict()
        self._lock = threading.Lock()

    def vault_for(self, ctx: CallContext) -> PseudonymVault:
        if not ctx.session:
            return PseudonymVault()
        key = (ctx.department, ctx.session)
        with self._lock:
            vault = self._vaults.pop(key, None)
            if vault is None:  # not `or`: an empty vault is falsy (it has a length)
                vault = PseudonymVault()
            self._vaults[key] = vault
            while len(self._vaults) > self.capacity:
                self._vaults.popitem(last=False)
            return vault


class PrivacyGuard:
    """Applies the department's privacy policy for the chosen model to every prompt."""

    def __init__(
        self,
        detector: PiiDetector,
        policy: PrivacyPolicy,
        *,
        vaults: VaultStore | None = None,
    ) -> None:
        self.detector = detector
        self.policy = policy
        self.vaults = vaults or VaultStore()

    def before(
        self, ctx: CallContext, model: ChatModel, messages: Sequence[ChatMessage]
    ) -> GuardedPrompt:
        action = self.policy.action_for(ctx.department, model)
        findings = [self.detector.detect(m.content) for m in messages]
        detected = count_by_type(f for found in findings for f in found)
        vault = self.vaults.vault_for(ctx)
        restore = action == "pseudonymise" and self.policy.restores_answers(ctx.department)
        state = PrivacyState(action, vault, restore, detected)
        if action == "allow" or not detected:
            return GuardedPrompt(list(messages), state=state, decision=action, detected=detected)
        if action == "block":
            kinds = ", ".join(sorted(detected))
            raise PersonalDataRefused(
                f"the prompt contains personal data ({kinds}) and model {model.name!r} "
                "may not receive any",
                detected=detected,
                hint="redact it first (govpilot redact), or use a model on the local network",
            )
        guarded = [
            _rewrite(message, found, vault)
            for message, found in zip(messages, findings, strict=True)
        ]
        return GuardedPrompt(
            guarded, redactions=detected, state=state, decision=action, detected=detected
        )

    def after(self, ctx: CallContext, model: ChatModel, prompt: GuardedPrompt, text: str) -> str:
        state = prompt.state
        if isinstance(state, PrivacyState) and state.restore and prompt.redactions:
            return state.vault.restore(text)
        return text


def _rewrite(message: ChatMessage, findings: list[Finding], vault: PseudonymVault) -> ChatMessage:
    if not findings:
        return message
    redacted = apply_operator(message.content, findings, "pseudonymise", vault=vault)
    return ChatMessage(message.role, redacted.text)
