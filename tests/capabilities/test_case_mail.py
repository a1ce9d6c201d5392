"""The case desk's e-mail channel: parsing what citizens (and robots) send, replying by SMTP
to a real aiosmtpd server, reading a real Dovecot IMAP server (skipped without Dovecot,
unless GOVPILOT_REQUIRE_IMAP is set)."""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from govpilot.capabilities.cases.mail import (
    LOOP_HEADER,
    InboundMessage,
    case_reference_in,
    parse_eml,
)
from govpilot.capabilities.cases.mail_transport import ImapMailbox, SmtpSender
from govpilot.errors import ConfigError, InputError, InputTooLarge, StorageError
from support.mail_servers import LocalImap, LocalSmtp, dovecot_or_skip, free_port

DESK = "cases@desk.gov.example"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def mail(
    body: str = "The street light outside 12 Nathan Road has been out for a week.",
    *,
    subject: str = "Street light broken",
    sender: str = "Chan Tai Man <Chan.TaiMan@Example.COM>",
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = DESK
    msg["Subject"] = subject
    msg["Message-ID"] = "<first@example.com>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def parse(msg: EmailMessage | bytes) -> InboundMessage:
    raw = msg if isinstance(msg, bytes) else msg.as_bytes()
    return parse_eml(raw, own_addresses=[DESK.upper()])


# --- reading mail ------------------------------------------------------------------------


def test_a_plain_mail_with_an_attachment() -> None:
    msg = mail()
    msg.add_attachment(b"%PDF-1.4 scan", maintype="application", subtype="pdf", filename="a.pdf")
    got = parse(msg)
    assert got.sender == "chan.taiman@example.com"
    assert got.sender_name == "Chan Tai Man"
    assert got.subject == "Street light broken"
    assert got.text == "The street light outside 12 Nathan Road has been out for a week."
    assert got.message_id == "<first@example.com>"
    assert got.attachments[0].filename == "a.pdf"
    assert got.attachments[0].content_type == "application/pdf"
    assert got.attachments[0].data == b"%PDF-1.4 scan"
    assert len(got.attachments) == 1
    assert got.auto is None


def test_utf8_chinese_subject_body_and_attachment_name() -> None:
    msg = mail("九龍城道的街燈壞了一個星期，晚上很危險。", subject="投訴：街燈故障")
    msg.replace_header("From", "陳大文 <chan@example.com>")
    msg.add_attachment(PNG, maintype="image", subtype="png", filename="C:\\Users\\陳\\相片.png")
    raw = msg.as_bytes()
    assert b"=?utf-8?" in raw.lower()  # really encoded words, not raw UTF-8
    got = parse(raw)
    assert got.subject == "投訴：街燈故障"
    assert got.sender_name == "陳大文"
    assert got.text == "九龍城道的街燈壞了一個星期，晚上很危險。"
    assert [(a.filename, a.content_type, a.data) for a in got.attachments] == [
        ("相片.png", "image/png", PNG)
    ]


def test_big5_mail_with_a_hong_kong_character_and_attachment() -> None:
    # 𨋢 (lift) is in HKSCS, not in Big5: mail labelled "big5" carries it all the same.
    text = "大廈𨋢壞咗三日，老人家上落好辛苦。"
    msg = EmailMessage()
    msg["From"] = "Lee <lee@example.hk>"
    msg["Subject"] = "PLACEHOLDER"
    msg.set_content(
        text.encode("big5hkscs"), "text", "plain", params={"charset": "big5"}, cte="base64"
    )
    msg.add_attachment(b"photo", maintype="image", subtype="jpeg", filename="../../etc/升降機.jpg")
    subject = b"=?Big5?B?" + base64.b64encode("投訴：升降機故障".encode("big5")) + b"?="
    raw = msg.as_bytes().replace(b"PLACEHOLDER", subject)
    assert b"=?Big5?" in raw
    got = parse(raw)
    assert got.subject == "投訴：升降機故障"
    assert got.text == text
    assert [a.filename for a in got.attachments] == ["升降機.jpg"]
    assert got.attachments[0].data == b"photo"


def test_gb2312_label_on_gbk_text_and_broken_charsets_never_crash() -> None:
    # 镕 is GBK, not GB2312; Outlook labels such mail gb2312 anyway.
    gbk = EmailMessage()
    gbk["From"] = "wang@example.cn"
    gbk["Subject"] = "=?gb2312?B?" + base64.b64encode("噪音投诉".encode("gb2312")).decode() + "?="
    gbk.set_content("朱镕基路施工噪音".encode("gbk"), "text", "plain", params={"charset": "gb2312"})
    got = parse(gbk.as_bytes())
    assert (got.subject, got.text) == ("噪音投诉", "朱镕基路施工噪音")

    broken = (
        b"From: someone@example.com\r\nSubject: =?x-no-such-charset?Q?caf=E9?= =?UTF-8?B?!!?=\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
        b"valid part \xff\xfe then \xe6\x8a\x95\xe8\xa8\xb4\r\n"
    )
    got = parse(broken)
    assert "\ufffd" in got.text and "valid part" in got.text and "投訴" in got.text
    assert got.subject.startswith("caf")
    got.text.encode("utf-8")  # no surrogate escapes left behind
    got.subject.encode("utf-8")


def test_headers_the_modern_parser_trips_over_and_hostile_charsets_are_read() -> None:
    # `charset*` with no value makes email.policy.default raise IndexError (CPython bug).
    got = parse(
        b"From: a@example.com\r\nSubject: =?utf-8?B?5oqV6Ki0?=\r\n"
        b"Content-Type: text/plain; charset*\r\n\r\nbody\r\n"
    )
    assert (got.subject, got.text) == ("投訴", "body")
    # A codec that turns bytes into lone surrogates must not leave them in the text.
    got = parse(
        b"From: a@example.com\r\nSubject: s\r\n"
        b"Content-Type: text/plain; charset=raw-unicode-escape\r\n\r\nx \\ud800 y\r\n"
    )
    assert got.text == "x \ufffd y"


def test_html_only_mail_becomes_text() -> None:
    msg = mail()
    msg.set_content(
        "<html><head><style>p {color: red}</style><title>t</title></head><body>"
        "<p>Dear&nbsp;Sir,</p><p>Noise at <b>Tom &amp; Jerry&#39;s</b> bar<br>every night.</p>"
        "<script>alert('x')</script><div>Chan</div></body></html>",
        subtype="html",
    )
    got = parse(msg)
    assert got.text == "Dear Sir,\n\nNoise at Tom & Jerry's bar\nevery night.\n\nChan"


def test_plain_text_is_preferred_over_html() -> None:
    msg = mail("plain words")
    msg.add_alternative("<p>html words</p>", subtype="html")
    assert parse(msg).text == "plain words"


@pytest.mark.parametrize(
    "history",
    [
        "On Mon, 4 Mar 2024 at 10:02, Case Desk <cases@desk.gov.example> wrote:\n> Dear Mr Chan",
        "On Mon, 4 Mar 2024 at 10:02, Case Desk <\ncases@desk.gov.example> wrote:\n> Dear Mr Chan",
        "-----Original Message-----\nFrom: Case Desk\nDear Mr Chan",
        "________________________________\nFrom: Case Desk <cases@desk.gov.example>\n"
        "Sent: Monday, 4 March 2024 10:02\nTo: Chan\nDear Mr Chan",
        "Case Desk <cases@desk.gov.example> 於 2024年3月4日 週一 上午10:02寫道：\n> 陳先生：",
    ],
)
def test_quoted_history_of_a_reply_is_removed(history: str) -> None:
    got = parse(mail(f"Still broken, please send someone.\n\n{history}\n> quoted line"))
    assert got.text.startswith("Still broken, please send someone.")
    assert "Dear Mr Chan" not in got.text and "陳先生" not in got.text and "quoted" not in got.text


def test_inline_quotes_go_and_the_answers_between_them_stay() -> None:
    body = "> Which lamp post?\nNumber 3021.\n> Since when?\nLast Monday."
    assert parse(mail(body)).text == "Number 3021.\nLast Monday."


def test_a_message_that_is_only_quotation_is_kept_whole() -> None:
    assert parse(mail("> forwarded complaint\n> from my neighbour")).text == (
        "> forwarded complaint\n> from my neighbour"
    )


def test_html_reply_history_is_removed() -> None:
    msg = mail()
    msg.set_content(
        '<div dir="ltr">Still broken.</div><br><div class="gmail_quote"><div class="gmail_attr">'
        "On Mon, 4 Mar 2024 at 10:02, Case Desk &lt;cases@desk.gov.example&gt; wrote:<br></div>"
        "<blockquote>Dear Mr Chan, we have asked the department.</blockquote></div>",
        subtype="html",
    )
    assert parse(msg).text == "Still broken."


def test_references_and_reply_headers() -> None:
    raw = mail(In_Reply_To="<r1@desk.gov.example>", References="<r0@x.example> <r1@desk>")
    got = parse(raw.as_bytes().replace(b"> <r1@desk>", b">\r\n <r1@desk>"))  # folded
    assert got.in_reply_to == "<r1@desk.gov.example>"
    assert got.references == ("<r0@x.example>", "<r1@desk>")
    # A Message-ID that SmtpSender would refuse as In-Reply-To is not kept.
    odd = mail(In_Reply_To="no brackets")
    odd.replace_header("Message-ID", "no brackets at all")
    assert (parse(odd).message_id, parse(odd).in_reply_to) == ("", "")


# --- robots and loops --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "auto-reply"),
        ({"Auto_Submitted": "auto-generated; owner-email=x@y"}, "auto-reply"),
        ({"X_Autoreply": "yes"}, "auto-reply"),
        ({"X_Autorespond": "Out of office"}, "auto-reply"),
        ({"Precedence": "bulk"}, "auto-reply"),
        ({"Precedence": "junk"}, "auto-reply"),
        ({"Precedence": "auto_reply"}, "auto-reply"),
        ({"Precedence": "list"}, "auto-reply"),
        ({"subject": "Out of Office: Street light broken"}, "auto-reply"),
        ({"subject": "Automatic reply: Street light broken"}, "auto-reply"),
        ({"subject": "自動回覆: 街燈故障"}, "auto-reply"),
        ({"Return_Path": "<>"}, "bounce"),
        ({"sender": "MAILER-DAEMON@mx.example.com"}, "bounce"),
        ({"sender": "Mail System <postmaster@example.com>"}, "bounce"),
        ({"subject": "Undeliverable: Your case GP-7KQ3-M9XD"}, "bounce"),
        ({"subject": "Delivery Status Notification (Failure)"}, "bounce"),
        ({LOOP_HEADER.replace("-", "_"): "GP-7KQ3-M9XD"}, "loop"),
        ({"sender": "Case Desk <Cases@Desk.Gov.Example>"}, "loop"),
    ],
)
def test_robots_and_loops_are_flagged(headers: dict[str, str], reason: str) -> None:
    got = parse(mail(**headers))
    assert got.auto is not None
    assert got.auto.startswith(f"{reason}:")


