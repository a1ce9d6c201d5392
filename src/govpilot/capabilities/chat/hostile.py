"""Prompt-injection detection for bot questions and for the passages retrieved for them.

Defence does not rest on these patterns: a bot's search scope is fixed by its
configuration (another department's documents are never searched), passages are quoted as
data inside numbered tags, and the reply is checked for citations. The patterns catch the
common attempts early so that they are refused and audited, in English and Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

HostileKind = Literal["override", "reveal_prompt", "persona", "other_department", "markup"]


@dataclass(frozen=True)
class HostileMatch:
    """What kind of attempt was found, and the words that gave it away (for the audit)."""

    kind: HostileKind
    matched: str


_I = re.IGNORECASE
_EN_RULES = r"(?:instructions?|rules?|prompts?|directions?|guidelines?|guardrails?|restrictions?)"
_PATTERNS: tuple[tuple[HostileKind, re.Pattern[str]], ...] = (
    (
        "override",
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass|skip|drop)\b[\w\s,'’-]{0,40}?"
            rf"\b(?:previous|prior|above|earlier|all|your|these|system|original)\b[\w\s'’-]{{0,20}}?"
            rf"\b{_EN_RULES}",
            _I,
        ),
    ),
    ("override", re.compile(rf"\bnew\s+{_EN_RULES}\s*:", _I)),
    ("override", re.compile(r"\b(?:developer|god|jailbreak|DAN)\s+mode\b", _I)),
    (
        "override",
        re.compile(
            r"(?:忽略|忽視|无视|無視|忘記|忘记|唔好理|不要理會?|不理會?|跳過|跳过|推翻)[^。！？\n]{0,4}"
            r"(?:以上|之前|先前|上面|上述|所有|你的|你嘅|系統|系统|原有|原來|原来|前面)"
            r"[^。！？\n]{0,6}(?:指示|指令|規則|规则|提示|設定|设定|限制)"
        ),
    ),
    (
        "reveal_prompt",
        re.compile(
            r"\b(?:reveal|show|print|display|repeat|output|tell|give|leak|dump|what)\b"
            r"[\w\s,'’-]{0,30}?\b(?:system|hidden|initial|original|secret)\s+"
            r"(?:prompt|instructions?|message|rules?)",
            _I,
        ),
    ),
    (
        "reveal_prompt",
        re.compile(
            r"\b(?:your|the)\s+(?:system\s+)?prompt\b.{0,20}\b(?:verbatim|word for word)", _I
        ),
    ),
    (
        "reveal_prompt",
        re.compile(
            r"(?:顯示|显示|透露|告訴我|告诉我|講|讲|列出|輸出|输出|重複|重复|俾我睇|給我看)"
            r"[^。！？\n]{0,10}(?:你的|你嘅|系統|系统|隱藏|隐藏|原始|內部|内部)[^。！？\n]{0,4}"
            r"(?:提示詞|提示词|提示|指示|指令|設定|设定|prompt)"
        ),
    ),
    (
        "persona",
        re.compile(
            r"\b(?:you are now|from now on,? you are|pretend (?:to be|you are)|roleplay as|"
            r"role-play as|(?:you|u)\s+(?:must\s+|will\s+|should\s+)?(?:now\s+)?"
            r"(?:act|behave) as)\b",
            _I,
        ),
    ),
    (
        "persona",
        re.compile(
            r"(?:你現在是|你现在是|假裝你是|假装你是|你(?:要|現在|而家)?扮演|請扮演|你而家係|由現在開始你是)"
        ),
    ),
    (
        "other_department",
        re.compile(
            r"\b(?:other|another|different|all)\s+(?:government\s+)?departments?'?s?\b"
            r"[\w\s'’-]{0,30}\b(?:documents?|files?|collections?|data|records?)\b",
            _I,
        ),
    ),
    (
        "other_department",
        re.compile(
            r"\b(?:switch|change|set)\b[\w\s]{0,15}\bdepartment\b|\bcollection[_ ]?ids?\b", _I
        ),
    ),
    (
        "other_department",
        re.compile(r"(?:其他|其它|另一個|另一个|別的|别的|所有)部門|(?:切換|转换|轉換)部門"),
    ),
    (
        "markup",
        re.compile(
            r"<\|im_(?:start|end)\|>|<\|endoftext\|>|\[/?INST\]|^\s*###\s*system", _I | re.M
        ),
    ),
)
# A passage is material: instructions addressed to the model inside one are hostile too.
_PASSAGE_ONLY: tuple[tuple[HostileKind, re.Pattern[str]], ...] = (
    (
        "override",
        re.compile(
            r"\b(?:assistant|AI|chatbot|language model)\s*[:,]\s*(?:you must|always|never)\b", _I
        ),
    ),
    (
        "override",
        re.compile(r"\bwhen (?:asked|answering)\b[\w\s,]{0,40}\b(?:say|reply|answer) that\b", _I),
    ),
)


def find_hostile(text: str, *, passage: bool = False) -> HostileMatch | None:
    """The first prompt-injection pattern in `text`, or None.

    In passages, talk of other departments is ordinary content (a passage cannot widen the
    search scope anyway), but instructions addressed to an assistant are not.
    """
    if passage:
        patterns = [p for p in _PATTERNS if p[0] != "other_department"] + list(_PASSAGE_ONLY)
    else:
        patterns = list(_PATTERNS)
    for kind, pattern in patterns:
        match = pattern.search(text)
        if match:
            return HostileMatch(kind, match.group(0)[:80])
    return None


_TAGS = re.compile(r"</?\s*passage[^>]*>|<\|[^|>]{1,20}\|>", re.IGNORECASE)


def quote_passage(text: str) -> str:
    """Passage text made safe to place between <passage> tags (no tags or chat markers)."""
    return _TAGS.sub(" ", text).strip()
