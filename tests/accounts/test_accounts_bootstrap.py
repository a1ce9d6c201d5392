"""The first start: a platform administrator with a random password, shown once."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from govpilot import server
from govpilot.access import Role
from govpilot.accounts.bootstrap import (
    FIRST_ADMIN_EMAIL,
    ensure_first_admin,
    first_start_notice,
    initial_password_path,
)
from govpilot.platform import Platform
from govpilot.testing import SETUP_CONTEXT, add_user, fake_settings, make_test_platform


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    platform = make_test_platform(fake_settings(tmp_path / "home", department="OGCIO"))
    yield platform
    platform.database.dispose()


def test_the_first_start_creates_a_platform_admin(platform: Platform) -> None:
    password = ensure_first_admin(platform.database, platform.accounts, platform.settings)
    assert password is not None and len(password) >= 20
    admin = platform.signin.login(FIRST_ADMIN_EMAIL, password)
    assert (admin.role, admin.department) == (Role.PLATFORM_ADMIN, "OGCIO")
    assert platform.accounts.find_department("OGCIO") is not None
    path = initial_password_path(platform.settings.home)
    assert path == platform.settings.home / "initial-admin-password"
    assert path.read_text("utf-8") == password + "\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with platform.database.connect() as connection:
        audit = repr(connection.execute(text("SELECT * FROM audit_events")).all())
    assert "user.create" in audit and password not in audit


def test_it_happens_once(platform: Platform) -> None:
    first = ensure_first_admin(platform.database, platform.accounts, platform.settings)
    assert first is not None
    assert ensure_first_admin(platform.database, platform.accounts, platform.settings) is None
    assert initial_password_path(platform.settings.home).read_text("utf-8") == first + "\n"


def test_nothing_happens_when_there_are_users(platform: Platform) -> None:
    add_user(platform, "someone@ogcio.gov.hk")
    assert ensure_first_admin(platform.database, platform.accounts, platform.settings) is None
    assert not initial_password_path(platform.settings.home).exists()
    emails = [u.email for u in platform.accounts.users(SETUP_CONTEXT, "OGCIO")]
    assert emails == ["someone@ogcio.gov.hk"]


def test_an_existing_department_and_a_stale_file_are_reused(platform: Platform) -> None:
    platform.accounts.create_department(SETUP_CONTEXT, "OGCIO", title_en="OGCIO")
    stale = initial_password_path(platform.settings.home)
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("an old password from another database\n")
    stale.chmod(0o644)
    password = ensure_first_admin(platform.database, platform.accounts, platform.settings)
    assert password is not None and stale.read_text("utf-8") == password + "\n"
    assert stat.S_IMODE(os.stat(stale).st_mode) == 0o600


def test_the_notice(platform: Platform) -> None:
    notice = first_start_notice(platform.settings.home, "pw-123", "0.0.0.0", 8080)
    assert notice.startswith("First start: sign in at http://localhost:8080/login")
    assert FIRST_ADMIN_EMAIL in notice and "pw-123" in notice
    assert str(initial_password_path(platform.settings.home)) in notice
    assert "http://[::1]:80/login" in first_start_notice(platform.settings.home, "pw", "::1", 80)


def test_serve_prints_the_password_once(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: started.append(kwargs))
    server.serve(platform, "127.0.0.1", 8123)
    err = capsys.readouterr().err
    password = initial_password_path(platform.settings.home).read_text("utf-8").strip()
    assert "http://127.0.0.1:8123/login" in err and password in err
    assert started == [{"host": "127.0.0.1", "port": 8123, "log_level": "info"}]
    server.serve(platform, "127.0.0.1", 8123)
    assert "First start" not in capsys.readouterr().err