def test_a_delivery_status_report_is_a_bounce() -> None:
    report = (
        b"From: Mail Delivery System <mx@example.com>\r\nSubject: Your case reply\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type="delivery-status";'
        b' boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n'
        b"Your message could not be delivered.\r\n--b1\r\n"
        b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n"
        b"\r\nFinal-Recipient: rfc822; nobody@example.com\r\nAction: failed\r\n--b1--\r\n"
    )
    got = parse(report)
    assert got.auto == "bounce: a delivery status report"
    assert got.text == "Your message could not be delivered."
    assert [a.content_type for a in got.attachments] == ["message/delivery-status"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Auto_Submitted": "no"},
        {"List_Id": "<residents.example.org>"},
        {"subject": "Out of office hours noise at the building site"},
        {"subject": "Undeliverable parcel left at the post office"},
        {"subject": "Re: [GP-7KQ3-M9XD] Street light broken"},
    ],
)
def test_a_person_writing_is_not_flagged(headers: dict[str, str]) -> None:
    assert parse(mail(**headers)).auto is None


# --- refused input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        random.Random(7).randbytes(4096),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b"",
        b"just some words, no headers\nat all",
    ],
)
def test_what_is_not_an_email_is_refused_plainly(data: bytes) -> None:
    with pytest.raises(InputError, match=r"not an e-mail message \(\.eml\)"):
        parse_eml(data)


