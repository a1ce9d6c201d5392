"""Summarise or consolidate one or several documents into one summary with references.

Source paragraphs are numbered [1]..[N] across all documents. The model writes bullet
points that end with the numbers they came from; numbers are validated, and a point
without valid ones is traced to the source paragraphs it overlaps most. Text longer than
the model's context is summarised in stages (map, then reduce), carrying numbers along.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from govpilot.access import CallContext
from govpilot.backends.llm import GenerationOptions
from govpilot.documents.model import Block, Document
from govpilot.errors import EmptyDocument, InputError
from govpilot.gateway import ModelGateway
from govpilot.language import detect_language, to_hk_traditional
from govpilot.prompts import load_prompt

Progress = Callable[[int, int], None]
LANGS = ("en", "zh-Hant")
_REF = re.compile(r"\[(\d+(?:\s*[,，、-]\s*\d+)*)\]")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)、])\s*")


@dataclass(frozen=True)
class SourceParagraph:
    """A numbered paragraph of the input, with where it came from."""

    number: int
    text: str
    document: str
    page: int | None
    heading: str | None

    def citation(self) -> str:
        place = f", p. {self.page}" if self.page else ""
        section = f", {self.heading}" if self.heading else ""
        return f"[{self.number}] {self.document}{section}{place}"


@dataclass
class SummaryPoint:
    text: str
    refs: list[int] = field(default_factory=list)
    traced: bool = False  # True when refs were inferred by overlap, not given by the model


@dataclass
class Summary:
    """The summary: points with references into the numbered source paragraphs."""

    points: list[SummaryPoint]
    sources: list[SourceParagraph]
    lang: str
    stages: int
    model_ids: set[str]

    def as_document(self, title: str | None = None) -> Document:
        """Points as a list, then a references section naming each cited paragraph."""
        zh = self.lang == "zh-Hant"
        blocks = [Block("heading", title or ("摘要" if zh else "Summary"), level=1)]
        for point in self.points:
            refs = "".join(f"[{n}]" for n in point.refs)
            blocks.append(Block("list_item", f"{point.text} {refs}".strip()))
        cited = sorted({n for p in self.points for n in p.refs})
        if cited:
            blocks.append(Block("heading", "參考段落" if zh else "References", level=2))
            by_number = {s.number: s for s in self.sources}
            for n in cited:
                source = by_number[n]
                excerpt = source.text[:160] + ("…" if len(source.text) > 160 else "")
                blocks.append(Block("paragraph", f"{source.citation()}: {excerpt}"))
        return Document(blocks, title=blocks[0].text, source_format="md")

    def as_dict(self) -> dict[str, object]:
        by_number = {s.number: s for s in self.sources}
        return {
            "lang": self.lang,
            "stages": self.stages,
            "model_ids": sorted(self.model_ids),
            "points": [
                {
                    "text": p.text,
                    "traced_by_overlap": p.traced,
                    "references": [
                        {
                            "number": n,
                            "document": by_number[n].document,
                            "page": by_number[n].page,
                            "heading": by_number[n].heading,
                            "text": by_number[n].text,
                        }
                        for n in p.refs
                    ],
                }
                for p in self.points
            ],
        }


def number_paragraphs(docs: Sequence[Document]) -> list[SourceParagraph]:
    """Every paragraph, list item and table of the inputs, numbered from 1."""
    out: list[SourceParagraph] = []
    for index, doc in enumerate(docs, 1):
        name = doc.source or doc.title or f"document {index}"
        heading: str | None = None
        for block in doc.blocks:
            if block.kind == "heading":
                heading = block.text
                continue
            text = block.plain_text.strip()
            if text:
                out.append(SourceParagraph(len(out) + 1, text, name, block.page, heading))
    return out


def summarise_documents(
    gateway: ModelGateway,
    ctx: CallContext,
    docs: Sequence[Document],
    *,
    lang: str | None = None,
    words: int = 200,
    model: str | None = None,
    progress: Progress | None = None,
) -> Summary:
    """One summary of all `docs`, about `words` long (English words; Chinese: 1.5 chars each)."""
    sources = number_paragraphs(docs)
    if not sources:
        raise EmptyDocument("there is nothing to summarise", hint="give a document with text")
    if words < 20:
        raise InputError("the length target is too short", hint="ask for at least 20 words")
    if lang is None:
        sample = " ".join(s.text for s in sources[:20])
        lang = "en" if detect_language(sample) in ("en", "mixed", "unknown") else "zh-Hant"
    if lang not in LANGS:
        raise InputError(f"cannot summarise in {lang!r}", hint="use --lang en or --lang zh-Hant")
    chosen = gateway.model(model)
    budget = max(400, chosen.capabilities.context_tokens // 2 - 300)
    summariser = _Summariser(gateway, ctx, lang, model)
    units = [(f"[{s.number}] {s.text}", [s.number]) for s in sources]
    stages = 0
    while True:
        stages += 1
        batches = _pack(units, budget, chosen.count_tokens)
        final = len(batches) == 1
        target = words if final else max(60, words // 2)
        points: list[SummaryPoint] = []
        for i, batch in enumerate(batches, 1):
            allowed = sorted({n for _, refs in batch for n in refs})
            points.extend(summariser.run("\n".join(t for t, _ in batch), target, allowed))
            if progress:
                progress(i, len(batches))
        if final or stages >= 4:
            break
        units = [(f"{p.text} " + "".join(f"[{n}]" for n in p.refs), p.refs) for p in points]
    points = _fit_length(points, words, lang)
    for point in points:
        if not point.refs:
            point.refs, point.traced = trace_by_overlap(point.text, sources), True
    return Summary(points, sources, lang, stages, summariser.model_ids)


class _Summariser:
    def __init__(self, gateway: ModelGateway, ctx: CallContext, lang: str, model: str | None):
        self.gateway, self.ctx, self.lang, self.model = gateway, ctx, lang, model
        self.model_ids: set[str] = set()

    def run(self, text: str, words: int, allowed: list[int]) -> list[SummaryPoint]:
        messages = load_prompt("summarise").render(text=text, words=words, lang=self.lang)
        completion = self.gateway.complete(
            self.ctx,
            messages,
            GenerationOptions(max_tokens=min(1200, words * 4 + 100)),
            model=self.model,
        )
        self.model_ids.add(completion.model_id)
        output = completion.text
        if self.lang == "zh-Hant":
            output = to_hk_traditional(output)
        return parse_points(output, set(allowed))


def parse_points(output: str, allowed: set[int]) -> list[SummaryPoint]:
    """Bullet points with their [n] references; unknown numbers are dropped."""
    points = []
    for raw in output.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        refs: list[int] = []
        for group in _REF.findall(line):
            for part in re.split(r"\s*[,，、]\s*", group):
                if "-" in part:
                    lo, hi = (int(x) for x in part.split("-", 1))
                    refs.extend(range(lo, min(hi, lo + 20) + 1))
                else:
                    refs.append(int(part))
        text = _BULLET.sub("", _REF.sub("", line)).strip(" ：:")
        if len(text) < 2:
            continue
        points.append(SummaryPoint(text, sorted({n for n in refs if n in allowed})))
    return points


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", " ", text.lower())
    words = re.findall(r"[a-z0-9]+", text)
    cjk = re.sub(r"[^\u3400-\u9fff]", "", text)
    return set(words) | {cjk[i : i + 2] for i in range(len(cjk) - 1)}


def overlap_share(point: str, text: str) -> float:
    """The share of a point's words / character bigrams that `text` also has (0 to 1)."""
    wanted = _bigrams(point)
    return len(wanted & _bigrams(text)) / len(wanted) if wanted else 0.0


