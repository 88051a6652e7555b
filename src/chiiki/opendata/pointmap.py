"""A map of points as inline SVG, with no tiles and no internet: the points' bounding box, a graticule, and
labels at the prefectural offices that fall inside the box."""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Approximate positions of the 47 prefectural government offices (latitude, longitude), used only as labels.
PREFECTURE_OFFICES: dict[str, tuple[float, float]] = {
    "北海道": (43.06, 141.35), "青森県": (40.82, 140.74), "岩手県": (39.70, 141.15), "宮城県": (38.27, 140.87),
    "秋田県": (39.72, 140.10), "山形県": (38.24, 140.36), "福島県": (37.75, 140.47), "茨城県": (36.34, 140.45),
    "栃木県": (36.57, 139.88), "群馬県": (36.39, 139.06), "埼玉県": (35.86, 139.65), "千葉県": (35.61, 140.12),
    "東京都": (35.69, 139.69), "神奈川県": (35.45, 139.64), "新潟県": (37.90, 139.02), "富山県": (36.70, 137.21),
    "石川県": (36.59, 136.63), "福井県": (36.07, 136.22), "山梨県": (35.66, 138.57), "長野県": (36.65, 138.18),
    "岐阜県": (35.39, 136.72), "静岡県": (34.98, 138.38), "愛知県": (35.18, 136.91), "三重県": (34.73, 136.51),
    "滋賀県": (35.00, 135.87), "京都府": (35.02, 135.76), "大阪府": (34.69, 135.52), "兵庫県": (34.69, 135.18),
    "奈良県": (34.69, 135.83), "和歌山県": (34.23, 135.17), "鳥取県": (35.50, 134.24), "島根県": (35.47, 133.05),
    "岡山県": (34.66, 133.93), "広島県": (34.40, 132.46), "山口県": (34.19, 131.47), "徳島県": (34.07, 134.56),
    "香川県": (34.34, 134.04), "愛媛県": (33.84, 132.77), "高知県": (33.56, 133.53), "福岡県": (33.61, 130.42),
    "佐賀県": (33.25, 130.30), "長崎県": (32.74, 129.87), "熊本県": (32.79, 130.74), "大分県": (33.24, 131.61),
    "宮崎県": (31.91, 131.42), "鹿児島県": (31.56, 130.56), "沖縄県": (26.21, 127.68),
}  # fmt: skip


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float
    label: str = ""


# Room outside the frame for the axis labels, so no label sits on the frame or on another label.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 96, 16, 16, 40
AXIS_FONT, NAME_FONT = 18, 20
MIN_LABEL_GAP = 100  # viewBox units between the centres of two longitude labels


@dataclass(frozen=True)
class _Frame:
    """The projection of the padded bounding box onto the drawing area."""

    lat0: float
    lat1: float
    lon0: float
    lon1: float
    kx: float
    scale: float
    ox: float
    oy: float

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return self.ox + (lon - self.lon0) * self.kx * self.scale, self.oy + (self.lat1 - lat) * self.scale


def _frame(inside: list[Point], width: int, height: int) -> _Frame:
    lat0, lat1 = min(p.lat for p in inside), max(p.lat for p in inside)
    lon0, lon1 = min(p.lon for p in inside), max(p.lon for p in inside)
    pad_lat = max((lat1 - lat0) * 0.08, 0.02)
    pad_lon = max((lon1 - lon0) * 0.08, 0.02)
    lat0, lat1, lon0, lon1 = lat0 - pad_lat, lat1 + pad_lat, lon0 - pad_lon, lon1 + pad_lon
    # Equirectangular with cos(latitude) so distances look right at this scale.
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    span_x, span_y = (lon1 - lon0) * kx, lat1 - lat0
    inner_w, inner_h = width - MARGIN_LEFT - MARGIN_RIGHT, height - MARGIN_TOP - MARGIN_BOTTOM
    scale = min(inner_w / span_x, inner_h / span_y)
    ox = MARGIN_LEFT + (inner_w - span_x * scale) / 2
    oy = MARGIN_TOP + (inner_h - span_y * scale) / 2
    return _Frame(lat0, lat1, lon0, lon1, kx, scale, ox, oy)


def _graticule(f: _Frame) -> list[str]:
    """Grid lines, latitudes labelled left of the frame and longitudes under it, never overlapping."""
    parts: list[str] = []
    step = _grid_step(max(f.lat1 - f.lat0, f.lon1 - f.lon0))
    grid = math.ceil(f.lat0 / step) * step
    while grid < f.lat1:
        x0, y = f.xy(grid, f.lon0)
        x1, _ = f.xy(grid, f.lon1)
        parts.append(
            f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x1:.1f}" y2="{y:.1f}" stroke="#ccd" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{x0 - 6:.1f}" y="{y + 6:.1f}" font-size="{AXIS_FONT}" fill="#555" '
            f'text-anchor="end">{grid:.2f}°N</text>'
        )
        grid += step
    grid = math.ceil(f.lon0 / step) * step
    last_label = -math.inf
    while grid < f.lon1:
        x, y0 = f.xy(f.lat1, grid)
        _, y1 = f.xy(f.lat0, grid)
        parts.append(
            f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y1:.1f}" stroke="#ccd" stroke-width="0.5"/>'
        )
        if x - last_label >= MIN_LABEL_GAP:
            parts.append(
                f'<text x="{x:.1f}" y="{y1 + AXIS_FONT + 6:.1f}" font-size="{AXIS_FONT}" fill="#555" '
                f'text-anchor="middle">{grid:.2f}°E</text>'
            )
            last_label = x
        grid += step
    return parts


def render(points: list[Point], *, width: int = 640, height: int = 480, title: str = "") -> str:
    """An accessible SVG of the points (empty string when there is none)."""
    inside = [p for p in points if 20 <= p.lat <= 46 and 122 <= p.lon <= 154]
    if not inside:
        return ""
    f = _frame(inside, width, height)
    right, bottom = f.xy(f.lat0, f.lon1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="map-title" class="point-map">',
        f'<title id="map-title">{escape(title or "地点の地図")}（{len(inside)} 地点）</title>',
        f'<rect x="{f.ox:.1f}" y="{f.oy:.1f}" width="{right - f.ox:.1f}" height="{bottom - f.oy:.1f}" '
        'fill="#f4f7fb" stroke="#555" stroke-width="1"/>',
        *_graticule(f),
    ]
    radius = 3 if len(inside) < 500 else 1.5
    for p in inside[:20_000]:
        x, y = f.xy(p.lat, p.lon)
        tip = f"<title>{escape(p.label)}</title>" if p.label else ""
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="#c0392b" fill-opacity="0.75">{tip}</circle>'
        )
    for name, (lat, lon) in PREFECTURE_OFFICES.items():
        if f.lat0 <= lat <= f.lat1 and f.lon0 <= lon <= f.lon1:
            x, y = f.xy(lat, lon)
            # A name near the right edge runs leftwards, so it stays inside the picture.
            anchor, dx = ("end", -6) if x > width * 0.6 else ("start", 6)
            parts.append(f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="#1f4e79"/>')
            parts.append(
                f'<text x="{x + dx:.1f}" y="{y + 6:.1f}" font-size="{NAME_FONT}" fill="#1f4e79" text-anchor="{anchor}" '
                f'stroke="#fff" stroke-width="3" paint-order="stroke">{escape(name)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _grid_step(span: float) -> float:
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0):
        if span / step <= 8:
            return step
    return 5.0
