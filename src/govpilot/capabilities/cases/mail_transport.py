"""The case desk's mail servers: new mail read from an IMAP folder, replies sent by SMTP.

Both check certificates (imaplib and smtplib do not by default); mail is marked seen and
never deleted; every reply carries the loop header `mail.LOOP_HEADER`."""

from __future__ import annotations

import contextlib
import imaplib
import smtplib
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from ssl import create_default_context

from govpilot.capabilities.cases.mail import (
    ADDRESS,
    CASE_REFERENCE,
    LOOP_HEADER,
    MESSAGE_ID,
)
from govpilot.errors import ConfigError, InputError, StorageError

__all__ = ["ImapMailbox", "SmtpSender"]


def _unreachable(where: str, exc: BaseException) -> StorageError:
    return StorageError(
        f"the {where} cannot be reached: {exc}",
        hint="check its host, port and TLS settings; if they are right, try again later",
        transient=True,
    )


class ImapMailbox:
    """One IMAP folder, read with UID commands; mail is marked seen, never deleted."""

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        *,
        folder: str = "INBOX",
        ssl: bool = True,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.user, self.folder = host, port, user, folder
        self.use_ssl, self.timeout, self._password = ssl, timeout, password
        self._conn: imaplib.IMAP4 | None = None
        self._where = f"IMAP server {host}:{port}"

    def __enter__(self) -> ImapMailbox:
        self._connection()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch_unseen(self, limit: int = 100) -> list[tuple[str, bytes]]:
        """Up to `limit` unseen messages, oldest first, as (UID, raw message); left unseen."""
        found = self._command("SEARCH", "UNSEEN")[0]
        uids = [uid.decode() for uid in found.split()] if isinstance(found, bytes) else []
        messages = []
        for uid in uids[: max(limit, 0)]:
            fetched = self._command("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if raw is not None:  # None: expunged by another client meanwhile
                messages.append((uid, bytes(raw)))
        return messages

    def mark_seen(self, uids: Sequence[str]) -> None:
        """Flag the messages seen, so that `fetch_unseen` does not return them again."""
        if not all(uid.isdigit() for uid in uids):
            raise InputError(f"IMAP UIDs are numbers, not {list(uids)!r}")
        if uids:
            self._command("STORE", ",".join(uids), "+FLAGS.SILENT", r"(\Seen)")

    def close(self) -> None:
        """Log out (safe to call twice)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                conn.logout()

    def _connection(self) -> imaplib.IMAP4:
        if self._conn is not None:
            return self._conn
        host, port, timeout, where = self.host, self.port, self.timeout, self._where
        try:
            conn: imaplib.IMAP4 = (  # the default context: imaplib's own checks no certificate
                imaplib.IMAP4_SSL(host, port, ssl_context=create_default_context(), timeout=timeout)
                if self.use_ssl
                else imaplib.IMAP4(host, port, timeout=timeout)
            )
        except (OSError, imaplib.IMAP4.error) as exc:
            raise _unreachable(where, exc) from exc
        try:
            conn.login(self.user, self._password)
            folder = self.folder.replace("\\", "\\\\").replace('"', '\\"')
            status, _ = conn.select(f'"{folder}"')
        except imaplib.IMAP4.error as exc:
            conn.shutdown()
            raise ConfigError(
                f"the {where} refused the login of {self.user!r}: {exc}",
                hint="check the case desk's IMAP user and password",
            ) from exc
        if status != "OK":
            conn.logout()
            raise ConfigError(f"there is no mail folder {self.folder!r} on the {where}")
        self._conn = conn
        return conn

    def _command(self, command: str, *args: str) -> list[bytes | tuple[bytes, bytes]]:
        conn = self._connection()
        try:
            status, data = conn.uid(command, *args)
        except (imaplib.IMAP4.abort, OSError) as exc:
            self._conn = None
            raise _unreachable(self._where, exc) from exc
        except imaplib.IMAP4.error as exc:
            status, data = "NO", [str(exc).encode()]
        if status != "OK":
            raise StorageError(f"the IMAP server refused UID {command}: {data!r}")
        return data


class SmtpSender:
    """Sends the desk's replies by SMTP, each marked with the loop guard header."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        user: str = "",
        password: str = "",
        sender: str,
        starttls: bool = False,
        ssl: bool = False,
        timeout: float = 30.0,
    ) -> None:
        if starttls and ssl:
            raise ConfigError("choose STARTTLS or SSL for SMTP, not both")
        name, address = parseaddr(sender)
        if not ADDRESS.fullmatch(address):
            raise ConfigError(f"the case desk's sender {sender!r} is not an e-mail address")
        self.host, self.port, self.user, self.address = host, port, user, address.lower()
        self.from_header = formataddr((name, address))
        self.starttls, self.use_ssl, self.timeout, self._password = starttls, ssl, timeout, password

    def send(
        self,
        to: str,
        subject: str,
        body: str,
        *,
        case_reference: str,
        in_reply_to: str = "",
        html: str | None = None,
    ) -> str:
        """Send one reply to one address; returns the Message-ID it was given."""
        if not ADDRESS.fullmatch(to):
            raise InputError(
                f"{to!r} is not one plain e-mail address",
                hint="give one address such as name@example.gov.hk: no name, comma or line break",
            )
        if not CASE_REFERENCE.fullmatch(case_reference):
            raise InputError(f"{case_reference!r} is not a case reference")
        if in_reply_to and not MESSAGE_ID.fullmatch(in_reply_to):
            raise InputError(f"{in_reply_to!r} is not a Message-ID such as <id@host>")
        # 7bit: a Chinese body goes out base64 or quoted-printable, never as raw 8-bit.
        msg = EmailMessage(policy=policy.default.clone(cte_type="7bit"))
        message_id = make_msgid(domain=self.address.split("@", 1)[1])
        msg["From"], msg["To"], msg["Message-ID"] = self.from_header, to, message_id
        msg["Subject"] = " ".join(subject.split())  # a line break would end the header
        msg["Date"] = formatdate(localtime=True)
        msg[LOOP_HEADER] = case_reference
        if in_reply_to:
            msg["In-Reply-To"] = msg["References"] = in_reply_to
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
        self._deliver(msg, to)
        return message_id

    def _deliver(self, msg: EmailMessage, to: str) -> None:
        host, port, timeout, context = self.host, self.port, self.timeout, create_default_context()
        try:
            smtp = (  # the default context: smtplib's own checks no certificate
                smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
                if self.use_ssl
                else smtplib.SMTP(host, port, timeout=timeout)
            )
            try:
                if self.starttls:
                    smtp.starttls(context=context)
                if self.user:
                    smtp.login(self.user, self._password)
                smtp.send_message(msg, from_addr=self.address, to_addrs=[to])
            finally:  # a failed QUIT after the mail went out is no failed send (no resend)
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    smtp.quit()
                smtp.close()
        except smtplib.SMTPRecipientsRefused as exc:
            raise InputError(
                f"the mail server refused the address {to}", hint="check it with the citizen"
            ) from exc
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused) as exc:
            raise ConfigError(
                f"the SMTP server refused the desk's login or sender address: {exc}",
                hint="check the SMTP user, password and sender address",
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise _unreachable(f"SMTP server {self.host}:{self.port}", exc) from exc