def trace_by_overlap(point: str, sources: Sequence[SourceParagraph], top: int = 2) -> list[int]:
    """Source paragraphs that share the most words / character bigrams with a point."""
    wanted = _bigrams(point)
    if not wanted:
        return []
    scored = []
    for source in sources:
        overlap = len(wanted & _bigrams(source.text)) / len(wanted)
        if overlap > 0.15:
            scored.append((overlap, source.number))
    scored.sort(reverse=True)
    return sorted(n for _, n in scored[:top])


def _pack(
    units: list[tuple[str, list[int]]], budget: int, count: Callable[[str], int]
) -> list[list[tuple[str, list[int]]]]:
    batches: list[list[tuple[str, list[int]]]] = [[]]
    used = 0
    for unit in units:
        size = count(unit[0])
        if batches[-1] and used + size > budget:
            batches.append([])
            used = 0
        batches[-1].append(unit)
        used += size
    return batches


def _fit_length(points: list[SummaryPoint], words: int, lang: str) -> list[SummaryPoint]:
    # Keep whole points, in order, while within 120% of the target length.
    def size(text: str) -> float:
        if lang == "zh-Hant":
            return len(re.sub(r"\s", "", text)) / 1.5
        return len(text.split())

    kept: list[SummaryPoint] = []
    total = 0.0
    for point in points:
        total += size(point.text)
        if kept and total > words * 1.2:
            break
        kept.append(point)
    return kept