def test_oversized_mail_and_too_many_attachments_are_refused() -> None:
    raw = mail("x" * 5000).as_bytes()
    with pytest.raises(InputTooLarge, match="at most 1 KiB"):
        parse_eml(raw, max_bytes=1024)
    assert parse_eml(raw, max_bytes=len(raw)).sender == "chan.taiman@example.com"
    msg = mail()
    for n in range(3):
        msg.add_attachment(b"x", maintype="application", subtype="octet-stream", filename=f"{n}")
    with pytest.raises(InputTooLarge, match="3 attachments; at most 2"):
        parse_eml(msg.as_bytes(), max_attachments=2)


def test_case_reference_in_a_subject() -> None:
    assert case_reference_in("Re: [GP-7KQ3-M9XD] 街燈故障") == "GP-7KQ3-M9XD"
    assert case_reference_in("Re: GP-7KQ3-M9XD without brackets") is None
    assert case_reference_in("[gp-7kq3-m9xd] lower case") is None
    assert case_reference_in("ref CASE-12 here", re.compile(r"CASE-\d+")) == "CASE-12"


# --- sending replies ---------------------------------------------------------------------


def test_a_reply_goes_out_with_the_loop_guard_and_threading_headers() -> None:
    with LocalSmtp() as smtp:
        sender = SmtpSender(smtp.host, smtp.port, sender=f"Case Desk <{DESK}>")
        subject = "回覆：[GP-7KQ3-M9XD] 街燈故障"
        message_id = sender.send(
            "chan@example.com",
            subject,
            "陳先生：\n\n我們已通知路政署，維修人員將於三日內到場。",
            case_reference="GP-7KQ3-M9XD",
            in_reply_to="<first@example.com>",
        )
    [got] = smtp.messages
    assert smtp.recipients == [["chan@example.com"]]
    assert got["Subject"] == subject
    assert got["To"] == "chan@example.com"
    assert got["From"] == f"Case Desk <{DESK}>"
    assert got["Message-ID"] == message_id and message_id.endswith("@desk.gov.example>")
    assert got[LOOP_HEADER] == "GP-7KQ3-M9XD"
    assert got["In-Reply-To"] == got["References"] == "<first@example.com>"
    assert got["Auto-Submitted"] is None  # an officer approved it: not an automatic reply
    assert got.get_content() == "陳先生：\n\n我們已通知路政署，維修人員將於三日內到場。\n"
    assert smtp.raw[0].isascii()  # encoded, so any relay can carry it
    # Should the reply come back (a forward, an auto-answer), it is a loop, not a case.
    back = parse_eml(smtp.raw[0], own_addresses=[DESK])
    assert back.auto is not None and back.auto.startswith("loop:")
    assert case_reference_in(back.subject) == "GP-7KQ3-M9XD"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_reply_with_html_and_a_login() -> None:
    with LocalSmtp(user="desk", password="s3cret") as smtp:
        sender = SmtpSender(smtp.host, smtp.port, user="desk", password="s3cret", sender=DESK)
        sender.send("a@example.com", "Re: x", "plain", case_reference="GP-1", html="<p>rich</p>")
        wrong = SmtpSender(smtp.host, smtp.port, user="desk", password="wrong", sender=DESK)
        with pytest.raises(ConfigError, match="refused the desk's login"):
            wrong.send("a@example.com", "Re: x", "plain", case_reference="GP-1")
    [got] = smtp.messages
    assert got.get_content_type() == "multipart/alternative"
    plain, html = got.get_body(("plain",)), got.get_body(("html",))
    assert plain is not None and plain.get_content().splitlines() == ["plain"]
    assert html is not None and html.get_content().splitlines() == ["<p>rich</p>"]


