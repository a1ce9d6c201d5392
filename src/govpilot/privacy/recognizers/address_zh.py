"""Hong Kong addresses written in Chinese (Traditional, Simplified, Cantonese chat).

Chinese addresses run from the largest unit to the smallest with no separators:
香港 / 九龍 / 新界, a district (觀塘), a street and number (協和街123號), a building or
estate (協和大廈, 禾輋邨豐和樓, 第一城), a block (12座), a floor (5樓, 20/F) and a room
(B室, 1234室, or a bare letter after the floor in chat: 20樓C). A mainland address starts
with its province, city and district (廣東省廣州市天河區天河路64號華潤城15棟1708室) and
counts only with a number, block, floor or room; a New Territories village house has no
street (新界元朗錦田8號: 新界, a district, the village and a number); an estate may have no
building word when a block and a floor or room follow (海怡半島6座8樓); a long road may
have a section (青山公路元朗段499號). The recognizer tries the whole sequence, every part
optional, from each place an address can start: a district, region or province, a cue
(住喺, 地址, 位於, 嚟, 改為 ...), or the start of a run of Chinese text. Scores:

* a street number, block, floor or room with at least one more part -> 0.9 (0.95 with 3+);
* a numbered street alone (觀塘道 410 號) or a floor with a room -> 0.85;
* a building with a district, street or second building (新界沙田禾輋邨豐和樓) -> 0.85;
* a district alone (去咗沙田), a street alone, or a room alone (會議室1234) -> not reported.

Matching runs on `fold_script(text)`, so the same patterns serve both scripts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from govpilot.language import fold_script
from govpilot.privacy.entities import Finding, resolve_overlaps
from govpilot.privacy.recognizers.hk_lexicon import (
    HAN,
    HAN_RE,
    alternation,
    first_chars,
    folded_lines,
    words,
)

__all__ = ["ChineseAddressRecognizer"]

# A character of a street or building name: Chinese, but not one that ends a name part
# (座 樓 室 層 號) or that is far more likely grammar (我住喺 ...) than part of a name.
_NOT_NAME = (
    "座樓室層號我你佢他她們哋住喺在於的了是係咗嘅啲呢嗰就還但請把被將會要想能可已經曾俾畀嚟冇沒唔"
    "不很最才只叫做見聽寫買賣食吃飲喝返過完著得去到亦也都為及或與之並而，。、"
)
_NAME = f"(?:(?![{_NOT_NAME}])[{HAN}])"
_CN_NUM = "[一二三四五六七八九十百零〇兩]"
_NUM = rf"(?:\d{{1,4}}[A-Za-z]?(?:\s*[-–至及]\s*\d{{1,4}}[A-Za-z]?)?|{_CN_NUM}{{1,4}})"
_REGION = "(?:香港島|香港|港島|九龍|新界)"
# A mainland address starts with a province (廣東省) or a municipality (北京市), then a city
# (廣州市), a district or county (天河區, 番禺區, 某某縣) and a town (某某鎮, 某某街道).
# Their names may hold characters that _NAME leaves out (成都, 都江堰).
_ADMIN_NAME = f"(?:(?![省市區縣鎮鄉州，。、；：])[{HAN}])"
_MAINLAND = (
    r"(?:<provinces>)(?:省|壯族自治區|回族自治區|維吾爾自治區|自治區|市)?"
    rf"(?:{_ADMIN_NAME}{{1,4}}?(?:市|自治州|州|盟|地區))?"
    rf"(?:{_ADMIN_NAME}{{1,4}}?(?:新區|區|縣|旗|市))?"
    rf"(?:{_ADMIN_NAME}{{1,4}}?(?:鎮|鄉|街道))?"
)
_STREET_SUFFIX = "(?:大道[東西南北中]?|公路|道[東西南北中]?|街|路|里|徑|巷|坊|圍|臺|台|廣場)"
# 青山公路元朗段, 中山路二段: a named or numbered section of a long road.
_STREET_SECTION = rf"(?:{_NAME}{{1,3}}?段)?"
_BUILDING_SUFFIX = (
    "(?:工業大廈|商業大廈|工業中心|大廈|大樓|中心|廣場|花園|山莊|商場|小區|苑|邨|村|閣|軒|城|樓)"
)
# A block: 12座, 第三座, and on the mainland 15棟 / 3幢 with an optional 2單元 (stairway).
_BLOCK = (
    rf"(?:第\s*(?:[A-Za-z\d]{{1,3}}|{_CN_NUM}{{1,3}})|[A-Za-z\d]{{1,3}})\s*(?:座|棟|幢)"
    r"(?:\s*\d{1,2}\s*單元)?"
)
# Where people live (an estate, a court, a residential block), as against offices.
_HOME_SUFFIX = "邨苑村閣軒樓"
_ESTATE_SUFFIX = "邨苑村"
_SUB_BUILDING_SUFFIX = "(?:(?<![一二三四五六七八九十百零〇兩])樓|閣|苑|軒)"
_FLOOR_WORD = "(?:地下|地庫|低層|中層|高層|頂樓|閣樓)"
_PARTS = [
    ("region", rf"{_REGION}"),
    ("mainland", _MAINLAND),
    ("district", "<districts>"),
    (
        "street",
        rf"{_NAME}{{1,6}}?{_STREET_SUFFIX}{_STREET_SECTION}"
        rf"(?:\s*(?P<number>{_NUM})\s*號(?:[A-Za-z](?![A-Za-z]))?)?",
    ),
    # A New Territories village and house number with no street: 新界元朗錦田8號,
    # 新界錦田8號; not an ordinal (第3號), a date (今日10號) or a numbered thing (8號風球,
    # 1號線, 5號文件).
    (
        "village",
        rf"(?:(?![第今明昨尋琴月日年週周期]){_NAME}){{0,5}}?\s*\d{{1,4}}[A-Za-z]?\s*號"
        r"(?!室|舖|房|風球|信號|線|幹線|文件|通告|報告|公告|通函|議案|決議|令|章|條|表格|巴士)",
    ),
    (
        "building",
        rf"(?!{_NUM}\s*樓)(?:{_NAME}{{1,8}}?{_BUILDING_SUFFIX}"
        # 海怡半島6座8樓, 錦繡江南15棟1403室: a named estate with no suffix before its
        # block, when a floor or room follows (現有25座碼頭 counts things, not homes)
        rf"|{_NAME}{{2,6}}?(?={_BLOCK}\s*(?:{_NUM}\s*(?:樓|層|/F|/f)|[A-Za-z\d]{{1,5}}\s*(?:室|號室))))",
    ),
    ("building2", rf"(?!{_NUM}\s*樓){_NAME}{{1,4}}?{_SUB_BUILDING_SUFFIX}"),
    ("block", _BLOCK),
    ("floor", rf"(?:{_NUM}\s*(?:樓|層|/F|/f|字樓)|{_FLOOR_WORD})"),
    (
        "room",
        r"(?:[A-Za-z\d]{1,5}\s*(?:室|號室|號舖|舖|號房|房|單位)|(?<=[樓层層])\s*[A-Za-z](?![A-Za-z]))",
    ),
]
_STRONG = {"number", "village", "block", "floor", "room"}
_NEW_TERRITORIES = fold_script("新界")
_HOME_SUFFIXES = {fold_script(c) for c in (*_HOME_SUFFIX, "花園", "山莊", "大廈")}
_ESTATE_SUFFIXES = {fold_script(c) for c in (*_ESTATE_SUFFIX, "花園", "山莊", "大廈")}
# Where an address may start besides a district: after these cues or after non-Chinese text.
_CUES = words(
    "住喺 住在 住響 居於 現居 居住 住址 地址 位於 搬到 搬咗去 遷往 寄往 寄去 送往 送去 送到 "
    "住 喺 於 在 到 至 往 嚟 來 去 返 為 係 是"
)


@cache
def _patterns() -> tuple[list[re.Pattern[str]], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The address pattern (and one without region and district, for 觀塘道 where the
    district name starts the street name), where addresses start (a Hong Kong district or
    region, a mainland province), the Hong Kong places alone, and the cues."""
    district_list = folded_lines("hk_places_zh.txt")
    province_list = folded_lines("cn_provinces_zh.txt")
    region_list = frozenset(fold_script(_REGION[3:-1]).split("|"))
    districts = alternation(district_list)
    provinces = alternation(province_list)

    def compile_parts(kinds: list[tuple[str, str]]) -> re.Pattern[str]:
        parts = "".join(
            rf"(?:(?P<{kind}>{pattern.replace('<districts>', districts)})\s*)?"
            for kind, pattern in kinds
        )
        return re.compile(fold_script(parts.replace("<provinces>", provinces)))

    addresses = [compile_parts(_PARTS), compile_parts(_PARTS[3:])]
    lookahead = first_chars(district_list, province_list, region_list)
    starts = re.compile(f"{lookahead}(?:{districts}|{provinces}|{fold_script(_REGION)})")
    places = re.compile(f"{districts}|{fold_script(_REGION)}")
    cues = re.compile(alternation(frozenset(fold_script(c) for c in _CUES)))
    return addresses, starts, places, cues


