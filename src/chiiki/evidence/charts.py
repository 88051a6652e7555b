"""Inline SVG charts of the evidence pages: no JavaScript, no library. Django-free.

As in `chiiki.fieldwork.charts`, every chart is an <svg role="img"> with a <title> and a <desc> that states
its values in words; the page shows the same figures in a table under it. Series differ by colour *and* by
line pattern or label, so the charts read without colour too.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["cumulative_chart", "grouped_bars"]

# Drawn narrow, so that scaled to a 360 px phone the labels stay readable (about 10 px); on wide screens the
# figure is limited to 32rem (chart--small).
_WIDTH = 480
_LABEL_W = 160  # the label column of grouped_bars
_FONT = 14
# Colours with at least 3:1 contrast on white, told apart by dash pattern as well.
_SERIES = (("#1d5fa8", ""), ("#b3541e", "6 3"), ("#2e7d32", "2 3"), ("#6a1b9a", "10 3 2 3"))


def _n(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def _text_width(text: str, size: float) -> float:
    """Roughly how wide a text runs: a full-width character is one em, anything else about 0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def _fit(text: str, size: float, room: float) -> str:
    """Attributes that squeeze a text into `room` when it would run longer, so no label is ever clipped."""
    if _text_width(text, size) <= room:
        return ""
    return f' textLength="{room:.0f}" lengthAdjust="spacingAndGlyphs"'


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions as close to `wanted` as possible, at least `gap` apart and within low..high (labels never overlap)."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0.0] * len(wanted)
    floor = low
    for i in order:
        placed[i] = max(wanted[i], floor)
        floor = placed[i] + gap
    overflow = (floor - gap) - high
    if overflow > 0:
        placed = [p - overflow for p in placed]
    return placed


