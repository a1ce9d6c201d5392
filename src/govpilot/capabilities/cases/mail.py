"""The case desk's e-mail channel: complaints read from an IMAP folder, replies sent by SMTP.

`parse_eml` sets `auto` on mail no citizen wrote (out-of-office, bounce, our own reply come
back): the desk opens no case for it and answers nothing, or two robots would mail forever."""

from __future__ import annotations

import binascii
import contextlib
import mimetypes
import quopri
import re
from collections.abc import Collection
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.errors import HeaderParseError
from email.message import Message
from email.utils import parseaddr
from html import unescape

from govpilot.errors import CorruptDocument, InputError, InputTooLarge

#: Every reply we send carries it; mail that comes back with it is a loop, not a case.
LOOP_HEADER = "X-Govpilot-Case"
REFERENCE_IN_SUBJECT = re.compile(r"\[([A-Z]{2}-[0-9A-Z]{4}-[0-9A-Z]{4})\]")

# Mail labelled with a narrow charset is often written in its superset (Outlook's GBK in
# "gb2312" mail; Hong Kong characters such as 𨋢 in "big5").
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}
_SUPERSETS |= {"big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cp950": "big5hkscs"}
_MESSAGE_HEADERS = ("from", "subject", "date", "message-id", "to", "mime-version", "received")
# At the start of a subject and followed by a colon: "Out of office hours noise" is a case.
_AUTO_SUBJECT = re.compile(
    r"(?i)\s*(out of (the )?office( reply| autoreply)?|automatic reply|auto[- ]?reply"
    r"|自動回覆|自动回复|自動回復|不在辦公室|不在办公室)\s*([:：]|$)"
)
_BOUNCE_SUBJECT = re.compile(
    r"(?i)\s*((undeliverable|returned mail|delivery failure|無法傳遞|无法投递)\s*[:：]"
    r"|delivery status notification|undelivered mail returned|mail delivery failed|系[统統]退信)"
)
_BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
_AUTO_PRECEDENCE = {"bulk", "junk", "auto_reply", "list"}
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
CASE_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_HTML_HIDDEN = re.compile(r"(?is)<(script|style|head|title)\b.*?</\1\s*>|<!--.*?-->")
_HTML_BLOCK = re.compile(r"(?i)</?(p|div|br|li|tr|table|ul|ol|h[1-6]|blockquote|hr|pre)\b[^>]*>")
_ORIGINAL_MESSAGE = re.compile(r"(?i)-{3,}\s*(original message|原始郵件|原始邮件|原始訊息)\s*-{3,}")
_ON_WROTE = re.compile(r"(?i)On\b.{0,300}\bwrote:")
_ZH_WROTE = re.compile(r"[^於于]{0,200}[於于][^寫写]{0,200}(寫道|写道)\s*[:：]")
_OUTLOOK_FROM = re.compile(r"(?i)(\*?From\*?|寄件者|发件人)\s*[:：]")
_OUTLOOK_SENT = re.compile(r"(?i)(\*?Sent\*?|\*?Date\*?|傳送時間|寄件日期|发送时间)\s*[:：]")


