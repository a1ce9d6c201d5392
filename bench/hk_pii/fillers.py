"""Slot fillers for the Hong Kong PII set: names, addresses, look-alikes, and the slot table.

Every filler takes (rng, lang) and returns the text to put in the slot; `PII_SLOTS` says which
slots are personal data (and of which type): only those become gold spans.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from hk_pii import lexicon as lx
from hk_pii.identifiers import (
    HKID_ONE_LETTER,
    _digits,
    bank_account,
    br_number,
    card,
    date_en,
    date_yue,
    date_zh,
    dob_en,
    dob_yue,
    dob_zh,
    email,
    email_cn,
    hkid,
    hkid_check_digit,
    id_cn,
    ip_address,
    luhn_check_digit,
    passport,
    passport_cn,
    passport_ph,
    phone,
    phone_cn,
)

Filler = Callable[[random.Random, str], str]

# ---------------------------------------------------------------------------- names


def _given_en(rng: random.Random) -> str:
    return rng.choice(lx.GIVEN)[0]


def name_en(rng: random.Random, lang: str) -> str:
    if rng.random() < 0.15:
        return rng.choice(lx.WESTERN_NAMES)
    surname = rng.choice(lx.SURNAMES)[0]
    given = _given_en(rng)
    spaced = " ".join(p.capitalize() for p in given.split("-"))
    first = rng.choice(lx.ENGLISH_FIRST)
    forms = [
        f"{surname} {given}",
        f"{surname.upper()} {given}",
        f"{surname.upper()} {spaced}",
        f"{surname} {spaced}",
        f"{first} {surname}",
        f"{first} {surname} {given}",
        f"{surname.upper()} {given}, {first}",
        f"{first} {surname.upper()}",
        f"{given} {surname}",
        f"{surname} {given.replace('-', '').capitalize()}",
    ]
    return rng.choices(forms, weights=[20, 14, 12, 10, 12, 10, 5, 7, 4, 3])[0]


def surname_en(rng: random.Random, lang: str) -> str:
    if rng.random() < 0.12:
        return rng.choice(lx.WESTERN_SURNAMES)
    surname = rng.choice(lx.SURNAMES)[0]
    return surname.upper() if rng.random() < 0.15 else surname


def given_en(rng: random.Random, lang: str) -> str:
    return " ".join(p.capitalize() for p in _given_en(rng).split("-"))


def name_west(rng: random.Random, lang: str) -> str:
    return rng.choice(lx.WESTERN_NAMES)


def name_zh(rng: random.Random, lang: str) -> str:
    surname = rng.choice(lx.SURNAMES)[1]
    given = rng.choice(lx.GIVEN_ZH_ONLY) if rng.random() < 0.15 else rng.choice(lx.GIVEN)[1]
    return surname + given


def surname_zh(rng: random.Random, lang: str) -> str:
    return rng.choice(lx.SURNAMES)[1]


def nick_zh(rng: random.Random, lang: str) -> str:
    return "阿" + rng.choice(lx.GIVEN)[1][-1]


def name_zhs(rng: random.Random, lang: str) -> str:
    return rng.choice(lx.SURNAMES_ZHS) + rng.choice(lx.GIVEN_ZHS)


def surname_zhs(rng: random.Random, lang: str) -> str:
    return rng.choice(lx.SURNAMES_ZHS)


# ---------------------------------------------------------------------------- addresses


def _district(index: int) -> tuple[str, str, int]:
    return lx.DISTRICTS[index]


def _flat_en(rng: random.Random) -> str:
    return rng.choice(
        [
            f"Flat {rng.choice('ABCDEFGH')}",
            f"Flat {rng.randint(1, 12)}",
            f"Unit {rng.randint(1, 30)}",
            f"Rm {rng.randint(1, 24):02d}",
        ]
    )


def _address_en_parts(rng: random.Random) -> list[str]:
    kind = rng.choices(
        ["street", "public", "private", "ground", "village"], weights=[38, 26, 20, 8, 8]
    )[0]
    if kind == "village":
        village, _, dist, _ = rng.choice(lx.VILLAGES)
        head = rng.choice(
            [
                f"House {rng.randint(1, 120)}",
                f"Lot {rng.randint(100, 2999)} in D.D. {rng.randint(1, 130)}",
                f"No. {rng.randint(1, 99)}",
            ]
        )
        return [head, village, dist, rng.choice(["N.T.", "New Territories"])]
    if kind == "public":
        estate, _, di = rng.choice(lx.ESTATES)
        floor = rng.randint(2, 35)
        parts = [f"Room {floor}{rng.randint(1, 24):02d}", rng.choice(lx.HOUSES)[0], estate]
    elif kind == "private":
        estate, _, di = rng.choice(lx.PRIVATE_ESTATES)
        parts = [_flat_en(rng), f"{rng.randint(1, 40)}/F", f"Block {rng.randint(1, 30)}", estate]
    else:
        street, _, di = rng.choice(lx.STREETS)
        number = str(rng.randint(1, 688)) + (rng.choice("ABC") if rng.random() < 0.08 else "")
        if kind == "ground":
            parts = ["G/F", f"{number} {street}"]
        else:
            parts = [
                _flat_en(rng),
                f"{rng.randint(1, 30)}/F",
                rng.choice(lx.BUILDINGS)[0],
                f"{number} {street}",
            ]
            if rng.random() < 0.25:
                parts.insert(2, f"Block {rng.choice('ABC')}")
            if rng.random() < 0.2:
                parts.pop(0)
    district_en, _, region = _district(di)
    parts.append(district_en)
    if rng.random() < 0.7:
        parts.append(rng.choice([lx.REGIONS_EN[region], lx.REGIONS_EN_SHORT[region]]))
    return parts


def address_en(rng: random.Random, lang: str) -> str:
    text = ", ".join(_address_en_parts(rng))
    return text.upper() if rng.random() < 0.1 else text


def address_en_lines(rng: random.Random, lang: str) -> str:
    """A letter-head address: a few components on each line."""
    parts = _address_en_parts(rng)
    lines = [", ".join(parts[:2]), *parts[2:-1]]
    lines[-1] += ", " + parts[-1]
    return "\n".join(lines)


def address_short_en(rng: random.Random, lang: str) -> str:
    if rng.random() < 0.5:
        return f"Block {rng.randint(1, 30)}, {rng.choice(lx.PRIVATE_ESTATES)[0]}"
    if rng.random() < 0.5:
        return f"{rng.choice(lx.HOUSES)[0]}, {rng.choice(lx.ESTATES)[0]}"
    return f"{rng.randint(1, 400)} {rng.choice(lx.STREETS)[0]}"


def _flat_zh(rng: random.Random) -> str:
    return rng.choice(
        [f"{rng.choice('ABCDEFGH')}室", f"{rng.randint(1, 12)}室", f"{rng.randint(1, 12)}號室"]
    )


def address_zh(rng: random.Random, lang: str) -> str:
    kind = rng.choices(
        ["street", "public", "private", "ground", "village"], weights=[38, 28, 20, 7, 7]
    )[0]
    if kind == "village":
        _, village, _, dist = rng.choice(lx.VILLAGES)
        return f"新界{dist}{village}{rng.randint(1, 120)}號"
    if kind == "public":
        _, estate, di = rng.choice(lx.ESTATES)
        floor = rng.randint(2, 35)
        room = f"{floor}{rng.randint(1, 24):02d}室"
        body = (
            estate + rng.choice(lx.HOUSES)[1] + (f"{floor}樓{room}" if rng.random() < 0.6 else room)
        )
    elif kind == "private":
        _, estate, di = rng.choice(lx.PRIVATE_ESTATES)
        body = f"{estate}{rng.randint(1, 30)}座{rng.randint(1, 40)}樓{_flat_zh(rng)}"
    else:
        _, street, di = rng.choice(lx.STREETS)
        number = f"{street}{rng.randint(1, 688)}號"
        if kind == "ground":
            body = number + "地下"
        else:
            block = f"{rng.choice('ABC')}座" if rng.random() < 0.25 else ""
            body = (
                f"{number}{rng.choice(lx.BUILDINGS)[1]}{block}{rng.randint(1, 30)}樓{_flat_zh(rng)}"
            )
    _, district_zh, region = _district(di)
    prefix = rng.choices(
        ["", district_zh, lx.REGIONS_ZH[region] + district_zh], weights=[15, 45, 40]
    )[0]
    return prefix + body


def address_short_zh(rng: random.Random, lang: str) -> str:
    choice = rng.random()
    if choice < 0.4:
        return rng.choice(lx.ESTATES)[1] + rng.choice(lx.HOUSES)[1]
    if choice < 0.75:
        return f"{rng.choice(lx.PRIVATE_ESTATES)[1]}{rng.randint(1, 30)}座"
    return f"{rng.choice(lx.STREETS)[1]}{rng.randint(1, 400)}號"


def address_cn(rng: random.Random, lang: str) -> str:
    area, road = rng.choice(lx.CN_PLACES)
    text = f"{area}{road}{rng.randint(1, 999)}号"
    if rng.random() < 0.7:
        floor = rng.randint(2, 33)
        text += (
            f"{rng.choice(lx.CN_COMPOUNDS)}{rng.randint(1, 20)}栋{floor}{rng.randint(1, 8):02d}室"
        )
    return text


# ---------------------------------------------------------------------------- look-alikes


def caseref(rng: random.Random, lang: str) -> str:
    prefix = rng.choice(lx.CASEREF_PREFIXES)
    year = rng.randint(2019, 2025)
    return rng.choice(
        [
            f"{prefix}/{year}/{rng.randint(1, 99999):07d}",
            f"{prefix}/{rng.randint(1, 999)}/{year % 100}",
            f"({rng.randint(1, 99)}) in {prefix}/{rng.randint(1, 40)}",
        ]
    )


def caseref_zh(rng: random.Random, lang: str) -> str:
    year = rng.randint(2019, 2025)
    return rng.choice(
        [f"{year}-{rng.randint(1, 999999):06d}", f"（{year}）第{rng.randint(1, 9999):04d}號"]
    )


def case_1823(rng: random.Random, lang: str) -> str:
    return f"3-{rng.randint(10**9, 10**10 - 1)}"


def amount(rng: random.Random, lang: str) -> str:
    n = rng.choice(
        [rng.randint(100, 9999), rng.randint(10_000, 999_999), rng.randint(10**6, 10**8)]
    )
    forms = [
        f"HK${n:,}",
        f"${n:,}",
        f"HK${n:,}.{rng.randint(0, 99):02d}",
        f"HKD {n:,}",
        f"HK${n % 100000}",
    ]
    return rng.choice(forms)


def amount_zh(rng: random.Random, lang: str) -> str:
    n = rng.randint(100, 999_999)
    return rng.choice(
        [f"港幣{n:,}元", f"${n:,}", f"HK${n:,}", "港幣一萬二千元", "三千五百蚊", f"{n}元"]
    )


def room(rng: random.Random, lang: str) -> str:
    return rng.choice(
        [
            f"Room {rng.randint(101, 4820)}",
            f"Conference Room {rng.randint(1, 9)}{rng.choice('AB')}",
            f"Room {rng.randint(1, 30)}01 on {rng.randint(1, 30)}/F",
            "Lecture Theatre 2",
        ]
    )


def room_zh(rng: random.Random, lang: str) -> str:
    return rng.choice(
        [
            f"會議室{rng.randint(101, 4820)}",
            f"{rng.randint(1, 30)}樓會議室{rng.choice('AB')}",
            f"本署{rng.randint(1, 30)}{rng.randint(1, 12):02d}室",
            "地下演講廳",
        ]
    )


def legco(rng: random.Random, lang: str) -> str:
    year = rng.randint(2019, 2025)
    return rng.choice(
        [
            f"CB({rng.randint(1, 4)}){rng.randint(1, 999)}/{year}({rng.randint(1, 9):02d})",
            f"CB({rng.randint(1, 4)}){rng.randint(1, 999)}/{year % 100}-{year % 100 + 1}"
            f"({rng.randint(1, 9):02d})",
            f"FCR({year}-{year % 100 + 1}){rng.randint(1, 60)}",
        ]
    )


def bad_hkid(rng: random.Random, lang: str) -> str:
    """HKID-shaped product code whose check digit is wrong."""
    prefix, digits = rng.choice(HKID_ONE_LETTER), _digits(rng, 6)
    good = hkid_check_digit(prefix, digits)
    wrong = rng.choice([c for c in "0123456789" if c != good])
    return f"{prefix}{digits}({wrong})"


def bad_card(rng: random.Random, lang: str) -> str:
    """A 16-digit tracking number that fails the Luhn check."""
    body = rng.choice("123456789") + _digits(rng, 14)
    good = luhn_check_digit(body)
    number = body + rng.choice([c for c in "0123456789" if c != good])
    return " ".join(number[i : i + 4] for i in range(0, 16, 4)) if rng.random() < 0.5 else number


def _pick(options: list[str]) -> Filler:
    return lambda rng, lang: rng.choice(options)


FILLERS: dict[str, Filler] = {
    "NAME_EN": name_en,
    "SURNAME_EN": surname_en,
    "GIVEN_EN": given_en,
    "NAME_WEST": name_west,
    "NAME_ZH": name_zh,
    "SURNAME_ZH": surname_zh,
    "NICK_ZH": nick_zh,
    "NAME_ZHS": name_zhs,
    "SURNAME_ZHS": surname_zhs,
    "HKID": hkid,
    "PHONE": phone,
    "PHONE_CN": phone_cn,
    "EMAIL": email,
    "EMAIL_CN": email_cn,
    "PASSPORT": passport,
    "PASSPORT_PH": passport_ph,
    "PASSPORT_CN": passport_cn,
    "ID_CN": id_cn,
    "BR": br_number,
    "BANK": bank_account,
    "CARD": card,
    "IP": ip_address,
    "DOB_EN": dob_en,
    "DOB_ZH": dob_zh,
    "DOB_YUE": dob_yue,
    "ADDR_EN": address_en,
    "ADDR_EN_LINES": address_en_lines,
    "ADDR_SHORT_EN": address_short_en,
    "ADDR_ZH": address_zh,
    "ADDR_SHORT_ZH": address_short_zh,
    "ADDR_CN": address_cn,
    # look-alikes: never annotated
    "CASEREF": caseref,
    "CASEREF_ZH": caseref_zh,
    "CASE1823": case_1823,
    "AMOUNT": amount,
    "AMOUNT_ZH": amount_zh,
    "DATE_EN": date_en,
    "DATE_ZH": date_zh,
    "DATE_YUE": date_yue,
    "ROOM": room,
    "ROOM_ZH": room_zh,
    "LEGCO": legco,
    "BADID": bad_hkid,
    "BADCARD": bad_card,
    "DEPT_EN": _pick(lx.DEPTS_EN),
    "DEPT_ZH": _pick(lx.DEPTS_ZH),
    "DEPT_ZHS": _pick(lx.DEPTS_ZHS),
    "DISTRICT_EN": lambda rng, lang: rng.choice(lx.DISTRICTS)[0],
    "DISTRICT_ZH": lambda rng, lang: rng.choice(lx.DISTRICTS)[1],
    "DISTRICT_ZHS": _pick(lx.DISTRICTS_ZHS),
    "STREET_EN": lambda rng, lang: rng.choice(lx.STREETS)[0],
    "STREET_ZH": lambda rng, lang: rng.choice(lx.STREETS)[1],
    "YEAR": lambda rng, lang: str(rng.randint(1997, 2025)),
    "FY": lambda rng, lang: (lambda y: f"{y}-{(y + 1) % 100:02d}")(rng.randint(2020, 2026)),
    "AGE": lambda rng, lang: str(rng.randint(18, 95)),
    "NUM": lambda rng, lang: str(rng.randint(1, 70)),
    "COUNT": lambda rng, lang: f"{rng.randint(12, 4000):,}",
    "DOTTED": lambda rng, lang: ".".join(str(rng.randint(1, 12)) for _ in range(4)),
    "VERSION": lambda rng, lang: (
        f"{rng.randint(1, 12)}.{rng.randint(0, 9)}."
        f"{rng.randint(1000, 29999)}.{rng.randint(300, 9999)}"
    ),
    "ORDER": lambda rng, lang: rng.choice(
        [
            f"PO-{rng.randint(2022, 2025)}-{rng.randint(1, 99999):05d}",
            f"INV/{rng.randint(22, 25)}/{rng.randint(1, 9999):04d}",
            f"SO{rng.randint(10000, 99999)}",
            f"2024{rng.randint(10**9, 10**10 - 1)}",
        ]
    ),
    "FORM": _pick(["HD 123A", "SF(HK)456", "IR56B", "SWD 801(E)", "TD 558", "ID(E) 937"]),
}

# Slots whose text is personal data, and its type.
PII_SLOTS: dict[str, str] = {
    **dict.fromkeys(
        [
            "NAME_EN",
            "SURNAME_EN",
            "GIVEN_EN",
            "NAME_WEST",
            "NAME_ZH",
            "SURNAME_ZH",
            "NICK_ZH",
            "NAME_ZHS",
            "SURNAME_ZHS",
        ],
        "PERSON",
    ),
    "HKID": "HKID",
    "PHONE": "PHONE",
    "PHONE_CN": "PHONE",
    "EMAIL": "EMAIL",
    "EMAIL_CN": "EMAIL",
    "PASSPORT": "PASSPORT",
    "PASSPORT_PH": "PASSPORT",
    "PASSPORT_CN": "PASSPORT",
    "ID_CN": "ID_CN",
    "BR": "BR_NUMBER",
    "BANK": "BANK_ACCOUNT",
    "CARD": "CREDIT_CARD",
    "IP": "IP_ADDRESS",
    **dict.fromkeys(["DOB_EN", "DOB_ZH", "DOB_YUE"], "DATE_OF_BIRTH"),
    **dict.fromkeys(
        ["ADDR_EN", "ADDR_EN_LINES", "ADDR_SHORT_EN", "ADDR_ZH", "ADDR_SHORT_ZH", "ADDR_CN"],
        "ADDRESS",
    ),
}
