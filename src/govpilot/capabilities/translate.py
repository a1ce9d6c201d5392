"""Translate text and whole documents: English <-> Traditional Chinese (Hong Kong usage),
and spoken Cantonese -> formal written Chinese.

The pipeline carries quality for a weak model: glossary terms are put into the source
before the model sees it, long text is cut on sentence boundaries, every output is
cleaned, converted to Hong Kong script, checked for untranslated words and glossary
terms, and repaired or retried when a check fails. In a document the title and repeated
names are rendered once first (translation_terms.py) and then held like glossary terms.
Spoken Cantonese is rewritten by rule (written_chinese.py): the embedded model's rewrites
scored lower than the rules alone.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from govpilot.access import CallContext
from govpilot.backends.llm import GenerationOptions
from govpilot.capabilities import translation_checks as checks
from govpilot.capabilities.translation_terms import document_glossary, document_terms
from govpilot.capabilities.written_chinese import cantonese_left, to_written_chinese
from govpilot.documents.model import Document
from govpilot.errors import EmptyDocument, InputError
from govpilot.gateway import ModelGateway
from govpilot.language import (
    Glossary,
    detect_language,
    pack_segments,
    split_sentences,
    to_hk_traditional,
)
from govpilot.language.glossary import GlossaryReport
from govpilot.prompts import load_prompt

Target = Literal["zh-Hant", "en"]
Direction = Literal["en->zh-Hant", "zh->en", "yue->zh-Hant", "copy"]
Progress = Callable[[int, int], None]
TARGETS: tuple[str, ...] = ("zh-Hant", "en")
SEGMENT_TOKENS = 220  # a 1.5B model drops content from longer inputs


@dataclass
class TranslationReport:
    """What happened while translating: for the CLI's --json, the API and the benchmark."""

    target: str
    segments: int = 0
    model_calls: int = 0
    retries: int = 0
    model_ids: set[str] = field(default_factory=set)
    glossary_hits: int = 0
    glossary_misses: list[str] = field(default_factory=list)
    untranslated_words: list[str] = field(default_factory=list)
    untranslated_segments: list[str] = field(default_factory=list)
    cantonese_left: list[str] = field(default_factory=list)
    document_terms: dict[str, str] = field(default_factory=dict)  # rendered once, used throughout
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "segments": self.segments,
            "model_calls": self.model_calls,
            "retries": self.retries,
            "model_ids": sorted(self.model_ids),
            "glossary_hits": self.glossary_hits,
            "glossary_misses": self.glossary_misses,
            "untranslated_words": self.untranslated_words,
            "untranslated_segments": self.untranslated_segments,
            "cantonese_left": self.cantonese_left,
            "document_terms": self.document_terms,
            "seconds": round(self.seconds, 3),
        }


def choose_direction(text: str, target: str) -> Direction:
    """Which translation a piece of text needs to reach `target`."""
    if target not in TARGETS:
        raise InputError(f"cannot translate to {target!r}", hint="use --to zh-Hant or --to en")
    lang = detect_language(text)
    if target == "en":
        return "copy" if lang in ("en", "unknown") else "zh->en"
    if lang == "yue":
        return "yue->zh-Hant"
    if lang in ("zh-Hant", "zh-Hans"):
        return "copy"
    return "copy" if lang == "unknown" else "en->zh-Hant"


