"""Roads on the grid: the length of road (GeoJSON LineString/MultiLineString in degrees) in each 500 m cell.

Each segment is cut into pieces of at most STEP_METRES; a piece's length goes to the cell of its midpoint, so a
cell's figure is within a few tens of metres of the exact clipped length. Any feature that cannot be read (not
a line, coordinates swapped or outside Japan) refuses the whole file, naming the feature (1-based).
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import numpy as np
import polars as pl

from chiiki.coverage.grid._aggregate import place_on_grid
from chiiki.coverage.grid._points import JAPAN_EAST, JAPAN_NORTH, JAPAN_SOUTH, JAPAN_WEST, in_japan

ROAD_LEVEL = 4
STEP_METRES = 20.0
EARTH_RADIUS_M = 6_371_000.0
_MAX_LISTED = 20


class RoadFileError(ValueError):
    """A roads file refused as a whole; `problems` names each feature."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:_MAX_LISTED]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n…ほか {more} 件" if more else "")
        super().__init__(f"道路のファイルを読み込めません。何も取り込んでいません。\n{text}")


def _lines(geometry: Any, where: str) -> tuple[list[list[tuple[float, float]]], list[str]]:
    """The lines of a geometry as [(lat, lon), …], or the problems."""
    if not isinstance(geometry, dict):
        return [], [f"{where}: geometry がありません(道路は LineString か MultiLineString)"]
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "LineString":
        parts = [coordinates]
    elif kind == "MultiLineString" and isinstance(coordinates, list):
        parts = coordinates
    else:
        return [], [f"{where}: 線(LineString・MultiLineString)ではありません({kind})"]
    lines: list[list[tuple[float, float]]] = []
    for part in parts:
        if not isinstance(part, list) or len(part) < 2:
            return [], [f"{where}: 線には 2 点以上の座標が必要です"]
        line = []
        for point in part:
            if not (
                isinstance(point, list)
                and len(point) >= 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2])
            ):
                return [], [f"{where}: 座標「{point}」は [経度, 緯度] の数の組ではありません"]
            lon, lat = float(point[0]), float(point[1])
            if not in_japan(lat, lon):
                if in_japan(lon, lat):
                    return [], [
                        f"{where}: 座標 [{point[0]}, {point[1]}] は緯度と経度が逆のようです(GeoJSON は [経度, 緯度])"
                    ]
                return [], [
                    f"{where}: 座標 [{point[0]}, {point[1]}] は日本の範囲外です"
                    f"(経度 {JAPAN_WEST}〜{JAPAN_EAST}、緯度 {JAPAN_SOUTH}〜{JAPAN_NORTH})"
                ]
            line.append((lat, lon))
        lines.append(line)
    return lines, []


def _pieces(lines: list[list[tuple[float, float]]]) -> tuple[list[float], list[float], list[float]]:
    """Midpoints (lat, lon) and lengths in metres of the pieces of every segment."""
    lats: list[float] = []
    lons: list[float] = []
    lengths: list[float] = []
    for line in lines:
        for (lat0, lon0), (lat1, lon1) in itertools.pairwise(line):
            p0, p1 = math.radians(lat0), math.radians(lat1)
            h = (
                math.sin((p1 - p0) / 2) ** 2
                + math.cos(p0) * math.cos(p1) * math.sin(math.radians(lon1 - lon0) / 2) ** 2
            )
            metres = 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))
            if metres == 0:
                continue
            n = max(1, math.ceil(metres / STEP_METRES))
            t = (np.arange(n) + 0.5) / n
            lats += list(lat0 + (lat1 - lat0) * t)
            lons += list(lon0 + (lon1 - lon0) * t)
            lengths += [metres / n] * n
    return lats, lons, lengths


def read_road_geojson(data: bytes) -> dict[str, int]:
    """Metres of road per 500 m cell (rounded), from a GeoJSON FeatureCollection of lines."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RoadFileError([f"GeoJSON として読めません({error})"]) from error
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise RoadFileError(
            ["GeoJSON の FeatureCollection ではありません(type が FeatureCollection のファイル)"]
        )
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise RoadFileError(["features が空です"])
    problems: list[str] = []
    lines: list[list[tuple[float, float]]] = []
    for number, feature in enumerate(features, start=1):
        where = f"{number} 番目の地物"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"{where}: Feature ではありません")
            continue
        found, wrong = _lines(feature.get("geometry"), where)
        problems += wrong
        lines += found
    if problems:
        raise RoadFileError(problems)
    lats, lons, lengths = _pieces(lines)
    frame = pl.DataFrame(
        {"latitude": lats, "longitude": lons, "metres": lengths},
        schema={"latitude": pl.Float64, "longitude": pl.Float64, "metres": pl.Float64},
    )
    per_cell = place_on_grid(frame, ROAD_LEVEL).group_by("mesh").agg(pl.col("metres").sum()).sort("mesh")
    return {mesh: round(metres) for mesh, metres in per_cell.iter_rows() if round(metres) > 0}
