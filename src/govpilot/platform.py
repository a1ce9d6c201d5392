"""The Platform: real dependencies wired from Settings, for the CLI, the API and the web.

Capabilities never import this module; interfaces build one Platform and pass its parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govpilot.audit.log import AuditLog
from govpilot.backends.registry import build_models
from govpilot.capabilities.draft import TemplateLibrary
from govpilot.config import Settings
from govpilot.gateway import ModelGateway
from govpilot.guard import CallContext
from govpilot.language import Glossary
from govpilot.storage.db import Database


@dataclass
class Platform:
    """Everything a capability needs, built once per process."""

    settings: Settings
    database: Database
    audit: AuditLog
    gateway: ModelGateway
    glossary: Glossary
    templates: TemplateLibrary
    _contexts: dict[str, CallContext] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Platform:
        """Build the platform; migrates the database so a fresh GOVPILOT_HOME just works."""
        settings = settings or Settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        database = Database(settings.resolved_database_url)
        database.migrate()
        audit = AuditLog(database)
        gateway = ModelGateway(build_models(settings), audit, default_model=settings.default_model)
        glossary = Glossary.merge(
            Glossary.load_default(), *(Glossary.from_csv(p) for p in settings.glossary_paths)
        )
        templates = TemplateLibrary.load([*settings.template_dirs, settings.home / "templates"])
        return cls(settings, database, audit, gateway, glossary, templates)

    def cli_context(self, capability: str) -> CallContext:
        """The call context for a CLI command run by the local user."""
        s = self.settings
        return CallContext(actor=s.cli_user, department=s.department, capability=capability)