def _score(parts: dict[str, str | None], places: re.Pattern[str]) -> float:
    kinds = {k for k, v in parts.items() if v}
    if "mainland" in kinds:
        if not kinds & _STRONG:
            return 0.0  # 浙江省青田縣高市鄉: where someone is from, not an address
        kinds = (kinds - {"mainland"}) | {"region", "district"}
    if "village" in kinds and not (
        parts.get("region") == _NEW_TERRITORIES and parts.get("district")
    ):
        # 元朗10號 may be a date (the 10th): a village address names the New Territories
        # and a district or area (新界元朗錦田8號).
        kinds.discard("village")
    if places.match(parts.get("building") or parts.get("street") or ""):
        kinds.add("district")  # 秀茂坪邨, 觀塘道: the name starts with the district's
    strong = kinds & _STRONG
    n = len(kinds - {"number"})
    if strong and n >= 3:
        return 0.95
    if strong and n >= 2:
        if kinds <= {"floor", "room"} or kinds <= {"block", "room"}:
            return 0.85
        return 0.9
    if kinds == {"street", "number"}:
        return 0.85
    building = parts.get("building") or ""
    home = building[-2:] in _HOME_SUFFIXES or (
        building[-1:] in _HOME_SUFFIXES and building[-2:] != fold_script("大樓")
    )
    estate = building[-1:] in _ESTATE_SUFFIXES or building[-2:] in _ESTATE_SUFFIXES
    placed = bool(kinds & {"region", "district"})
    if "building" in kinds and "building2" in kinds and (placed or estate):
        return 0.85 if placed else 0.6  # 沙田禾輋邨豐和樓, 禾輋邨豐和樓
    if "building" in kinds and placed and home:
        return 0.6  # 沙田禾輋邨; not 灣仔税務大樓 or 香港氣象中心, which are offices
    return 0.0


