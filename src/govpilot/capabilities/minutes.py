"""Minutes of a meeting from its transcript; every point cites the moments it was said.

The transcript's segments are numbered [1]..[N] and packed, in order, into stretches that
fit the model's context; each stretch becomes one item of the minutes. The model writes
the item's title, discussion points, decisions and action items (owner, deadline), each
ending with the segment numbers it came from (prompt `minutes`). Lines that copy the
prompt's example or repeat one another are left out. Numbers are checked; a point without
valid ones, or whose segments do not hold at least 30% of its words, is also traced to
the segments it shares most words with; a point with no valid number that can be traced
to none is dropped, so every point has a time range ([00:12:03-00:13:10]) from its first segment's
start to its last one's end.

Templates (`MINUTES_TEMPLATES`): "formal" (a Government meeting: attendance, apologies,
confirmation of the previous minutes, matters arising, the items, action items, next
meeting; what a recording cannot say is marked to be confirmed) and "notes" (items and
action items). Written in 書面語 Traditional Chinese or English, whatever was spoken.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from govpilot.access import CallContext, Permission, authorize
from govpilot.backends.llm import GenerationOptions
from govpilot.backends.speech import SpeechSegment
from govpilot.capabilities.minutes_templates import MinutesTemplate, packaged_templates
from govpilot.capabilities.summarise import (
    SourceParagraph,
    overlap_share,
    parse_points,
    trace_by_overlap,
)
from govpilot.capabilities.transcript_formats import timestamp
from govpilot.documents.model import Block, Document
from govpilot.errors import EmptyDocument, InputError
from govpilot.gateway import ModelGateway
from govpilot.language import detect_language, to_hk_traditional
from govpilot.prompts import load_prompt

CAPABILITY = "minutes"
#: The forms of minutes (files in `templates/minutes/`, see `minutes_templates`).
MINUTES_TEMPLATES = packaged_templates().names()
LANGS = ("en", "zh-Hant")
Progress = Callable[[int, int], None]
_KINDS = {
    "標題": "title",
    "TITLE": "title",
    "決定": "decision",
    "DECISION": "decision",
    "跟進": "action",
    "ACTION": "action",
}
_LABEL = re.compile(r"^\s*(?:[-*•]\s*)?(標題|決定|跟進|TITLE|DECISION|ACTION)\s*[:：]\s*", re.I)
_FIELD = re.compile(r"\s*[|｜]\s*(?:負責|OWNER|限期|DUE)\s*[:：]\s*", re.I)
#: The least share of a point's words its cited segments must hold to count as its source.
SUPPORTED = 0.3
#: Most points one item keeps (a small model can loop; the prompt asks for eight at most).
MAX_POINTS = 12
#: The prompt's own example and format words: a point that copies them is not minuted.
_EXAMPLE_WORDS = (
    "公共圖書館",
    "討論要點",
    "public libraries",
    "a point of the discussion",
    "staffing arrangements",
)
_WORDS = {
    "decisions": ("Decisions", "決定"),
    "tbc": ("[To be confirmed]", "〔待確認〕"),
    "action": ("Action", "工作"),
    "owner": ("Owner", "負責人"),
    "due": ("Due", "限期"),
    "when": ("Said at", "發言時間"),
    "item": ("Item", "議項"),
    "speakers": ("Speakers in the recording", "錄音中的發言者"),
}


@dataclass
class MinutePoint:
    """A discussion point, decision or action item, with the segments it came from."""

    kind: str  # discussion, decision, action
    text: str
    segments: list[int]
    owner: str = ""
    due: str = ""
    traced: bool = False
    #: Its time range as saved (the officer's edits keep it when segments are renumbered).
    start: float | None = None
    end: float | None = None


@dataclass
class MinutesItem:
    title: str
    points: list[MinutePoint] = field(default_factory=list)


@dataclass
class Minutes:
    """The minutes: items of points, each citing transcript segments (1-based)."""

    items: list[MinutesItem]
    segments: list[SpeechSegment]
    lang: str
    template: str
    model_ids: set[str]
    dropped: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any], segments: Sequence[SpeechSegment]) -> Minutes:
        """Minutes as `as_dict` wrote them (and an officer edited them); InputError if the
        shape is wrong. Points keep their saved time ranges."""
        try:
            items = [
                MinutesItem(
                    " ".join(str(item.get("title", "")).split())[:300],
                    [
                        _point_of(p)
                        for p in item.get("points", [])
                        if str(p.get("text", "")).strip()
                    ],
                )
                for item in data.get("items", [])
            ]
            lang, template = str(data.get("lang", "en")), str(data.get("template", "formal"))
        except (AttributeError, TypeError, ValueError) as exc:
            raise InputError(
                "the minutes are not in the expected shape", hint="items with points"
            ) from exc
        if lang not in LANGS or template not in MINUTES_TEMPLATES:
            raise InputError("the minutes' language or template is not known")
        return cls(
            [i for i in items if i.points or i.title],
            [s for s in segments if s.text.strip()],
            lang,
            template,
            set(data.get("model_ids", [])),
            int(data.get("dropped_points", 0)),
        )

    def time_range(self, point: MinutePoint) -> tuple[float, float]:
        if point.start is not None and point.end is not None:
            return point.start, point.end
        chosen = [self.segments[n - 1] for n in point.segments if 0 < n <= len(self.segments)]
        if not chosen:
            return 0.0, 0.0
        return min(s.start for s in chosen), max(s.end for s in chosen)

    def stamp(self, point: MinutePoint) -> str:
        start, end = self.time_range(point)
        return f"[{timestamp(start, separator='')}-{timestamp(end, separator='')}]"

    def points(self) -> list[MinutePoint]:
        return [p for item in self.items for p in item.points]

    def as_dict(self) -> dict[str, object]:
        def point(p: MinutePoint) -> dict[str, object]:
            start, end = self.time_range(p)
            return {
                "kind": p.kind,
                "text": p.text,
                "owner": p.owner,
                "due": p.due,
                "segments": p.segments,
                "start": round(start, 2),
                "end": round(end, 2),
                "traced_by_overlap": p.traced,
            }

        return {
            "lang": self.lang,
            "template": self.template,
            "model_ids": sorted(self.model_ids),
            "dropped_points": self.dropped,
            "items": [
                {"title": i.title, "points": [point(p) for p in i.points]} for i in self.items
            ],
        }

    def as_document(
        self, title: str | None = None, layout: MinutesTemplate | None = None
    ) -> Document:
        """The minutes laid out by their template (`layout`, or the packaged one of their
        form and language): every point with its times, action items as a table."""
        zh = self.lang == "zh-Hant"
        layout = layout or packaged_templates().get(self.template, self.lang)

        def w(key: str) -> str:
            return _WORDS[key][1 if zh else 0]

        blocks = [Block("heading", title or layout.title, level=1)]
        for heading, what in layout.sections:
            blocks.append(Block("heading", heading, level=2))
            if what == "speakers":
                speakers = sorted({s.speaker for s in self.segments if s.speaker})
                if speakers:
                    blocks.append(Block("paragraph", f"{w('speakers')}: {', '.join(speakers)}"))
                blocks.append(Block("paragraph", w("tbc")))
            elif what == "tbc":
                blocks.append(Block("paragraph", w("tbc")))
            elif what == "items":
                blocks += self._item_blocks(w)
            else:
                blocks += self._action_blocks(w)
        return Document(blocks, title=blocks[0].text, source_format="md")

    def _item_blocks(self, w: Callable[[str], str]) -> list[Block]:
        blocks = []
        for n, item in enumerate(self.items, 1):
            blocks.append(Block("heading", f"{w('item')} {n}: {item.title}", level=3))
            for point in item.points:
                if point.kind == "discussion":
                    blocks.append(Block("list_item", f"{point.text} {self.stamp(point)}"))
            for point in (p for p in item.points if p.kind == "decision"):
                blocks.append(
                    Block("paragraph", f"{w('decisions')}: {point.text} {self.stamp(point)}")
                )
        return blocks

    def _action_blocks(self, w: Callable[[str], str]) -> list[Block]:
        actions = [p for p in self.points() if p.kind == "action"]
        if not actions:
            return [Block("paragraph", "—")]
        rows = [(w("action"), w("owner"), w("due"), w("when"))]
        rows += [(p.text, p.owner or w("tbc"), p.due or w("tbc"), self.stamp(p)) for p in actions]
        return [Block("table", rows=tuple(rows))]


def _has_text(point: dict[str, Any]) -> bool:
    return bool(str(point.get("text", "")).strip())


def _point_of(data: dict[str, Any]) -> MinutePoint:
    kind = str(data.get("kind", "discussion"))
    if kind not in ("discussion", "decision", "action"):
        raise ValueError(kind)
    start, end = data.get("start"), data.get("end")
    return MinutePoint(
        kind,
        " ".join(str(data["text"]).split())[:2000],
        [int(n) for n in data.get("segments", [])],
        " ".join(str(data.get("owner", "")).split())[:200],
        " ".join(str(data.get("due", "")).split())[:100],
        bool(data.get("traced_by_overlap", False)),
        float(start) if start is not None else None,
        float(end) if end is not None else None,
    )


def _line(n: int, segment: SpeechSegment) -> str:
    who = f"{segment.speaker}: " if segment.speaker else ""
    return f"[{n}] ({timestamp(segment.start, separator='')}) {who}{segment.text}"


def _pack(lines: list[str], budget: int, count: Callable[[str], int]) -> list[list[int]]:
    """Consecutive line indexes in stretches of at most `budget` tokens."""
    stretches: list[list[int]] = [[]]
    used = 0
    for index, line in enumerate(lines):
        size = count(line)
        if stretches[-1] and used + size > budget:
            stretches.append([])
            used = 0
        stretches[-1].append(index)
        used += size
    return stretches


def parse_item(output: str, allowed: set[int]) -> MinutesItem:
    """One item from the model's lines: TITLE, points, DECISION and ACTION lines."""
    title = ""
    points: list[MinutePoint] = []
    for raw in output.splitlines():
        label = _LABEL.match(raw)
        kind, body = "discussion", raw
        if label:
            word = label.group(1)
            kind, body = _KINDS[word.upper() if word.isascii() else word], raw[label.end() :]
        parsed = parse_points(body, allowed)
        if not parsed:
            continue
        point = parsed[0]
        if kind == "title":
            title = title or point.text
            continue
        owner = due = ""
        if kind == "action":
            parts = _FIELD.split(point.text)
            point.text, owner, due = [*parts, "", ""][:3]
        text = point.text.strip()
        if any(word in text for word in _EXAMPLE_WORDS) or any(p.text == text for p in points):
            continue  # the prompt's example copied, or a line repeated
        points.append(MinutePoint(kind, text, point.refs, owner.strip(), due.strip()))
    return MinutesItem(title, points[:MAX_POINTS])


