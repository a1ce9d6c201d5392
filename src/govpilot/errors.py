"""The one exception hierarchy of govpilot.

GovpilotError                      base; `.hint` says what to do next
├── ConfigError                    settings are wrong or incomplete
├── InputError                     the user's input cannot be used (API: 4xx)
│   ├── UnsupportedFileType        extension / content not a supported format
│   ├── CorruptDocument            unreadable, encrypted or damaged file
│   ├── NoTextLayer                a scanned PDF or image with no text to read
│   ├── EmptyDocument              nothing but whitespace
│   ├── InputTooLarge              over the configured size limit
│   ├── NotFound                   a named template, glossary or model does not exist
│   ├── Conflict                   the name is taken, or the object changed meanwhile (409)
│   └── RateLimited                too many requests or jobs; `.retry_after` seconds (429)
├── NotAuthenticated               no, wrong, expired or locked credentials (API: 401)
├── ModelError                     a model backend failed
│   ├── ModelUnavailable           server down / weights missing (API: 503)
│   └── ModelResponseError         the model answered with something unusable (API: 502)
├── PolicyViolation                the guard refused the call (API: 403)
│   ├── PersonalDataRefused        personal data the policy forbids sending to this model
│   └── PermissionDenied           the caller's role or department does not allow it
└── StorageError                   database or audit problem; `.transient`: worth trying again (503)
    ├── DuplicateRecord            a row with the same unique key is there already
    └── AuditChainBroken           verification found an altered or missing event
"""

from __future__ import annotations


class GovpilotError(Exception):
    """Base of every error govpilot raises on purpose."""

    status_code = 500

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(GovpilotError):
    """Settings are wrong or incomplete."""


class InputError(GovpilotError):
    """The input cannot be used as given."""

    status_code = 400


class UnsupportedFileType(InputError):
    """The file type is not one govpilot reads or writes."""

    status_code = 415


class CorruptDocument(InputError):
    """The file is damaged, encrypted or not what its name says."""

    status_code = 422


class NoTextLayer(InputError):
    """A PDF with no text layer (a scan); OCR is needed."""

    status_code = 422


class EmptyDocument(InputError):
    """The document contains no text."""

    status_code = 422


class InputTooLarge(InputError):
    """The input is over the configured size limit."""

    status_code = 413


class NotFound(InputError):
    """A named thing (template, model, glossary) does not exist."""

    status_code = 404


class Conflict(InputError):
    """The name is already taken, or the object is not in a state that allows this."""

    status_code = 409


class RateLimited(InputError):
    """Too many requests or jobs at once; try again after `retry_after` seconds."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class NotAuthenticated(GovpilotError):
    """No credentials, wrong or expired ones, or an account locked after failed logins."""

    status_code = 401


class ModelError(GovpilotError):
    """A model backend failed."""

    status_code = 502


class ModelUnavailable(ModelError):
    """The model cannot be reached or loaded."""

    status_code = 503


class ModelResponseError(ModelError):
    """The model answered with something unusable."""


class PolicyViolation(GovpilotError):
    """The guard refused the call."""

    status_code = 403


class PersonalDataRefused(PolicyViolation):
    """The prompt holds personal data that the policy forbids sending to this model."""

    def __init__(self, message: str, *, detected: dict[str, int], hint: str | None = None):
        super().__init__(message, hint=hint)
        #: What was found, counted by type (never the data itself), for the audit log.
        self.detected = dict(detected)


class PermissionDenied(PolicyViolation):
    """The caller's role or department does not allow this."""


class StorageError(GovpilotError):
    """The database or the audit log failed."""

    def __init__(self, message: str, *, hint: str | None = None, transient: bool = False) -> None:
        super().__init__(message, hint=hint)
        #: True when the same work may succeed if tried again (a lock, a lost connection,
        #: a serialisation failure); set by `storage.db`, the one place that wraps
        #: database errors. The API answers those 503 (try again), the others 500.
        self.transient = transient
        if transient:
            self.status_code = 503


class DuplicateRecord(StorageError):
    """A row with the same unique key is there already (callers say which name is taken)."""


class AuditChainBroken(StorageError):
    """Audit verification found an altered, inserted or deleted event."""

    def __init__(self, message: str, *, seq: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.seq = seq