def _find(text: str) -> list[Finding]:
    folded = fold_script(text)
    addresses, starts, places, cues = _patterns()
    anchors = {m.start() for m in starts.finditer(folded)}
    anchors |= {m.end() for m in cues.finditer(folded)}
    # The start of a run of Chinese text (or of a number) after anything else.
    run_starts = {m.start() for m in re.finditer(f"(?<![{HAN}])[{HAN}]|(?<!\\w)\\d", folded)}
    found: list[Finding] = []
    # Districts and cues first: from the start of a run, a building name could swallow the
    # words before the address (有關秀茂坪邨 ...).
    for group in (sorted(anchors), sorted(run_starts - anchors)):
        for start in group:
            if any(f.start <= start < f.end for f in found):
                continue
            best: tuple[float, int] = (0.0, start)
            for address in addresses:
                m = address.match(folded, start)
                if m is not None and m.end() > start:
                    best = max(best, (_score(m.groupdict(), places), m.end()))
            score, end = best
            while end > start and folded[end - 1].isspace():
                end -= 1
            if score and not any(f.start < end and start < f.end for f in found):
                found.append(Finding(start, end, "ADDRESS", score, "zh_address"))
    return sorted(found)


@lru_cache(maxsize=64)
def _find_cached(text: str) -> tuple[Finding, ...]:
    return tuple(resolve_overlaps(_find(text)))


class ChineseAddressRecognizer:
    """Hong Kong addresses in Chinese, from the region to the room."""

    name = "zh_address"
    types: tuple[str, ...] = ("ADDRESS",)

    def find(self, text: str) -> Iterable[Finding]:
        """ADDRESS findings: whole addresses, not lone districts, streets or rooms."""
        if not HAN_RE.search(text):
            return ()
        return _find_cached(text)
