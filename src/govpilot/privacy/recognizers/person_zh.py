"""Chinese person names (Traditional, Simplified, Cantonese): a surname list driven by context.

A Chinese name is a surname (陳, 歐陽) and one or two given-name characters. Most surname
characters are also ordinary characters (王國, 高興, 黃色, 方面), so a name is reported
only with evidence around it, strongest first:

* a title or role after it: 陳大文先生, 李醫生, 張美玲議員 -> 0.9 (the title is left out);
  a sign-off counts as a title: 陳大文謹啟, （陳大文代行）;
* a cue before it: 本人、我叫、我係、申請人：、投訴人、聯絡人, family and case-work words
  (老公、個仔、我阿爸、案主、來訪者、僱主) ... 陳大文 -> 0.85;
* data about a person right after it: 陳大文（身份證號碼..., 陳大文（56歲）, 陳大文，女，,
  陳大文的身份證 / 嘅個案 / 的網上帳戶, or a request: 請陳大文確認 -> 0.8;
* a list next to a name found so far: 陳大文、李小明及張美美 -> 0.8; two names joined by
  、 with no other cue -> 0.7;
* nothing around it: a common surname and two characters both common in given names
  (陳家明), not a dictionary word -> 0.6.

A surname with only a title (陳生、陳太、李小姐、黃Sir、司徒婆婆) points to a person but
names no one in full: it is reported with the title included (the title is what makes it a
name) at 0.6, weak but above the detector's 0.5 threshold, so redaction hides it by
default. A surname given on its own after 姓 (我姓陳。) and a Cantonese nickname, 阿 and
one given-name character at the edge of a clause (阿欣個電話, Hi 阿明，, 我個仔阿偉成日...),
not a kinship word (阿媽, 阿伯) or a transliteration (阿拉伯, 尼阿美), are reported at 0.7.

Candidates that are words in jieba's dictionary (林業, 陳述, 周末, 張貼) or that continue a
word before them (社區, 由於) are rejected, and so are spans inside a Hong Kong place name
(黃大仙, 何文田). All matching runs on `fold_script(text)`, one Simplified character for
each character of the text, so one set of lists serves both scripts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import jieba

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

__all__ = ["ChinesePersonRecognizer"]

# Titles written after a name. Courtesy titles follow people only (陳大文先生); roles also
# follow organisations (任天堂總裁, 歐洲隊隊長), so names before them get the word checks.
_COURTESY_TITLES = words(
    "先生 女士 小姐 太太 醫生 議員 博士 教授 同學 伯伯 婆婆 師傅 老師 律師 大律師 姑娘 哥哥 "
    "姐姐 叔叔 姨姨 阿姨 公公 伯母 牧師 神父 修女 護士 社工 法官 警員 警長 督察 區議員 "
    "立法會議員 先生們 謹啟 敬啟 謹上 敬上 代行"
)
_ROLE_TITLES = words(
    "主任 經理 校長 主席 副主席 會長 院長 總監 局長 司長 處長 署長 老闆 委員 總裁 董事 秘書 "
    "助理 醫師 主管 科長 組長 隊長 經紀 同事 參議員 總經理 副總裁 副經理 副局長 副校長"
)
# Titles that also follow a bare surname (陳生 = Mr Chan, 陳太 = Mrs Chan, 李主任).
_TITLES_AFTER_SURNAME = words(
    "生 太 姐 哥 Sir sir SIR Madam madam Miss miss 先生 女士 小姐 太太 醫生 議員 博士 教授 "
    "伯伯 婆婆 師傅 老師 律師 大律師 姑娘 牧師 神父 修女 姑娘 督察 警長 主任 經理 校長 主席 "
    "局長 司長 處長 署長 老闆 區議員"
)
# After 生 / 太 these characters make a word (生日, 太多), not a title.
_NOT_AFTER_SHENG = set(fold_script("日活命產意病存物長效氣涯態育成前死計字果菜鮮理還力機動"))
_NOT_AFTER_TAI = set(
    fold_script(
        "多少大小好快慢久遠高低長短陽空平極過貴差難早遲晚熱凍冷忙重輕細窄闊深淺吵嘈臭亂擠子古"
    )
)
# Surnames that are more often a word of their own: never reported as surname + title alone.
_NO_BARE_SURNAME = set(fold_script("向於于司時經常全明滿樂景舒步聞利危連伊練紀游包和成安文應"))

# Surnames that are far more often a function word: only ever trusted with a title.
# Surnames that right after a cue (本人…, 請…) are far more often a function word.
_FUNCTION_SURNAMES = set(fold_script("於于向和時經常全司應"))
# 曾 is "once" before a verb (本人曾致電) but a surname before a given name (來訪者曾芳).
_ADVERB_SURNAME = fold_script("曾")
# Titles after 區 (also 區議員, 區主任: the district's): only courtesy titles make it Mr Au.
_TITLES_AFTER_AU = set(words("生 太 姐 先生 女士 小姐 太太 Sir sir SIR Madam madam Miss miss"))

# Cues before a name. Single-character cues (由, 致) only count at the start of a line or
# after punctuation, where they head a letter ("致：陳大文先生") rather than end a word.
_CUES_BEFORE_NAME = words(
    "本人 我叫 我係 我是 我名叫 名叫 叫做 姓名 名字 全名 申請人 投訴人 受害人 當事人 聯絡人 "
    "聯繫人 收件人 寄件人 病人 患者 市民 家長 住客 租戶 業主 經手人 負責人 簽署人 簽名 署名 "
    "證人 被告人 被告 原告人 原告 學生 員工 職員 僱員 事主 傷者 死者 疑犯 疑人 報案人 "
    "登記人 持有人 戶主 監護人 緊急聯絡人 受助人 用戶 客戶 租客 代表人 關係人 閣下 舉報人 "
    "出席者 列席者 缺席者 參加者 與會者 成員 組員 會員 經辦人 主持人 講者 嘉賓 得獎者 "
    "聯絡 致電 負責同事 個案主任 社工 司機 同事 朋友 鄰居 丈夫 太太 妻子 兒子 女兒 父親 母親 "
    "議員 區議員 立法會議員 主席 校長 督察 警員 法官 律師 "
    # family and household: 我老公陳大文, 個仔陳小明, 我阿爸陳大文
    "老公 老婆 配偶 伴侶 前夫 前妻 未婚夫 未婚妻 男朋友 女朋友 男友 女友 "
    "阿爸 阿媽 爸爸 媽媽 個仔 個女 囝囝 囡囡 哥哥 家姐 細佬 細妹 妹妹 弟弟 姐姐 "
    "爺爺 嫲嫲 公公 婆婆 外公 外婆 孫仔 孫女 外孫 "
    # case work and forms: 案主陳大文, 來訪者陳大文, 僱主陳大文, 東主：陳大文
    "案主 來訪者 訪客 僱主 東主 申報人 擔保人 轉介人 照顧者 受養人 住戶 房東 "
    "茲證明 兹證明 "
    # travellers and passengers: 護照號碼…的旅客陳大文
    "旅客 乘客 遊客 訪客"
)
_HEADER_CUES = ("由", "致", "收件人", "寄件人")

# Characters that end a name or never start a given name: particles, pronouns, common verbs,
# and characters of place and address words. Folded with the rest.
_NOT_GIVEN = set(
    fold_script(
        "的了在是和與及或等說話講係喺咗嘅啲佢我你他她它們這那此其之也都就還又而但因為所以於"
        "對向把被將會要想能可已經曾並由同跟給俾畀去來嚟到住有無冇沒唔不很太最再才只先後號室"
        "座街道路區市省縣鎮叫姓名醫議員教授任理學伯婆師傅律嗎呢吧啊呀喇啦囉嘛哦喔噢欸哈嘿"
        "今昨每各某該本貴請謝問答做打用看睇見聽寫讀買賣食吃飲喝返回出入起過完著着得地個位件"
        "次些點幾多話稱表示指出認為知道告訴通知提及投訴申請報告收到發現聯絡電郵地址號碼"
        # 月 and 少 are left out: they are given-name characters (月娥, 少芬), and the
        # words they make with a character before them (3月, 多少) do not start with a surname.
        "身份證年日時分歲男女士姐哥弟妹爸媽仔囡屋樓層邨苑閣廈村里巷坊台院部署局處科組郡鄉"
        "參總副隊州廠黨府"
        "、，。！？；：（）「」『』《》〈〉…—～·\u3000"
    )
)
# The surnames most common in Hong Kong: the only ones trusted with no context around them.
_COMMON_SURNAMES = (
    "陳黃李張梁林劉吳王何鄭楊周謝郭曾羅朱麥胡蔡鄧余盧葉蘇許潘莫鍾徐程曹孫彭譚姚袁鄺蔣"
    "韋趙施岑馮伍湯唐杜溫崔侯邱冼霍龐戴嚴黎蕭邵賴雷鄒翁廖凌顧柯傅"
)
_SEPARATORS = set(fold_script("、，,及和與同跟或/"))

# Characters a name often follows (verb endings and verbs of asking and giving): 查下陳大文,
# 俾咗李小明, 搵陳生.
_BEFORE_NAME = set(fold_script("下咗過俾畀搵叫問幫請找給同跟話係是"))
# What follows a name and marks it as one: personal data about it in brackets (陳大文（身份證
# 號碼..., 陳大文（56歲）), its sex (陳大文，女，), or something of a person's that is its
# (陳大文的身份證, 陳大文嘅個案).
_AFTER_NAME = (
    r"[（(]\s*(?:香港|內地|中國)?(?:居民)?(?:身份證|身分證|出生|\d{1,3}\s*歲|[男女][）)，,]"
    r"|HKID|DOB|ID|護照|[Pp]assport)"
    r"|[，,]\s*[男女]\s*[，,、。；;]"
    r"|(?:的|嘅|之)(?:網上|銀行)?(?:身份證|身分證|證件|電話|手機|手提|電郵|地址|住址|戶口|帳戶|賬戶"
    r"|帳號|賬號|個案|檔案|護照|出生日期|出生證明|病歷|信用卡|薪金|工資)"
)
# 請陳大文確認: a request to someone by name.
_PLEASE_VERBS = words(
    "確認 致電 聯絡 聯繫 回覆 簽署 簽收 出示 攜同 攜帶 提交 提供 填寫 填妥 前來 親臨 核對"
)
# 姓陳: a surname given on its own; not 百家姓, 貴姓, 同姓.
_NOT_BEFORE_XING = set(fold_script("百貴同異復改"))
_AFTER_XING = set(fold_script("，。、；！？的嘅係是,.;!?"))
# 阿 + one given-name character is a Cantonese nickname (阿明, 阿欣); these are kinship and
# address terms instead (阿媽, 阿伯, 阿Sir).
_KIN = set(
    fold_script("媽爸爺嫲婆公伯叔嬸姨姑舅哥姐姊弟妹嫂仔女囡奶爹孫兄嬤媳娘大細二三四五六七八九十")
)
# A nickname is followed by the start of a clause (阿明話, 阿欣個新電話, 阿偉成日) or by
# something not Chinese; anything else (阿拉伯, 阿富汗) is a longer word. Before it comes
# something not Chinese or a word that a name follows (我個仔阿偉, 叫阿明, 同阿欣); after
# other characters 阿 is likely part of a transliteration (尼阿美, 州長阿諾).
_NAME_DOTS = set("·‧・•")
_BEFORE_NICKNAME = set(
    fold_script("個仔女囡叫同係是我佢你他她話問搵俾畀請見幫和與及跟找給咗過下的嘅對問候老公婆")
)
_AFTER_NICKNAME = set(
    fold_script(
        "話說講個嘅的係是同和及與都又仲就已而要想會可冇有唔未去嚟來返喺在啱先問叫打搵等知覺"
        "佢你我他她啊呀啦喇嘛呢咩吖喎囉成今琴尋聽也亦再還真好幫俾畀同跟，。、；！？：「」"
    )
)
_MIN_WORD_FREQ = 30  # jieba frequency from which a candidate counts as a dictionary word


@dataclass(frozen=True)
class _Lexicon:
    surname_re: re.Pattern[str]
    surnames: frozenset[str]
    common_surnames: frozenset[str]
    title_re: re.Pattern[str]
    after_re: re.Pattern[str]
    please_re: re.Pattern[str]
    courtesy_titles: frozenset[str]
    bare_title_re: re.Pattern[str]
    cue_re: re.Pattern[str]
    place_re: re.Pattern[str]
    given_chars: frozenset[str]
    words: dict[str, tuple[int, str]]


def _jieba_words(surname_chars: set[str]) -> dict[str, tuple[int, str]]:
    """Dictionary words that start or end with a surname character, and common 2-char words."""
    words: dict[str, tuple[int, str]] = {}
    with jieba.get_dict_file() as fh:
        for raw in fh:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            parts = line.split()
            if len(parts) < 2 or not 2 <= len(parts[0]) <= 4:
                continue
            word, freq = parts[0], int(parts[1])
            tag = parts[2] if len(parts) > 2 else ""
            if freq >= _MIN_WORD_FREQ and (
                word[0] in surname_chars or word[-1] in surname_chars or len(word) == 2
            ):
                words[word] = (freq, tag)
    return words


def _build_lexicon() -> _Lexicon:
    surnames = folded_lines("zh_surnames.txt")
    places = folded_lines("hk_places_zh.txt")
    courtesy = frozenset(fold_script(t) for t in _COURTESY_TITLES)
    titles = courtesy | {fold_script(t) for t in _ROLE_TITLES}
    bare_titles = frozenset(fold_script(t) for t in _TITLES_AFTER_SURNAME)
    cues = {fold_script(c) for c in _CUES_BEFORE_NAME}
    headers = {fold_script(c) for c in _HEADER_CUES}
    cue_pattern = (
        rf"{first_chars(frozenset(headers), frozenset(cues))}"
        rf"(?:(?<![{HAN}])(?:{alternation(frozenset(headers))})|(?:{alternation(frozenset(cues))}))"
        r"[ \t:：]*(?:为|是|係|系)?[ \t:：]*\n?[ \t]*"
    )
    return _Lexicon(
        surname_re=re.compile(f"{first_chars(surnames)}(?=({alternation(surnames)}))"),
        surnames=surnames,
        common_surnames=frozenset(fold_script(_COMMON_SURNAMES)),
        title_re=re.compile(alternation(titles)),
        after_re=re.compile(fold_script(_AFTER_NAME)),
        please_re=re.compile(alternation(frozenset(fold_script(v) for v in _PLEASE_VERBS))),
        courtesy_titles=courtesy,
        bare_title_re=re.compile(alternation(bare_titles)),
        cue_re=re.compile(cue_pattern),
        place_re=re.compile(f"{first_chars(places)}(?:{alternation(places)})"),
        given_chars=folded_lines("zh_given_chars.txt"),
        words=_jieba_words({s for s in surnames if len(s) == 1}),
    )


_lexicon: _Lexicon | None = None
_lexicon_lock = threading.Lock()


def _get_lexicon() -> _Lexicon:
    global _lexicon
    if _lexicon is None:
        with _lexicon_lock:
            if _lexicon is None:
                _lexicon = _build_lexicon()
    return _lexicon


class _Scan:
    """One pass over one folded text."""

    def __init__(self, lex: _Lexicon, folded: str) -> None:
        self.lex = lex
        self.t = folded
        self.in_place = bytearray(len(folded))
        for m in lex.place_re.finditer(folded):
            self.in_place[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        self.cue_ends: set[int] = set()
        for m in lex.cue_re.finditer(folded):
            cue = m.group().rstrip(" \t\n:：为是係系")
            start, end = m.start(), m.start() + len(cue)
            # 由於, 林業主任: a cue that makes a word with the character before or after it
            # (由于, 林业, 主任) is part of another word, not a cue.
            # 母親王大文: 親王 is a word too, but a rarer one than the cue.
            overlap = self.freq(folded[end - 1 : end + 1])
            if (
                end == m.end()
                and overlap >= 100
                and not (len(cue) >= 2 and self.freq(cue) > 2 * overlap)
            ):
                continue
            if start > 0 and self.freq(folded[start - 1 : start + 1]) >= 100:
                continue
            self.cue_ends.add(m.end())

    # -- small predicates -------------------------------------------------------------
    def freq(self, word: str) -> int:
        return self.lex.words.get(word, (0, ""))[0]

    def is_han(self, i: int) -> bool:
        return 0 <= i < len(self.t) and HAN_RE.match(self.t[i]) is not None

    def can_be_given(self, i: int) -> bool:
        t = self.t
        return (
            self.is_han(i)
            and t[i] not in _NOT_GIVEN
            and not self.in_place[i]
            and self.lex.title_re.match(t, i) is None
        )

    def given_len(self, g: int) -> int:
        """How many characters after a surname at `g - 1` look like a given name (0-2)."""
        if not self.can_be_given(g):
            return 0
        if not self.can_be_given(g + 1):
            return 1
        # 王偉強烈: 強烈 is a word, so the name most likely stops before it.
        if self.freq(self.t[g + 1 : g + 3]) >= 1000 and self.is_han(g + 2):
            return 1
        return 2

    def plausible(
        self,
        start: int,
        end: int,
        given: int,
        *,
        strict: bool,
        cue: bool = False,
        name_word_ok: bool = False,
        strong: bool = False,
    ) -> bool:
        """Not a word (林業, 陳述, 蘇格蘭), not the tail of a word before it (社區), not in a place.

        `strict` adds the checks for weak evidence: no longer dictionary word at all, not
        even one tagged as a name (龍捲風), and a two-character given name that is a common
        word (任天堂) is rejected. With `strict` or `cue`, so is a surname that makes a common
        word with the first given character (周末, 包括). With `strong` evidence around the
        name, a word made with the character before it does not count when that character
        is one that names often follow (查下馬樂怡嘅個案: 下馬 is a word, but 查下 is the verb).
        """
        t = self.t
        name = t[start:end]
        if any(self.in_place[start:end]):
            return False
        freq, tag = self.lex.words.get(name, (0, ""))
        is_name = tag.startswith("nr")
        if freq and (strict or not is_name or (len(name) == 2 and not name_word_ok)):
            return False
        if strict and given == 2:
            freq, tag = self.lex.words.get(t[end - 2 : end], (0, ""))
            if freq >= 500 and not tag.startswith("nr"):
                return False
        if (strict or cue) and given == 2 and self.freq(t[start : end - 1]) >= 1000:
            return False
        return not (
            start > 0
            and start not in self.cue_ends
            and self.is_han(start - 1)
            and not (strong and t[start - 1] in _BEFORE_NAME)
            and self.freq(t[start - 1 : start + 1]) >= 100
        )

    # -- the evidence -------------------------------------------------------------------
    def titled(self, i: int, s: int) -> Finding | None:
        """Surname at i (length s) followed by 0-2 given characters and a title."""
        t = self.t
        g = i + s
        for length in (2, 1):
            if all(self.can_be_given(g + k) for k in range(length)):
                title = self.lex.title_re.match(t, g + length)
                if title is None:
                    continue
                courtesy = title.group() in self.lex.courtesy_titles
                if self.plausible(i, g + length, length, strict=not courtesy, strong=courtesy):
                    score = 0.9 if courtesy else 0.85
                    return Finding(i, g + length, "PERSON", score, "zh_person_title")
        surname = t[i:g]
        bare = self.lex.bare_title_re.match(t, g)
        if bare is None or surname in _NO_BARE_SURNAME:
            return None
        if surname == fold_script("區") and bare.group() not in _TITLES_AFTER_AU:
            return None
        end = bare.end()
        after = t[end] if end < len(t) else ""
        if bare.group() == "生" and after in _NOT_AFTER_SHENG:
            return None
        if bare.group() == "太" and after in _NOT_AFTER_TAI:
            return None
        if bare.group().isascii() and after.isascii() and after.isalpha():
            return None
        # 陸生 is also a word (陸生生物, terrestrial) that jieba tags as a name: it is Mr Luk
        # when a clause goes on after it (陸生話...) or nothing Chinese follows. 司徒, 歐陽
        # are words only as the surname itself.
        ends_clause = not self.is_han(end) or t[end] in _AFTER_NICKNAME
        if not self.plausible(i, end, 0, strict=False, name_word_ok=ends_clause):
            return None
        if s == 1 and self.freq(t[i : i + 2]) >= 100:
            return None
        return Finding(i, end, "PERSON", 0.6, "zh_person_title")

    def cued(self, i: int, s: int) -> Finding | None:
        if i not in self.cue_ends or self.t[i : i + s] in _FUNCTION_SURNAMES:
            return None
        if self.t[i : i + s] == _ADVERB_SURNAME and self.freq(self.t[i + 1 : i + 3]) >= 100:
            return None
        length = self.given_len(i + s)
        end = i + s + length
        if length and self.plausible(i, end, length, strict=False, cue=True, strong=True):
            return Finding(i, end, "PERSON", 0.85, "zh_person_cue")
        return None

    def context_after(self, i: int, s: int) -> Finding | None:
        """Surname and 1-2 given characters followed by data about a person (_AFTER_NAME),
        or asked to do something after 請 (請陳大文確認)."""
        t = self.t
        g = i + s
        please = i > 0 and t[i - 1] == fold_script("請") and t[i : i + s] not in _FUNCTION_SURNAMES
        for length in (2, 1):
            if not all(self.can_be_given(g + k) for k in range(length)):
                continue
            end = g + length
            if self.lex.after_re.match(t, end) is None and not (
                please and self.lex.please_re.match(t, end)
            ):
                continue
            if self.plausible(i, end, length, strict=False, cue=True, strong=True):
                return Finding(i, end, "PERSON", 0.8, "zh_person_context")
        return None

    def surname_alone(self, i: int, s: int) -> Finding | None:
        """姓陳: a surname right after 姓, with nothing of a given name after it."""
        t = self.t
        if i < 1 or t[i - 1] != "姓" or (i >= 2 and t[i - 2] in _NOT_BEFORE_XING):
            return None
        after = t[i + s : i + s + 1]
        if after and self.is_han(i + s) and after not in _AFTER_XING:
            return None
        return Finding(i, i + s, "PERSON", 0.7, "zh_person_surname")

    def bare(self, i: int, s: int) -> Finding | None:
        """A common surname and two name-like characters with nothing around them."""
        t = self.t
        if s != 1 or t[i] not in self.lex.common_surnames or self.given_len(i + 1) != 2:
            return None
        if not all(c in self.lex.given_chars for c in t[i + 1 : i + 3]):
            return None
        if self.can_be_given(i + 3) and t[i + 3] in self.lex.given_chars:
            return None  # four name-like characters in a row: more likely a phrase
        if self.freq(t[i + 2 : i + 4]) >= 100 or self.freq(t[i + 1 : i + 3]) >= 1000:
            return None
        if self.plausible(i, i + 3, 2, strict=True) and self.freq(t[i : i + 2]) < 100:
            return Finding(i, i + 3, "PERSON", 0.6, "zh_person_bare")
        return None

    def item_at(self, start: int) -> Finding | None:
        """A list item starting at `start`: surname + 1-2 given characters."""
        t = self.t
        for s in (2, 1):
            if start >= 0 and t[start : start + s] in self._surnames_here(start):
                length = self.given_len(start + s)
                end = start + s + length
                if length and self.plausible(start, end, length, strict=True):
                    return Finding(start, end, "PERSON", 0.8, "zh_person_list")
        return None

    def item_before(self, end: int) -> Finding | None:
        """A list item ending at `end`: the longest surname + given that fits."""
        for length in (4, 3, 2):
            found = self.item_at(end - length)
            if end - length >= 0 and found is not None and found.end == end:
                return found
        return None

    def _surnames_here(self, i: int) -> set[str]:
        return {m for m in (self.t[i : i + 2], self.t[i : i + 1]) if m in self.lex.surnames}


def _find_in_folded(lex: _Lexicon, folded: str) -> list[Finding]:
    scan = _Scan(lex, folded)
    found: list[Finding] = []
    for m in lex.surname_re.finditer(folded):
        i, s = m.start(), len(m.group(1))
        if scan.in_place[i] or (i > 0 and folded[i - 1] in "阿老小"):
            continue
        hit = (
            scan.titled(i, s)
            or scan.cued(i, s)
            or scan.context_after(i, s)
            or scan.surname_alone(i, s)
            or scan.bare(i, s)
        )
        if hit is not None:
            found.append(hit)
    found += _nicknames(scan)
    found = _extend_lists(scan, found)
    return resolve_overlaps(found)


def _nicknames(scan: _Scan) -> list[Finding]:
    """阿 + one given-name character at the end of a word run: 阿明話, 阿欣，, Hi 阿娥."""
    t = scan.t
    found: list[Finding] = []
    for m in re.finditer("阿", t):
        i = m.start()
        nick = t[i + 1 : i + 2]
        if (
            not nick
            or nick in _KIN
            or nick not in scan.lex.given_chars
            or not scan.can_be_given(i + 1)
        ):
            continue
        if t[i : i + 2] in scan.lex.words or scan.in_place[i]:
            continue  # 阿姨, 阿里: words of their own
        if i > 0 and scan.is_han(i - 1) and t[i - 1] not in _BEFORE_NICKNAME:
            continue
        if t[i - 1 : i] in _NAME_DOTS or t[i + 2 : i + 3] in _NAME_DOTS:
            continue  # 艾伯特·阿諾·艾爾: part of a transliterated name
        after = t[i + 2 : i + 3]
        if after and scan.is_han(i + 2) and after not in _AFTER_NICKNAME:
            continue
        found.append(Finding(i, i + 2, "PERSON", 0.7, "zh_person_nickname"))
    return found


def _extend_lists(scan: _Scan, found: list[Finding]) -> list[Finding]:
    """Names joined to a found name by 、 / 及 / 和 ..., and pairs of names joined by 、."""
    t = scan.t
    best = {(f.start, f.end): f for f in found}

    def keep(f: Finding, score: float) -> bool:
        old = best.get((f.start, f.end))
        if old is not None and old.score >= score:
            return False
        best[(f.start, f.end)] = Finding(f.start, f.end, "PERSON", score, "zh_person_list")
        return True

    for sep in re.finditer("、", t):
        left, right = scan.item_before(sep.start()), scan.item_at(sep.end())
        if left and right and left.length >= 3 and right.length >= 3:
            keep(left, 0.7)
            keep(right, 0.7)
    queue = list(best.values())
    while queue:
        f = queue.pop()
        score = max(0.6, min(0.8, f.score))
        neighbours: list[Finding | None] = []
        end = f.end
        title = scan.lex.title_re.match(t, end)
        if title is not None:
            end = title.end()
        if end < len(t) and t[end] in _SEPARATORS:
            neighbours.append(scan.item_at(end + 1))
        if f.start > 0 and t[f.start - 1] in _SEPARATORS:
            neighbours.append(scan.item_before(f.start - 1))
        for n in neighbours:
            if n is not None and keep(n, score):
                queue.append(best[(n.start, n.end)])
    return list(best.values())


@lru_cache(maxsize=64)
def _find_cached(text: str) -> tuple[Finding, ...]:
    return tuple(_find_in_folded(_get_lexicon(), fold_script(text)))


class ChinesePersonRecognizer:
    """Chinese names with a title, a cue, a list or a common-name shape around them."""

    name = "zh_person"
    types: tuple[str, ...] = ("PERSON",)

    def find(self, text: str) -> Iterable[Finding]:
        """PERSON findings in the Chinese parts of `text`."""
        if not HAN_RE.search(text):
            return ()
        return _find_cached(text)
