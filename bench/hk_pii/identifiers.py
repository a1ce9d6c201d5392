"""Identifiers with valid check digits, and dates, for the Hong Kong PII set (make_hk_pii.py).

Every function named after a slot takes (rng, lang) and returns the text to put in the slot.
"""

from __future__ import annotations

import datetime as dt
import random

from hk_pii import lexicon as lx

# ---------------------------------------------------------------------------- check digits

HKID_ONE_LETTER = "ABCDEGHKMPRSVYZ"
HKID_TWO_LETTERS = ["WX", "XA", "XB", "XC", "XD", "XE", "XG", "XH"]


def hkid_check_digit(prefix: str, digits: str) -> str:
    """HKID check character: weights 9..2 over (space-padded) letters and six digits, mod 11."""
    letters = prefix.upper().rjust(2)
    total = sum(w * (36 if c == " " else ord(c) - 55) for w, c in zip((9, 8), letters, strict=True))
    total += sum(w * int(d) for w, d in zip(range(7, 1, -1), digits, strict=True))
    remainder = (11 - total % 11) % 11
    return "A" if remainder == 10 else str(remainder)


CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def cn_id_check_digit(first17: str) -> str:
    """Mainland resident ID check character (ISO 7064 MOD 11-2)."""
    return "10X98765432"[sum(w * int(d) for w, d in zip(CN_ID_WEIGHTS, first17, strict=True)) % 11]


def luhn_check_digit(body: str) -> str:
    """The digit that makes body + digit pass the Luhn check."""
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


# ---------------------------------------------------------------------------- helpers


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _date(rng: random.Random, first_year: int, last_year: int) -> dt.date:
    start = dt.date(first_year, 1, 1).toordinal()
    return dt.date.fromordinal(rng.randint(start, dt.date(last_year, 12, 31).toordinal()))


def _zh(lang: str) -> bool:
    return lang != "en"


ZH_DIGITS = "〇一二三四五六七八九"


def _zh_number(n: int) -> str:
    if n < 10:
        return ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else ZH_DIGITS[tens]) + "十" + (ZH_DIGITS[ones] if ones else "")


# ---------------------------------------------------------------------------- identifiers


def hkid(rng: random.Random, lang: str) -> str:
    prefix = rng.choice(HKID_TWO_LETTERS) if rng.random() < 0.12 else rng.choice(HKID_ONE_LETTER)
    digits = _digits(rng, 6)
    check = hkid_check_digit(prefix, digits)
    styles = ["{p}{d}({c})", "{p}{d}{c}", "{p}{d} ({c})", "{p}{d}（{c}）"]
    weights = [55, 20, 15, 10 if _zh(lang) else 0]
    text = rng.choices(styles, weights=weights)[0].format(p=prefix, d=digits, c=check)
    return text.lower() if rng.random() < 0.08 else text


def phone(rng: random.Random, lang: str) -> str:
    first = rng.choice("569") if rng.random() < 0.7 else rng.choice("23")
    number = first + _digits(rng, 7)
    while number.startswith(("999", "1823")):
        number = first + _digits(rng, 7)
    a, b = number[:4], number[4:]
    forms = [
        f"{a} {b}",
        number,
        f"{a}-{b}",
        f"+852 {a} {b}",
        f"+852{number}",
        f"(852) {a} {b}",
        f"852-{a} {b}",
        f"+852-{a}-{b}",
        f"(+852) {number}",
    ]
    return rng.choices(forms, weights=[35, 25, 10, 12, 4, 5, 3, 3, 3])[0]


def phone_cn(rng: random.Random, lang: str) -> str:
    number = "1" + rng.choice("3456789") + _digits(rng, 9)
    forms = [
        number,
        f"{number[:3]} {number[3:7]} {number[7:]}",
        f"+86 {number[:3]} {number[3:7]} {number[7:]}",
        f"+86-{number}",
    ]
    return rng.choices(forms, weights=[50, 20, 20, 10])[0]


