"""What a bot answer is made of: the options, the earlier turns, the reply and its sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from govpilot.retrieval.types import Citation

Outcome = Literal["answered", "handed_over", "refused", "hostile"]


@dataclass(frozen=True)
class Turn:
    """One earlier question and answer of the same conversation."""

    question: str
    answer: str


@dataclass(frozen=True)
class AnswerOptions:
    """How much to retrieve and how strict to be."""

    top_k: int = 5
    #: Hits scoring below this are not used (0: trust the retriever's ranking).
    min_score: float = 0.0
    #: Share of the question's terms the best passage must contain (0 turns the check off).
    min_overlap: float = 0.15
    history_turns: int = 2
    max_tokens: int = 300
    #: Each passage is cut to its sentences most relevant to the question, about this long
    #: (characters; 0 keeps whole passages). The citation still names the whole passage.
    #: Short passages make the first token come sooner and the small model find the answer.
    passage_chars: int = 400
    #: The same for Chinese passages (a Chinese character is about a token, a word ~1.3).
    passage_chars_zh: int = 160
    #: Hand over when the model's first-token probability of NO_ANSWER is at least this,
    #: even if it wrote an answer (1.0: never; ignored when the backend gives no logprobs).
    #: 0.25 from bench_bots.py's tune split (SQuAD v2: answers the model nearly refused
    #: were mostly wrong or unanswerable; DRCD's answers start with a citation or a word).
    abstain_at: float = 0.25
    #: The `bot_answer` prompt version (None: the latest).
    prompt_version: int | None = None
    #: After NO_ANSWER, a passage holding this share of the question's terms is asked once
    #: more for the words that answer it, kept only if they are really in it (0: never).
    quote_retry_coverage: float = 0.5
    #: The retry for English questions too (off: it cost hand-overs on unanswerable ones).
    quote_retry_english: bool = False
    #: A question in one script over passages in the other is put into theirs by the model
    #: and searched with too; the checks read the translation (`bridge.py`).
    bridge_languages: bool = True


@dataclass(frozen=True)
class CitedSource:
    """A passage the answer cites, by its number in the answer."""

    n: int
    citation: Citation
    excerpt: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            **self.citation.as_dict(),
            "label": self.citation.label(),
            "excerpt": self.excerpt,
        }


@dataclass
class BotAnswer:
    """The reply to show, what it cites, and whether the bot handed the question over."""

    text: str
    citations: list[CitedSource]
    handed_over: bool
    language: str
    latency_s: float = 0.0
    outcome: Outcome = "answered"
    model_id: str | None = None
    #: Why the bot handed over, for the operator (e.g. "no passage", "NO_ANSWER").
    reason: str = ""
    #: 1 - the model's first-token probability of NO_ANSWER (None: the backend can't say).
    confidence: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of the CLI's --json and the API."""
        return {
            "answer": self.text,
            "citations": [c.as_dict() for c in self.citations],
            "handed_over": self.handed_over,
            "language": self.language,
            "outcome": self.outcome,
            "reason": self.reason,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
            "latency_ms": int(self.latency_s * 1000),
        }
