"""Privacy policy: what a model may see, per department and per kind of backend.

Local models (the embedded one, servers on the department's network) may see personal data
by default; external endpoints only ever see pseudonyms, and their answers are restored.
Departments can tighten or relax this in `[privacy.departments.NAME]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from govpilot.backends.llm import ChatModel
from govpilot.config import PrivacyAction, PrivacySettings, Settings, StorageRedaction
from govpilot.storage.secret_files import read_or_create_secret

SALT_FILE = "privacy_salt"


@dataclass(frozen=True)
class PrivacyPolicy:
    """Resolves the privacy settings for one department and one model."""

    settings: PrivacySettings
    external_models: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings) -> PrivacyPolicy:
        external = frozenset(m.name for m in settings.models if m.external)
        return cls(settings.privacy, external)

    def is_external(self, model: ChatModel) -> bool:
        """True when the model's prompts leave this network (its config says `external`)."""
        return model.capabilities.external or model.name in self.external_models

    def action_for(self, department: str, model: ChatModel) -> PrivacyAction:
        """What the guard does with personal data in a prompt for this model."""
        override = self.settings.departments.get(department)
        if self.is_external(model):
            return (override and override.external) or self.settings.external
        return (override and override.local) or self.settings.local

    def storage_for(self, department: str) -> StorageRedaction:
        """How personal data is written into this department's stored records."""
        override = self.settings.departments.get(department)
        return (override and override.storage) or self.settings.storage

    def restores_answers(self, department: str) -> bool:
        override = self.settings.departments.get(department)
        if override and override.restore_answers is not None:
            return override.restore_answers
        return self.settings.restore_answers


def load_or_create_salt(settings: Settings) -> bytes:
    """The salt for hashed values: configured, or a random one kept in GOVPILOT_HOME.

    The salt must stay the same for the life of the data (data access requests look records
    up by the hash of an identifier), so it is created once with owner-only permissions.
    """
    if settings.privacy.hash_salt is not None:
        return settings.privacy.hash_salt.get_secret_value().encode()
    return read_or_create_secret(Path(settings.home) / SALT_FILE)
