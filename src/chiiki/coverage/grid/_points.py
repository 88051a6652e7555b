"""Checking a reported point: inside Japan, not swapped, inside the municipality's extent."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Japan's extreme points (沖ノ鳥島 20.4°N, 与那国島 122.9°E, 択捉島 45.6°N, 南鳥島 153.98°E) with a margin.
JAPAN_SOUTH, JAPAN_NORTH = 20.0, 46.0
JAPAN_WEST, JAPAN_EAST = 122.0, 154.0


class PointError(ValueError):
    """A point that cannot be where a resident is; the message says why in plain Japanese."""


@dataclass(frozen=True, slots=True)
class Extent:
    """A bounding box in degrees (the municipality's, loaded with its districts)."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        """True when the point is inside the box (edges included)."""
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def in_japan(lat: float, lon: float) -> bool:
    """True when the point is inside the box around Japan's extreme points."""
    return JAPAN_SOUTH <= lat <= JAPAN_NORTH and JAPAN_WEST <= lon <= JAPAN_EAST


def check_point(lat: float, lon: float, *, extent: Extent | None = None, area_name: str = "") -> None:
    """Raise PointError when (lat, lon) is not a point in Japan (or in `extent`), naming the likely mistake."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise PointError("緯度・経度が数ではありません")
    if not in_japan(lat, lon):
        if in_japan(lon, lat):
            raise PointError(
                f"緯度と経度が逆になっているようです(緯度 {lat}、経度 {lon})。緯度は 20〜46、経度は 122〜154 の数です"
            )
        raise PointError(f"緯度 {lat}、経度 {lon} は日本の範囲外です")
    if extent is not None and not extent.contains(lat, lon):
        where = area_name or "この市区町村"
        raise PointError(f"緯度 {lat}、経度 {lon} は{where}の範囲外です")