@pytest.mark.parametrize(
    "to",
    [
        "chan@example.com\r\nBcc: everyone@example.com",
        "chan@example.com\nBcc: everyone@example.com",
        "chan@example.com, other@example.com",
        "chan@example.com; other@example.com",
        "Chan <chan@example.com>",
        "chan@example.com ",
        "not an address",
        "",
    ],
)
def test_header_injection_in_the_address_is_refused(to: str) -> None:
    with LocalSmtp() as smtp:
        sender = SmtpSender(smtp.host, smtp.port, sender=DESK)
        with pytest.raises(InputError, match="not one plain e-mail address"):
            sender.send(to, "Re: x", "body", case_reference="GP-1")
    assert smtp.messages == []


def test_line_breaks_in_subject_or_reply_id_cannot_add_headers() -> None:
    with LocalSmtp() as smtp:
        sender = SmtpSender(smtp.host, smtp.port, sender=DESK)
        with pytest.raises(InputError, match="not a Message-ID"):
            sender.send("a@example.com", "x", "b", case_reference="GP-1", in_reply_to="<a>\nBcc: e")
        with pytest.raises(InputError, match="not a case reference"):
            sender.send("a@example.com", "x", "b", case_reference="GP-1\r\nBcc: e@example.com")
        sender.send("a@example.com", "hi\r\nBcc: evil@example.com", "b", case_reference="GP-1")
    [got] = smtp.messages
    assert got["Bcc"] is None and got["Subject"] == "hi Bcc: evil@example.com"
    assert smtp.recipients == [["a@example.com"]]


