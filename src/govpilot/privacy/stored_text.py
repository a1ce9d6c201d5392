"""Personal data in what govpilot stores: redacted per policy, indexed by salted hashes.

Conversations, transcripts and job inputs are written through `StorageRedactor`, which
replaces personal data as the department's policy says and returns the salted hashes of the
identifiers it found ("subjects"). A data access request hashes the identifier it is given
and finds every record that mentions that person, without the platform keeping the
identifier itself in readable form.
"""

from __future__ import annotations

from govpilot.privacy.detector import PiiDetector
from govpilot.privacy.operators import apply_operator, salted_hash
from govpilot.privacy.policy import PrivacyPolicy
from govpilot.storage.redaction import StoredText, Subject

__all__ = ["StorageRedactor", "StoredText", "Subject"]


class StorageRedactor:
    """Redacts text before it is stored, as each department's policy says."""

    def __init__(self, detector: PiiDetector, policy: PrivacyPolicy, salt: bytes) -> None:
        self.detector = detector
        self.policy = policy
        self.salt = salt

    def storage_for(self, department: str) -> str:
        """How the department stores personal data: keep, placeholder, mask or hash."""
        return self.policy.storage_for(department)

    def subject_hash(self, pii_type: str, value: str) -> str:
        return salted_hash(pii_type, value, self.salt)

    def redact(self, text: str, department: str) -> StoredText:
        findings = self.detector.detect(text)
        subjects = frozenset(
            Subject(f.type, self.subject_hash(f.type, text[f.start : f.end])) for f in findings
        )
        mode = self.policy.storage_for(department)
        if mode == "keep" or not findings:
            return StoredText(text, subjects)
        redacted = apply_operator(text, findings, mode, salt=self.salt)
        counts: dict[str, int] = {}
        for f in findings:
            counts[f.type] = counts.get(f.type, 0) + 1
        return StoredText(redacted.text, subjects, counts)