EMAIL_DOMAINS = [
    "gmail.com",
    "yahoo.com.hk",
    "hotmail.com",
    "netvigator.com",
    "outlook.com",
    "icloud.com",
    "hkbn.net",
    "ymail.com",
    "yahoo.com",
    "biznetvigator.com",
    "hd.gov.hk",
    "swd.gov.hk",
    "connect.polyu.hk",
    "ha.org.hk",
]
EMAIL_DOMAINS_CN = ["163.com", "qq.com", "126.com", "sina.com", "foxmail.com"]
PINYIN = ["zhangwei", "liuyang", "wangfang", "chenjie", "lina", "huangqiang", "zhaolei", "wujing"]


def email(rng: random.Random, lang: str) -> str:
    surname = rng.choice(lx.SURNAMES)[0].lower().replace("-", "")
    given = rng.choice(lx.GIVEN)[0].lower()
    initials = "".join(p[0] for p in given.split("-"))
    first = rng.choice(lx.ENGLISH_FIRST).lower()
    year = str(rng.randint(60, 99) if rng.random() < 0.5 else rng.randint(1960, 2005))
    locals_ = [
        given.replace("-", "") + surname,
        initials + surname,
        f"{surname}.{given.replace('-', '')}",
        f"{first}.{surname}",
        f"{first}{surname}{year[-2:]}",
        f"{surname}_{initials}{year}",
        f"{first}_{initials}{surname}",
    ]
    return f"{rng.choice(locals_)}@{rng.choice(EMAIL_DOMAINS)}"


def email_cn(rng: random.Random, lang: str) -> str:
    domain = rng.choice(EMAIL_DOMAINS_CN)
    if domain == "qq.com" or rng.random() < 0.2:
        return f"{rng.randint(10**7, 10**10)}@{domain}"
    return f"{rng.choice(PINYIN)}{rng.randint(1970, 2005)}@{domain}"


def passport(rng: random.Random, lang: str) -> str:
    return rng.choice("HK") + _digits(rng, 8)


def passport_ph(rng: random.Random, lang: str) -> str:
    return "P" + _digits(rng, 7) + rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")


def passport_cn(rng: random.Random, lang: str) -> str:
    if rng.random() < 0.6:
        return "E" + _digits(rng, 8)
    return "E" + rng.choice("ABCDEFGH") + _digits(rng, 7)


def id_cn(rng: random.Random, lang: str) -> str:
    born = _date(rng, 1950, 2005)
    first17 = rng.choice(lx.CN_REGION_CODES) + born.strftime("%Y%m%d") + _digits(rng, 3)
    return first17 + cn_id_check_digit(first17)


def br_number(rng: random.Random, lang: str) -> str:
    number = rng.choice("1234567") + _digits(rng, 7)
    if rng.random() < 0.25:
        month, year, check = rng.randint(1, 12), rng.randint(18, 25), rng.choice("0123456789A")
        return f"{number}-000-{month:02d}-{year}-{check}"
    return number


def bank_account(rng: random.Random, lang: str) -> str:
    forms = [
        lambda: (
            f"{_digits(rng, 3)}-{_digits(rng, 6)}-{rng.choice(['001', '838', '833', '882', '292'])}"
        ),
        lambda: f"004-{_digits(rng, 3)}-{_digits(rng, 6)}-{_digits(rng, 3)}",
        lambda: f"012-{_digits(rng, 3)}-{rng.choice('0123')}-{_digits(rng, 6)}-{_digits(rng, 1)}",
        lambda: f"{_digits(rng, 3)}-{rng.choice('0123')}-{_digits(rng, 6)}-{_digits(rng, 1)}",
        lambda: rng.choice("0123456789") + _digits(rng, 11),
        lambda: f"{_digits(rng, 3)} {_digits(rng, 6)} {_digits(rng, 3)}",
    ]
    return rng.choices(forms, weights=[35, 10, 15, 15, 15, 10])[0]()


