"""Boundaries of the municipality and its districts (大字・丁目), read from GeoJSON and drawn under the cells.

Accepted: a FeatureCollection of Polygon/MultiPolygon features in longitude/latitude degrees (JGD2011/WGS 84),
each ring closed (first point = last point, at least 4 points). The name and code of each feature come from the
property the staff name on import, or else the first of these present:

- name: `S_NAME` (e-Stat 小地域), `N03_004` (国土数値情報 N03, the municipality), `CITY_NAME`, `name`, `NAME`,
  `名称`, `district`;
- code: `KEY_CODE` (e-Stat 小地域), `N03_007` (N03), `code`, `CODE`, `district_code`.

A district needs a name; a municipality outline does not. Any bad feature refuses the whole file, naming the
feature (1-based) and the field. Stored coordinates are rounded to 6 decimals (about 0.1 m).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from chiiki.coverage.grid._layers import feature_collection, ring_contains
from chiiki.coverage.grid._points import JAPAN_EAST, JAPAN_NORTH, JAPAN_SOUTH, JAPAN_WEST, in_japan

NAME_PROPERTIES = ("S_NAME", "N03_004", "CITY_NAME", "name", "NAME", "名称", "district")
CODE_PROPERTIES = ("KEY_CODE", "N03_007", "code", "CODE", "district_code")
MAX_FEATURES = 5_000
MAX_POINTS = 2_000_000
_MAX_LISTED = 20

Ring = list[list[float]]
Polygon = list[Ring]


class BoundaryFileError(ValueError):
    """A boundary file refused as a whole; `problems` names each feature and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:_MAX_LISTED]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n…ほか {more} 件" if more else "")
        super().__init__(f"境界のファイルを読み込めません。何も取り込んでいません。\n{text}")


@dataclass(frozen=True, slots=True)
class BoundaryFeature:
    code: str
    name: str
    polygons: list[Polygon]

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "polygons": self.polygons}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BoundaryFeature:
        return cls(str(data["code"]), str(data["name"]), data["polygons"])


def _pick(properties: dict[str, Any], chosen: str, candidates: tuple[str, ...]) -> tuple[str | None, str]:
    """(the property used, its text); the chosen property wins, else the first candidate present."""
    keys = (chosen,) if chosen else candidates
    for key in keys:
        value = properties.get(key)
        if value is not None and str(value).strip():
            return key, str(value).strip()
    return None, ""


def _check_ring(ring: Any, where: str) -> tuple[Ring | None, str]:
    if not isinstance(ring, list) or len(ring) < 4:
        return None, f"{where}: 多角形の輪は 4 点以上にしてください"
    out: Ring = []
    for point in ring:
        if not (
            isinstance(point, list)
            and len(point) >= 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2])
        ):
            return None, f"{where}: 座標「{point}」は [経度, 緯度] の数の組ではありません"
        lon, lat = float(point[0]), float(point[1])
        if not in_japan(lat, lon):
            if in_japan(lon, lat):
                return (
                    None,
                    f"{where}: 座標 [{point[0]}, {point[1]}] は緯度と経度が逆のようです(GeoJSON は [経度, 緯度])",
                )
            return None, (
                f"{where}: 座標 [{point[0]}, {point[1]}] は日本の範囲外です"
                f"(経度 {JAPAN_WEST}〜{JAPAN_EAST}、緯度 {JAPAN_SOUTH}〜{JAPAN_NORTH})"
            )
        out.append([round(lon, 6), round(lat, 6)])
    if out[0] != out[-1]:
        return None, f"{where}: 多角形の輪が閉じていません(最初の点と最後の点を同じにしてください)"
    return out, ""


def _polygons(geometry: Any, where: str) -> tuple[list[Polygon], list[str]]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        raw = [geometry.get("coordinates")]
    elif kind == "MultiPolygon":
        raw = geometry.get("coordinates")
    else:
        return [], [f"{where} の geometry: Polygon か MultiPolygon にしてください(「{kind}」)"]
    if not isinstance(raw, list) or not raw:
        return [], [f"{where} の geometry: 座標がありません"]
    polygons: list[Polygon] = []
    for p_number, rings in enumerate(raw, start=1):
        if not isinstance(rings, list) or not rings:
            return [], [f"{where} の geometry: 座標がありません"]
        polygon: Polygon = []
        for r_number, ring in enumerate(rings, start=1):
            label = f"{where} の geometry(多角形 {p_number} の輪 {r_number})"
            checked, problem = _check_ring(ring, label)
            if checked is None:
                return [], [problem]
            polygon.append(checked)
        polygons.append(polygon)
    return polygons, []


