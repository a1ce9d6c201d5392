"""Password hashing (argon2id) and random tokens stored as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from govpilot.errors import InputError

MIN_PASSWORD_LENGTH = 12
API_KEY_PREFIX = "gpk_"

# argon2-cffi's defaults follow RFC 9106's second recommendation (64 MiB, 3 passes).
_HASHER = PasswordHasher()
# Verified against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = _HASHER.hash("not a real password, only for timing")


def check_password_strength(password: str, email: str) -> None:
    """Raise InputError if `password` is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"the password is shorter than {MIN_PASSWORD_LENGTH} characters",
            hint="a passphrase of several words is easiest to remember",
        )
    local = email.split("@", 1)[0].lower()
    if len(set(password)) < 5 or (len(local) >= 4 and local in password.lower()):
        raise InputError(
            "the password is too easy to guess", hint="avoid your name and repeated characters"
        )


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches; always does the work of one argon2 check."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def new_token(prefix: str = "") -> str:
    """A random token with 256 bits of entropy."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored for a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_token(a: str, b: str) -> bool:
    """Compare two tokens in constant time."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