class Translator:
    """Translates strings through the gateway; one instance per job (it caches repeats)."""

    def __init__(
        self,
        gateway: ModelGateway,
        ctx: CallContext,
        glossary: Glossary,
        target: Target,
        *,
        model: str | None = None,
    ) -> None:
        self.gateway = gateway
        self.ctx = ctx
        self.glossary = glossary
        self.target = target
        self.model = model
        self.report = TranslationReport(target=target)
        self._cache: dict[str, str] = {}
        self._terms: list[str] = []  # glossary renderings in the segment being translated

    def translate(self, text: str) -> str:
        """One string of any length, whitespace at its edges kept."""
        core = text.strip()
        if not core:
            return text
        direction = choose_direction(core, self.target)
        if direction == "copy":
            out = to_hk_traditional(core) if self.target == "zh-Hant" else core
            if self.target == "zh-Hant" and cantonese_left(out):
                # Detected as written Chinese, yet it holds colloquial-only characters.
                out = self._rewrite_cantonese(out)
        elif core in self._cache:
            out = self._cache[core]
        else:
            pieces = [self._translate_segment(seg, direction) for seg in self._segments(core)]
            joiner = "" if self.target == "zh-Hant" else " "
            out = joiner.join(p for p in pieces if p)
            self._cache[core] = out
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        return lead + out + trail

    def _segments(self, text: str) -> list[str]:
        model = self.gateway.model(self.model)
        if model.count_tokens(text) <= SEGMENT_TOKENS:
            return [text]
        batches = pack_segments(split_sentences(text), SEGMENT_TOKENS, model.count_tokens)
        return [s for s in ("".join(b.texts).strip() for b in batches) if s]

    def _translate_segment(self, segment: str, direction: Direction) -> str:
        self.report.segments += 1
        if direction == "yue->zh-Hant":
            return self._rewrite_cantonese(segment)
        source_lang = "zh" if direction == "zh->en" else "en"
        prepared, terms = segment, []
        if direction in ("en->zh-Hant", "zh->en"):
            prepared, matches = self.glossary.apply_to_source(segment, source_lang)
            terms = list(dict.fromkeys(m.target for m in matches))
        self._terms = terms
        output = self._ask(direction, prepared)
        if checks.not_translated(output, segment, self.target):
            self.report.retries += 1
            output = self._ask(direction, prepared, retry=True)
            if checks.not_translated(output, segment, self.target):
                # Never hand back an answer in the wrong language (it may be the answer to
                # an instruction hidden in the text): keep the source and flag it.
                self.report.untranslated_segments.append(segment)
                return segment
        output = self._repair(direction, segment, prepared, output)
        if direction in ("en->zh-Hant", "zh->en"):
            output = self._enforce_glossary(segment, output, source_lang)
        return output

    def _ask(
        self, direction: Direction, text: str, *, words: list[str] | None = None, retry=False
    ) -> str:
        prompt_name = {
            "en->zh-Hant": "translate_en_to_zh",
            "zh->en": "translate_zh_to_en",
        }[direction]
        messages = load_prompt(prompt_name).render(
            text=text, words=words or [], terms=self._terms, retry=retry
        )
        model = self.gateway.model(self.model)
        budget = 2 * model.count_tokens(text) + 64
        completion = self.gateway.complete(
            self.ctx, messages, GenerationOptions(max_tokens=budget), model=self.model
        )
        self.report.model_calls += 1
        self.report.model_ids.add(completion.model_id)
        output = checks.trim_repetition(checks.clean_output(completion.text, text))
        if direction != "zh->en":
            output = checks.hk_punctuation(to_hk_traditional(output))
        return output

    def _repair(self, direction: Direction, source: str, prepared: str, output: str) -> str:
        if checks.is_degenerate(output, prepared):
            self.report.retries += 1
            output = self._ask(direction, prepared, retry=True)
        if direction == "en->zh-Hant":
            output = self._translate_left_over_words(output, source)
        elif direction == "zh->en" and checks.leftover_chinese(output):
            self.report.retries += 1
            retry = self._ask(direction, prepared, words=checks.leftover_chinese(output))
            if len(checks.leftover_chinese(retry)) < len(checks.leftover_chinese(output)):
                output = retry
        return output

    def _rewrite_cantonese(self, segment: str) -> str:
        # By rule, without the model: on UD Cantonese-HK the embedded model's rewrites lost
        # to the word map alone even when kept only if faithful (it swaps content words,
        # answers instead of rewriting), and minutes must not say what was not said.
        output = to_written_chinese(segment)
        self.report.cantonese_left.extend(cantonese_left(output))
        return output

    def _translate_left_over_words(self, output: str, source: str) -> str:
        # Retrying the whole sentence rarely helps a small model; one word at a time does.
        for word in checks.leftover_english_words(output, source):
            self.report.retries += 1
            messages = load_prompt("translate_word").render(word=word)
            completion = self.gateway.complete(
                self.ctx, messages, GenerationOptions(max_tokens=16), model=self.model
            )
            self.report.model_calls += 1
            answer = checks.word_answer(completion.text)
            if checks.is_word_translation(answer):
                # Lookarounds, not \b: \b does not fire between "aisles" and "將".
                pattern = rf"\s*(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])\s*"
                output = re.sub(pattern, answer, output)
        self.report.untranslated_words.extend(checks.leftover_english_words(output, source))
        return output

    def _enforce_glossary(self, source: str, output: str, source_lang: str) -> str:
        report = self.glossary.check_output(source, output, source_lang)
        if report.misses:
            output = self._repair_terms(report, output, source_lang)
            report = self.glossary.check_output(source, output, source_lang)
        if report.misses and source_lang == "en":
            retry = self._retry_with_marked_terms(source, report)
            retry_report = self.glossary.check_output(source, retry, source_lang)
            if retry_report.hit_count > report.hit_count:
                output, report = retry, retry_report
        self.report.glossary_hits += report.hit_count
        self.report.glossary_misses.extend(m.expected for m in report.misses)
        return output

    def _repair_terms(self, report: GlossaryReport, output: str, source_lang: str) -> str:
        present = [c.expected for c in report.checks if c.found]
        for miss in report.misses:
            if miss.source_text in output:
                # The model kept the source-language term: put the glossary rendering in.
                output = output.replace(miss.source_text, miss.expected)
            elif source_lang == "en":
                output = checks.repair_chinese_term(output, miss.expected, present)
        return output

    def _retry_with_marked_terms(self, source: str, report: GlossaryReport) -> str:
        # Terms in 【】 survive a small model's rewriting far more often, and where the
        # model still rewrites one, the brackets say exactly which span to replace.
        marked, matches = self.glossary.apply_to_source(source, "en", mark=("【", "】"))
        self.report.retries += 1
        output = self._ask("en->zh-Hant", marked)
        missing = [m.expected for m in report.misses]
        return checks.fill_marked_terms(output, [m.target for m in matches], missing)


