"""Written forms of identifiers, for the identifier-forms set (bench/make_id_forms.py).

`FORMS[type]` maps a form's name to a function (rng) -> the identifier as written in that
form. Values are fresh random identifiers with valid check digits where the type has one;
the forms are the ways people type them: split by spaces or hyphens, brackets or none,
full-width (a Chinese input method left on), lower case, a line break where a form field
wrapped, with the international prefixes of phone numbers.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from hk_pii import lexicon as lx
from hk_pii.identifiers import cn_id_check_digit, hkid_check_digit, luhn_check_digit

Form = Callable[[random.Random], str]

_HALF = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz()+-@. "
_FULL = "".join(chr(ord(c) + 0xFEE0) if c != " " else "\u3000" for c in _HALF[:-1]) + " "
_TO_FULL_WIDTH = str.maketrans(_HALF, _FULL)


def full_width(text: str) -> str:
    """`text` as a Chinese input method in full-width mode types it (spaces stay ASCII)."""
    return text.translate(_TO_FULL_WIDTH)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


# ---------------------------------------------------------------------------- HKID


def _hkid_parts(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.25:
        prefix = rng.choice(["WX", "XA", "XB", "XC", "XD", "XE", "XG", "XH", "AB", "CA", "EC"])
    else:
        prefix = rng.choice("ABCDEGHKMPRSVYZ")
    digits = _digits(rng, 6)
    return prefix, digits, hkid_check_digit(prefix, digits)


def _hkid(form: str, lower: bool = False, wide: bool = False) -> Form:
    def write(rng: random.Random) -> str:
        p, d, c = _hkid_parts(rng)
        text = form.format(p=p, d=d, c=c, d3=d[:3], d6=d[3:], d4=d[:4], d2=d[4:])
        text = text.lower() if lower else text
        return full_width(text) if wide else text

    return write


HKID_FORMS: dict[str, Form] = {
    "compact, brackets": _hkid("{p}{d}({c})"),
    "compact, no brackets": _hkid("{p}{d}{c}"),
    "space before brackets": _hkid("{p}{d} ({c})"),
    "spaced, brackets": _hkid("{p} {d} ({c})"),
    "spaced, no brackets": _hkid("{p} {d} {c}"),
    "space after letter": _hkid("{p} {d}({c})"),
    "space before check": _hkid("{p}{d} {c}"),
    "hyphen before check": _hkid("{p}{d}-{c}"),
    "hyphens": _hkid("{p}-{d}-{c}"),
    "digits 3-3": _hkid("{p} {d3} {d6} ({c})"),
    "square brackets": _hkid("{p}{d}[{c}]"),
    "full-width": _hkid("{p}{d}({c})", wide=True),
    "full-width, spaced": _hkid("{p} {d} ({c})", wide=True),
    "lower case": _hkid("{p}{d}({c})", lower=True),
    "lower case, spaced": _hkid("{p} {d} ({c})", lower=True),
    "line break before check": _hkid("{p}{d}\n({c})"),
    "line break inside digits": _hkid("{p}{d4}\n{d2}({c})"),
}

# ---------------------------------------------------------------------------- PHONE


def _hk_number(rng: random.Random) -> str:
    number = rng.choice("235696") + _digits(rng, 7)
    while number.startswith(("999", "1823")):
        number = rng.choice("235696") + _digits(rng, 7)
    return number


def _phone(form: str, wide: bool = False) -> Form:
    def write(rng: random.Random) -> str:
        n = _hk_number(rng)
        text = form.format(
            n=n,
            a=n[:4],
            b=n[4:],
            p1=n[:2],
            p2=n[2:4],
            p3=n[4:6],
            p4=n[6:],
            t=n[:3],
            m=n[3:5],
            e=n[5:],
        )
        return full_width(text) if wide else text

    return write


def _mainland(form: str) -> Form:
    def write(rng: random.Random) -> str:
        n = "1" + rng.choice("3456789") + _digits(rng, 9)
        return form.format(n=n, a=n[:3], b=n[3:7], c=n[7:])

    return write


PHONE_FORMS: dict[str, Form] = {
    "8 digits": _phone("{n}"),
    "4 4": _phone("{a} {b}"),
    "4-4": _phone("{a}-{b}"),
    "4 - 4": _phone("{a} - {b}"),
    "4–4 (en dash)": _phone("{a}\u2013{b}"),
    "2 2 2 2": _phone("{p1} {p2} {p3} {p4}"),
    "2-2-2-2": _phone("{p1}-{p2}-{p3}-{p4}"),
    "4 2 2": _phone("{a} {p3} {p4}"),
    "3 2 3": _phone("{t} {m} {e}"),
    "+852 3 2 3": _phone("+852 {t} {m} {e}"),
    "line break": _phone("{a}\n{b}"),
    "full-width": _phone("{n}", wide=True),
    "full-width 4 4": _phone("{a} {b}", wide=True),
    "+852 4 4": _phone("+852 {a} {b}"),
    "+852 8": _phone("+852{n}"),
    "+852-4-4": _phone("+852-{a}-{b}"),
    "+852 2 2 2 2": _phone("+852 {p1} {p2} {p3} {p4}"),
    "852-4 4": _phone("852-{a} {b}"),
    "852 8": _phone("852 {n}"),
    "(852) 4 4": _phone("(852) {a} {b}"),
    "(+852) 4-4": _phone("(+852) {a}-{b}"),
    "00852 4 4": _phone("00852 {a} {b}"),
    "full-width +852": _phone("+852 {a} {b}", wide=True),
    "mainland 11 digits": _mainland("{n}"),
    "mainland 3 4 4": _mainland("{a} {b} {c}"),
    "mainland +86 3 4 4": _mainland("+86 {a} {b} {c}"),
    "mainland +86-11": _mainland("+86-{n}"),
}

# ---------------------------------------------------------------------------- EMAIL


def _email(style: str) -> Form:
    def write(rng: random.Random) -> str:
        surname = rng.choice(lx.SURNAMES)[0].lower().replace("-", "")
        given = rng.choice(lx.GIVEN)[0].lower().replace("-", "")
        domain = rng.choice(["gmail.com", "yahoo.com.hk", "netvigator.com", "hd.gov.hk", "qq.com"])
        local = rng.choice([f"{given}.{surname}", f"{surname}{given}", f"{given[0]}{surname}"])
        if style == "upper":
            return f"{local}@{domain}".upper()
        if style == "capitalised":
            return f"{local.title()}@{domain.title()}"
        if style == "full-width":
            return full_width(f"{local}@{domain}")
        if style == "full-width @":
            return f"{local}＠{domain}"
        if style == "[at]":
            return f"{local} [at] {domain}"
        if style == "(at) and [dot]":
            return f"{local}(at){domain.replace('.', ' [dot] ')}"
        if style == "plus tag":
            return f"{local}+{rng.choice(['hk', 'work', '2024'])}@{domain}"
        return f"{local}@{domain}"

    return write


EMAIL_FORMS: dict[str, Form] = {
    name: _email(name)
    for name in (
        "lower case",
        "upper",
        "capitalised",
        "full-width",
        "full-width @",
        "plus tag",
        "[at]",
        "(at) and [dot]",
    )
}

# ---------------------------------------------------------------------------- PASSPORT


def _passport(form: str, letters: str = "HK", lower: bool = False, wide: bool = False) -> Form:
    def write(rng: random.Random) -> str:
        d = _digits(rng, 8)
        text = form.format(l=rng.choice(letters), d=d, a=d[:4], b=d[4:], n=d[1:])
        text = text.lower() if lower else text
        return full_width(text) if wide else text

    return write


PASSPORT_FORMS: dict[str, Form] = {
    "HKSAR compact": _passport("{l}{d}"),
    "HKSAR lower case": _passport("{l}{d}", lower=True),
    "HKSAR space after letter": _passport("{l} {d}"),
    "HKSAR 1 4 4": _passport("{l} {a} {b}"),
    "HKSAR hyphen": _passport("{l}-{d}"),
    "HKSAR full-width": _passport("{l}{d}", wide=True),
    "mainland E+8": _passport("{l}{d}", letters="EG"),
    "mainland E+8 lower case": _passport("{l}{d}", letters="E", lower=True),
    "mainland E 4 4": _passport("{l} {a} {b}", letters="E"),
    "mainland EA+7": _passport("E{l}{n}", letters="ABCDEFGH"),
    "Philippines P+7+letter": _passport("P{n}{l}", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
}

# ---------------------------------------------------------------------------- ID_CN


def _cn_id(form: str, lower: bool = False, wide: bool = False) -> Form:
    def write(rng: random.Random) -> str:
        number = ""
        # the lower-case form is only a form of its own with an X check character
        while not number or (lower and not number.endswith("X")):
            year, month, day = rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)
            first17 = f"{rng.choice(lx.CN_REGION_CODES)}{year}{month:02d}{day:02d}{_digits(rng, 3)}"
            number = first17 + cn_id_check_digit(first17)
        text = form.format(n=number, r=number[:6], b=number[6:14], s=number[14:])
        text = text.lower() if lower else text
        return full_width(text) if wide else text

    return write


ID_CN_FORMS: dict[str, Form] = {
    "18 characters": _cn_id("{n}"),
    "6 8 4": _cn_id("{r} {b} {s}"),
    "6-8-4": _cn_id("{r}-{b}-{s}"),
    "lower-case x": _cn_id("{n}", lower=True),
    "full-width": _cn_id("{n}", wide=True),
}

# ---------------------------------------------------------------------------- BR, bank, card


def _br(form: str, wide: bool = False) -> Form:
    def write(rng: random.Random) -> str:
        n = rng.choice("1234567") + _digits(rng, 7)
        month, year, check = rng.randint(1, 12), rng.randint(18, 25), rng.choice("0123456789A")
        text = form.format(n=n, m=f"{month:02d}", y=year, c=check)
        return full_width(text) if wide else text

    return write


BR_FORMS: dict[str, Form] = {
    "8 digits": _br("{n}"),
    "full number": _br("{n}-000-{m}-{y}-{c}"),
    "full number, spaced hyphens": _br("{n} - 000 - {m} - {y} - {c}"),
    "full-width": _br("{n}", wide=True),
}


def _bank(form: str, wide: bool = False) -> Form:
    def write(rng: random.Random) -> str:
        text = form.format(b=_digits(rng, 3), a=_digits(rng, 6), s=_digits(rng, 3))
        return full_width(text) if wide else text

    return write


BANK_FORMS: dict[str, Form] = {
    "3-6-3": _bank("{b}-{a}-{s}"),
    "3 6 3": _bank("{b} {a} {s}"),
    "3 - 6 - 3": _bank("{b} - {a} - {s}"),
    "12 digits": _bank("{b}{a}{s}"),
    "full-width 3-6-3": _bank("{b}-{a}-{s}", wide=True),
    "bank code 3-3-6-3": _bank("004-{s}-{a}-{b}"),
}


def _card(sep: str, amex: bool = False, wide: bool = False) -> Form:
    def write(rng: random.Random) -> str:
        if amex:
            body = rng.choice(["34", "37"]) + _digits(rng, 12)
            groups = [4, 6, 5]
        else:
            body = rng.choice(["4", "51", "55", "62"])
            body += _digits(rng, 15 - len(body))
            groups = [4, 4, 4, 4]
        number = body + luhn_check_digit(body)
        parts, i = [], 0
        for size in groups:
            parts.append(number[i : i + size])
            i += size
        if sep == "line break":
            text = " ".join(parts[:2]) + "\n" + " ".join(parts[2:])
        else:
            text = sep.join(parts)
        return full_width(text) if wide else text

    return write


CARD_FORMS: dict[str, Form] = {
    "4 4 4 4": _card(" "),
    "4-4-4-4": _card("-"),
    "16 digits": _card(""),
    "4 - 4 - 4 - 4": _card(" - "),
    "line break": _card("line break"),
    "full-width": _card(" ", wide=True),
    "Amex 4 6 5": _card(" ", amex=True),
}

# ---------------------------------------------------------------------------- IP


def _ip(style: str) -> Form:
    def write(rng: random.Random) -> str:
        if style.startswith("IPv6"):
            groups = [rng.choice(["2404", "2001", "240e"])]
            groups += [f"{rng.randint(1, 0xFFFF):x}" for _ in range(7)]
            text = ":".join(groups[:3]) + "::" + groups[7] if "::" in style else ":".join(groups)
            return text.upper() if "upper" in style else text
        octets = [rng.choice([14, 27, 58, 61, 103, 113, 119, 175, 202, 203, 218])]
        octets += [rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)]
        text = ".".join(str(o) for o in octets)
        return full_width(text) if style == "IPv4 full-width" else text

    return write


IP_FORMS: dict[str, Form] = {
    name: _ip(name) for name in ("IPv4", "IPv4 full-width", "IPv6", "IPv6 upper case", "IPv6 ::")
}

FORMS: dict[str, dict[str, Form]] = {
    "HKID": HKID_FORMS,
    "PHONE": PHONE_FORMS,
    "EMAIL": EMAIL_FORMS,
    "PASSPORT": PASSPORT_FORMS,
    "ID_CN": ID_CN_FORMS,
    "BR_NUMBER": BR_FORMS,
    "BANK_ACCOUNT": BANK_FORMS,
    "CREDIT_CARD": CARD_FORMS,
    "IP_ADDRESS": IP_FORMS,
}
