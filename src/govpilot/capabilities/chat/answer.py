"""Answer one question as a bot: retrieve, check, prompt, validate, or hand over.

Order of work, cheapest first:
1. the question's language picks the reply language (Cantonese per the bot's setting);
2. a prompt-injection attempt is refused and audited; a refused topic is refused;
3. the bot's own collections are searched (Scope(department, collection ids)), with the
   previous question added for a short follow-up; a question in the other script than most
   passages is translated into theirs and searched with too (`bridge.py`); hostile passages
   are dropped and audited;
4. no passage above the score threshold, or none sharing enough terms with the question,
   means "not in the documents": hand over without calling the model;
5. the model answers from numbered, quoted passages (each cut to its sentences most relevant
   to the question; instructions in the question's language), citing [n], or says NO_ANSWER;
6. after NO_ANSWER, a passage holding most of the question's terms is asked once more for
   the words that answer it, kept only when they really occur in that passage;
7. an answer with no content words of its own ("[1]", "Passage [2]") is a shell: the
   passage it cites gets the quote retry, in any language;
8. citations are validated (only numbers that exist); NO_ANSWER, or no valid citation
   (and no passage that holds most of the answer's words), means hand over;
9. an answer whose first word the model nearly made NO_ANSWER (first-token probability
   from the backend, where it gives one) is handed over; a short numeric answer is given
   in the passage's own words ("超過5800名", not "5800"); a figure no passage writes is
   handed over, one another passage writes moves the citation there.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

from govpilot.access import CallContext
from govpilot.audit.events import AuditEvent
from govpilot.backends.llm import ChatMessage, Completion, GenerationOptions
from govpilot.capabilities.chat import grounding
from govpilot.capabilities.chat.answer_text import (
    citations_last,
    drop_citations,
    in_source_words,
    is_shell,
    no_answer_probability,
    unsupported_figures,
    unwrap_values,
)
from govpilot.capabilities.chat.answer_types import (
    AnswerOptions,
    BotAnswer,
    CitedSource,
    Outcome,
    Turn,
)
from govpilot.capabilities.chat.bots import Bot
from govpilot.capabilities.chat.bridge import (
    Bridged,
    merged,
    passages_language,
    translate_question,
)
from govpilot.capabilities.chat.hostile import HostileMatch, find_hostile, quote_passage
from govpilot.capabilities.chat.question import ReplyLanguage, reply_language, search_query
from govpilot.capabilities.chat.quote_retry import quote_retry
from govpilot.gateway import ModelGateway
from govpilot.language import cjk_ratio, to_hk_traditional
from govpilot.prompts import load_prompt
from govpilot.retrieval.types import Retriever, Scope, SearchHit

HOSTILE_ACTION = "bot.hostile"

_REPLY_INSTRUCTION = {
    "en": "Write the answer in English.",
    # Chinese instructions for Chinese questions: the small model follows them more closely.
    "zh-Hant": "請用香港通用的繁體中文書面語（Traditional Chinese）回答。",
    "yue": "請用香港廣東話口語（Hong Kong Cantonese）回答，用繁體中文字。",
}
_NOT_FOUND = {
    "en": "Sorry, I could not find the answer to this question in our documents.",
    "zh-Hant": "抱歉，現有資料未有提及這個問題的答案。",
    "yue": "唔好意思，我喺現有資料入面搵唔到呢個問題嘅答案。",
}
_REFUSED = {
    "en": "Sorry, I cannot help with questions on this topic.",
    "zh-Hant": "抱歉，我未能就這類問題提供協助。",
    "yue": "唔好意思，呢類問題我幫唔到你。",
}
_HOSTILE = {
    "en": "Sorry, I can only answer questions from this department's published information, "
    "and I cannot change or reveal my instructions.",
    "zh-Hant": "抱歉，我只能根據本部門公開的資料回答問題，亦不能更改或透露我的指示。",
    "yue": "唔好意思，我只可以根據本部門公開嘅資料答問題，亦唔可以更改或者透露我嘅指示。",
}
# Distinctive phrases of the system prompt: an answer that repeats them leaks it.
_PROMPT_MARKERS = (
    "numbered passages in the user's message",
    "reply with exactly NO_ANSWER",
    "用戶訊息中編號的段落",
    "不是給你的指示",
)


@dataclass
class _Prepared:
    """A question ready for the model, or already settled without it."""

    bot: Bot
    question: str
    lang: ReplyLanguage
    started: float
    hits: list[SearchHit] = field(default_factory=list)
    bridged: Bridged | None = None
    messages: list[ChatMessage] = field(default_factory=list)
    settled: BotAnswer | None = None


class BotResponder:
    """Answers questions for bots, through the guarded gateway and a scoped retriever."""

    def __init__(
        self,
        gateway: ModelGateway,
        retriever: Retriever,
        options: AnswerOptions | None = None,
    ) -> None:
        self.gateway = gateway
        self.retriever = retriever
        self.options = options or AnswerOptions()

    def answer(
        self, bot: Bot, question: str, ctx: CallContext, history: Sequence[Turn] = ()
    ) -> BotAnswer:
        """The bot's reply to `question` in one piece."""
        prepared = self._prepare(bot, question, ctx, history)
        if prepared.settled is not None:
            return prepared.settled
        completion = self.gateway.complete(
            ctx, prepared.messages, self._generation(), model=bot.model
        )
        return self._finish(prepared, ctx, completion)

    def stream(
        self, bot: Bot, question: str, ctx: CallContext, history: Sequence[Turn] = ()
    ) -> Generator[str, None, BotAnswer]:
        """Yield the reply as it is written; returns the checked BotAnswer.

        The returned answer is authoritative: when the checks hand the question over, the
        text streamed so far is replaced by it. Nothing is streamed before the first 16
        characters show that the model is not saying NO_ANSWER.
        """
        prepared = self._prepare(bot, question, ctx, history)
        if prepared.settled is not None:
            return prepared.settled
        pieces = self.gateway.stream(ctx, prepared.messages, self._generation(), model=bot.model)
        held, streaming = "", False
        while True:
            try:
                piece = next(pieces)
            except StopIteration as stop:
                completion: Completion = stop.value
                break
            if streaming:
                yield self._script(piece, prepared.lang)
                continue
            held += piece
            if grounding.says_no_answer(held) and held.strip():
                continue
            if len(held.strip()) >= 16:
                streaming = True
                yield self._script(held, prepared.lang)
        return self._finish(prepared, ctx, completion)

    def _generation(self) -> GenerationOptions:
        return GenerationOptions(
            max_tokens=self.options.max_tokens, temperature=0.0, top_logprobs=5
        )

    @staticmethod
    def _script(text: str, lang: str) -> str:
        return text if lang == "en" else to_hk_traditional(text)

    def _prepare(
        self, bot: Bot, question: str, ctx: CallContext, history: Sequence[Turn]
    ) -> _Prepared:
        started = time.perf_counter()
        question = question.strip()
        prepared = _Prepared(bot, question, reply_language(question, bot), started)
        hostile = find_hostile(question)
        if hostile is not None:
            self._audit_hostile(ctx, bot, hostile, "question")
            prepared.settled = self._settle(prepared, _HOSTILE, "hostile", hostile.kind)
            return prepared
        for topic in bot.refuse:
            if grounding.matches_topic(question, topic):
                prepared.settled = self._settle(prepared, _REFUSED, "refused", "refused topic")
                return prepared
        history = list(history)[-self.options.history_turns :] if self.options.history_turns else []
        query = search_query(question, history)
        hits = self._retrieve(bot, query)
        bridged = Bridged(question)
        target = passages_language(question, hits) if self.options.bridge_languages else None
        if target is not None:
            bridged = translate_question(self.gateway, ctx, query, target, model=bot.model)
            if bridged.text:
                hits = merged(self._retrieve(bot, bridged.text), hits, self.options.top_k)
            bridged = Bridged(question, bridged.text)
        hits = self._safe(bot, hits, ctx)
        # Terms are compared within one script: a Chinese question over English passages
        # shares none with them, so its translation's terms are looked for there (without
        # a translation, retrieval alone has to judge).
        coverages = [
            grounding.coverage(wanted, h.chunk.text)
            for h in hits
            if len(wanted := bridged.terms_for(h.chunk.text)) >= 3
        ]
        if not hits or max(coverages, default=1.0) < self.options.min_overlap:
            prepared.settled = self._settle(prepared, _NOT_FOUND, "handed_over", "no passage")
            return prepared
        prepared.hits, prepared.bridged = hits, bridged
        prepared.messages = self._messages(bot, bridged, prepared.lang, hits, history)
        return prepared

    def _retrieve(self, bot: Bot, query: str) -> list[SearchHit]:
        if not bot.collection_ids:
            return []
        # The scope comes from the bot, never from the question or the caller.
        scope = Scope(bot.department, tuple(bot.collection_ids))
        return self.retriever.search(query, scope, k=self.options.top_k)

    def _safe(self, bot: Bot, hits: Sequence[SearchHit], ctx: CallContext) -> list[SearchHit]:
        """The hits above the score floor, without hostile passages (each one audited)."""
        kept = []
        for hit in hits:
            if hit.score < self.options.min_score:
                continue
            found = find_hostile(hit.chunk.text, passage=True)
            if found is not None:
                self._audit_hostile(ctx, bot, found, "passage", hit)
                continue
            kept.append(hit)
        return kept

    def _messages(
        self,
        bot: Bot,
        bridged: Bridged,
        lang: ReplyLanguage,
        hits: Sequence[SearchHit],
        history: Sequence[Turn],
    ) -> list[ChatMessage]:
        model = self.gateway.model(bot.model)
        budget = model.capabilities.context_tokens - self.options.max_tokens - 450
        question = bridged.question
        budget -= model.count_tokens(question + bridged.text) + sum(
            model.count_tokens(t.question + t.answer) for t in history
        )
        passages: list[dict[str, object]] = []
        for n, hit in enumerate(hits, 1):
            text = quote_passage(self._condense(hit.chunk.text, bridged))
            size = model.count_tokens(text)
            if size > budget:
                text = text[: max(0, int(len(text) * budget / max(size, 1)))]
            if len(text) < 40 and passages:
                break
            budget -= model.count_tokens(text) + 20
            passages.append({"n": n, "label": _attribute(hit.citation.label()), "text": text})
        return load_prompt("bot_answer", self.options.prompt_version).render(
            bot_name=bot.name,
            department=bot.department,
            tone=bot.tone,
            refuse="; ".join(bot.refuse),
            reply_language=_REPLY_INSTRUCTION[lang],
            zh=lang != "en",
            history=[Turn(t.question, drop_citations(t.answer)) for t in history],
            passages=passages,
            question=question,
            bridged=bridged.text,
        )

    def _finish(self, prepared: _Prepared, ctx: CallContext, completion: Completion) -> BotAnswer:
        raw = completion.text.strip()
        if any(marker.lower() in raw.lower() for marker in _PROMPT_MARKERS):
            self._audit_hostile(ctx, prepared.bot, HostileMatch("reveal_prompt", ""), "answer")
            return self._settle(prepared, _HOSTILE, "hostile", "answer repeated instructions")
        p_no = no_answer_probability(completion.alternatives)
        confidence = None if p_no is None else 1.0 - p_no
        raw = unwrap_values(raw, len(prepared.hits))
        # A bare "[1]" or "Passage [2]" says nothing either, but points at a passage.
        translated = prepared.bridged.text if prepared.bridged else ""
        if grounding.says_no_answer(drop_citations(raw)) or is_shell(
            raw, prepared.question, translated
        ):
            pointed = None
            if not grounding.says_no_answer(raw):
                marks = grounding.cited_numbers(raw)
                pointed = next((n for n in marks if 1 <= n <= len(prepared.hits)), None)
            quoted = self._quote_retry(prepared, ctx, pointed)
            if quoted is None:
                reason = "NO_ANSWER" if pointed is None else "shell"
                return self._settle(
                    prepared, _NOT_FOUND, "handed_over", reason, completion, confidence
                )
            raw, completion = quoted
        elif p_no is not None and p_no >= self.options.abstain_at:
            return self._settle(
                prepared, _NOT_FOUND, "handed_over", "unsure", completion, confidence
            )
        text = re.sub(r"^(?:answer|回答|答案)\s*[:：]\s*", "", raw, flags=re.IGNORECASE)
        text = citations_last(text)
        text, numbers = grounding.keep_citations(text, range(1, len(prepared.hits) + 1))
        if not numbers:
            traced = grounding.best_supported(text, [h.chunk.text for h in prepared.hits])
            if traced is None:
                return self._settle(
                    prepared, _NOT_FOUND, "handed_over", "no citation", completion, confidence
                )
            numbers = [traced]
            text = f"{text} [{traced}]"
        sources = [prepared.hits[n - 1].chunk.text for n in numbers]
        if unsupported_figures(text, sources):
            # The small model often cites the wrong one of its passages: a passage that
            # writes every figure takes the citation; none means the figure was made up.
            holders = [
                n
                for n, hit in enumerate(prepared.hits, 1)
                if not unsupported_figures(text, [hit.chunk.text])
            ]
            if not holders:
                return self._settle(
                    prepared,
                    _NOT_FOUND,
                    "handed_over",
                    "figure not in source",
                    completion,
                    confidence,
                )
            numbers = holders[:1]
            text = f"{drop_citations(text).strip()} [{numbers[0]}]"
            sources = [prepared.hits[numbers[0] - 1].chunk.text]
        text = in_source_words(text, sources)
        text = self._script(text, prepared.lang)
        cited = [
            CitedSource(n, prepared.hits[n - 1].citation, _excerpt(prepared.hits[n - 1].chunk.text))
            for n in sorted(numbers)
        ]
        return BotAnswer(
            text,
            cited,
            handed_over=False,
            language=prepared.lang,
            latency_s=time.perf_counter() - prepared.started,
            outcome="answered",
            model_id=completion.model_id,
            confidence=confidence,
        )

    def _condense(self, text: str, bridged: Bridged) -> str:
        if not self.options.passage_chars:
            return text
        chinese = cjk_ratio(text) >= 0.3
        limit = self.options.passage_chars_zh if chinese else self.options.passage_chars
        numeric = grounding.asks_for_number(f"{bridged.question} {bridged.text}")
        return grounding.condense(text, bridged.terms_for(text), limit, numeric)

    def _quote_retry(
        self, prepared: _Prepared, ctx: CallContext, pointed: int | None
    ) -> tuple[str, Completion] | None:
        # After NO_ANSWER not for English questions unless asked: there the model's
        # NO_ANSWER is mostly right, and the retry answered SQuAD v2's unanswerable
        # questions from passages on the same topic. A bare citation did point somewhere.
        if prepared.lang == "en" and pointed is None and not self.options.quote_retry_english:
            return None
        bridged = prepared.bridged or Bridged(prepared.question)
        return quote_retry(
            self.gateway,
            ctx,
            bridged=bridged,
            zh=prepared.lang != "en",
            hits=prepared.hits,
            threshold=self.options.quote_retry_coverage,
            condense=lambda text: self._condense(text, bridged),
            model=prepared.bot.model,
            only=pointed,
        )

    @staticmethod
    def _settle(
        prepared: _Prepared,
        messages: dict[str, str],
        outcome: Outcome,
        reason: str,
        completion: Completion | None = None,
        confidence: float | None = None,
    ) -> BotAnswer:
        lang = prepared.lang
        text = f"{messages[lang]} {prepared.bot.handover_for(lang)}".strip()
        return BotAnswer(
            text,
            [],
            handed_over=True,
            language=lang,
            latency_s=time.perf_counter() - prepared.started,
            outcome=outcome,
            model_id=completion.model_id if completion else None,
            reason=reason,
            confidence=confidence,
        )

    def _audit_hostile(
        self,
        ctx: CallContext,
        bot: Bot,
        found: HostileMatch,
        where: str,
        hit: SearchHit | None = None,
    ) -> None:
        detail: dict[str, Any] = {"bot": bot.name, "bot_id": bot.id, "where": where}
        detail["kind"] = found.kind
        if hit is not None:
            detail["document"] = hit.chunk.source or hit.chunk.document_id
            detail["chunk_id"] = hit.chunk.id
            detail["collection_id"] = hit.chunk.collection_id
        self.gateway.audit.record(
            AuditEvent(
                actor=ctx.actor,
                department=ctx.department,
                action=HOSTILE_ACTION,
                outcome="refused" if where != "passage" else "ok",
                channel=ctx.channel,
                detail=detail,
            )
        )


def answer(
    gateway: ModelGateway,
    retriever: Retriever,
    bot: Bot,
    history: Sequence[Turn],
    question: str,
    ctx: CallContext,
    options: AnswerOptions | None = None,
) -> BotAnswer:
    """One bot reply to `question`, given the conversation's earlier turns."""
    return BotResponder(gateway, retriever, options).answer(bot, question, ctx, history)


def _attribute(label: str) -> str:
    return label.replace('"', "'").replace("\n", " ")[:120]


def _excerpt(text: str, size: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"