def test_an_smtp_server_that_is_not_there_is_a_transient_error() -> None:
    sender = SmtpSender("127.0.0.1", free_port(), sender=DESK, timeout=5)
    with pytest.raises(StorageError, match="cannot be reached") as caught:
        sender.send("a@example.com", "x", "b", case_reference="GP-1")
    assert caught.value.transient and caught.value.hint


# --- reading an IMAP folder --------------------------------------------------------------


@pytest.fixture
def imap() -> Iterator[LocalImap]:
    with LocalImap(dovecot_or_skip()) as server:
        yield server


def test_imap_fetch_unseen_then_mark_seen(imap: LocalImap) -> None:
    imap.deliver(mail(subject="first").as_bytes())
    imap.deliver(mail(subject="二號投訴").as_bytes())
    with ImapMailbox(imap.host, imap.port, imap.user, imap.password, ssl=False) as box:
        fetched = box.fetch_unseen()
        assert [parse_eml(raw).subject for _, raw in fetched] == ["first", "二號投訴"]
        assert box.fetch_unseen() == fetched  # fetching does not mark them seen
        assert box.fetch_unseen(limit=1) == fetched[:1]
        box.mark_seen([uid for uid, _ in fetched])
        assert box.fetch_unseen() == []
    # A new connection sees the flags the server kept, and mail that came since.
    imap.deliver(mail(subject="third").as_bytes())
    with ImapMailbox(imap.host, imap.port, imap.user, imap.password, ssl=False) as box:
        [(uid, raw)] = box.fetch_unseen()
        assert parse_eml(raw).subject == "third"
        assert int(uid) > max(int(u) for u, _ in fetched)
        box.mark_seen([])  # nothing to do
        with pytest.raises(InputError):
            box.mark_seen(["1:*"])  # not a UID: would have marked everything


def test_imap_wrong_folder_wrong_password_and_no_server(imap: LocalImap) -> None:
    nowhere = ImapMailbox(imap.host, imap.port, imap.user, imap.password, folder="Nope", ssl=False)
    with pytest.raises(ConfigError, match="no mail folder 'Nope'"):
        nowhere.fetch_unseen()
    # Last: Dovecot slows down the next login from an address that failed one.
    with pytest.raises(ConfigError, match="refused the login") as refused:
        ImapMailbox(imap.host, imap.port, imap.user, "wrong", ssl=False).fetch_unseen()
    assert "wrong" not in str(refused.value)  # the password is never in the message
    with pytest.raises(StorageError, match="cannot be reached") as caught:
        ImapMailbox("127.0.0.1", free_port(), "u", "p", ssl=False, timeout=5).fetch_unseen()
    assert caught.value.transient
