"""The first start: a platform administrator to sign in with, when there is nobody yet.

`govpilot serve` calls `ensure_first_admin`; on a database without users it creates the
settings' department and `admin@localhost` with a random password, which it writes to
GOVPILOT_HOME/initial-admin-password (owner-only) and returns to be shown once.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from govpilot.access import CallContext, Role
from govpilot.accounts.secrets import check_password_strength
from govpilot.accounts.service import AccountService
from govpilot.accounts.store import count_users
from govpilot.config import Settings
from govpilot.errors import Conflict, InputError
from govpilot.storage.db import Database

FIRST_ADMIN_EMAIL = "admin@localhost"
INITIAL_PASSWORD_FILE = "initial-admin-password"


def initial_password_path(home: Path) -> Path:
    """Where the first administrator's password is written, in GOVPILOT_HOME."""
    return Path(home) / INITIAL_PASSWORD_FILE


def ensure_first_admin(
    database: Database, accounts: AccountService, settings: Settings
) -> str | None:
    """The new first administrator's password, or None when the database has users already."""
    with database.session() as session:
        if count_users(session):
            return None
    department = settings.department
    ctx = CallContext(
        actor="govpilot (first start)",
        department=department,
        capability="accounts.bootstrap",
        channel="cli",
        role=Role.PLATFORM_ADMIN.value,
    )
    try:
        if accounts.find_department(department) is None:
            accounts.create_department(ctx, department)
        password = _random_password()
        accounts.create_user(
            ctx,
            FIRST_ADMIN_EMAIL,
            department=department,
            role=Role.PLATFORM_ADMIN,
            password=password,
            display_name="Administrator",
        )
    except Conflict:  # another process starting at the same moment made them first
        return None
    _write_owner_only(initial_password_path(settings.home), password + "\n")
    return password


def first_start_notice(home: Path, password: str, host: str, port: int) -> str:
    """What `govpilot serve` prints once after creating the first administrator."""
    shown_host = "localhost" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    return (
        f"First start: sign in at http://{shown_host}:{port}/login as {FIRST_ADMIN_EMAIL} "
        f"with password {password} (also in {initial_password_path(home)}; "
        "change it after signing in)"
    )


def _random_password() -> str:
    while True:
        password = secrets.token_urlsafe(18)  # 24 characters, 144 bits
        try:
            check_password_strength(password, FIRST_ADMIN_EMAIL)
        except InputError:  # too few distinct characters: vanishingly rare, draw again
            continue
        return password


def _write_owner_only(path: Path, text: str) -> None:
    """Write `text` to a new file only its owner can read (an old copy is replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
