"""Small inline SVG charts for the dashboard: no JavaScript, no library. Django-free.

Each chart is an <svg role="img"> with a <title> and a <desc> that states every value in words, so a screen
reader gets the same information; the page shows the same figures in a table next to it as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["bar_chart", "line_chart"]

_WIDTH = 440  # a narrow drawing: scaled to a 360 px phone its 14-unit labels stay about 11 px
_BAR_HEIGHT = 22
_LABEL_WIDTH = 150
_VALUE_WIDTH = 64


def _fit(text: str, size: float, room: float) -> str:
    """Attributes that squeeze a label into `room` when it would run longer (a full-width character is one em)."""
    width = sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)
    if width <= room:
        return ""
    return f' textLength="{room:.0f}" lengthAdjust="spacingAndGlyphs"'


def _number(value: float) -> str:
    return f"{value:.1f}" if value % 1 else f"{int(value)}"


def bar_chart(
    chart_id: str, title: str, items: Sequence[tuple[str, float]], *, unit: str = "%", maximum: float = 100.0
) -> str:
    """Horizontal bars, one per (label, value); values are scaled to `maximum` (100 for percentages)."""
    top = max([maximum, *(value for _, value in items)]) or 1.0
    height = max(1, len(items)) * (_BAR_HEIGHT + 6) + 6
    span = _WIDTH - _LABEL_WIDTH - _VALUE_WIDTH
    desc = "、".join(f"{label}: {_number(value)}{unit}" for label, value in items) or "データなし"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="100%" '
        f'viewBox="0 0 {_WIDTH} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for row, (label, value) in enumerate(items):
        y = 6 + row * (_BAR_HEIGHT + 6)
        width = round(span * max(0.0, value) / top, 1)
        parts.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" font-size="14"'
            f"{_fit(label, 14, _LABEL_WIDTH - 12)}>{escape(label)}</text>"
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{width}" height="{_BAR_HEIGHT}" fill="#1d5fa8"/>'
            f'<text x="{_LABEL_WIDTH + width + 6}" y="{y + 16}" font-size="14">{_number(value)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(chart_id: str, title: str, points: Sequence[tuple[str, float]], *, unit: str = "%") -> str:
    """A line over days (label, value in 0..100), with the first and last day labelled on the axis."""
    width, height, left, bottom, top = _WIDTH, 220, 48, 30, 12
    plot_w, plot_h = width - left - 12, height - bottom - top
    desc = "、".join(f"{label}: {_number(value)}{unit}" for label, value in points) or "データなし"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="100%" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for tick in (0, 50, 100):
        y = top + plot_h - plot_h * tick / 100
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y}" y2="{y}" stroke="#ccc"/>'
            f'<text x="{left - 6}" y="{y + 5}" text-anchor="end" font-size="13">{tick}{escape(unit)}</text>'
        )
    if points:
        step = plot_w / max(1, len(points) - 1)
        coords = [
            (round(left + i * step, 1), round(top + plot_h - plot_h * min(100.0, max(0.0, v)) / 100, 1))
            for i, (_, v) in enumerate(points)
        ]
        path = " ".join(f"{x},{y}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1d5fa8" stroke-width="3"/>')
        parts.extend(f'<circle cx="{x}" cy="{y}" r="3.5" fill="#1d5fa8"/>' for x, y in coords)
        parts.append(
            f'<text x="{left}" y="{height - 8}" font-size="13">{escape(points[0][0])}</text>'
            f'<text x="{left + plot_w}" y="{height - 8}" text-anchor="end" font-size="13">'
            f"{escape(points[-1][0])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