def _without_speaker(text: str, speakers: set[str | None]) -> str:
    """A copied transcript line's "speaker: " prefix taken off."""
    head, sep, rest = text.partition(":")
    return rest.strip() if sep and head.strip() in speakers and rest.strip() else text


def check_minutes_options(template: str, lang: str | None) -> None:
    """InputError unless `template` is a form of minutes and `lang` (None: as spoken) one
    they are written in."""
    if template not in MINUTES_TEMPLATES:
        raise InputError(
            f"no minutes template {template!r}", hint=f"use one of: {', '.join(MINUTES_TEMPLATES)}"
        )
    if lang is not None and lang not in LANGS:
        raise InputError(f"cannot write minutes in {lang!r}", hint="use en or zh-Hant")


def write_minutes(
    gateway: ModelGateway,
    ctx: CallContext,
    segments: Sequence[SpeechSegment],
    *,
    template: str = "formal",
    lang: str | None = None,
    model: str | None = None,
    progress: Progress | None = None,
) -> Minutes:
    """Minutes of the meeting whose transcript is `segments`."""
    spoken = [s for s in segments if s.text.strip()]
    if not spoken:
        raise EmptyDocument(
            "the transcript is empty: there is nothing to minute",
            hint="check the recording; no speech was heard in it",
        )
    check_minutes_options(template, lang)
    if lang is None:
        sample = " ".join(s.text for s in spoken[:40])
        lang = "en" if detect_language(sample) in ("en", "unknown") else "zh-Hant"
    chosen = gateway.model(model)
    budget = max(300, chosen.capabilities.context_tokens // 2 - 400)
    lines = [_line(n, s) for n, s in enumerate(spoken, 1)]
    sources = [
        SourceParagraph(n, s.text, "transcript", None, None) for n, s in enumerate(spoken, 1)
    ]
    stretches = _pack(lines, budget, chosen.count_tokens)
    items: list[MinutesItem] = []
    model_ids: set[str] = set()
    dropped = 0
    for done, stretch in enumerate(stretches, 1):
        allowed = {i + 1 for i in stretch}
        messages = load_prompt("minutes").render(
            text="\n".join(lines[i] for i in stretch), lang=lang
        )
        completion = gateway.complete(
            ctx, messages, GenerationOptions(max_tokens=500, temperature=0.0), model=model
        )
        model_ids.add(completion.model_id)
        output = to_hk_traditional(completion.text) if lang == "zh-Hant" else completion.text
        item = parse_item(output, allowed)
        local = [sources[i] for i in stretch]
        speakers = {spoken[i].speaker for i in stretch if spoken[i].speaker}
        kept: list[MinutePoint] = []
        for point in item.points:
            point.text = _without_speaker(point.text, speakers)
            cited = " ".join(spoken[n - 1].text for n in point.segments)
            if not point.segments or overlap_share(point.text, cited) < SUPPORTED:
                # No numbers, or numbers whose segments do not say it: add the ones that do
                # (a decision cited where it was taken keeps that moment too).
                found = trace_by_overlap(point.text, local)
                point.segments = sorted(set(point.segments) | set(found))
                point.traced = bool(found)
            if point.segments:
                kept.append(point)
            else:
                dropped += 1
        item.points = kept
        if not item.title:
            start = spoken[stretch[0]].start
            item.title = timestamp(start, separator="")
        if kept:
            items.append(item)
        if progress is not None:
            progress(done, len(stretches))
    return Minutes(items, spoken, lang, template, model_ids, dropped)


@dataclass(frozen=True)
class MinutesWriter:
    """Minutes for the CLI, API, web and jobs: authorised, named "minutes" in the audit."""

    gateway: ModelGateway

    def __call__(
        self,
        ctx: CallContext,
        segments: Sequence[SpeechSegment],
        *,
        template: str = "formal",
        lang: str | None = None,
        model: str | None = None,
        progress: Progress | None = None,
    ) -> Minutes:
        ctx = replace(ctx, capability=CAPABILITY)
        authorize(ctx, Permission.USE_COPILOT)
        return write_minutes(
            self.gateway,
            ctx,
            segments,
            template=template,
            lang=lang,
            model=model,
            progress=progress,
        )
