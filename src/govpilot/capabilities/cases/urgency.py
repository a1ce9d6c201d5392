"""Urgency at intake: danger to people now is urgent, a question is low, the rest normal.

Rules, not the model: an urgent case must be flagged the moment it arrives, the same way
every time, with the words that made it urgent shown to the officer. The danger lexicon
covers English, written Chinese and Cantonese (gas smell, people trapped in a lift,
landslides, burst mains, a child at risk, something about to fall on a street, fire,
collapse, live wires, a snake or other dangerous animal inside a home). A hazard that is
only possible ("a fire hazard", "擔心颱風期間…") is not urgent; a hazard happening now is.
Enquiries with no complaint in them are low.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["URGENCIES", "Urgency", "urgency_of"]

URGENCIES = ("urgent", "normal", "low")

_I = re.IGNORECASE

#: (reason, pattern): danger to people, happening now.
_DANGER: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, _I))
    for reason, pattern in (
        (
            "gas",
            r"\bgas (smell|leak|leaking|escape)|smell(s|ing)? (of|like) gas|煤氣味|石油氣味|"
            r"漏煤氣|漏石油氣|煤氣洩漏|氣體洩漏|嗅到煤氣|聞到煤氣",
        ),
        (
            "trapped",
            r"\b(trapped|stuck)\b[^.。!！?？\n]{0,40}\b(lift|elevator)|"
            r"\b(lift|elevator)\b[^.。!！?？\n]{0,40}\b(trapped|stuck)\b|困𨋢|困咗喺?𨋢|"
            r"困(在|喺|咗)?升降機|被困(於|在)?升降機|升降機[^。！？\n]{0,12}被困|𨋢[^。！？\n]{0,8}困",
        ),
        (
            "landslide",
            r"\blandslides?\b|\blandslips?\b|mud and (rocks|boulders|stones) "
            r"(have |has )?(slid|fallen|come down)|山泥傾瀉|泥石流|塌方|"
            r"山泥[^。！？\n]{0,10}(倒塌|冲|衝|湧)",
        ),
        (
            "burst main",
            r"\bburst (water )?(main|pipe)|water main (has )?burst|爆水管|水管爆裂|"
            r"爆喉|大水管爆",
        ),
        (
            "child at risk",
            r"\bchild(ren)?\b[^.。!?\n]{0,40}\b(alone|abused|beaten|unattended|at risk)|"
            r"\b(abus|beat)(e|es|ed|ing) (a |the |my |his |her )?(child|kid|baby)|"
            r"虐兒|虐待(兒童|小朋友)|"
            r"(小朋友|小童|兒童|細路)[^。！？\n]{0,15}(獨留|冇人照顧|無人照顧|被打|虐待)",
        ),
        (
            "falling now",
            r"\b(about to|going to|could) (fall|drop|come down|collapse)|"
            r"hanging (loose|down|by)|swinging in the wind|"
            r"\b(tree|branch)\b[^.。!?\n]{0,30}\bleaning|就(嚟|快)(跌|冧|塌)|搖搖欲墜|"
            r"隨時(跌|冧|塌|墮)|"
            r"快要(跌|倒|塌)|吊(喺|在)半空",
        ),
        (
            "fallen onto a road",
            r"\b(tree|branch|scaffold(ing)?|signboard)s?\b[^.。!?\n]{0,30}\b"
            r"(has |have )?(fallen|collapsed|blocking)|(樹|樹枝|棚架|招牌)[^。！？\n]{0,8}"
            r"(倒塌|塌下|冧咗|倒咗|擋住|阻塞馬路)|冧樹|塌樹",
        ),
        ("fire", r"\bon fire\b|\b(catching|caught) fire\b|\bflames\b|火燭|起火|著火|冒出濃煙"),
        (
            "collapse",
            r"\b(ceiling|wall|building|structure|balcony|canopy)\b[^.。!?\n]{0,20}"
            r"\b(collapsed|collapsing)\b|(天花|牆|簷篷|露台|結構)[^。！？\n]{0,8}(倒塌|塌咗|冧咗|塌下)",
        ),
        (
            "live wire",
            r"\b(live|exposed|bare) (electric(al)? )?wires?\b|electric shock|"
            r"\belectrocut|觸電|漏電|電線[^。！？\n]{0,8}(外露|跌落|冒火花)",
        ),
        (
            "dangerous animal",
            r"\b(snake|python|cobra|wild boar|monkey)s?\b[^.。!?\n]{0,60}"
            r"\b(in|inside|into) (my|our|the) (home|flat|kitchen|bedroom|house|classroom)|"
            r"(屋企|廚房|房|家中|課室|單位)[^。！？\n]{0,15}(有條蛇|有蛇|發現蛇|野豬)|(蛇|野豬)[^。！？\n]{0,10}"
            r"(入咗|闖入|走入)",
        ),
        (
            "flooding",
            r"\bflooding (into|in) (my|our|the) (home|flat|building)|水浸[^。！？\n]{0,8}"
            r"(屋|單位|大廈)",
        ),
    )
)

#: A hazard only feared or possible, not happening: not urgent on its own.
_ONLY_POSSIBLE = re.compile(
    r"\b(hazard|risk|may|might|worried|afraid|concern(ed)?)\b|擔心|恐怕|隱患|可能|會否",
    _I,
)
#: Words that say it is happening now.
_NOW = re.compile(
    r"\b(now|right now|at the moment|currently|just now|urgent(ly)?|immediately|emergency)\b|"
    r"而家|依家|宜家|現在|現時|此刻|剛剛|緊急|即刻|立即|正在",
    _I,
)
#: A complaint or a report (not only a question).
_COMPLAINT = re.compile(
    r"\b(complain|complaint|report|"
    r"please (send|inspect|take|stop|repair|fix|investigate|act|check|remove|deal)|"
    r"nuisance|disgusting|dangerous|illegal|unlawful|noise|smell|blocked|broken|damaged|"
    r"refuses?|no action|every (night|day))\b|投訴|舉報|要求|懇請|請貴署|嘈|臭|危險|違法|非法|阻塞|"
    r"損壞|壞咗|滋擾|請(派|處理|跟進|檢查|維修|巡查)|唔該[^。！？\n]{0,6}(整|處理|跟進)|盡快",
    _I,
)


@dataclass(frozen=True)
class Urgency:
    """A case's urgency and what made it so."""

    level: str
    reasons: tuple[str, ...]

    @property
    def urgent(self) -> bool:
        return self.level == "urgent"


_SENTENCE_END = re.compile(r"[.。!！?？\n]")
#: Dangers urgent even when the writer also says they are worried.
_CERTAIN = frozenset(
    {"gas", "trapped", "fire", "child at risk", "burst main", "live wire", "fallen onto a road"}
)


def _sentence_at(text: str, start: int, end: int) -> str:
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[before[-1] if before else 0 : after.start() if after else len(text)]


def _happening(reason: str, text: str, match: re.Match[str]) -> bool:
    if reason in _CERTAIN:
        return True
    sentence = _sentence_at(text, match.start(), match.end())
    # The danger's own words ("could fall") say nothing about whether it is only feared.
    sentence = sentence.replace(match.group(0), " ")
    return bool(_NOW.search(sentence)) or not _ONLY_POSSIBLE.search(sentence)


def urgency_of(text: str) -> Urgency:
    """Urgent when a danger to people is happening now; low for a plain enquiry."""
    dangers = []
    for reason, pattern in _DANGER:
        if any(_happening(reason, text, m) for m in pattern.finditer(text)):
            dangers.append(reason)
    if dangers:
        return Urgency("urgent", tuple(dangers))
    if not _COMPLAINT.search(text):
        return Urgency("low", ("an enquiry",))
    return Urgency("normal", ())