@dataclass(frozen=True)
class Attachment:
    """A file that came with a message; `filename` is a base name, never a path."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InboundMessage:
    """One received e-mail, read for the case desk."""

    #: "<id@host>", or "" (a malformed one would make every reply to it fail).
    message_id: str
    #: The address only, lower-case ("" when the message names none).
    sender: str
    sender_name: str
    subject: str
    #: The body as plain text, without the quoted history of a reply.
    text: str
    in_reply_to: str
    references: tuple[str, ...]
    attachments: tuple[Attachment, ...]
    #: Why no citizen wrote this ("auto-reply: ...", "bounce: ...", "loop: ..."), else None.
    auto: str | None


def parse_eml(
    data: bytes,
    *,
    own_addresses: Collection[str] = (),
    max_bytes: int = 25 * 1024 * 1024,
    max_attachments: int = 20,
) -> InboundMessage:
    """Read one raw e-mail message (an .eml file, or what IMAP returns) for the case desk."""
    if len(data) > max_bytes:
        raise InputTooLarge(
            f"that e-mail is {len(data) // 1024} KiB; at most {max_bytes // 1024} KiB is read",
            hint="ask the sender to share large files another way",
        )
    msg, texts, attachments = _parse(data)
    name, address = parseaddr(_raw(msg, "from"))
    sender = address.strip().lower() if "@" in address else ""
    subject = _decode_header(_raw(msg, "subject"))
    if len(attachments) > max_attachments:
        raise InputTooLarge(
            f"that e-mail has {len(attachments)} attachments; at most {max_attachments} are read",
            hint="ask the sender to send the files in several messages",
        )
    body = "\n".join(texts["text/plain"] or [_html_to_text(h) for h in texts["text/html"]])
    return InboundMessage(
        message_id=next(iter(MESSAGE_ID.findall(_raw(msg, "message-id"))), ""),
        sender=sender,
        sender_name=_decode_header(name),
        subject=subject,
        text=_without_quoted_history(body),
        in_reply_to=" ".join(MESSAGE_ID.findall(_raw(msg, "in-reply-to"))),
        references=tuple(MESSAGE_ID.findall(_raw(msg, "references"))),
        attachments=tuple(attachments),
        auto=_auto_reason(msg, sender, subject, {a.strip().lower() for a in own_addresses}),
    )


def _parse(data: bytes) -> tuple[Message, dict[str, list[str]], list[Attachment]]:
    """The message, its inline texts by type, its files. The stdlib's modern header parser
    raises on some damaged headers; the old, lenient one (compat32) reads those."""
    for mail_policy in (policy.default, policy.compat32):
        texts: dict[str, list[str]] = {"text/plain": [], "text/html": []}
        files: list[Attachment] = []
        try:
            msg = message_from_bytes(data, policy=mail_policy)
            if not any(_raw(msg, name) for name in _MESSAGE_HEADERS):
                raise InputError(
                    "that is not an e-mail message (.eml)",
                    hint="give the raw message as saved by a mail program, headers included",
                )
            _read_parts(msg, texts, files)
            msg.get_content_type()  # for _auto_reason
            return msg, texts, files
        except (IndexError, ValueError, TypeError, LookupError, HeaderParseError):
            continue
    raise CorruptDocument("that e-mail is too damaged to read", hint="ask for it again")


def case_reference_in(subject: str, pattern: re.Pattern[str] = REFERENCE_IN_SUBJECT) -> str | None:
    """The case reference a reply's subject carries ("Re: [GP-7KQ3-M9XD] ..."), if any."""
    found = pattern.search(subject)
    return None if found is None else found.group(1 if pattern.groups else 0)


def _raw(msg: Message, name: str) -> str:
    """A header's raw value, unfolded; "" when absent (read by hand: broken headers abound)."""
    for key, value in msg.raw_items():
        if key.lower() == name:
            return re.sub(r"\r?\n(?=[ \t])", "", str(value)).strip()
    return ""


