"""The tables the Chinese name recognizer (`person_zh`) matches against, built once.

Word lists (titles, cues before a name, the verbs of a request) are written in Traditional
script and folded with `fold_script`, like the text, so one list serves both scripts. The
character sets are module constants; what needs the data files or jieba's dictionary (the
surname, title and cue regexes, the given-name characters, the dictionary words a candidate
is checked against) is compiled into one `ChineseNameLexicon` on first use, by
`chinese_name_lexicon()`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import jieba

from govpilot.language import fold_script
from govpilot.privacy.recognizers.hk_lexicon import (
    HAN,
    alternation,
    first_chars,
    folded_lines,
    words,
)

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
NOT_AFTER_SHENG = set(fold_script("日活命產意病存物長效氣涯態育成前死計字果菜鮮理還力機動"))
NOT_AFTER_TAI = set(
    fold_script(
        "多少大小好快慢久遠高低長短陽空平極過貴差難早遲晚熱凍冷忙重輕細窄闊深淺吵嘈臭亂擠子古"
    )
)
# Surnames that are more often a word of their own: never reported as surname + title alone.
NO_BARE_SURNAME = set(fold_script("向於于司時經常全明滿樂景舒步聞利危連伊練紀游包和成安文應"))

# Surnames that are far more often a function word: only ever trusted with a title.
# Surnames that right after a cue (本人…, 請…) are far more often a function word.
FUNCTION_SURNAMES = set(fold_script("於于向和時經常全司應"))
# 曾 is "once" before a verb (本人曾致電) but a surname before a given name (來訪者曾芳).
ADVERB_SURNAME = fold_script("曾")
# Titles after 區 (also 區議員, 區主任: the district's): only courtesy titles make it Mr Au.
TITLES_AFTER_AU = set(words("生 太 姐 先生 女士 小姐 太太 Sir sir SIR Madam madam Miss miss"))

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
NOT_GIVEN = set(
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
SEPARATORS = set(fold_script("、，,及和與同跟或/"))

# Characters a name often follows (verb endings and verbs of asking and giving): 查下陳大文,
# 俾咗李小明, 搵陳生.
BEFORE_NAME = set(fold_script("下咗過俾畀搵叫問幫請找給同跟話係是"))
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
NOT_BEFORE_XING = set(fold_script("百貴同異復改"))
AFTER_XING = set(fold_script("，。、；！？的嘅係是,.;!?"))
# 阿 + one given-name character is a Cantonese nickname (阿明, 阿欣); these are kinship and
# address terms instead (阿媽, 阿伯, 阿Sir).
KIN = set(
    fold_script("媽爸爺嫲婆公伯叔嬸姨姑舅哥姐姊弟妹嫂仔女囡奶爹孫兄嬤媳娘大細二三四五六七八九十")
)
# A nickname is followed by the start of a clause (阿明話, 阿欣個新電話, 阿偉成日) or by
# something not Chinese; anything else (阿拉伯, 阿富汗) is a longer word. Before it comes
# something not Chinese or a word that a name follows (我個仔阿偉, 叫阿明, 同阿欣); after
# other characters 阿 is likely part of a transliteration (尼阿美, 州長阿諾).
NAME_DOTS = set("·‧・•")
BEFORE_NICKNAME = set(
    fold_script("個仔女囡叫同係是我佢你他她話問搵俾畀請見幫和與及跟找給咗過下的嘅對問候老公婆")
)
AFTER_NICKNAME = set(
    fold_script(
        "話說講個嘅的係是同和及與都又仲就已而要想會可冇有唔未去嚟來返喺在啱先問叫打搵等知覺"
        "佢你我他她啊呀啦喇嘛呢咩吖喎囉成今琴尋聽也亦再還真好幫俾畀同跟，。、；！？：「」"
    )
)
_MIN_WORD_FREQ = 30  # jieba frequency from which a candidate counts as a dictionary word


@dataclass(frozen=True)
class ChineseNameLexicon:
    """The compiled lists: regexes, surnames, given-name characters and jieba's words."""

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


def _build_lexicon() -> ChineseNameLexicon:
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
    return ChineseNameLexicon(
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


_lexicon: ChineseNameLexicon | None = None
_lexicon_lock = threading.Lock()


def chinese_name_lexicon() -> ChineseNameLexicon:
    """The lexicon, built on first use and then shared by every caller and thread."""
    global _lexicon
    if _lexicon is None:
        with _lexicon_lock:
            if _lexicon is None:
                _lexicon = _build_lexicon()
    return _lexicon
