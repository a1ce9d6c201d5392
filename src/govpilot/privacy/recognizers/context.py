"""Context: the words around a number that say what it is, in English and Chinese.

An eight-digit number is a phone number after 電話 or "Tel", a case reference after 個案編號
or "Ref", and an amount after HK$. Each `Labels` holds the words for a type and the words
against it, and answers two questions:

- `before`: which label sits closest before a candidate (the nearest one wins, so in
  "個案編號 12345678，電話 91234567" each number gets its own label);
- `values_after`: for types reported only in context (BR numbers, bank accounts, dates of
  birth), the first value that follows each label within a few characters.

English words are matched with Latin-letter lookarounds, never `\\b`, because `\\b` does not
fire between a Chinese character and a Latin letter or digit ("電話Tel" or "身份證A123456").
Word lists are compiled grouped by first character with the case folding inside, so the
pattern starts with a set of literal characters and the regex engine skips straight to the
few places a label can start (a plain case-insensitive alternation is 5-10x slower).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


def keywords(words: Iterable[str]) -> re.Pattern[str]:
    """One pattern for `words` (regex fragments, each starting with a literal character).

    Words starting with a Latin letter match in any case and not inside a longer Latin word.
    """
    by_first: dict[str, list[str]] = {}
    for word in (part for fragment in words for part in _alternatives(fragment)):
        split = 2 if word.startswith("\\") else 1
        first, rest = word[:split], word[split:]
        if first in "()[]|?*+.^":
            raise ValueError(f"keyword {word!r} must start with a literal character")
        firsts = {first.lower(), first.upper()} if first.isascii() and first.isalpha() else {first}
        for key in sorted(firsts):
            by_first.setdefault(key, []).append(rest)
    branches = []
    for first, rests in by_first.items():
        rest = "|".join(sorted(rests, key=lambda r: r == ""))
        if first.isascii() and first.isalpha():
            branches.append(f"{first}(?<![A-Za-z]{first})(?i:{rest})(?![A-Za-z])")
        else:
            branches.append(f"{first}(?:{rest})")
    return re.compile("|".join(branches))


def _alternatives(fragment: str) -> list[str]:
    """`fragment` split at its top-level `|` ("a|b(?:c|d)" -> ["a", "b(?:c|d)"])."""
    parts, depth, current, chars = [], 0, [], iter(fragment)
    for char in chars:
        if char == "\\":
            current += [char, next(chars, "")]
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


@dataclass(frozen=True)
class Labels:
    """The words that say a nearby value is of one type (`for_value`), and words that say it
    is something else (`against_value`): 電話 for a phone number, 個案編號 against it."""

    for_value: re.Pattern[str]
    against_value: re.Pattern[str] | None = None

    def before(self, text: str, start: int, window: int) -> int:
        """+1 if the nearest label within `window` characters before `start` is for the
        type, -1 if against, 0 if there is none. "Tel No." counts as for, not "No.".

        A label reaches no further than the next number or the end of its sentence: in
        "Amount HK$12,345,678. 99751049" the HK$ belongs to the amount, not to 99751049.
        """
        lo = _after_last_boundary(text, max(0, start - window), start)
        nearest_for = _last_match(self.for_value, text, lo, start)
        nearest_against = _last_match(self.against_value, text, lo, start)
        if nearest_for is None and nearest_against is None:
            return 0
        if nearest_against is None:
            return 1
        if nearest_for is None:
            return -1
        against_is_nearer = nearest_against.end() > nearest_for.end() or (
            nearest_against.end() == nearest_for.end()
            and nearest_against.start() < nearest_for.start()
        )
        return -1 if against_is_nearer else 1

    def after(self, text: str, end: int, window: int) -> bool:
        """Whether a label for the type starts within `window` characters after `end`."""
        return self.for_value.search(text, end, end + window) is not None

    def near(self, text: str, start: int, end: int, window: int) -> bool:
        """Whether a label for the type sits within `window` characters before a span (and
        is not overruled by a nearer label against it), or within `window // 2` after it."""
        return self.before(text, start, window) > 0 or self.after(text, end, window // 2)

    def values_after(
        self, value_pattern: re.Pattern[str], text: str, window: int
    ) -> Iterator[re.Match[str]]:
        """The first value starting within `window` characters after each label for the
        type, unless a label against it comes between ("DOB: n/a. Meeting date: ...")."""
        taken_until = 0
        for label in self.for_value.finditer(text):
            value = self.value_after(label, value_pattern, text, window, taken_until)
            if value is not None:
                taken_until = value.end()
                yield value

    def value_after(
        self,
        label: re.Match[str],
        value_pattern: re.Pattern[str],
        text: str,
        window: int,
        taken_until: int = 0,
    ) -> re.Match[str] | None:
        """The first value (not before `taken_until`) starting within `window` characters
        after `label`, with no label against the type in between."""
        value = value_pattern.search(text, max(label.end(), taken_until))
        if value is None:
            return None
        gap = value.start() - label.end()
        if gap <= window and self.before(text, value.start(), gap) >= 0:
            return value
        return None


# A line break ends a label's reach, except right after a colon: a form's "HKID:" with the
# number on the next line.
_LABEL_BOUNDARY = re.compile(r"[0-9。！？；;!?]|(?<![:：])(?<![:：][ \t])\n")


def _after_last_boundary(text: str, start: int, end: int) -> int:
    """The position after the last digit or sentence end in text[start:end], else start."""
    last = _last_match(_LABEL_BOUNDARY, text, start, end)
    return last.end() if last else start


def _last_match(
    pattern: re.Pattern[str] | None, text: str, start: int, end: int
) -> re.Match[str] | None:
    if pattern is None:
        return None
    last = None
    for match in pattern.finditer(text, start, end):
        last = match
    return last


def labels(for_value: Iterable[str], against_value: Iterable[str] = ()) -> Labels:
    """`Labels` from two word lists (see `keywords`)."""
    against = list(against_value)
    return Labels(keywords(for_value), keywords(against) if against else None)


# Words that name a number ("no.", "號碼") may follow a label: "Tel No.", "電話號碼".
_NUMBER_WORD = r"(?:\s*(?:no\.?|number|num\.?|#|號碼|号码|號|号))?"

_REFERENCE_WORDS = [
    r"ref(?:erence)?",
    "case",
    "file",
    "receipt",
    "invoice",
    "order",
    "policy",
    r"licen[cs]e",
    r"cert(?:ificate)?",
    "application",
    "serial",
    "編號|编号|檔號|档号|檔案|档案|參考|参考|個案|个案|案件|收據|收据|發票|发票",
    "保單|保单|訂單|订单|單號|单号|申請|申请|牌照|證書|证书",
]
_MONEY_WORDS = [
    r"HK\$",
    r"US\$",
    r"\$",
    "HKD",
    "USD",
    "RMB",
    "amount",
    "total",
    "港幣|港币|港元|人民幣|人民币|金額|金额|總額|总额|合共",
]

HKID_LABELS = labels(
    [
        rf"HK\s?ID(?:\s?card)?{_NUMBER_WORD}",
        rf"ID\s?card{_NUMBER_WORD}",
        rf"identity\s+card{_NUMBER_WORD}",
        r"I\.D\.",
        r"ID(?=\s*(?:no|num))",
        *(
            f"{word}(?:號碼|号码|編號|编号|號|号)?"
            for word in ("身份證", "身分證", "身份証", "身分証", "身份证", "身分证", "證件", "证件")
        ),
    ],
    [
        "model",
        "serial",
        "product",
        "part",
        "item",
        "SKU",
        "tracking",
        r"ref(?:erence)?",
        "case",
        "file",
        "order",
        "invoice",
        "receipt",
        "court",
        rf"passport{_NUMBER_WORD}",
        rf"travel\s+document{_NUMBER_WORD}",
        f"護照{_NUMBER_WORD}|护照{_NUMBER_WORD}|旅行證件{_NUMBER_WORD}|旅行证件{_NUMBER_WORD}",
        "型號|型号|序號|序号|產品|产品|貨號|货号|追蹤|追踪",
        "案件|個案|个案|檔號|档号|訂單|订单|單號|单号|發票|发票|收據|收据|法院|參考|参考|編號|编号",
    ],
)

PHONE_LABELS = labels(
    [
        rf"tel(?:ephone)?{_NUMBER_WORD}",
        rf"phone{_NUMBER_WORD}",
        rf"mobile{_NUMBER_WORD}",
        rf"cell(?:phone)?{_NUMBER_WORD}",
        rf"contact{_NUMBER_WORD}",
        rf"fax{_NUMBER_WORD}",
        r"call(?:\s+me)?(?:\s+(?:on|at))?",
        r"whats\s?app",
        "signal",
        "wechat",
        "sms",
        r"text(?:\s+me)?",
        "hotline",
        r"reach\s+me\s+(?:on|at)",
        # Call notes: "the caller left a number, 9123 4567".
        r"left\s+(?:a|an|his|her|their|my|the)\s+(?:contact\s+|phone\s+)?number",
        rf"電話{_NUMBER_WORD}|手提{_NUMBER_WORD}|手機{_NUMBER_WORD}|聯絡{_NUMBER_WORD}",
        rf"电话{_NUMBER_WORD}|手机{_NUMBER_WORD}|联络{_NUMBER_WORD}|联系{_NUMBER_WORD}",
        rf"聯繫{_NUMBER_WORD}|聯系{_NUMBER_WORD}|傳真{_NUMBER_WORD}|传真{_NUMBER_WORD}",
        "熱線|热线|致電|致电|打俾|打畀|打比|打給|打给|微信|短訊|短讯",
    ],
    [
        *_REFERENCE_WORDS,
        *_MONEY_WORDS,
        "account",
        "acct",
        "a/c",
        "BR",
        "BRN",
        "room",
        r"no\.?",
        "戶口|户口|賬戶|帳戶|账户|帳號|賬號|账号|商業登記|商业登记|第",
    ],
)

#: What follows a number that is an amount or a reference rather than a phone number.
NOT_A_PHONE_AFTER = re.compile(
    r"\s?(?:元|圓|蚊|萬|万|億|亿|%|號|号|室|樓|楼|年|(?i:million|billion|dollars|HKD|percent))"
)

PASSPORT_LABELS = labels(
    [
        rf"passport{_NUMBER_WORD}",
        r"travel\s+document",
        "護照|护照|旅行證件|旅行证件",
    ]
)

CN_ID_LABELS = labels(
    [
        r"ID(?:\s*(?:card|no\.?|number))?",
        r"identity\s+card",
        r"resident\s+identity",
        "身份證|身分證|身份证|身分证|居民身份|證件|证件",
    ]
)

BR_LABELS = labels(
    [
        rf"BR{_NUMBER_WORD}",
        "BRN",
        r"business\s+registration(?:\s+(?:certificate|number|no\.?))?",
        "商業登記(?:證|証)?(?:號碼|號|編號)?",
        "商业登记(?:证)?(?:号码|号|编号)?",
    ]
)

BANK_LABELS = labels(
    [
        rf"bank\s+(?:account|acct|a/c){_NUMBER_WORD}",
        rf"account{_NUMBER_WORD}",
        rf"acct{_NUMBER_WORD}",
        rf"a/c{_NUMBER_WORD}",
        "bank",
        "HSBC|BOC|BOCHK|BEA|DBS|Citibank",
        r"Bank\s+of\s+China",
        r"Hang\s+Seng",
        r"Standard\s+Chartered",
        "銀行|银行|戶口|户口|賬戶|帳戶|账户|帳號|賬號|账号|滙豐|匯豐|汇丰|中銀|中银",
        "恒生|恆生|渣打|東亞|东亚|星展|花旗|轉賬|轉帳|转账|過數|入數|存入",
    ],
    [*_REFERENCE_WORDS, "tel", "phone", "電話|电话"],
)

CARD_LABELS = labels(
    [
        "card",
        "visa",
        r"master\s?card",
        "amex",
        r"american\s+express",
        r"union\s?pay",
        "jcb",
        "信用卡|卡號|卡号|銀聯|银联|扣賬卡|扣帳卡|借記卡|借记卡|銀行卡|银行卡|提款卡",
    ]
)

IP_LABELS = labels(
    [
        r"IP(?:v[46])?(?:\s+address)?",
        "server",
        "host",
        r"log(?:ged)?\s*in\s+from",
        "伺服器|服务器|主機|主机|登入|登录",
    ],
    [
        r"v(?:er(?:sion)?)?\.?",
        r"para(?:graph)?s?\.?",
        "section",
        "clause",
        "item",
        "chapter",
        "版本|第|段|條|条|章",
    ],
)

BIRTH_LABELS = labels(
    [
        r"date\s+of\s+birth",
        r"birth\s*date",
        "birthday",
        r"D\.?O\.?B\.?",
        r"born(?:\s+on)?",
        "出生日期|出世日期|生日日期|出生年月日|出生於|出生于|出生|出世|生日|生於|生于",
    ],
    [
        "meeting",
        "deadline",
        "dated",
        "issued",
        "signed",
        r"expir(?:y|es|ed)",
        "date",
        "會議|会议|截止|限期|發出|发出|簽署|签署|到期|日期",
    ],
)
