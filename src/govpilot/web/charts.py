"""Bar and line charts drawn on the server as inline SVG: no JavaScript, nothing to fetch.

Every chart is a `<figure>` holding an SVG with a `<title>` and a `<desc>` (what screen
readers announce), labelled axes, a legend when there are several series, and the same
figures as a `<table>` in a `<details>` element, for people who cannot see the chart and for
copying numbers. Callers pass text already translated; everything is escaped here.

    chart = bar_chart("Questions per day", [Series("Questions", points)],
                      x_label="Day", y_label="Questions", table_label="Data table")
    {{ chart }}   # in a template: a Markup object, inserted as is
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Series", "bar_chart", "line_chart", "nice_ceiling"]

#: Colours that stay apart for the common kinds of colour blindness (Okabe-Ito).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")
_WIDTH, _HEIGHT = 640, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 12, 12, 44
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    """One named row of values, one per x label (in the order of the labels)."""

    name: str
    values: Sequence[float]


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _chart_id() -> str:
    return f"chart-{next(_ids)}"


class _Frame:
    """The plot area and the mapping from values and positions to SVG coordinates."""

    def __init__(self, count: int, top: float, width: int, height: int) -> None:
        self.count = max(count, 1)
        # Counts: never a scale below 5, so small figures get whole-number ticks.
        self.top = nice_ceiling(max(top, 5))
        lead = round(self.top / 10 ** math.floor(math.log10(self.top)))
        self.intervals = 4 if lead == 2 else 5
        self.width, self.height = width, height
        self.plot_w = width - _LEFT - _RIGHT
        self.plot_h = height - _TOP - _BOTTOM

    def y(self, value: float) -> float:
        return _TOP + self.plot_h * (1 - value / self.top)

    def slot(self) -> float:
        return self.plot_w / self.count

    def x_centre(self, index: int) -> float:
        return _LEFT + self.slot() * (index + 0.5)


def _axes(frame: _Frame, labels: Sequence[str], x_label: str, y_label: str) -> list[str]:
    parts = ['<g class="chart-axes" font-size="11" fill="#333">']
    for i in range(frame.intervals + 1):  # gridlines and y ticks at round values
        value = frame.top * i / frame.intervals
        y = frame.y(value)
        parts.append(
            f'<line x1="{_LEFT}" x2="{frame.width - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_number(value)}</text>'
        )
    every = max(1, math.ceil(len(labels) / 10))  # at most about ten labels under the axis
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text x="{frame.x_centre(i):.1f}" y="{frame.height - _BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    base = frame.y(0)
    parts.append(
        f'<line x1="{_LEFT}" x2="{frame.width - _RIGHT}" y1="{base:.1f}" y2="{base:.1f}" '
        f'stroke="#333" stroke-width="1"/>'
        f'<text class="chart-x-label" x="{_LEFT + frame.plot_w / 2:.1f}" '
        f'y="{frame.height - 6}" text-anchor="middle">{escape(x_label)}</text>'
        f'<text class="chart-y-label" x="12" y="{_TOP + frame.plot_h / 2:.1f}" '
        f'text-anchor="middle" transform="rotate(-90 12 {_TOP + frame.plot_h / 2:.1f})">'
        f"{escape(y_label)}</text></g>"
    )
    return parts


def _legend(series: Sequence[Series]) -> str:
    if len(series) < 2:
        return ""
    items = "".join(
        # An SVG swatch, not a style attribute: the pages' CSP allows no inline styles.
        f'<li><svg class="chart-swatch" width="12" height="12" aria-hidden="true">'
        f'<rect width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/></svg>'
        f"{escape(s.name)}</li>"
        for i, s in enumerate(series)
    )
    return f'<ul class="chart-legend">{items}</ul>'


def _table(
    labels: Sequence[str], series: Sequence[Series], x_label: str, caption: str, summary: str
) -> str:
    head = "".join(f'<th scope="col">{escape(s.name)}</th>' for s in series)
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(f"<td>{_number(s.values[i])}</td>" for s in series)
        + "</tr>"
        for i, label in enumerate(labels)
    )
    return (
        f'<details class="chart-data"><summary>{escape(summary)}</summary>'
        f'<table class="data"><caption>{escape(caption)}</caption>'
        f'<thead><tr><th scope="col">{escape(x_label)}</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></details>"
    )


def _describe(labels: Sequence[str], series: Sequence[Series], y_label: str) -> str:
    if not labels:
        return "—"
    # Words from the caller only (they are translated); the table has every figure.
    span = labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"
    return "; ".join(f"{s.name}, {span}: {_number(sum(s.values))} {y_label}" for s in series)


def _figure(
    kind: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    body: list[str],
    x_label: str,
    table_label: str,
    frame: _Frame,
    y_label: str,
) -> Markup:
    chart_id = _chart_id()
    svg = (
        f'<svg class="chart-svg" role="img" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(_describe(labels, series, y_label))}</desc>'
        + "".join(body)
        + "</svg>"
    )
    return Markup(
        f'<figure class="chart chart-{kind}" id="{chart_id}">'
        f'<figcaption class="chart-title">{escape(title)}</figcaption>'
        f"{svg}{_legend(series)}{_table(labels, series, x_label, title, table_label)}</figure>"
    )


def _check(labels: Sequence[str], series: Sequence[Series]) -> None:
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(
                f"series {s.name!r} has {len(s.values)} values for {len(labels)} labels"
            )


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    x_label: str,
    y_label: str,
    table_label: str = "Data table",
    width: int = _WIDTH,
    height: int = _HEIGHT,
) -> Markup:
    """Bars per label, several series stacked (e.g. answered on top of handed over)."""
    _check(labels, series)
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    frame = _Frame(len(labels), max(totals, default=0), width, height)
    body = _axes(frame, labels, x_label, y_label)
    bar_w = max(1.0, frame.slot() * 0.7)
    for i, label in enumerate(labels):
        base = 0.0
        for n, s in enumerate(series):
            value = s.values[i]
            if value <= 0:
                continue
            y_top, y_bottom = frame.y(base + value), frame.y(base)
            body.append(
                f'<rect class="chart-bar" x="{frame.x_centre(i) - bar_w / 2:.1f}" '
                f'y="{y_top:.1f}" width="{bar_w:.1f}" height="{y_bottom - y_top:.1f}" '
                f'fill="{PALETTE[n % len(PALETTE)]}"><title>{escape(label)}: '
                f"{escape(s.name)} {_number(value)}</title></rect>"
            )
            base += value
    return _figure("bar", title, labels, series, body, x_label, table_label, frame, y_label)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    x_label: str,
    y_label: str,
    table_label: str = "Data table",
    width: int = _WIDTH,
    height: int = _HEIGHT,
) -> Markup:
    """One line per series (e.g. one per department), a dot at each value."""
    _check(labels, series)
    top = max((max(s.values, default=0) for s in series), default=0)
    frame = _Frame(len(labels), top, width, height)
    body = _axes(frame, labels, x_label, y_label)
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = [(frame.x_centre(i), frame.y(v)) for i, v in enumerate(s.values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(
            f'<g class="chart-line"><polyline points="{path}" fill="none" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        for (x, y), label, value in zip(points, labels, s.values, strict=True):
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(label)}: {escape(s.name)} {_number(value)}</title></circle>"
            )
        body.append("</g>")
    return _figure("line", title, labels, series, body, x_label, table_label, frame, y_label)
