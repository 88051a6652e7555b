"""Cells drawn as SVG, without a tile server: one rectangle per cell, coloured and patterned by status."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chiiki.coverage.grid import Extent, parse_meshcode

WIDTH = 340  # fits a 360 px phone with the page's margins


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
class SvgMap:
    width: int
    height: int
    cells: list[SvgCell]
    points: list[SvgPoint]


def build_map(cells: list[tuple[str, str]], extent: Extent, points: list[tuple[float, float, str]]) -> SvgMap:
    """Project (code, status) cells and labelled points into an SVG box the width of a phone."""
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
    return SvgMap(WIDTH, max(height, 40), drawn, marks)


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
