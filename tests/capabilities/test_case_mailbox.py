"""The desk's mailbox read into cases against a real Dovecot: each new message becomes one
case and is marked seen; an auto-reply is skipped; a message that cannot be a case is
reported and left in the mailbox; reading again finds nothing new."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from pydantic import SecretStr

from govpilot.config import CaseMailSettings
from govpilot.privacy.detector import PiiDetector
from support.case_support import DRIPPING, GAS, case_platform
from support.mail_servers import LocalImap, dovecot_or_skip


def mail(subject: str, body: str, message_id: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Ms Lee <lee@example.com>"
    message["To"] = "desk@1823.gov.hk"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def test_the_mailbox_becomes_cases_and_is_marked_seen(
    tmp_path: Path, scripted_detector: PiiDetector
) -> None:
    with LocalImap(dovecot_or_skip()) as imap:
        settings = CaseMailSettings(
            imap_host=imap.host,
            imap_port=imap.port,
            imap_ssl=False,
            imap_user=imap.user,
            imap_password=SecretStr(imap.password),
            sender="desk@1823.gov.hk",
        )
        platform = case_platform(tmp_path, scripted_detector, mail=settings)
        try:
            imap.deliver(mail("Air-con dripping", DRIPPING, "<a@example.com>"))
            imap.deliver(mail("Gas", GAS, "<b@example.com>"))
            imap.deliver(
                mail(
                    "Automatic reply: Gas", "Away", "<c@example.com>", Auto_Submitted="auto-replied"
                )
            )
            imap.deliver(mail("Empty", "   ", "<d@example.com>"))
            ctx = platform.cli_context("cases")
            report = platform.case_desk.poll_mailbox(ctx)
            assert report.read == 4 and len(report.cases) == 2
            assert len(report.skipped) == 1 and "auto-reply" in report.skipped[0]
            assert len(report.failed) == 1 and "empty" in report.failed[0]
            cases = platform.case_desk.work.queue(ctx, "open")
            assert {c.channel for c in cases} == {"email"}
            assert {c.contact["email"] for c in cases} == {"lee@example.com"}
            assert platform.case_desk.poll_mailbox(ctx).read == 0
            assert platform.audit.events(5, action="cases.mail_skipped")
        finally:
            platform.database.dispose()
