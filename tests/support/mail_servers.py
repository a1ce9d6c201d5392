"""Real mail servers on free 127.0.0.1 ports, for the case desk's e-mail tests.

`LocalSmtp` is aiosmtpd (a dev dependency) in a thread and keeps what it receives;
`LocalImap` is Debian's Dovecot (`apt-get install dovecot-imapd`) run from a throwaway
config with one user and a Maildir. Without Dovecot, `dovecot_or_skip` skips the test,
unless GOVPILOT_REQUIRE_IMAP is set (CI sets it), in which case that is a failure.
"""

from __future__ import annotations

import email
import email.policy
import grp
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalSmtp:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts: parsed in
    `.messages`, as sent in `.raw`, its envelope recipients in `.recipients`. With `user`,
    it demands AUTH (over plain text: it is a test server)."""

    def __init__(self, *, user: str = "", password: str = "") -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.recipients: list[list[str]] = []
        self._user, self._password = user, password
        self._controller = Controller(
            self,
            hostname=self.host,
            port=self.port,
            auth_required=bool(user),
            auth_require_tls=False,  # aiosmtpd warns of it: fine on a test server
            authenticator=self._authenticate if user else None,
        )

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.raw.append(bytes(envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (self._user, self._password)
        return AuthResult(success=ok, handled=False)

    def start(self) -> LocalSmtp:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> LocalSmtp:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def dovecot_or_skip() -> str:
    """The dovecot binary; skips the test without it (fails under GOVPILOT_REQUIRE_IMAP)."""
    binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if binary is None:
        if os.environ.get("GOVPILOT_REQUIRE_IMAP"):
            pytest.fail("dovecot is required here (apt-get install dovecot-imapd)")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    return binary


class LocalImap:
    """A real Dovecot IMAP server (plain text, no TLS) on 127.0.0.1 with one user, `user`
    with `password`, whose INBOX is a Maildir that `deliver` drops messages into."""

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or dovecot_or_skip()
        self.host, self.port = "127.0.0.1", free_port()
        self.user, self.password = "desk", secrets.token_urlsafe(12)
        self.root = Path(tempfile.mkdtemp(prefix="govpilot-imap-"))
        self.maildir = self.root / "Maildir"
        self.log = self.root / "dovecot.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._delivered = 0
        if os.geteuid() == 0:
            # Dovecot runs no mail process as root: the mail belongs to its own user, and
            # the login process runs as dovenull (both made by Debian's package).
            internal, login = "dovecot", "dovenull"
            self._uid, self._gid = pwd.getpwnam("dovecot")[2:4]
        else:
            internal = login = pwd.getpwuid(os.getuid()).pw_name
            self._uid, self._gid = os.getuid(), os.getgid()
        self._users = (internal, login, grp.getgrgid(self._gid).gr_name)

    def _config(self) -> str:
        version = subprocess.run(
            [self.binary, "--version"], capture_output=True, text=True, check=True
        ).stdout
        major_minor = tuple(int(n) for n in re.findall(r"\d+", version)[:2])
        internal, login, group = self._users
        common = f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = govpilot-test-{self.port}
log_path = {self.log}
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 1
ssl = no
auth_mechanisms = plain login
auth_failure_delay = 0
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
        if major_minor >= (2, 4):
            return f"""dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
{common}
auth_allow_cleartext = yes
mail_driver = maildir
mail_path = {self.maildir}
passdb passwd-file {{
  passwd_file_path = {self.root}/passwd
}}
userdb passwd-file {{
  passwd_file_path = {self.root}/passwd
}}
"""
        return f"""{common}
disable_plaintext_auth = no
mail_location = maildir:{self.maildir}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.root}/passwd
}}
userdb {{
  driver = passwd-file
  args = {self.root}/passwd
}}
"""

    def start(self) -> LocalImap:
        for sub in ("new", "cur", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        passwd = f"{self.user}:{{PLAIN}}{self.password}:{self._uid}:{self._gid}::{self.root}\n"
        (self.root / "passwd").write_text(passwd)
        config = self.root / "dovecot.conf"
        config.write_text(self._config())
        self._own(self.maildir, *self.maildir.iterdir())
        self.root.chmod(0o755)  # the mail process (not root) must reach the Maildir
        self._process = subprocess.Popen(
            [self.binary, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                diagnostics = self._diagnostics()
                self.stop()
                raise RuntimeError(f"dovecot did not start: {diagnostics}")
            with socket.socket() as sock:
                if sock.connect_ex((self.host, self.port)) == 0:
                    return self
            time.sleep(0.05)
        diagnostics = self._diagnostics()
        self.stop()
        raise RuntimeError(f"dovecot did not listen on {self.port}: {diagnostics}")

    def deliver(self, raw: bytes) -> Path:
        """Put one message into the INBOX as an MTA would (tmp/, then renamed into new/)."""
        self._delivered += 1
        name = f"{time.time_ns()}.{os.getpid()}_{self._delivered}.govpilot-test"
        staged = self.maildir / "tmp" / name
        staged.write_bytes(raw)
        self._own(staged)
        return staged.rename(self.maildir / "new" / name)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if process is not None and process.stderr is not None:
            process.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def _own(self, *paths: Path) -> None:
        if os.geteuid() == 0:
            for path in paths:
                os.chown(path, self._uid, self._gid)

    def _diagnostics(self) -> str:
        stderr = b""
        if self._process is not None and self._process.poll() is not None and self._process.stderr:
            stderr = self._process.stderr.read()
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        return (stderr.decode(errors="replace") + log).strip()[-2000:]

    def __enter__(self) -> LocalImap:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