def card(rng: random.Random, lang: str) -> str:
    kind = rng.choices(["visa", "mc", "amex", "unionpay"], weights=[40, 30, 12, 18])[0]
    if kind == "visa":
        body = "4" + _digits(rng, 14)
    elif kind == "mc":
        prefix = str(rng.randint(51, 55)) if rng.random() < 0.8 else str(rng.randint(2221, 2720))
        body = prefix + _digits(rng, 15 - len(prefix))
    elif kind == "amex":
        body = rng.choice(["34", "37"]) + _digits(rng, 12)
    else:
        length = 19 if rng.random() < 0.2 else 16
        body = "62" + _digits(rng, length - 3)
    number = body + luhn_check_digit(body)
    style = rng.choices(["space", "hyphen", "plain"], weights=[50, 20, 30])[0]
    if style == "plain":
        return number
    groups = [4, 6, 5] if kind == "amex" else [4, 4, 4, 4, 3][: (len(number) + 3) // 4]
    parts, i = [], 0
    for g in groups:
        parts.append(number[i : i + g])
        i += g
    return (" " if style == "space" else "-").join(p for p in parts if p)


IP_FIRST_OCTETS = [
    14,
    27,
    42,
    58,
    61,
    101,
    103,
    112,
    113,
    119,
    123,
    175,
    180,
    182,
    202,
    203,
    210,
    218,
    219,
    223,
]


def ip_address(rng: random.Random, lang: str) -> str:
    if rng.random() < 0.8:
        rest = [rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)]
        return ".".join(str(n) for n in [rng.choice(IP_FIRST_OCTETS), *rest])
    groups = [rng.choice(["2404", "2001", "2400", "240e"]), f"{rng.randint(1, 0xFFFF):x}"]
    groups += [f"{rng.randint(0, 0xFFFF):x}" for _ in range(6)]
    if rng.random() < 0.5:
        return ":".join(groups[:4]) + "::" + groups[7]
    return ":".join(groups)


# ---------------------------------------------------------------------------- dates

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _date_en(d: dt.date, rng: random.Random, *, weekday: bool = False) -> str:
    month = MONTHS[d.month - 1]
    forms = [
        f"{d.day} {month} {d.year}",
        f"{d.day} {month[:3]} {d.year}",
        f"{month} {d.day}, {d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.day:02d}-{d.month:02d}-{d.year}",
        f"{d.year}-{d.month:02d}-{d.day:02d}",
        f"{d.day:02d}.{d.month:02d}.{d.year}",
        f"{d.day}/{d.month}/{d.year}",
    ]
    text = rng.choices(forms, weights=[20, 12, 10, 22, 8, 10, 6, 12])[0]
    return f"{d.strftime('%A')}, {d.day} {month} {d.year}" if weekday else text


def _date_zh(d: dt.date, rng: random.Random, *, yue: bool = False) -> str:
    day_word = "號" if yue else "日"
    zh_year = "".join(ZH_DIGITS[int(c)] for c in str(d.year))
    forms = [
        f"{d.year}年{d.month}月{d.day}{day_word}",
        f"{d.year}年{d.month:02d}月{d.day:02d}{day_word}",
        f"{d.year}-{d.month:02d}-{d.day:02d}",
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.year}/{d.month}/{d.day}",
        f"{zh_year}年{_zh_number(d.month)}月{_zh_number(d.day)}{day_word}",
        f"{d.year % 100:02d}年{d.month}月{d.day}{day_word}",
    ]
    return rng.choices(forms, weights=[35, 12, 12, 15, 8, 5, 13 if yue else 0])[0]


def dob_en(rng: random.Random, lang: str) -> str:
    return _date_en(_date(rng, 1935, 2010), rng)


def dob_zh(rng: random.Random, lang: str) -> str:
    return _date_zh(_date(rng, 1935, 2010), rng)


def dob_yue(rng: random.Random, lang: str) -> str:
    return _date_zh(_date(rng, 1935, 2010), rng, yue=True)


def date_en(rng: random.Random, lang: str) -> str:
    return _date_en(_date(rng, 2023, 2025), rng, weekday=rng.random() < 0.15)


def date_zh(rng: random.Random, lang: str) -> str:
    d = _date(rng, 2023, 2025)
    if rng.random() < 0.2:
        return f"{d.year}年{d.month}月{d.day}日（星期{'一二三四五六日'[d.weekday()]}）"
    return _date_zh(d, rng)


def date_yue(rng: random.Random, lang: str) -> str:
    d = _date(rng, 2024, 2024)
    return rng.choice([f"{d.month}月{d.day}號", "下個禮拜三", "聽日", "星期五", f"{d.day}號"])