def translate_text(
    gateway: ModelGateway,
    ctx: CallContext,
    text: str,
    target: Target,
    *,
    glossary: Glossary,
    model: str | None = None,
    progress: Progress | None = None,
) -> tuple[str, TranslationReport]:
    """Translate plain text (paragraphs on blank lines are kept)."""
    if not text.strip():
        raise EmptyDocument("there is no text to translate", hint="give some text or a file")
    doc = Document.from_text(text)
    translated, report = translate_document(
        gateway, ctx, doc, target, glossary=glossary, model=model, progress=progress
    )
    return translated.text, report


def translate_document(
    gateway: ModelGateway,
    ctx: CallContext,
    doc: Document,
    target: Target,
    *,
    glossary: Glossary,
    model: str | None = None,
    progress: Progress | None = None,
) -> tuple[Document, TranslationReport]:
    """Translate every string of a document, keeping its structure."""
    if doc.is_empty:
        raise EmptyDocument("the document has no text to translate")
    started = time.perf_counter()
    translator = Translator(gateway, ctx, glossary, target, model=model)
    if target == "zh-Hant":
        # The title and repeated names first, so that every segment renders them one way.
        texts = [t for block in doc.blocks for t in block.texts()]
        terms = document_terms(texts, doc.title, glossary)
        if terms:
            translator.glossary, translator.report.document_terms = document_glossary(
                glossary, terms, translator.translate
            )
    total = sum(len(block.texts()) for block in doc.blocks)
    done = 0

    def step(text: str) -> str:
        nonlocal done
        out = translator.translate(text)
        done += 1
        if progress:
            progress(min(done, total), total)
        return out

    blocks = [b.with_texts([step(t) for t in b.texts()]) for b in doc.blocks]
    title = translator.translate(doc.title) if doc.title else doc.title
    translator.report.seconds = time.perf_counter() - started
    result = Document(blocks, title, doc.source, doc.source_format)
    return result, translator.report
