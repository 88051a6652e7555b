"""Cells drawn as SVG, without a tile server: one rectangle per cell, coloured and patterned by status, over
the municipality's outline and its districts' boundaries (imported GeoJSON), in the same projection.

Outlines are simplified (Douglas-Peucker) to a fraction of a pixel of the drawn map, and more coarsely while the
map would hold more than MAX_DRAWN_POINTS points, so a phone draws a detailed boundary file quickly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from chiiki.coverage.grid import BoundaryFeature, Extent, parse_meshcode, simplify_line

WIDTH = 340  # fits a 360 px phone with the page's margins
MAX_DRAWN_POINTS = 6_000
TOLERANCE_PX = 0.5


@dataclass(frozen=True, slots=True)
class SvgCell:
    x: float
    y: float
    width: float
    height: float
    status: str
    code: str


@dataclass(frozen=True, slots=True)
class SvgPoint:
    x: float
    y: float
    label: str


@dataclass(frozen=True, slots=True)
class SvgOutline:
    path: str  # the SVG path data, one closed subpath per ring
    name: str
    points: int


@dataclass(frozen=True, slots=True)
class SvgMap:
    width: int
    height: int
    cells: list[SvgCell]
    points: list[SvgPoint]
    outline: list[SvgOutline] = field(default_factory=list)  # the municipality
    districts: list[SvgOutline] = field(default_factory=list)


def _outlines(
    features: list[BoundaryFeature], project: Callable[[np.ndarray], np.ndarray], tolerance: float
) -> list[SvgOutline]:
    drawn = []
    for feature in features:
        parts = []
        count = 0
        for polygon in feature.polygons:
            for ring in polygon:
                xy = simplify_line(project(np.asarray(ring, dtype=float)), tolerance)
                if len(xy) < 4:  # smaller than a pixel at this scale
                    continue
                count += len(xy)
                parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + " Z")
        if parts:
            drawn.append(SvgOutline(" ".join(parts), feature.name, count))
    return drawn


def build_map(
    cells: list[tuple[str, str]],
    extent: Extent,
    points: list[tuple[float, float, str]],
    *,
    outline: list[BoundaryFeature] | None = None,
    districts: list[BoundaryFeature] | None = None,
) -> SvgMap:
    """Project (code, status) cells, labelled points and the boundaries into an SVG box the width of a phone."""
    lat_span = max(extent.north - extent.south, 1e-6)
    lon_span = max(extent.east - extent.west, 1e-6)
    # Longitude degrees are shorter than latitude degrees by cos(latitude); at 35° about 0.82.
    scale = WIDTH / (lon_span * 0.82)
    height = round(lat_span * scale)

    def x_of(lon: float) -> float:
        return round((lon - extent.west) * 0.82 * scale, 1)

    def y_of(lat: float) -> float:
        return round((extent.north - lat) * scale, 1)

    drawn = []
    for code, status in cells:
        cell = parse_meshcode(code)
        drawn.append(
            SvgCell(
                x_of(cell.west),
                y_of(cell.north),
                round((cell.east - cell.west) * 0.82 * scale, 1),
                round((cell.north - cell.south) * scale, 1),
                status,
                code,
            )
        )
    marks = [SvgPoint(x_of(lon), y_of(lat), label) for lat, lon, label in points]

    def project(ring: np.ndarray) -> np.ndarray:  # [lon, lat] rows -> [x, y] pixels
        return np.column_stack(
            ((ring[:, 0] - extent.west) * 0.82 * scale, (extent.north - ring[:, 1]) * scale)
        )

    tolerance = TOLERANCE_PX
    while True:
        town = _outlines(outline or [], project, tolerance)
        parts = _outlines(districts or [], project, tolerance)
        if sum(o.points for o in town + parts) <= MAX_DRAWN_POINTS or tolerance > WIDTH / 20:
            break
        tolerance *= 2
    return SvgMap(WIDTH, max(height, 40), drawn, marks, town, parts)


def cells_geojson(frame: pl.DataFrame) -> dict[str, object]:
    """A FeatureCollection with one square polygon per cell row."""
    features = []
    for row in frame.iter_rows(named=True):
        cell = parse_meshcode(row["mesh"])
        ring = [
            [cell.west, cell.south],
            [cell.east, cell.south],
            [cell.east, cell.north],
            [cell.west, cell.north],
            [cell.west, cell.south],
        ]
        features.append(
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": row}
        )
    return {"type": "FeatureCollection", "features": features}
