"""Spoken Cantonese -> formal written Chinese by rule: a word map, particles and fillers.

This carries the direction on its own. The embedded 1.5B model misreads colloquial
Cantonese (唔得 -> 不客氣, 而家 -> "你家"), swaps content words (西人 -> 中國人) and sometimes
answers instead of rewriting; on UD Cantonese-HK its rewrites, even kept only when they
kept most of the rule-based draft, scored below the rules alone. Rules are ordered: phrases
before the characters inside them, and ambiguous characters only in contexts where they are
colloquial (關係 keeps its 係, 仲裁 its 仲, 食物 its 食). Output follows Hong Kong Government
usage (甚麼, 哪裏).
"""

from __future__ import annotations

import re

__all__ = ["CANTONESE_TO_WRITTEN", "cantonese_left", "to_written_chinese"]

_END = r"(?=[，。！？、；：,.!?;:…⋯」』）)\s-]|$)"  # a clause ends after the particle

# (pattern, replacement), applied in order. Plain strings unless they need a context.
CANTONESE_TO_WRITTEN: tuple[tuple[str, str], ...] = (
    # Fillers and hesitations that minutes leave out.
    (r"(?:^|(?<=[，。！？\s]))(?:嗱|誒|吓|哎吔|哎呀)(?=[，、…⋯\-—\s])[，、…⋯\-—\s]*", ""),
    (r"(?:^|(?<=[，。！？\s]))(?:噉呀|噉呢就|噉呢|噉就|噉誒)[，、…⋯\-—\s]*", ""),
    (r"誒[…⋯]*", ""),
    # Phrases before the characters inside them.
    ("唔係", "不是"),
    ("係咪", "是不是"),
    ("係唔係", "是不是"),
    ("唔好", "不要"),
    ("唔會", "不會"),
    ("唔使", "不用"),
    ("唔該", "謝謝"),
    ("唔得", "不行"),
    ("唔倒", "不到"),
    ("有冇", "有沒有"),
    ("冇", "沒有"),
    ("佢哋", "他們"),
    ("我哋", "我們"),
    ("你哋", "你們"),
    ("哋", "們"),
    ("佢", "他"),
    ("嘅", "的"),
    ("咗", "了"),
    ("喺", "在"),
    ("嗰啲", "那些"),
    ("呢啲", "這些"),
    ("依啲", "這些"),
    ("嗰度", "那裏"),
    ("呢度", "這裏"),
    ("依度", "這裏"),
    ("嗰陣時", "那時"),
    ("嗰陣", "那時"),
    ("嗰個", "那個"),
    ("嗰", "那"),
    ("呢個", "這個"),
    ("依個", "這個"),
    ("呢一", "這一"),
    ("依一", "這一"),
    (r"(?:呢|依)(?=[件樣位次份條間張本種])", "這"),
    ("乜嘢", "甚麼"),
    ("咩嘢", "甚麼"),
    ("做嘢", "工作"),
    ("其他嘢", "其他事情"),
    ("嘢", "東西"),
    ("乜", "甚麼"),
    (r"咩" + _END, "嗎"),
    ("咩", "甚麼"),
    ("點解", "為甚麼"),
    ("點樣", "怎樣"),
    ("點算", "怎麼辦"),
    ("邊度", "哪裏"),
    ("邊個", "誰"),
    ("邊間", "哪間"),
    ("而家", "現在"),
    ("宜家", "現在"),
    ("依家", "現在"),
    ("今日", "今天"),
    ("琴日", "昨天"),
    ("尋日", "昨天"),
    ("聽日", "明天"),
    ("頭先", "剛才"),
    ("啱啱", "剛剛"),
    ("細個", "小時候"),
    ("屋企", "家"),
    ("返屋企", "回家"),
    ("返去", "回去"),
    ("返嚟", "回來"),
    ("返工", "上班"),
    ("返學", "上學"),
    ("嚟", "來"),
    ("即係", "就是"),
    ("同埋", "和"),
    (r"(?<![不相共一協認贊合連陪])同(?=[我你他她佢大])", "跟"),
    ("噉樣", "這樣"),
    (r"^噉[，,]?", "那麼，"),
    ("噉", "這樣"),
    ("咁樣", "這樣"),
    ("咁", "這麼"),
    (r"(?<![關聯])係(?!數)", "是"),
    ("睇", "看"),
    ("畀", "給"),
    ("俾", "給"),
    ("攞", "拿"),
    ("搵", "找"),
    ("揾", "找"),
    ("諗", "想"),
    ("傾偈", "聊天"),
    (r"傾(?=[咗了緊吓下過])", "討論"),
    ("瞓", "睡"),
    ("攰", "累"),
    ("沖涼", "洗澡"),
    ("靚", "漂亮"),
    (r"(?<![飲糧零美素熟速膳伙主])食(?![物品環肆材譜堂糧用水安慾])", "吃"),
    (r"(?<=[\d一二三四五六七八九十百千萬兩幾])蚊", "元"),
    (r"(?<=[聽見看睇找搵買收做])倒", "到"),
    (r"(?<=[我你他她們人])話", "說"),
    (r"好(?=[多少大細小快慢難易開心耐遠近貴重清明理失])", "很"),
    (r"仲(?![裁介夏秋春冬])", "還"),
    ("啲", "些"),
    ("唔", "不"),
    # Sentence-final particles: the ones with a written equivalent, then the rest dropped.
    ("㗎喇", "了"),
    (r"喇" + _END, "了"),
    (r"嘞" + _END, "了"),
    (r"嘑" + _END, "了"),
    (r"啦" + _END, "吧"),
    (r"啩" + _END, "吧"),
    (r"(?:㗎|囖|咋|嘛|唧|噃|啫|喎|吖|呀|嗱)+" + _END, ""),
    (r"(?<=[^\s，。！？])呢(?=[，,])", ""),
)
_RULES = tuple((re.compile(p, re.M), r) for p, r in CANTONESE_TO_WRITTEN)

# Characters that only spoken Cantonese writes: any left in an output is a miss.
_COLLOQUIAL = frozenset("佢嘅咗喺冇嘢睇畀俾啲哋嗰唔乜咩嚟攞搵揾諗瞓攰㗎囖咋唧噃啫喎吖嘑嘞喇噉咁")


def to_written_chinese(text: str) -> str:
    """Rewrite colloquial Cantonese words, particles and fillers as written Chinese."""
    for pattern, written in _RULES:
        text = pattern.sub(written, text)
    text = re.sub(r"[，、]{2,}", "，", text)
    text = re.sub(r"^[，、\s]+", "", text)
    return re.sub(r"[，、]+(?=[。！？])", "", text).strip()


def cantonese_left(text: str) -> list[str]:
    """Colloquial-only characters in `text`, in order (none in good written Chinese)."""
    return [ch for ch in text if ch in _COLLOQUIAL]
