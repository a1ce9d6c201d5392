"""After NO_ANSWER: ask the best passage once more for the words that answer the question.

A 1.5B model says NO_ANSWER to many answerable questions; asking it to copy words from the
one passage that shares most of the question's terms recovers them, and the copy is kept only
when it really occurs in that passage, so nothing is invented.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from govpilot.access import CallContext
from govpilot.backends.llm import Completion, GenerationOptions
from govpilot.capabilities.chat import grounding
from govpilot.capabilities.chat.answer_text import drop_citations
from govpilot.capabilities.chat.bridge import Bridged, is_chinese
from govpilot.capabilities.chat.hostile import quote_passage
from govpilot.gateway import ModelGateway
from govpilot.prompts import load_prompt
from govpilot.retrieval.types import SearchHit


def quote_retry(
    gateway: ModelGateway,
    ctx: CallContext,
    *,
    bridged: Bridged,
    zh: bool,
    hits: Sequence[SearchHit],
    threshold: float,
    condense: Callable[[str], str],
    model: str | None = None,
    only: int | None = None,
) -> tuple[str, Completion] | None:
    """The best passage's own words that answer, cited as "[n]", or None.

    The passage holding the largest share of the question's terms (its translation's, for
    a passage in the other script) is asked, if that share reaches `threshold`; a passage in
    the other script is asked the translated question, in its language, because copying
    words is what the model does reliably. `zh` is the reply language otherwise. `condense`
    cuts the passage as the first prompt did. `only` (a 1-based passage number) asks that
    passage alone: the one the model cited when it wrote nothing else.
    """
    if not threshold or not hits:
        return None
    scored = [
        (grounding.coverage(wanted, h.chunk.text) if len(wanted) >= 2 else 0.0, n)
        for n, h in enumerate(hits, 1)
        for wanted in [bridged.terms_for(h.chunk.text)]
        if only is None or n == only
    ]
    if not scored:
        return None
    best, n = max(scored, key=lambda pair: (pair[0], -pair[1]))
    if best < threshold:
        return None
    passage = hits[n - 1].chunk.text
    question = bridged.question
    if bridged.text and not bridged.same_script(passage):
        question, zh = bridged.text, is_chinese(passage)
    messages = load_prompt("bot_quote").render(
        zh=zh, passage=quote_passage(condense(passage)), question=question
    )
    completion = gateway.complete(
        ctx, messages, GenerationOptions(max_tokens=60, temperature=0.0, aside=True), model=model
    )
    quote = drop_citations(completion.text).strip().strip("\"'「」“”")
    if grounding.says_no_answer(quote) or not grounding.quoted_from(quote, passage):
        return None
    return f"{quote} [{n}]", completion