def cumulative_chart(
    chart_id: str,
    title: str,
    days: Sequence[int],
    series: Sequence[tuple[str, Sequence[float]]],
    markers: Sequence[tuple[int, str]] = (),
    *,
    unit: str = "%",
) -> str:
    """Lines over days (values 0..100), with labelled vertical markers (reminders, start of visits)."""
    width, height, left, right, top, bottom = _WIDTH, 280, 52, 150, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    last = max(1, max(days, default=1))

    def x(day: float) -> float:
        return round(left + plot_w * day / last, 1)

    def y(value: float) -> float:
        return round(top + plot_h - plot_h * min(100.0, max(0.0, value)) / 100, 1)

    parts_desc = []
    for name, values in series:
        if values:
            parts_desc.append(f"{name}: 最終 {_n(values[-1])}{unit}")
    parts_desc += [f"{label}: {day}日目" for day, label in markers]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="100%" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape("、".join(parts_desc) or "データなし")}</desc>',
    ]
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick)}" y2="{y(tick)}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y(tick) + 5}" text-anchor="end" font-size="{_FONT}">{tick}{escape(unit)}</text>'
        )
    for row, (day, label) in enumerate(markers):
        # Each marker's label on its own line, running leftwards near the right edge: none overlaps another.
        anchor, dx = ("end", -3) if x(day) > left + plot_w * 0.6 else ("start", 3)
        parts.append(
            f'<line x1="{x(day)}" x2="{x(day)}" y1="{top}" y2="{top + plot_h}" stroke="#555" stroke-dasharray="3 3"/>'
            f'<text x="{x(day) + dx}" y="{top + 14 + 17 * row}" font-size="{_FONT}" text-anchor="{anchor}" '
            f'stroke="#fff" stroke-width="3" paint-order="stroke">{escape(label)}</text>'
        )
    ends = _spread(
        [y(values[-1]) + 5 for _, values in series if values], _FONT + 3, top + 10, top + plot_h + 5
    )
    for index, (name, values) in enumerate(series):
        colour, dash = _SERIES[index % len(_SERIES)]
        points = " ".join(f"{x(d)},{y(v)}" for d, v in zip(days, values, strict=False))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
        )
        if values:
            text = f"{name} {_n(values[-1])}{unit}"
            parts.append(
                f'<text x="{left + plot_w + 6}" y="{ends.pop(0):.1f}" font-size="{_FONT}" fill="{colour}"'
                f"{_fit(text, _FONT, right - 10)}>{escape(text)}</text>"
            )
    parts.append(
        f'<text x="{left}" y="{height - 10}" font-size="{_FONT}">0日目</text>'
        f'<text x="{left + plot_w}" y="{height - 10}" text-anchor="end" font-size="{_FONT}">{last}日目</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    unit: str = "",
    digits: int = 1,
) -> str:
    """Horizontal bars, one group per label and one bar per series; negative values go left of zero."""
    bar, gap, label_w, value_w = 16, 12, _LABEL_W, 64
    values = [v for _, vs in series for v in vs if v is not None]
    low = min([0.0, *values])
    high = max([0.0, *values]) or 1.0
    span = (high - low) or 1.0
    # Negative values print their figure left of the bar: keep that room clear of the labels.
    plot_left = label_w + (value_w if low < 0 else 0)
    plot_w = _WIDTH - plot_left - value_w
    group_h = bar * len(series) + gap
    legend, legend_h = _legend(series, label_w)
    height = legend_h + len(labels) * group_h + 8

    def x(value: float) -> float:
        return round(plot_left + plot_w * (value - low) / span, 1)

    desc = []
    for i, label in enumerate(labels):
        figures = [f"{name} {'—' if (v := vs[i]) is None else _n(v, digits)}{unit}" for name, vs in series]
        desc.append(f"{label}: " + "、".join(figures))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="100%" '
        f'viewBox="0 0 {_WIDTH} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape("。".join(desc) or "データなし")}</desc>',
    ]
    parts.extend(legend)
    zero = x(0.0)
    parts.append(f'<line x1="{zero}" x2="{zero}" y1="{legend_h}" y2="{height - 4}" stroke="#333"/>')
    for i, label in enumerate(labels):
        top = legend_h + i * group_h
        parts.append(
            f'<text x="{label_w - 8}" y="{top + bar * len(series) / 2 + 4}" text-anchor="end" '
            f'font-size="{_FONT}"{_fit(label, _FONT, label_w - 12)}>{escape(label)}</text>'
        )
        for index, (name, vs) in enumerate(series):
            value = vs[i]
            if value is None:
                continue
            colour, _dash = _SERIES[index % len(_SERIES)]
            start, end = sorted((zero, x(value)))
            y = top + index * bar
            parts.append(
                f'<rect x="{start}" y="{y}" width="{round(max(0.5, end - start), 1)}" height="{bar - 2}" '
                f'fill="{colour}"><title>{escape(name)}: {_n(value, digits)}{escape(unit)}</title></rect>'
            )
            text_x = end + 4 if value >= 0 else start - 4
            anchor = "start" if value >= 0 else "end"
            parts.append(
                f'<text x="{text_x}" y="{y + bar - 4}" text-anchor="{anchor}" font-size="{_FONT - 1}">'
                f"{_n(value, digits)}{escape(unit)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: Sequence[tuple[str, Sequence[float | None]]], left: float) -> tuple[list[str], float]:
    """Legend entries in rows that wrap inside the chart's width; returns the parts and the height they take."""
    parts: list[str] = []
    x, row = left, 0
    for index, (name, _values) in enumerate(series):
        colour, _dash = _SERIES[index % len(_SERIES)]
        needed = 16 + _text_width(name, _FONT) + 20
        if x > left and x + needed > _WIDTH:
            x, row = left, row + 1
        y = 4 + row * 20
        parts.append(
            f'<rect x="{x:.0f}" y="{y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16:.0f}" y="{y + 12}" font-size="{_FONT}">{escape(name)}</text>'
        )
        x += needed
    return parts, 24 + row * 20
