"""The help points as an inline SVG map with no tile server: each point placed from its coordinates over a
plain frame, numbered, its name beside it. Django-free.

The frame is the points' bounding box, padded, projected equirectangularly with cos(latitude). Each marker
carries the number the table beside the map uses; names run away from the nearer side edge and are squeezed
with `textLength` when longer than the room left, and a name that would sit on another moves down a line, so
no label is clipped or hidden at any width (the viewBox scales as a whole).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 480, 360
MARGIN = 20
RADIUS = 11
FONT = 14


@dataclass(frozen=True, slots=True)
class Marker:
    number: int
    latitude: float
    longitude: float
    name: str


def _text_width(text: str) -> float:
    """A generous estimate: full-width characters take a whole em, others about 0.6."""
    return sum(FONT if ord(ch) > 0x2E7F else FONT * 0.6 for ch in text)


def _scale_bar(km_per_unit: float, x: float, y: float) -> list[str]:
    """A bar of a round length (100 m, 200 m, 500 m, 1 km …) near a fifth of the width."""
    target = WIDTH / 5 * km_per_unit
    length = next((step for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100) if step >= target * 0.6), 100.0)
    units = length / km_per_unit
    label = f"{length:g} km" if length >= 1 else f"{length * 1000:g} m"
    return [
        f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + units:.1f}" y2="{y:.1f}" stroke="#333" stroke-width="2"/>',
        f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="12" fill="#333">{label}</text>',
    ]


def render(markers: list[Marker], *, title: str) -> str:
    """The SVG (an empty string when there is no point to place)."""
    if not markers:
        return ""
    lat0, lat1 = min(m.latitude for m in markers), max(m.latitude for m in markers)
    lon0, lon1 = min(m.longitude for m in markers), max(m.longitude for m in markers)
    pad = max(lat1 - lat0, lon1 - lon0, 0.01) * 0.12
    lat0, lat1, lon0, lon1 = lat0 - pad, lat1 + pad, lon0 - pad, lon1 + pad
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN - 24
    scale = min(inner_w / ((lon1 - lon0) * kx), inner_h / (lat1 - lat0))
    ox = MARGIN + (inner_w - (lon1 - lon0) * kx * scale) / 2
    oy = MARGIN + (inner_h - (lat1 - lat0) * scale) / 2

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return ox + (lon - lon0) * kx * scale, oy + (lat1 - lat) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="help-map-title" class="help-map">',
        f'<title id="help-map-title">{escape(title)}</title>',
        f'<rect x="1" y="1" width="{WIDTH - 2}" height="{HEIGHT - 2}" fill="#f4f7fb" stroke="#555"/>',
        f'<text x="{WIDTH - MARGIN}" y="{MARGIN + 4}" font-size="{FONT}" fill="#333" text-anchor="end">N ↑</text>',
    ]
    km_per_unit = 111.32 / scale  # one degree of latitude is about 111 km
    parts += _scale_bar(km_per_unit, MARGIN, HEIGHT - MARGIN)
    taken: list[tuple[float, float, float]] = []  # (y, x from, x to) of the names placed so far
    for marker in sorted(markers, key=lambda m: (-m.latitude, m.longitude)):
        x, y = xy(marker.latitude, marker.longitude)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}" fill="#1f4e79" stroke="#fff" stroke-width="2"/>'
            f'<text x="{x:.1f}" y="{y + 5:.1f}" font-size="{FONT}" font-weight="bold" fill="#fff" '
            f'text-anchor="middle">{marker.number}</text>'
        )
        leftwards = x > WIDTH / 2
        room = (x - RADIUS - 4 - 4) if leftwards else (WIDTH - 4 - (x + RADIUS + 4))
        width = min(_text_width(marker.name), room)
        start = x - RADIUS - 4 - width if leftwards else x + RADIUS + 4
        label_y = y + 5
        while any(abs(label_y - ty) < FONT + 2 and start < t1 and start + width > t0 for ty, t0, t1 in taken):
            label_y += FONT + 2
        label_y = min(label_y, HEIGHT - 6)
        taken.append((label_y, start, start + width))
        squeeze = (
            f' textLength="{width:.1f}" lengthAdjust="spacingAndGlyphs"'
            if _text_width(marker.name) > room
            else ""
        )
        parts.append(
            f'<text x="{start:.1f}" y="{label_y:.1f}" font-size="{FONT}" fill="#1f2937" stroke="#fff" '
            f'stroke-width="3" paint-order="stroke"{squeeze}>{escape(marker.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