def _clean(text: str) -> str:
    """Surrogates (bytes no charset decoded, or a hostile codec's output) as U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return re.sub("[\ud800-\udfff]", "\ufffd", text)


def _decode_bytes(data: bytes, charset: str | None) -> str:
    name = (charset or "utf-8").split("*", 1)[0].strip().lower()  # RFC 2231: "utf-8*en"
    try:
        return _clean(data.decode(_SUPERSETS.get(name, name), "replace"))
    except (LookupError, ValueError):
        return data.decode("utf-8", "replace")


def _decode_header(value: str) -> str:
    """A header value with its RFC 2047 encoded words decoded, whatever their charset and
    damage; raw 8-bit text is read as UTF-8."""
    parts, end = [], 0
    for word in _ENCODED_WORD.finditer(value):
        between = value[end : word.start()]
        if end == 0 or between.strip():  # the space between two encoded words is folding
            parts.append(_clean(between))
        charset, kind, text = word.groups()
        data = _clean(text).encode()
        with contextlib.suppress(binascii.Error, ValueError):  # damaged: left as it came
            b64 = kind in "bB"
            data = binascii.a2b_base64(data + b"==") if b64 else quopri.decodestring(data, True)
        parts.append(_decode_bytes(data, charset))
        end = word.end()
    return "".join(parts) + _clean(value[end:])


def _read_parts(part: Message, texts: dict[str, list[str]], files: list[Attachment]) -> None:
    """Sort a message's leaves into inline text and HTML, and files: nothing is dropped."""
    content_type = part.get_content_type()
    if part.is_multipart() and not content_type.startswith("message/"):
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _read_parts(sub, texts, files)
        return
    filename = _decode_header(part.get_filename() or "").replace("\\", "/").rsplit("/", 1)[-1]
    filename = "".join(ch for ch in filename if ch.isprintable()).strip(" .")  # no "..", no path
    inner = part.get_payload(0) if part.is_multipart() else None  # an attached message
    data = inner.as_bytes() if isinstance(inner, Message) else part.get_payload(decode=True)
    data = data if isinstance(data, bytes) else b""
    if filename or part.get_content_disposition() == "attachment" or content_type not in texts:
        filename = filename or "attachment" + (mimetypes.guess_extension(content_type) or "")
        files.append(Attachment(filename, content_type, data))
    else:
        texts[content_type].append(_decode_bytes(data, part.get_content_charset()))


def _html_to_text(markup: str) -> str:
    """HTML as text: tags dropped, entities decoded, one line per block."""
    text = _HTML_BLOCK.sub("\n", re.sub(r"\s+", " ", _HTML_HIDDEN.sub(" ", markup)))
    text = unescape(re.sub(r"<[^>]*>", "", text)).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _without_quoted_history(text: str) -> str:
    """The new text of a reply: from the first history marker on, and lines quoted with ">",
    removed. A message that is nothing but quotation (a bare forward) is kept whole."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        following = next((s.strip() for s in lines[i + 1 : i + 3] if s.strip()), "")
        if (
            _ORIGINAL_MESSAGE.fullmatch(stripped)
            or _ON_WROTE.fullmatch(stripped)
            or (stripped.startswith("On ") and _ON_WROTE.fullmatch(f"{stripped} {following}"))
            or _ZH_WROTE.fullmatch(stripped)
            or (_OUTLOOK_FROM.match(stripped) and _OUTLOOK_SENT.match(following))
        ):
            break
        if not stripped.startswith(">"):
            kept.append(line.rstrip())
    new_text = "\n".join(kept).strip()
    return new_text or "\n".join(line.rstrip() for line in lines).strip()


def _auto_reason(msg: Message, sender: str, subject: str, own: set[str]) -> str | None:
    """Why the message is machine-made or our own mail come back; None for a person's."""
    local_part = sender.split("@", 1)[0]
    submitted = _raw(msg, "auto-submitted").lower()
    precedence = _raw(msg, "precedence").lower()
    checks = (
        (_raw(msg, LOOP_HEADER.lower()) != "", f"loop: carries our {LOOP_HEADER} header"),
        (sender != "" and sender in own, "loop: sent from the desk's own address"),
        (msg.get_content_type() == "multipart/report", "bounce: a delivery status report"),
        (_raw(msg, "return-path").replace(" ", "") == "<>", "bounce: empty Return-Path <>"),
        (local_part in _BOUNCE_SENDERS, f"bounce: sent by {local_part}"),
        (_BOUNCE_SUBJECT.match(subject) is not None, f"bounce: subject {subject[:60]!r}"),
        (submitted.split(";")[0].strip() not in ("", "no"), f"auto-reply: {submitted[:40]}"),
        (_raw(msg, "x-autoreply") + _raw(msg, "x-autorespond") != "", "auto-reply: X-Auto*"),
        (precedence in _AUTO_PRECEDENCE, f"auto-reply: Precedence: {precedence}"),
        (_AUTO_SUBJECT.match(subject) is not None, f"auto-reply: subject {subject[:60]!r}"),
    )
    return next((reason for hit, reason in checks if hit), None)