def _feature(
    feature: Any, where: str, *, districts: bool, name_property: str, code_property: str
) -> tuple[BoundaryFeature | None, str, str]:
    """(the feature, the property its key came from, a problem)."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, "", f"{where}: 地物(Feature)ではありません"
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        return None, "", f"{where} の properties: 名前と値の組ではありません"
    name_key, name = _pick(properties, name_property, NAME_PROPERTIES)
    code_key, code = _pick(properties, code_property, CODE_PROPERTIES)
    if districts and name_key is None:
        wanted = name_property or "、".join(NAME_PROPERTIES)
        return None, "", f"{where} の properties: 地区の名前({wanted})がありません"
    polygons, found = _polygons(feature.get("geometry"), where)
    if found:
        return None, "", found[0]
    return BoundaryFeature(code, name, polygons), (code_key if code else name_key) or "", ""


def read_boundary_geojson(
    data: bytes, *, districts: bool, name_property: str = "", code_property: str = ""
) -> list[BoundaryFeature]:
    """The features of a boundary file; `districts` requires a name per feature. BoundaryFileError names every
    bad feature and field; nothing is returned unless the whole file is good."""
    problems: list[str] = []
    out: list[BoundaryFeature] = []
    seen: dict[str, int] = {}
    points = 0
    for number, raw in enumerate(feature_collection(data, BoundaryFileError, limit=MAX_FEATURES), start=1):
        where = f"{number} 番目の地物"
        feature, field, problem = _feature(
            raw, where, districts=districts, name_property=name_property, code_property=code_property
        )
        if feature is None:
            problems.append(problem)
            continue
        points += sum(len(ring) for polygon in feature.polygons for ring in polygon)
        key = feature.code or feature.name
        if districts and key in seen:
            problems.append(f"{where} の {field}: 「{key}」は {seen[key]} 番目の地物と重複しています")
            continue
        seen[key] = number
        out.append(feature)
    if points > MAX_POINTS:
        problems.append(
            f"座標が多すぎます({points:,} 点。{MAX_POINTS:,} 点まで。簡略化してから読み込んでください)"
        )
    if problems:
        raise BoundaryFileError(problems)
    return out


def bounds_of(features: list[BoundaryFeature]) -> tuple[float, float, float, float]:
    """(south, west, north, east) of all the features' outer rings."""
    lons = [p[0] for f in features for polygon in f.polygons for p in polygon[0]]
    lats = [p[1] for f in features for polygon in f.polygons for p in polygon[0]]
    return min(lats), min(lons), max(lats), max(lons)


def simplify_line(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker on an (n, 2) array: the points whose removal would move the line more than `tolerance`
    (same units) are kept; first and last always are."""
    n = len(points)
    if n <= 3 or tolerance <= 0:
        return points
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        start, end = stack.pop()
        if end - start < 2:
            continue
        a, b = points[start], points[end]
        segment = points[start + 1 : end]
        direction = b - a
        length = float(np.hypot(*direction))
        if length == 0:
            distance = np.hypot(*(segment - a).T)
        else:
            distance = (
                np.abs(direction[0] * (segment[:, 1] - a[1]) - direction[1] * (segment[:, 0] - a[0])) / length
            )
        index = int(np.argmax(distance))
        if distance[index] > tolerance:
            middle = start + 1 + index
            keep[middle] = True
            stack.append((start, middle))
            stack.append((middle, end))
    return points[keep]


def districts_at(features: list[BoundaryFeature], points: list[tuple[float, float]]) -> list[str]:
    """The name of the district each (lat, lon) point lies in (holes excluded), or "" when none."""
    if not points:
        return []
    lat = np.array([p[0] for p in points], dtype=float)
    lon = np.array([p[1] for p in points], dtype=float)
    names = [""] * len(points)
    for feature in features:
        inside = np.zeros(lat.shape, dtype=bool)
        for polygon in feature.polygons:
            part = ring_contains(np.asarray(polygon[0], dtype=float), lat, lon)
            for hole in polygon[1:]:
                part &= ~ring_contains(np.asarray(hole, dtype=float), lat, lon)
            inside |= part
        for i in np.flatnonzero(inside):
            if not names[i]:
                names[i] = feature.name
    return names


def diff_boundaries(old: list[BoundaryFeature], new: list[BoundaryFeature]) -> list[str]:
    """Lines naming the districts added, removed, renamed or reshaped (by code, else by name)."""
    before = {f.code or f.name: f for f in old}
    after = {f.code or f.name: f for f in new}
    lines = [f"追加: {after[k].name or k}" for k in after if k not in before]
    lines += [f"削除: {before[k].name or k}" for k in before if k not in after]
    for key in after.keys() & before.keys():
        if after[key].name != before[key].name:
            lines.append(f"名前の変更: {before[key].name} → {after[key].name}")
        elif after[key].polygons != before[key].polygons:
            lines.append(f"形の変更: {after[key].name or key}")
    return sorted(lines)
